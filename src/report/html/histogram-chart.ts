// Histograms: an arm's latency (p50 and p95 marked, the cold first case drawn apart as what it is) and an
// arm's confidence or margin split into correct and wrong cases. Charts of any number of cases have a fixed
// number of bins, so a 10,000-case suite draws as fast as a 40-case one.
import { formatMs, formatNumber } from "../../text/format.js";
import { ARM_DISPLAY, type ArmName } from "../../types.js";
import type { SuiteReport } from "../types.js";
import { histogram, linearScale, n, niceTicks, svg, text } from "./svg.js";

export const LATENCY_BINS = 20;
export const SCORE_BINS = 10;

function axis(x: (v: number) => number, lo: number, hi: number, y: number, format: (v: number) => string): string {
  return niceTicks(lo, hi, 6)
    .map((t) => `<line class="tick" x1="${n(x(t))}" x2="${n(x(t))}" y1="${n(y)}" y2="${n(y + 4)}"/>` + text(x(t), y + 16, format(t), { anchor: "middle", cls: "tick-label" }))
    .join("");
}

/**
 * An arm's latency histogram. The first case an arm runs pays for warming up (the KV cache, the CPU's
 * caches); it is left out of the bins and drawn as its own mark, so it neither hides in a bin nor squashes
 * the others. The p50 and p95 lines are the report's, over all cases.
 */
export function latencyChart(suite: SuiteReport, arm: ArmName, id: string): string {
  const latencies = suite.cases.map((c) => c[arm].latency_ms);
  const [cold, ...rest] = latencies;
  const stats = suite.arms[arm].latency_ms;
  const values = rest.length > 0 ? rest : latencies;
  const lo = values.reduce((a, b) => Math.min(a, b), Infinity);
  const hiRest = values.reduce((a, b) => Math.max(a, b), -Infinity);
  const hi = hiRest > lo ? hiRest : lo + 1;
  const width = 370;
  const left = 30;
  const coldSpace = cold !== undefined && cold > hi ? 70 : 0;
  const plotRight = width - 10 - coldSpace;
  const top = 26;
  const bottom = 130;
  const height = bottom + 34;
  const x = linearScale([lo, hi], [left, plotRight]);
  const counts = rest.length > 0 ? histogram(rest, lo, hi, LATENCY_BINS) : new Array<number>(LATENCY_BINS).fill(0);
  const most = counts.reduce((a, b) => Math.max(a, b), 0) || 1;
  const binWidth = (plotRight - left) / LATENCY_BINS;
  const bars = counts
    .map((count, b) => {
      const h = (count / most) * (bottom - top);
      const from = lo + ((hi - lo) * b) / LATENCY_BINS;
      const to = lo + ((hi - lo) * (b + 1)) / LATENCY_BINS;
      return `<rect class="bar arm-${arm}" data-count="${count}" x="${n(left + b * binWidth + 0.5)}" y="${n(bottom - h)}" width="${n(binWidth - 1)}" height="${n(h)}"><title>${formatMs(from)}–${formatMs(to)} ms: ${count} cases</title></rect>`;
    })
    .join("");
  const marker = (value: number, name: string, cls: string) => {
    if (value < lo || value > hi) return "";
    return `<line class="${cls}" data-value="${n(value)}" x1="${n(x(value))}" x2="${n(x(value))}" y1="${top - 6}" y2="${bottom}"/>` + text(x(value), top - 10, `${name} ${formatMs(value)}`, { anchor: "middle", cls: "marker-label" });
  };
  let coldMark = "";
  if (cold !== undefined && rest.length > 0) {
    const cx = coldSpace > 0 ? width - 10 - coldSpace / 2 : x(cold);
    const gap = coldSpace > 0 ? `<text class="axis-break" x="${n(plotRight + 8)}" y="${bottom + 4}">//</text>` : "";
    coldMark =
      gap +
      `<circle class="cold" data-value="${n(cold)}" cx="${n(cx)}" cy="${bottom - 8}" r="5"><title>cold first case: ${formatMs(cold)} ms</title></circle>` +
      text(cx, bottom + 28, `cold first: ${formatMs(cold)} ms`, { anchor: coldSpace > 0 ? "middle" : "middle", cls: "marker-label" });
  }
  const body =
    bars +
    marker(stats.p50, "p50", "p50") +
    marker(stats.p95, "p95", "p95") +
    `<line class="axis" x1="${left}" x2="${n(plotRight)}" y1="${bottom}" y2="${bottom}"/>` +
    axis(x, lo, hi, bottom, (v) => formatMs(v)) +
    coldMark;
  const restNote = rest.length > 0 ? `${rest.length} cases after the first range from ${formatMs(lo)} to ${formatMs(hiRest)} ms` : "one case";
  const description =
    `${ARM_DISPLAY[arm]} latency per case in milliseconds: ${restNote}; p50 ${formatMs(stats.p50)} ms, p95 ${formatMs(stats.p95)} ms, mean ${formatMs(stats.mean)} ms` +
    (cold !== undefined ? `; the first case, run cold, took ${formatMs(cold)} ms.` : ".");
  return svg({ chart: "latency", id, width, height, title: `${ARM_DISPLAY[arm]} latency: ${suite.name}`, description, attributes: `data-arm="${arm}"` }, body);
}

