// Charts for Markdown, as Mermaid blocks (GitHub renders them in files, comments and job summaries):
// the decision as the interval's ends and the delta against the suite's thresholds, and the per-label F1
// of both arms. Every user string in a chart is reduced to letters, digits and plain punctuation, so a
// label can neither end the string it sits in nor reach Mermaid as markup.
import { verdictBoundaries } from "../decision.js";
import { formatSignedThreshold } from "../text/format.js";
import { truncate } from "../text/width.js";
import { ARM_DISPLAY, ARMS } from "../types.js";
import { decisionDomain } from "./decision-zones.js";
import type { SuiteReport } from "./types.js";

/** Most labels the per-label chart shows (two bars each); beyond, the table alone says it. */
export const MERMAID_MAX_LABELS = 10;

/** Text safe inside a Mermaid double-quoted string: letters, digits, spaces and `-_.,:()+/%`; nothing else. */
export function mermaidText(text: string, max = 24): string {
  const plain = text.replace(/[^\p{L}\p{N} \-_.,:()+/%]/gu, " ").replace(/\s+/g, " ").trim();
  return truncate(plain === "" ? "?" : plain, max);
}

function number(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function block(lines: readonly string[]): string[] {
  return ["```mermaid", ...lines, "```"];
}

/**
 * The decision: horizontal bars to the interval's lower end, the delta and its upper end, with a line at
 * each threshold (−within, +within, lora_wins), so the bars' ends show which zones the interval reaches.
 */
export function mermaidDecision(suite: SuiteReport): string[] {
  const [lower, upper] = suite.delta_ci95;
  const [lo, hi] = decisionDomain(suite, [{ label: "", deltaPoints: suite.delta_points, lower, upper }]);
  const thresholds = verdictBoundaries({ withinPoints: suite.thresholds.within_points, loraWinsPoints: suite.thresholds.lora_wins_points });
  return block([
    "xychart-beta horizontal",
    `  title "LoRA − few-shot, points; lines at ${thresholds.map(formatSignedThreshold).join(", ")}"`,
    `  x-axis ["95% CI lower", "delta", "95% CI upper"]`,
    `  y-axis "points" ${number(lo)} --> ${number(hi)}`,
    `  bar [${[lower, suite.delta_points, upper].map(number).join(", ")}]`,
    ...thresholds.map((t) => `  line [${[t, t, t].map(number).join(", ")}]`),
  ]);
}

/** F1 per label, few-shot and LoRA side by side (Mermaid overlays bar series, so each arm gets its own bar). */
export function mermaidLabels(suite: SuiteReport): string[] {
  const rows = suite.arms.few_shot.per_label;
  if (rows.length === 0 || rows.length > MERMAID_MAX_LABELS) return [];
  const categories = rows.flatMap((row) => ARMS.map((arm) => `"${mermaidText(row.label, 16)} ${ARM_DISPLAY[arm]}"`));
  const f1 = rows.flatMap((_, r) => ARMS.map((arm) => suite.arms[arm].per_label[r]?.f1 ?? null));
  const values = f1.map((value) => number(value ?? 0));
  const title = `F1 per label, few-shot then LoRA${f1.includes(null) ? " (no F1: drawn as 0)" : ""}`;
  return block(["xychart-beta horizontal", `  title "${title}"`, `  x-axis [${categories.join(", ")}]`, `  y-axis "F1" 0 --> 1`, `  bar [${values.join(", ")}]`]);
}
