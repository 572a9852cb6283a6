// The HTML report: one self-contained page (inline CSS and SVG, one small script for the case table, a
// Content-Security-Policy that allows no request) from the same Report the JSON and Markdown are made of.
// Per suite: the decision chart, metrics, per-label bars, confusion heatmaps, latency, cost, confidence and
// margin, the baseline comparison when there is one, and every case in a sortable, filterable, paged table.
import type { GateOutcome } from "../../decision.js";
import { formatCount, formatMoney, formatMs, formatNumber, formatPercent, formatPoints, formatPValue } from "../../text/format.js";
import { ARM_DISPLAY, ARMS, type ArmName } from "../../types.js";
import type { CaseReport, Report, SuiteReport } from "../types.js";
import { armHeading, cacheNote, capitalise, formatSuiteDelta } from "../wording.js";
import { confusionCharts } from "./confusion-chart.js";
import { costChart } from "./cost-chart.js";
import type { DrawnInterval } from "../decision-zones.js";
import { decisionChart, volumeRule } from "./decision-chart.js";
import { escapeHtml, safeHref } from "./escape.js";
import { latencyChart, scoreChart } from "./histogram-chart.js";
import { labelChart } from "./label-chart.js";
import { SCRIPT, scriptHash, STYLE } from "./page-assets.js";

/** A suite of the baseline, as far as the page shows it. */
export interface HtmlBaselineSuite {
  name: string;
  file: string;
  /** The baseline's delta and interval, when its report has them. */
  previous?: { deltaPoints: number; lower: number; upper: number };
  accuracy: Record<ArmName, { before: number; after: number }>;
  newlyFailing: readonly { case: CaseReport }[];
  newlyPassing: readonly { case: CaseReport }[];
}

export interface HtmlBaseline {
  /** What the baseline is, e.g. its path. */
  label: string;
  suites: readonly HtmlBaselineSuite[];
}

export interface HtmlOptions {
  /** A URL for a line of a file (paths as in the report); default: the path itself, relative. */
  fileLink?: (file: string, line: number) => string;
  baseline?: HtmlBaseline;
  /** Case-table rows per page; default 100. */
  pageSize?: number;
}

const GATE_TEXT: Record<GateOutcome, string> = { pass: "✓ pass", warn: "! warn", fail: "✗ fail" };

const e = escapeHtml;
const DEFAULT_PAGE_SIZE = 100;

function link(file: string, line: number, options: HtmlOptions): string {
  const href = safeHref(options.fileLink ? options.fileLink(file, line) : `${file.split("/").map(encodeURIComponent).join("/")}#L${line}`);
  return `<a href="${e(href)}">${e(`${file}:${line}`)}</a>`;
}

function gateBadge(gate: GateOutcome): string {
  return `<span class="badge gate-${gate}">gate ${GATE_TEXT[gate]}</span>`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[] = [], caption?: string): string {
  const cls = (i: number) => (numeric[i] ? ` class="num"` : "");
  return (
    `<table>${caption ? `<caption class="muted">${e(caption)}</caption>` : ""}<thead><tr>${head.map((h, i) => `<th scope="col"${cls(i)}>${h}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((row) => `<tr>${row.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td${cls(i)}>${c}</td>`)).join("")}</tr>`).join("")}</tbody></table>`
  );
}

function overview(report: Report): string {
  const rows = report.suites.map((suite, i) => [
    `<a href="#suite-${i}">${e(suite.name)}</a>`,
    formatCount(suite.cases.length),
    formatPercent(suite.arms.few_shot.accuracy),
    formatPercent(suite.arms.lora.accuracy),
    `${e(formatSuiteDelta(suite))} (${formatPoints(suite.delta_ci95[0])} to ${formatPoints(suite.delta_ci95[1])})`,
    `<code>${suite.verdict}</code>`,
    gateBadge(suite.gate),
  ]);
  return table(["Suite", "Cases", armHeading("few_shot"), armHeading("lora"), "Delta, points (95% CI)", "Verdict", "Gate"], rows, [false, true, true, true, true, false, false]);
}

function metrics(suite: SuiteReport): string {
  const both = (value: (arm: ArmName) => string) => ARMS.map(value);
  const arm = (name: ArmName) => suite.arms[name];
  const rows = [
    ["Accuracy", ...both((a) => `${formatPercent(arm(a).accuracy)} (${arm(a).correct}/${arm(a).total})`)],
    ["Macro-F1", ...both((a) => formatNumber(arm(a).macro_f1, 3))],
    ["Latency mean / p50 / p95", ...both((a) => `${formatMs(arm(a).latency_ms.mean)} / ${formatMs(arm(a).latency_ms.p50)} / ${formatMs(arm(a).latency_ms.p95)} ms`)],
    ["Prompt + output tokens per call", ...both((a) => `${formatCount(arm(a).prompt_tokens_per_call)} + ${formatCount(arm(a).output_tokens_per_call)}`)],
  ];
  if (suite.scoring === "generate") rows.push(["Invalid outputs", ...both((a) => formatCount(arm(a).invalid))]);
  return table(["Metric", ...ARMS.map(armHeading)], rows, [false, true, true]);
}

