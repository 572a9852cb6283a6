import type { GateOutcome } from "../decision.js";
import { stripVTControlCharacters, styleText } from "node:util";
import { ARM_DISPLAY, ARMS, type ArmName } from "../types.js";
import { formatCount, formatMoney, formatMs, formatNumber, formatPercent, formatPValue } from "../text/format.js";
import { displayWidth, padEnd, padStart, singleLine, truncate, wrap } from "../text/width.js";
import type { ArmReport, Report, SuiteReport } from "./types.js";
import { accuracyBars, decisionLine } from "./text-figures.js";
import { formatSuiteDelta } from "./wording.js";

export interface TerminalOptions {
  /** ANSI colour; pass true only for a TTY. */
  color: boolean;
  /** Terminal columns; default 100. Every line fits. */
  width?: number;
  /** Box-drawing characters in the figures; default false, ASCII (see terminalIsUnicode). */
  unicode?: boolean;
}

export const DEFAULT_TERMINAL_WIDTH = 100;
const GUTTER = 10;
const GAP = "  ";

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

/**
 * Column widths for the per-case table. Labels get their natural width; the input column takes what is
 * left. When the labels are too long for the width, the longer label column gives way first, never below
 * its header; anything still too wide is clipped with an ellipsis.
 */
function tableColumns(suite: SuiteReport, width: number): Column[] {
  const latencies = suite.cases.flatMap((c) => ARMS.map((arm) => `${formatMs(c[arm].latency_ms)}ms`));
  // A reduce, not Math.max(...values): a suite of 100k cases would overflow the argument stack.
  const natural = (header: string, values: string[]): number => values.reduce((widest, value) => Math.max(widest, displayWidth(value)), displayWidth(header));
  const method = natural("Method", ARMS.map((arm) => ARM_DISPLAY[arm]));
  let expected = natural("Expected", suite.cases.map((c) => singleLine(c.expected)));
  let predicted = natural("Predicted", suite.cases.flatMap((c) => ARMS.map((arm) => singleLine(c[arm].predicted))));
  const correct = displayWidth("Correct");
  const latency = natural("Latency", latencies);
  const inputNatural = natural("Input", suite.cases.map((c) => singleLine(c.input)));
  // The input is what a reader scans for; it keeps at least 30 % of the width (16 cells on narrow screens).
  const minimumInput = Math.min(inputNatural, Math.max(16, Math.floor(width * 0.3)));
  const fixed = (): number => method + expected + predicted + correct + latency + GAP.length * 5;
  while (width - fixed() < minimumInput) {
    const canShrinkExpected = expected > displayWidth("Expected");
    const canShrinkPredicted = predicted > displayWidth("Predicted");
    if (!canShrinkExpected && !canShrinkPredicted) break;
    if (canShrinkExpected && (expected >= predicted || !canShrinkPredicted)) expected -= 1;
    else predicted -= 1;
  }
  const input = Math.max(5, Math.min(inputNatural, width - fixed()));
  return [
    { header: "Method", width: method, align: "left" },
    { header: "Input", width: input, align: "left" },
    { header: "Expected", width: expected, align: "left" },
    { header: "Predicted", width: predicted, align: "left" },
    { header: "Correct", width: correct, align: "left" },
    { header: "Latency", width: latency, align: "right" },
  ];
}

function cell(text: string, column: Column): string {
  const fitted = truncate(singleLine(text), column.width);
  return column.align === "right" ? padStart(fitted, column.width) : padEnd(fitted, column.width);
}

function caseTable(suite: SuiteReport, width: number, paint: Paint): string[] {
  const columns = tableColumns(suite, width);
  const lines = [
    columns.map((column) => paint(cell(column.header, column), "bold")).join(GAP),
    columns.map((column) => "-".repeat(column.width)).join(GAP),
  ];
  for (const arm of ARMS) {
    for (const c of suite.cases) {
      const result = c[arm];
      const cells = [ARM_DISPLAY[arm], c.input, c.expected, result.predicted, result.correct ? "YES" : "NO", `${formatMs(result.latency_ms)}ms`].map((text, i) =>
        cell(text, columns[i] as Column),
      );
      const tick = (cells[4] as string).trimEnd();
      cells[4] = paint(tick, result.correct ? "green" : "red") + (cells[4] as string).slice(tick.length);
      lines.push(cells.join(GAP));
    }
  }
  return lines;
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

/** Lines in the gutter's column, the first labelled. */
function figure(label: string, lines: readonly string[]): string[] {
  return lines.map((line, i) => `${padEnd(i === 0 ? label : "", GUTTER)}${line}`.trimEnd());
}

function suiteBlock(suite: SuiteReport, width: number, paint: Paint, unicode: boolean): string[] {
  const heading = `${singleLine(suite.name)} · ${singleLine(suite.file)} · ${suite.scoring} scoring · ${suite.cases.length} case${suite.cases.length === 1 ? "" : "s"}`;
  const lines: string[] = wrap(heading, width).map((line) => paint(line, "bold"));
  lines.push(...caseTable(suite, width, paint), "");
  for (const arm of ARMS) lines.push(...labelled(ARM_DISPLAY[arm], armSummary(suite.arms[arm]), width));
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
  const verdictWord = suite.verdict.toUpperCase();
  const gateWord = `gate ${suite.gate.toUpperCase()}`;
  const verdictLines = labelled("verdict", `${verdictWord}, ${gateWord}: ${suite.reason}`, width);
  verdictLines[0] = (verdictLines[0] as string).replace(`${verdictWord},`, `${paint(verdictWord, "bold")},`).replace(gateWord, paint(gateWord, GATE_STYLE[suite.gate]));
  lines.push(...verdictLines);
  return lines;
}

/**
 * The terminal report: per suite, the per-case table (method, input, expected, predicted, correct,
 * latency), one summary line per arm, accuracy bars and the decision line (the interval against the
 * thresholds), the paired comparison, cost, and the verdict with its reason last.
 * With several suites, a final line gives the overall gate.
 */
export function renderTerminal(report: Report, options: TerminalOptions): string {
  const width = Math.max(1, Math.floor(options.width ?? DEFAULT_TERMINAL_WIDTH));
  const paint = painter(options.color);
  const blocks = report.suites.map((suite) => suiteBlock(suite, width, paint, options.unicode ?? false));
  const lines = blocks.flatMap((block, i) => (i === 0 ? block : ["", ...block]));
  if (report.suites.length !== 1) {
    const { suites, pass, warn, fail } = report.summary;
    const overall = `tunegate gate ${report.gate.toUpperCase()}: ${suites} suite${suites === 1 ? "" : "s"}, ${pass} pass, ${warn} warn, ${fail} fail`;
    lines.push("", ...wrap(overall, width).map((line) => paint(line, GATE_STYLE[report.gate])));
  }
  // The guarantee that nothing exceeds the width, whatever the content; colour codes take no cells.
  return `${lines.map((line) => (displayWidth(line) > width ? truncate(stripVTControlCharacters(line), width) : line)).join("\n")}\n`;
}
