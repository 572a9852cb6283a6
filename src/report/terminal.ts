import type { GateOutcome } from "../decision.js";
import { stripVTControlCharacters, styleText } from "node:util";
import { ARM_DISPLAY, ARMS, type ArmName } from "../types.js";
import { formatCount, formatMoney, formatMs, formatNumber, formatPercent, formatPValue } from "../text/format.js";
import { displayWidth, padEnd, padStart, singleLine, truncate, wrap } from "../text/width.js";
import type { ArmReport, CaseArmReport, CaseReport, Report, SuiteReport } from "./types.js";
import { accuracyBars, decisionLine } from "./text-figures.js";
import { cacheNote, describePrediction, formatSuiteDelta, gateCause } from "./wording.js";

/** Which cases the table shows: every case, the cases an arm missed or the arms disagree on, or none. */
export const TABLE_MODES = ["all", "misses", "none"] as const;
export type TableMode = (typeof TABLE_MODES)[number];
export const DEFAULT_TABLE_MODE: TableMode = "misses";

export interface TerminalOptions {
  /** ANSI colour; pass true only for a TTY. */
  color: boolean;
  /** Terminal columns; default 100. Every line fits. */
  width?: number;
  /** Which cases the table lists; default "misses" (misses and disagreements). */
  table?: TableMode;
  /** Box-drawing characters in the figures; default false, ASCII (see terminalIsUnicode). */
  unicode?: boolean;
}

export const DEFAULT_TERMINAL_WIDTH = 100;
const GUTTER = 10;
const GAP = "  ";
const RIGHT = "✓";
const WRONG = "✗";

type Paint = (text: string, style: "green" | "red" | "yellow" | "bold") => string;

function painter(color: boolean): Paint {
  // Whether to colour is the caller's TTY/NO_COLOR decision (the report may go to a file or a pipe), so
  // styleText must not second-guess it from process.stdout.
  if (!color) return (text) => text;
  return (text, style) => styleText(style, text, { validateStream: false });
}

const GATE_STYLE: Record<GateOutcome, "green" | "yellow" | "red"> = { pass: "green", warn: "yellow", fail: "red" };

interface Column {
  header: string;
  width: number;
  align: "left" | "right";
}

/** An arm's cell: a mark for right or wrong, then the prediction (what the model wrote, for an invalid generation). */
function predictionText(result: CaseArmReport): string {
  return `${result.correct ? RIGHT : WRONG} ${singleLine(describePrediction(result))}`;
}

/** Whether the table lists a case in the given mode. */
function shown(c: CaseReport, mode: TableMode): boolean {
  if (mode === "all") return true;
  if (mode === "none") return false;
  return !c.few_shot.correct || !c.lora.correct || c.few_shot.predicted !== c.lora.predicted;
}

/**
 * Column widths for the per-case table. Line and labels get their natural width; the input column takes what
 * is left. When the labels are too long for the width, the widest label column gives way first, never below
 * its header; anything still too wide is clipped with an ellipsis.
 */
function tableColumns(cases: readonly CaseReport[], width: number): Column[] {
  // A reduce, not Math.max(...values): a suite of 100k cases would overflow the argument stack.
  const natural = (header: string, values: Iterable<string>): number => {
    let widest = displayWidth(header);
    for (const value of values) widest = Math.max(widest, displayWidth(value));
    return widest;
  };
  const line = natural("Line", cases.map((c) => String(c.line)));
  const widths = [
    natural("Expected", cases.map((c) => singleLine(c.expected))),
    ...ARMS.map((arm) => natural(ARM_DISPLAY[arm], cases.map((c) => predictionText(c[arm])))),
  ];
  const minimums = ["Expected", ...ARMS.map((arm) => ARM_DISPLAY[arm])].map(displayWidth);
  const inputNatural = natural("Input", cases.map((c) => singleLine(c.input)));
  // The input is what a reader scans for; it keeps at least 30 % of the width (16 cells on narrow screens).
  const minimumInput = Math.min(inputNatural, Math.max(16, Math.floor(width * 0.3)));
  const fixed = (): number => line + widths.reduce((a, b) => a + b, 0) + GAP.length * 4;
  while (width - fixed() < minimumInput) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > minimums[i]! && (widest === -1 || w > widths[widest]!)) widest = i;
    });
    if (widest === -1) break;
    widths[widest]! -= 1;
  }
  const input = Math.max(5, Math.min(inputNatural, width - fixed()));
  return [
    { header: "Line", width: line, align: "right" },
    { header: "Input", width: input, align: "left" },
    { header: "Expected", width: widths[0]!, align: "left" },
    ...ARMS.map((arm, i): Column => ({ header: ARM_DISPLAY[arm], width: widths[i + 1]!, align: "left" })),
  ];
}