function labelTable(suite: SuiteReport): string {
  const f = (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : formatNumber(v, 3));
  const rows = suite.arms.few_shot.per_label.map((row, r) => [
    e(row.label),
    formatCount(row.support),
    ...ARMS.flatMap((arm) => {
      const l = suite.arms[arm].per_label[r];
      return [f(l?.precision), f(l?.recall), f(l?.f1)];
    }),
  ]);
  const head = ["Label", "Support", ...ARMS.flatMap((arm) => ["precision", "recall", "F1"].map((m) => `${e(armHeading(arm))} ${m}`))];
  return table(head, rows, [false, true, true, true, true, true, true, true]);
}

function legend(items: ReadonlyArray<[string, string]>): string {
  return `<div class="legend" aria-hidden="true">${items.map(([cls, name]) => `<span><span class="swatch ${cls}"></span>${e(name)}</span>`).join("")}</div>`;
}

function figure(body: string, caption: string): string {
  return `<figure>${body}<figcaption>${caption}</figcaption></figure>`;
}

/** A small chart among others, named under it. */
function small(body: string, name: string): string {
  return `<figure class="small">${body}<figcaption>${e(name)}</figcaption></figure>`;
}

function costSection(suite: SuiteReport, id: string): string {
  const cost = suite.cost;
  if (!cost) return `<p class="muted">The suite gives no prices, so there is no cost comparison.</p>`;
  const money = (v: number) => e(formatMoney(v, cost.currency));
  const rows = [
    ["Per call", ...ARMS.map((arm) => money(cost[arm].cost_per_call))],
    [`Per day (${formatCount(cost.calls_per_day)} calls)`, ...ARMS.map((arm) => money(cost[arm].cost_per_day))],
    [`Per month (${cost.days_per_month} days)`, ...ARMS.map((arm) => money(cost[arm].cost_per_month))],
  ];
  return (
    legend([["sw-few", "few-shot"], ["sw-lora", "LoRA (one-off fine-tune, then per day)"]]) +
    figure(costChart(suite, cost, id), `${e(capitalise(cost.break_even_note))}.`) +
    table(["", ...ARMS.map(armHeading)], rows, [false, true, true])
  );
}

/** A row of the case table; rows after the first page start hidden, so a long table lays out only one page. */
function caseRow(c: CaseReport, options: HtmlOptions, changed: ReadonlySet<CaseReport>, hidden: boolean): string {
  const miss = !c.few_shot.correct || !c.lora.correct;
  const disagree = c.few_shot.predicted !== c.lora.predicted;
  const score = (v: number | null) => (v === null ? `<td class="num" data-sort="">n/a</td>` : `<td class="num" data-sort="${v}">${formatNumber(v, 3)}</td>`);
  const arm = (name: ArmName) => {
    const r = c[name];
    return `<td data-sort="${r.correct ? 1 : 0}"><span class="${r.correct ? "ok" : "bad"}">${r.correct ? "✓" : "✗"}</span> ${e(r.predicted)}</td>${score(r.confidence)}${score(r.margin)}`;
  };
  return (
    `<tr data-miss="${miss ? 1 : 0}" data-disagree="${disagree ? 1 : 0}" data-must="${c.must ? 1 : 0}" data-changed="${changed.has(c) ? 1 : 0}" data-expected="${e(c.expected)}"${hidden ? " hidden" : ""}>` +
    `<td class="num" data-sort="${c.index}">${c.index + 1}</td><td data-sort="${c.line}">${link(c.file, c.line, options)}${c.must ? " <strong>must</strong>" : ""}</td>` +
    `<td class="case-input">${e(c.input)}</td><td>${e(c.expected)}</td>${arm("few_shot")}${arm("lora")}</tr>`
  );
}

