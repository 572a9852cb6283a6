// The decision as a figure, whatever draws it (the HTML chart, the Mermaid chart, the text line): the zones
// the suite's own thresholds make on the delta's number line, and the stretch of that line worth showing.
import { verdictBoundaries } from "../decision.js";
import type { SuiteReport } from "./types.js";

/** A run's interval to draw: this run's, or the baseline's. */
export interface DrawnInterval {
  label: string;
  deltaPoints: number;
  lower: number;
  upper: number;
}

export interface Zone {
  zone: "prompt-wins" | "ship-prompt" | "gray-zone" | "fine-tune" | "lora-wins-low-volume";
  from: number;
  to: number;
}

/** The zones of a suite's decision rule, over [lo, hi]. */
export function decisionZones(suite: Pick<SuiteReport, "thresholds" | "calls_per_day">, lo: number, hi: number): Zone[] {
  const { within_points: within, lora_wins_points: loraWins, volume_threshold: volume } = suite.thresholds;
  return [
    { zone: "prompt-wins", from: lo, to: -within },
    { zone: "ship-prompt", from: -within, to: within },
    { zone: "gray-zone", from: within, to: loraWins },
    { zone: suite.calls_per_day >= volume ? "fine-tune" : "lora-wins-low-volume", from: loraWins, to: hi },
  ];
}

/** The points shown: every threshold and interval end, padded, within [-100, 100]. */
export function decisionDomain(suite: Pick<SuiteReport, "thresholds">, intervals: readonly DrawnInterval[]): [number, number] {
  const values = [
    ...verdictBoundaries({ withinPoints: suite.thresholds.within_points, loraWinsPoints: suite.thresholds.lora_wins_points }),
    ...intervals.flatMap((i) => [i.lower, i.upper, i.deltaPoints]),
  ];
  const lo = values.reduce((a, b) => Math.min(a, b), Infinity);
  const hi = values.reduce((a, b) => Math.max(a, b), -Infinity);
  const pad = Math.max(3, (hi - lo) * 0.12);
  return [Math.max(-100, Math.floor(lo - pad)), Math.min(100, Math.ceil(hi + pad))];
}

/** The zones' names as a reader sees them. */
export const ZONE_NAMES: Record<Zone["zone"], string> = {
  "prompt-wins": "prompt wins",
  "ship-prompt": "ship the prompt",
  "gray-zone": "gray zone",
  "fine-tune": "fine-tune",
  "lora-wins-low-volume": "LoRA wins, low volume",
};