function cell(text: string, column: Column): string {
  const fitted = truncate(singleLine(text), column.width);
  return column.align === "right" ? padStart(fitted, column.width) : padEnd(fitted, column.width);
}

/** One row per case, both arms side by side; `mode` chooses the cases. */
function caseTable(suite: SuiteReport, width: number, paint: Paint, mode: TableMode): string[] {
  if (mode === "none") return [];
  const cases = suite.cases.filter((c) => shown(c, mode));
  const hidden = suite.cases.length - cases.length;
  const note = hidden === 0 ? [] : wrap(`${formatCount(hidden)} case${hidden === 1 ? "" : "s"} both arms got right not shown (--table all shows every case)`, width);
  if (cases.length === 0) return note;
  const columns = tableColumns(cases, width);
  const lines = [
    columns.map((column) => paint(cell(column.header, column), "bold")).join(GAP),
    columns.map((column) => "-".repeat(column.width)).join(GAP),
  ];
  for (const c of cases) {
    const cells = [String(c.line), c.input, c.expected, ...ARMS.map((arm) => predictionText(c[arm]))].map((text, i) => cell(text, columns[i]!));
    ARMS.forEach((arm, i) => {
      const at = 3 + i;
      const text = cells[at]!;
      const mark = text.slice(0, 1);
      cells[at] = paint(mark, c[arm].correct ? "green" : "red") + text.slice(1);
    });
    lines.push(cells.join(GAP));
  }
  return [...lines, ...note];
}

function armSummary(arm: ArmReport): string {
  const latency = arm.latency_ms;
  return (
    `accuracy ${formatPercent(arm.accuracy)} (${arm.correct}/${arm.total}), macro-F1 ${formatNumber(arm.macro_f1, 3)}, ` +
    `latency mean ${formatMs(latency.mean)} ms, p50 ${formatMs(latency.p50)} ms, p95 ${formatMs(latency.p95)} ms, ` +
    `${formatCount(arm.prompt_tokens_per_call)} prompt + ${formatCount(arm.output_tokens_per_call)} output tokens/call` +
    (arm.invalid > 0 ? `, ${arm.invalid} invalid` : "")
  );
}

/** A labelled block: the label in the gutter, the text wrapped beside it. */
function labelled(label: string, text: string, width: number): string[] {
  return wrap(text, width, padEnd(label, GUTTER), " ".repeat(GUTTER));
}

function costLines(suite: SuiteReport, width: number): string[] {
  const cost = suite.cost;
  if (!cost) return [];
  const armLine = (arm: ArmName): string => {
    const figures = cost[arm];
    const extra =
      arm === "few_shot" ? ` (${cost.extra_prompt_tokens_per_call >= 0 ? "+" : ""}${formatCount(cost.extra_prompt_tokens_per_call)} prompt tokens/call vs LoRA)` : "";
    return (
      `${ARM_DISPLAY[arm]} ${formatMoney(figures.cost_per_call, cost.currency)}/call, ${formatMoney(figures.cost_per_day, cost.currency)}/day, ` +
      `${formatMoney(figures.cost_per_month, cost.currency)}/month at ${formatCount(cost.calls_per_day)} calls/day${extra}`
    );
  };
  return [
    ...labelled("cost", armLine("few_shot"), width),
    ...labelled("", armLine("lora"), width),
    ...labelled("", cost.break_even_note, width),
  ];
}

function baselineLine(suite: SuiteReport): string[] {
  const baseline = suite.majority_baseline;
  if (!baseline) return [];
  return [`always ${JSON.stringify(baseline.label)} (majority class): accuracy ${formatPercent(baseline.accuracy)} (${baseline.correct}/${suite.cases.length})`];
}

/** Lines in the gutter's column, the first labelled. */
function figure(label: string, lines: readonly string[]): string[] {
  return lines.map((line, i) => `${padEnd(i === 0 ? label : "", GUTTER)}${line}`.trimEnd());
}

