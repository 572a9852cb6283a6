import type { GateOutcome } from "../decision.js";
import { ARMS, type ArmName } from "../types.js";
import { formatCount, formatMoney, formatMs, formatNumber, formatPercent, formatPoints, formatPValue } from "../text/format.js";
import { singleLine, truncate } from "../text/width.js";
import type { ConfusionMatrix } from "../stats/confusion.js";
import type { PartialReport } from "./partial.js";
import type { ArmReport, CaseReport, Report, SuiteReport } from "./types.js";
import { mermaidDecision, mermaidLabels } from "./mermaid.js";
import { accuracyBars, decisionLine } from "./text-figures.js";
import { armHeading, cacheNote, capitalise, describePrediction, formatSuiteDelta, gateCause, measuredOn } from "./wording.js";

export interface MarkdownOptions {
  /** A URL for a line of a file (paths as in the report); without it, locations are plain text. */
  fileLink?: (file: string, line: number) => string;
  /** Most rows in any case table before it is cut short (the JSON report has them all); default 100. */
  maxCaseRows?: number;
  /** Missed-case tables longer than this are collapsed; default 10. */
  collapseAfter?: number;
}

const GATE_BADGE: Record<GateOutcome, string> = { pass: "✅ pass", warn: "⚠️ warn", fail: "❌ fail" };
const INPUT_CHARS = 100;
const CONFUSION_INLINE_LABELS = 8;

/**
 * User text (inputs, labels, names) made inert: one line; `&`, `<`, `>` as entities (no HTML); inline
 * Markdown punctuation backslash-escaped, `|` included since it would end a table cell; a leading list or
 * heading marker escaped; @-mentions, issue references and autolinks broken with a zero-width space so a
 * PR comment pings nobody and links nowhere.
 */