export type ScoreKind = "confidence" | "margin";

/** An arm's confidence (0–1) or margin histogram, correct and wrong cases stacked; non-finite values are counted apart. */
export function scoreChart(suite: SuiteReport, arm: ArmName, kind: ScoreKind, id: string): string {
  const pairs = suite.cases.map((c) => ({ value: c[arm][kind], correct: c[arm].correct }));
  const finite = pairs.filter((p): p is { value: number; correct: boolean } => p.value !== null && Number.isFinite(p.value));
  const missing = pairs.length - finite.length;
  const lo = kind === "confidence" ? 0 : Math.min(0, finite.reduce((a, p) => Math.min(a, p.value), Infinity));
  const maxValue = finite.reduce((a, p) => Math.max(a, p.value), -Infinity);
  const hi = kind === "confidence" ? 1 : Number.isFinite(maxValue) && maxValue > lo ? maxValue : lo + 1;
  const correct = histogram(finite.filter((p) => p.correct).map((p) => p.value), lo, hi, SCORE_BINS);
  const wrong = histogram(finite.filter((p) => !p.correct).map((p) => p.value), lo, hi, SCORE_BINS);
  const width = 370;
  const left = 30;
  const right = width - 10;
  const top = 14;
  const bottom = 120;
  const height = bottom + 34;
  const most = correct.reduce((m, c, b) => Math.max(m, c + (wrong[b] ?? 0)), 0) || 1;
  const binWidth = (right - left) / SCORE_BINS;
  const x = linearScale([lo, hi], [left, right]);
  const format = (v: number) => formatNumber(v, kind === "confidence" || hi - lo < 5 ? 1 : 0);
  const bars = correct
    .map((c, b) => {
      const w = wrong[b] ?? 0;
      const hc = (c / most) * (bottom - top);
      const hw = (w / most) * (bottom - top);
      const bx = n(left + b * binWidth + 0.5);
      const bw = n(binWidth - 1);
      const range = `${format(lo + ((hi - lo) * b) / SCORE_BINS)}–${format(lo + ((hi - lo) * (b + 1)) / SCORE_BINS)}`;
      return (
        `<rect class="bar correct" data-count="${c}" x="${bx}" y="${n(bottom - hc)}" width="${bw}" height="${n(hc)}"><title>${kind} ${range}: ${c} correct</title></rect>` +
        `<rect class="bar wrong" data-count="${w}" x="${bx}" y="${n(bottom - hc - hw)}" width="${bw}" height="${n(hw)}"><title>${kind} ${range}: ${w} wrong</title></rect>`
      );
    })
    .join("");
  const axisLine = `<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>` + axis(x, lo, hi, bottom, format);
  const note = missing > 0 ? text(right, top, `${missing} not finite`, { anchor: "end", cls: "marker-label" }) : "";
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const description =
    `${ARM_DISPLAY[arm]} ${kind} per case from ${format(lo)} to ${format(hi)} in ${SCORE_BINS} bins; correct per bin: ${correct.join(", ")}; wrong per bin: ${wrong.join(", ")}` +
    ` (${sum(correct)} correct, ${sum(wrong)} wrong${missing > 0 ? `, ${missing} without a finite value` : ""}).`;
  return svg({ chart: kind, id, width, height, title: `${ARM_DISPLAY[arm]} ${kind}, correct vs wrong: ${suite.name}`, description, attributes: `data-arm="${arm}"` }, bars + axisLine + note);
}