function suiteBlock(suite: SuiteReport, width: number, paint: Paint, mode: TableMode, unicode: boolean): string[] {
  const heading = `${singleLine(suite.name)} · ${singleLine(suite.file)} · ${suite.scoring} scoring · ${suite.cases.length} case${suite.cases.length === 1 ? "" : "s"}`;
  const lines: string[] = wrap(heading, width).map((line) => paint(line, "bold"));
  const table = caseTable(suite, width, paint, mode);
  if (table.length > 0) lines.push(...table, "");
  for (const arm of ARMS) lines.push(...labelled(ARM_DISPLAY[arm], armSummary(suite.arms[arm]), width));
  for (const text of baselineLine(suite)) lines.push(...labelled("baseline", text, width));
  const figureWidth = Math.min(60, width - GUTTER);
  if (figureWidth >= 30) {
    lines.push(...figure("accuracy", accuracyBars(suite, { unicode, width: figureWidth })), ...figure("decision", decisionLine(suite, { unicode, width: figureWidth })));
  }
  lines.push(
    ...labelled(
      "delta",
      `LoRA − few-shot = ${formatSuiteDelta(suite)} points; ${suite.interval.note} [Newcombe paired score interval]`,
      width,
    ),
    ...labelled(
      "mcnemar",
      `few-shot only ${suite.mcnemar.few_shot_only}, LoRA only ${suite.mcnemar.lora_only}, exact two-sided p = ${formatPValue(suite.mcnemar.p_value)}`,
      width,
    ),
    ...costLines(suite, width),
  );
  const cached = cacheNote(suite);
  if (cached !== undefined) lines.push(...labelled("cache", cached, width));
  for (const warning of suite.warnings ?? []) {
    const warningLines = labelled("warning", singleLine(warning), width);
    warningLines[0] = paint("warning", "yellow") + (warningLines[0] as string).slice("warning".length);
    lines.push(...warningLines);
  }
  // The cause first (why the gate is what it is), then the verdict's sentence, last.
  const gateWord = suite.gate.toUpperCase();
  const gateLines = labelled("gate", `${gateWord}: ${gateCause(suite)}`, width);
  gateLines[0] = (gateLines[0] as string).replace(`${gateWord}:`, `${paint(gateWord, GATE_STYLE[suite.gate])}:`);
  const verdictWord = suite.verdict.toUpperCase();
  const verdictLines = labelled("verdict", `${verdictWord}: ${suite.reason}`, width);
  verdictLines[0] = (verdictLines[0] as string).replace(`${verdictWord}:`, `${paint(verdictWord, "bold")}:`);
  lines.push(...gateLines, ...verdictLines);
  return lines;
}

/**
 * The terminal report: per suite, the per-case table (line, input, expected, and each arm's prediction side
 * by side; by default only the cases an arm missed or the arms disagree on), one summary line per arm, the
 * majority-class baseline, accuracy bars and the decision line (the interval against the thresholds), the
 * paired comparison, cost, warnings, and the gate's cause and the verdict last.
 * With several suites, a final line gives the overall gate.
 */
export function renderTerminal(report: Report, options: TerminalOptions): string {
  const width = Math.max(1, Math.floor(options.width ?? DEFAULT_TERMINAL_WIDTH));
  const paint = painter(options.color);
  const mode = options.table ?? DEFAULT_TABLE_MODE;
  const blocks = report.suites.map((suite) => suiteBlock(suite, width, paint, mode, options.unicode ?? false));
  const lines = blocks.flatMap((block, i) => (i === 0 ? block : ["", ...block]));
  if (report.suites.length !== 1) {
    const { suites, pass, warn, fail } = report.summary;
    const overall = `tunegate gate ${report.gate.toUpperCase()}: ${suites} suite${suites === 1 ? "" : "s"}, ${pass} pass, ${warn} warn, ${fail} fail`;
    lines.push("", ...wrap(overall, width).map((line) => paint(line, GATE_STYLE[report.gate])));
  }
  // The guarantee that nothing exceeds the width, whatever the content; colour codes take no cells.
  return `${lines.map((line) => (displayWidth(line) > width ? truncate(stripVTControlCharacters(line), width) : line)).join("\n")}\n`;
}