function caseTable(suite: SuiteReport, index: number, options: HtmlOptions, changed: ReadonlySet<CaseReport>): string {
  const id = `cases-${index}`;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const labels = suite.labels.map((label) => `<option value="${e(label)}">${e(label)}</option>`).join("");
  const sortable = (name: string, type: "num" | "text") => `<th scope="col" data-sort-type="${type}"${type === "num" ? ` class="num"` : ""}><button type="button">${name}</button></th>`;
  const armHeads = ARMS.map((arm) => sortable(e(armHeading(arm)), "text") + sortable("conf.", "num") + sortable("margin", "num")).join("");
  const changedOption = options.baseline ? `<option value="changed">changed since the baseline</option>` : "";
  return (
    `<div data-case-table data-page-size="${pageSize}">` +
    `<div class="controls" hidden><label>Show<select data-filter="kind" aria-controls="${id}"><option value="all">all cases</option><option value="miss">misses (either arm)</option>` +
    `<option value="disagree">disagreements</option><option value="must">must cases</option>${changedOption}</select></label>` +
    `<label>Expected label<select data-filter="label" aria-controls="${id}"><option value="">any</option>${labels}</select></label>` +
    `<label>Text<input type="search" data-filter="text" aria-controls="${id}" placeholder="input, label, file"></label></div>` +
    `<div class="pager" hidden><button type="button" data-page="prev">Previous</button><button type="button" data-page="next">Next</button><span data-status role="status" aria-live="polite"></span></div>` +
    `<table id="${id}"><caption class="muted">Every case with both arms' predictions, confidence and margin (log-probability lead over the runner-up); sort by a column heading.</caption>` +
    `<thead><tr>${sortable("#", "num")}${sortable("Case", "num")}${sortable("Input", "text")}${sortable("Expected", "text")}${armHeads}</tr></thead>` +
    `<tbody>${suite.cases.map((c, i) => caseRow(c, options, changed, i >= pageSize)).join("")}</tbody></table></div>`
  );
}

function mustMisses(suite: SuiteReport, options: HtmlOptions): string {
  if (suite.must_misses.length === 0) return "";
  const items = suite.must_misses.map((m) => `<li>${link(m.file, m.line, options)}: “${e(m.input)}” (expected ${e(m.expected)}; missed by ${m.arms.map((a) => ARM_DISPLAY[a]).join(" and ")})</li>`);
  return `<h3>Must cases missed</h3><ul>${items.join("")}</ul>`;
}

function baselineFor(suite: SuiteReport, baseline: HtmlBaseline | undefined): HtmlBaselineSuite | undefined {
  return baseline?.suites.find((s) => s.name === suite.name && s.file === suite.file) ?? baseline?.suites.find((s) => s.name === suite.name);
}

function baselineSection(matched: HtmlBaselineSuite | undefined, baseline: HtmlBaseline | undefined, options: HtmlOptions): string {
  if (!baseline) return "";
  if (!matched) return `<h3>Against the baseline</h3><p class="muted">The baseline (${e(baseline.label)}) has no suite of this name.</p>`;
  const rows = ARMS.map((arm) => {
    const a = matched.accuracy[arm];
    return [e(armHeading(arm)), formatPercent(a.before), formatPercent(a.after), formatPoints((a.after - a.before) * 100)];
  });
  const list = (title: string, changes: readonly { case: CaseReport }[]) =>
    changes.length === 0
      ? ""
      : `<h4>${e(title)} (${formatCount(changes.length)})</h4><ul>${changes
          .slice(0, 200)
          .map(({ case: c }) => `<li>${link(c.file, c.line, options)}: “${e(c.input)}” (expected ${e(c.expected)}; now few-shot ${e(c.few_shot.predicted)}, LoRA ${e(c.lora.predicted)})</li>`)
          .join("")}</ul>${changes.length > 200 ? `<p class="muted">… and ${formatCount(changes.length - 200)} more.</p>` : ""}`;
  return (
    `<h3>Against the baseline</h3><p class="muted">Baseline: ${e(baseline.label)}.</p>` +
    table(["Arm", "Baseline", "This run", "Change, points"], rows, [false, true, true, true]) +
    list("Newly failing", matched.newlyFailing) +
    list("Newly passing", matched.newlyPassing)
  );
}