export function escapeMarkdown(text: string): string {
  return singleLine(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/^([#+-])/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2")
    .replace(/@/g, "@\u200b")
    // GitHub links `#12`, `owner/repo#12` and `GH-12` to issues, and bare URLs and `www.` hosts to pages,
    // even after backslash escapes; a zero-width space after `#`, `GH` and `:` or `www` stops each.
    .replace(/#(?=\d)/g, "#\u200b")
    .replace(/\bGH-(?=\d)/gi, (m) => `${m.slice(0, 2)}\u200b-`)
    .replace(/:\/\//g, ":\u200b//")
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\u200b.`);
}

function safeUrl(url: string): string {
  return url.replace(/[ ()<>"]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

function location(file: string, line: number, options: MarkdownOptions): string {
  const text = escapeMarkdown(`${file}:${line}`);
  return options.fileLink ? `[${text}](${safeUrl(options.fileLink(file, line))})` : text;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function table(header: readonly string[], alignments: readonly ("l" | "r")[], rows: readonly (readonly string[])[]): string[] {
  return [row(header), row(alignments.map((a) => (a === "r" ? "--:" : ":--"))), ...rows.map(row)];
}

function details(summary: string, body: readonly string[]): string[] {
  return ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>"];
}

function deltaCell(suite: SuiteReport): string {
  return `${formatSuiteDelta(suite)} (${formatPoints(suite.delta_ci95[0])} to ${formatPoints(suite.delta_ci95[1])})`;
}

function summaryTable(report: Report): string[] {
  return table(
    ["Suite", "Cases", ...ARMS.map(armHeading), "Delta, points (95% CI)", "McNemar p", "Verdict", "Gate"],
    ["l", "r", "r", "r", "l", "r", "l", "l"],
    report.suites.map((suite) => [
      escapeMarkdown(suite.name),
      formatCount(suite.cases.length),
      formatPercent(suite.arms.few_shot.accuracy),
      formatPercent(suite.arms.lora.accuracy),
      deltaCell(suite),
      formatPValue(suite.mcnemar.p_value),
      `\`${suite.verdict}\``,
      GATE_BADGE[suite.gate],
    ]),
  );
}

function metricsTable(suite: SuiteReport): string[] {
  const both = (value: (arm: ArmReport) => string): string[] => ARMS.map((arm) => value(suite.arms[arm]));
  const rows = [
    ["Accuracy", ...both((a) => `${formatPercent(a.accuracy)} (${a.correct}/${a.total})`)],
    ["Macro-F1", ...both((a) => formatNumber(a.macro_f1, 3))],
    ["Latency mean / p50 / p95", ...both((a) => `${formatMs(a.latency_ms.mean)} / ${formatMs(a.latency_ms.p50)} / ${formatMs(a.latency_ms.p95)} ms`)],
    ["Prompt tokens per call", ...both((a) => formatCount(a.prompt_tokens_per_call))],
    ["Output tokens per call", ...both((a) => formatCount(a.output_tokens_per_call))],
    ["Tokens evaluated / minimum", ...both((a) => `${formatCount(a.tokens_evaluated)} / ${formatCount(a.tokens_minimum)}`)],
  ];
  const baseline = suite.majority_baseline;
  if (baseline) {
    // Beside both arms: what always answering the most expected label scores.
    rows.splice(1, 0, [`Majority-class baseline (always \`${escapeMarkdown(baseline.label).replaceAll("`", "'")}\`)`, ...both(() => `${formatPercent(baseline.accuracy)} (${baseline.correct}/${suite.cases.length})`)]);
  }
  if (suite.scoring === "generate") rows.push(["Invalid outputs", ...both((a) => formatCount(a.invalid))]);
  return table(["Metric", ...ARMS.map(armHeading)], ["l", "r", "r"], rows);
}

/** The decision as a Mermaid chart, and as a text figure for wherever Mermaid is not rendered. */
function decisionSection(suite: SuiteReport): string[] {
  const figure = { unicode: true, width: 60 };
  return ["#### The decision", "", ...mermaidDecision(suite), "", "```text", ...decisionLine(suite, figure), "", ...accuracyBars(suite, figure), "```", ""];
}

function perLabelSection(suite: SuiteReport): string[] {
  const f = (value: number | null | undefined): string => (value === null || value === undefined ? "n/a" : formatNumber(value, 3));
  const rows = suite.arms.few_shot.per_label.map((row, r) => [
    escapeMarkdown(row.label),
    formatCount(row.support),
    ...ARMS.flatMap((arm) => {
      const l = suite.arms[arm].per_label[r];
      return [f(l?.precision), f(l?.recall), f(l?.f1)];
    }),
  ]);
  const chart = mermaidLabels(suite);
  return [
    "#### Per label",
    "",
    ...(chart.length > 0 ? [...chart, ""] : []),
    ...table(["Label", "Support", ...ARMS.flatMap((arm) => ["precision", "recall", "F1"].map((m) => `${armHeading(arm)} ${m}`))], ["l", "r", "r", "r", "r", "r", "r", "r"], rows),
    "",
  ];
}

function costSection(suite: SuiteReport): string[] {
  const cost = suite.cost;
  if (!cost) return [];
  const money = (value: number): string => formatMoney(value, "");
  const both = (value: (arm: ArmName) => string): string[] => ARMS.map(value);
  const extra = cost.extra_prompt_tokens_per_call;
  const extraSentence =
    extra >= 0
      ? `The few-shot arm sends ${formatCount(extra)} more prompt tokens per call than LoRA.`
      : `The few-shot arm sends ${formatCount(-extra)} fewer prompt tokens per call than LoRA.`;
  return [
    `#### Cost (${escapeMarkdown(cost.currency)})`,
    "",
    ...table(
      ["", ...ARMS.map(armHeading)],
      ["l", "r", "r"],
      [
        ["Prompt + output tokens per call", ...both((arm) => `${formatCount(cost[arm].prompt_tokens_per_call)} + ${formatCount(cost[arm].output_tokens_per_call)}`)],
        ["Per call", ...both((arm) => money(cost[arm].cost_per_call))],
        [`Per day (${formatCount(cost.calls_per_day)} calls)`, ...both((arm) => money(cost[arm].cost_per_day))],
        [`Per month (${cost.days_per_month} days)`, ...both((arm) => money(cost[arm].cost_per_month))],
      ],
    ),
    "",
    `${extraSentence} ${capitalise(escapeMarkdown(cost.break_even_note))}.`,
    "",
  ];
}

function predictionCell(c: CaseReport, arm: ArmName): string {
  const result = c[arm];
  return `${result.correct ? "✅" : "❌"} ${escapeMarkdown(singleLine(describePrediction(result)))}`;
}

function caseRows(cases: readonly CaseReport[], options: MarkdownOptions, limit: number): string[][] {
  return cases.slice(0, limit).map((c) => [
    `${location(c.file, c.line, options)}${c.must ? " **must**" : ""}`,
    escapeMarkdown(truncate(singleLine(c.input), INPUT_CHARS)),
    escapeMarkdown(c.expected),
    predictionCell(c, "few_shot"),
    predictionCell(c, "lora"),
  ]);
}

function caseTable(cases: readonly CaseReport[], options: MarkdownOptions, limit: number): string[] {
  const lines = table(["Case", "Input", "Expected", ...ARMS.map(armHeading)], ["l", "l", "l", "l", "l"], caseRows(cases, options, limit));
  if (cases.length > limit) lines.push("", `… and ${formatCount(cases.length - limit)} more in the JSON report.`);
  return lines;
}

function confusionTable(confusion: ConfusionMatrix): string[] {
  return table(
    ["expected \\\\ predicted", ...confusion.columns.map((label) => escapeMarkdown(label))],
    ["l", ...confusion.columns.map((): "r" => "r")],
    confusion.rows.map((label, r) => [escapeMarkdown(label), ...(confusion.counts[r] ?? []).map((count) => formatCount(count))]),
  );
}

function confusionSection(suite: SuiteReport): string[] {
  const body = ARMS.flatMap((arm) => [`**${armHeading(arm)}** (rows expected, columns predicted)`, "", ...confusionTable(suite.arms[arm].confusion), ""]);
  if (suite.labels.length <= CONFUSION_INLINE_LABELS) return ["#### Confusion matrices", "", ...body];
  return [...details("Confusion matrices", body), ""];
}

function suiteSection(suite: SuiteReport, options: MarkdownOptions): string[] {
  const maxRows = options.maxCaseRows ?? 100;
  const collapseAfter = options.collapseAfter ?? 10;
  const missed = suite.cases.filter((c) => !c.few_shot.correct || !c.lora.correct);
  const lines = [
    `### ${escapeMarkdown(suite.name)}`,
    "",
    `${location(suite.file, 1, options)} · ${suite.scoring} scoring · ${formatCount(suite.cases.length)} case${suite.cases.length === 1 ? "" : "s"} · ${escapeMarkdown(singleLine(measuredOn(suite.engine)))}`,
    "",
    `Gate ${GATE_BADGE[suite.gate]}: ${escapeMarkdown(gateCause(suite))} · **Verdict: \`${suite.verdict}\`**`,
    "",
    `> ${escapeMarkdown(suite.reason)}`,
    "",
    ...decisionSection(suite),
    ...metricsTable(suite),
    "",
    ...(cacheNote(suite) !== undefined ? [`♻️ ${capitalise(cacheNote(suite)!)}.`, ""] : []),
    ...(suite.warnings ?? []).flatMap((warning) => [`> [!WARNING]`, `> ${escapeMarkdown(singleLine(warning))}`, ""]),
    `**Paired comparison.** LoRA − few-shot = ${formatSuiteDelta(suite)} points, 95% CI ` +
      `${formatPoints(suite.delta_ci95[0])} to ${formatPoints(suite.delta_ci95[1])} (Newcombe paired hybrid score interval). ` +
      `McNemar exact test: few-shot only ${suite.mcnemar.few_shot_only}, LoRA only ${suite.mcnemar.lora_only}, p = ${formatPValue(suite.mcnemar.p_value)}. ` +
      `${capitalise(escapeMarkdown(suite.interval.note))}.`,
    "",
    ...perLabelSection(suite),
    ...costSection(suite),
  ];
  if (missed.length === 0) lines.push("Both arms got every case right.", "");
  else if (missed.length <= collapseAfter) lines.push(`#### Missed cases (${missed.length})`, "", ...caseTable(missed, options, maxRows), "");
  else lines.push(...details(`Missed cases (${formatCount(missed.length)})`, caseTable(missed, options, maxRows)), "");
  lines.push(...confusionSection(suite));
  lines.push(...details(`All ${formatCount(suite.cases.length)} cases`, caseTable(suite.cases, options, maxRows)), "");
  return lines;
}

/**
 * The report as GitHub-flavoured Markdown for a job summary or PR comment: the overall gate, a summary
 * table, then per suite the verdict and reason, the decision chart (Mermaid, and as text), metrics, paired
 * comparison, per-label chart and table, cost, missed cases linked to
 * their YAML lines, confusion matrices, and every case collapsed.
 */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const lines = [`## tunegate: ${GATE_BADGE[report.gate]}`, "", ...summaryTable(report), ""];
  for (const suite of report.suites) lines.push(...suiteSection(suite, options));
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

/** A shard's part in Markdown: which cases it ran, and that it decides nothing (no verdict, no gate). */
export function renderPartialMarkdown(report: PartialReport): string {
  const { shard, shards } = report.partial;
  const rows = report.suites.map((suite) => [`${escapeMarkdown(suite.name)} (${escapeMarkdown(suite.file)})`, formatCount(suite.cases.length), formatCount(suite.cases_total)]);
  const lines = [
    `## tunegate · shard ${shard}/${shards}: partial, no verdict`,
    "",
    `One part of a sharded run: no verdict and no gate. \`tunegate merge\` of all ${shards} parts builds the report from every case and decides.`,
    "",
    ...table(["Suite", "Cases in this shard", "Cases in the suite"], ["l", "r", "r"], rows),
  ];
  return `${lines.join("\n")}\n`;
}
