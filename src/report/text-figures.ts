// The decision and the accuracies as text figures, for the terminal and as the Markdown's fallback where
// Mermaid is not rendered: the interval on a number line against the suite's thresholds, and one bar per arm.
// Unicode box drawing, or plain ASCII when the terminal cannot show it (not UTF-8, or NO_COLOR).
import { verdictBoundaries } from "../decision.js";
import { formatPercent, formatSignedThreshold } from "../text/format.js";
import { ARM_DISPLAY, ARMS } from "../types.js";
import { decisionDomain, decisionZones, ZONE_NAMES, type Zone } from "./decision-zones.js";
import type { SuiteReport } from "./types.js";

export interface FigureOptions {
  /** Box-drawing characters; false: ASCII only. */
  unicode: boolean;
  /** Columns of the figure, labels included. */
  width: number;
}

const GLYPHS = {
  unicode: { axis: "─", threshold: "┼", interval: "━", lower: "┣", upper: "┫", delta: "●", full: "█", empty: "░" },
  ascii: { axis: "-", threshold: "|", interval: "=", lower: "[", upper: "]", delta: "o", full: "#", empty: "." },
} as const;

const SHORT_NAMES: Record<Zone["zone"], string> = {
  "prompt-wins": "prompt",
  "ship-prompt": "ship",
  "gray-zone": "gray",
  "fine-tune": "fine-tune",
  "lora-wins-low-volume": "LoRA",
};

/** Writes `text` into `row` centred on `at` if it fits without touching other text; returns whether it did. */
function place(row: string[], text: string, at: number): boolean {
  const start = Math.max(0, Math.min(row.length - text.length, Math.round(at - text.length / 2)));
  for (let i = Math.max(0, start - 1); i < Math.min(row.length, start + text.length + 1); i += 1) if (row[i] !== " ") return false;
  if (start + text.length > row.length) return false;
  for (let i = 0; i < text.length; i += 1) row[start + i] = text[i]!;
  return true;
}

/**
 * Three lines: the zones' names, the axis with a mark at each threshold and the interval drawn over it
 * (its ends and the delta), and the thresholds' values under their marks.
 */
export function decisionLine(suite: SuiteReport, options: FigureOptions): string[] {
  const g = options.unicode ? GLYPHS.unicode : GLYPHS.ascii;
  const width = Math.max(20, options.width);
  const [lo, hi] = decisionDomain(suite, [{ label: "", deltaPoints: suite.delta_points, lower: suite.delta_ci95[0], upper: suite.delta_ci95[1] }]);
  const col = (points: number) => Math.max(0, Math.min(width - 1, Math.round(((points - lo) / (hi - lo)) * (width - 1))));
  const boundaries = verdictBoundaries({ withinPoints: suite.thresholds.within_points, loraWinsPoints: suite.thresholds.lora_wins_points });
  const axis = new Array<string>(width).fill(g.axis);
  for (const t of boundaries) axis[col(t)] = g.threshold;
  const [lower, upper] = [col(suite.delta_ci95[0]), col(suite.delta_ci95[1])];
  for (let i = lower; i <= upper; i += 1) axis[i] = g.interval;
  axis[lower] = g.lower;
  axis[upper] = g.upper;
  axis[col(suite.delta_points)] = g.delta;
  const names = new Array<string>(width).fill(" ");
  for (const zone of decisionZones(suite, lo, hi)) {
    if (zone.to <= zone.from) continue;
    const span = col(zone.to) - col(zone.from);
    const centre = (col(zone.from) + col(zone.to)) / 2;
    const short = SHORT_NAMES[zone.zone];
    // The long name if it fits inside its zone, else the short one; a zone too narrow for either is named
    // only if the short name finds free room (the values row still marks its edges).
    const name = ZONE_NAMES[zone.zone].length < span ? ZONE_NAMES[zone.zone] : short;
    place(names, name, centre);
  }
  const values = new Array<string>(width).fill(" ");
  for (const t of boundaries) place(values, formatSignedThreshold(t), col(t));
  return [names.join("").trimEnd(), axis.join(""), values.join("").trimEnd()];
}

/** One line per arm: its name, a bar as long as its accuracy, the percentage. */
export function accuracyBars(suite: SuiteReport, options: FigureOptions): string[] {
  const g = options.unicode ? GLYPHS.unicode : GLYPHS.ascii;
  const nameWidth = Math.max(...ARMS.map((arm) => ARM_DISPLAY[arm].length));
  const barWidth = Math.max(10, options.width - nameWidth - 10);
  return ARMS.map((arm) => {
    const accuracy = suite.arms[arm].accuracy;
    const full = Math.round(accuracy * barWidth);
    return `${ARM_DISPLAY[arm].padEnd(nameWidth)}  ${g.full.repeat(full)}${g.empty.repeat(barWidth - full)}  ${formatPercent(accuracy).padStart(6)}`;
  });
}

/** Whether a terminal shows box drawing: a UTF-8 locale and no NO_COLOR (which asks for plain output). */
export function terminalIsUnicode(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || "";
  return /utf-?8/i.test(locale);
}

/**
 * How the terminal table is drawn on an output stream: colour on a TTY unless NO_COLOR, box drawing in a
 * UTF-8 locale, and the stream's width held between 60 and 160 columns (100 when it has none).
 */
export function terminalStyle(env: Readonly<Record<string, string | undefined>>, stream: { isTTY?: boolean; columns?: number }): { color: boolean; unicode: boolean; width: number } {
  return { color: Boolean(stream.isTTY) && !env.NO_COLOR, unicode: terminalIsUnicode(env), width: Math.max(60, Math.min(stream.columns ?? 100, 160)) };
}