function suiteSection(suite: SuiteReport, index: number, options: HtmlOptions): string {
  const id = (chart: string) => `s${index}${chart}`;
  const matched = baselineFor(suite, options.baseline);
  const previous: DrawnInterval | undefined = matched?.previous ? { label: "baseline", deltaPoints: matched.previous.deltaPoints, lower: matched.previous.lower, upper: matched.previous.upper } : undefined;
  const changed = new Set([...(matched?.newlyFailing ?? []), ...(matched?.newlyPassing ?? [])].map((change) => change.case));
  const scoreKinds = suite.scoring === "logprob" ? (["confidence", "margin"] as const) : (["confidence"] as const);
  return (
    `<section id="suite-${index}" aria-labelledby="suite-${index}-h"><h2 id="suite-${index}-h">${e(suite.name)}</h2>` +
    `<p class="muted">${link(suite.file, 1, options)} · ${suite.scoring} scoring · ${formatCount(suite.cases.length)} case${suite.cases.length === 1 ? "" : "s"}</p>` +
    `<p><strong>Verdict: <code>${suite.verdict}</code></strong> ${gateBadge(suite.gate)}</p><p>${e(suite.reason)}</p>` +
    // What the terminal and the Markdown say too: warnings about the arms, and results that are not this run's.
    (suite.warnings ?? []).map((warning) => `<p class="warning" role="note"><strong>Warning:</strong> ${e(warning)}</p>`).join("") +
    (cacheNote(suite) !== undefined ? `<p class="muted" role="note">${e(capitalise(cacheNote(suite)!))}.</p>` : "") +
    `<h3>The decision</h3>` +
    figure(
      decisionChart(suite, id("dec"), previous),
      `${e(volumeRule(suite))} ${e(capitalise(suite.interval.note))}. McNemar exact test: few-shot only ${suite.mcnemar.few_shot_only}, LoRA only ${suite.mcnemar.lora_only}, p = ${formatPValue(suite.mcnemar.p_value)}.`,
    ) +
    metrics(suite) +
    mustMisses(suite, options) +
    `<h3>Per label</h3>` +
    legend([["sw-few", "few-shot"], ["sw-lora", "LoRA"]]) +
    figure(labelChart(suite, id("lab")), "Precision, recall and F1 of each label, few-shot above LoRA; n is the label's number of cases.") +
    labelTable(suite) +
    `<h3>Confusion matrices</h3>` +
    `<div class="charts">${confusionCharts(suite, id("cm")).map((chart, i) => small(chart, ["Few-shot", "LoRA", "Difference, LoRA − few-shot"][i] ?? "")).join("")}</div>` +
    `<p class="muted">Rows are the expected labels, columns the predicted ones${suite.scoring === "generate" ? " (invalid: output that is no label)" : ""}. In the difference, blue cells gained cases with LoRA and orange cells lost them.</p>` +
    `<h3>Latency</h3>` +
    `<div class="charts">${ARMS.map((arm) => small(latencyChart(suite, arm, id(`lat${arm}`)), `${armHeading(arm)} latency`)).join("")}</div>` +
    `<p class="muted">Per case, in milliseconds; the dashed lines are p50 and p95 over all cases. The first case each arm runs is cold (caches warming up) and is drawn on its own.${suite.engine.arms_in_parallel ? " The arms ran side by side, so each arm's latency includes contention with the other." : ""}</p>` +
    `<h3>Cost over time</h3>` +
    costSection(suite, id("cost")) +
    `<h3>Confidence${suite.scoring === "logprob" ? " and margin" : ""}</h3>` +
    legend([["sw-ok", "correct"], ["sw-bad", "wrong"]]) +
    `<div class="charts">${ARMS.flatMap((arm) => scoreKinds.map((kind) => small(scoreChart(suite, arm, kind, id(`${kind}${arm}`)), `${armHeading(arm)} ${kind}`))).join("")}</div>` +
    baselineSection(matched, options.baseline, options) +
    `<h3>Every case</h3>` +
    caseTable(suite, index, options, changed) +
    `</section>`
  );
}

function methods(report: Report): string {
  const items = Object.entries(report.methods).map(([key, value]) => `<dt>${e(key.replace(/_/g, " "))}</dt><dd>${e(value)}</dd>`);
  return `<details><summary>Methods</summary><dl>${items.join("")}</dl></details>`;
}

export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const title = report.suites.length === 1 ? `tunegate: ${report.suites[0]!.name}` : `tunegate: ${formatCount(report.suites.length)} suites`;
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src ${scriptHash(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const { pass, warn, fail } = report.summary;
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${e(csp)}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">` +
    `<meta name="referrer" content="no-referrer"><noscript><style>tr[hidden]{display:table-row}</style></noscript><title>${e(title)}</title><style>${STYLE}</style></head><body>` +
    `<header><h1>tunegate report ${gateBadge(report.gate)}</h1>` +
    `<p class="muted">Few-shot prompt vs LoRA fine-tune, measured on the same cases. Generated ${e(report.generated_at)}; ` +
    `${formatCount(report.suites.length)} suite${report.suites.length === 1 ? "" : "s"}: ${pass} pass, ${warn} warn, ${fail} fail.</p></header><main>` +
    (report.suites.length > 1 ? `<h2>Overview</h2>${overview(report)}` : "") +
    report.suites.map((suite, i) => suiteSection(suite, i, options)).join("") +
    `</main><footer>${methods(report)}</footer><script>${SCRIPT}</script></body></html>\n`
  );
}
