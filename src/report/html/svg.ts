// The few pieces every chart is made of: a linear scale, nice ticks, number text for SVG, and the <svg>
// element itself with its accessible name (role="img", <title>, <desc>). Charts build their marks as strings;
// every user string in them has gone through escapeHtml.
import { escapeHtml } from "./escape.js";

export interface Scale {
  (value: number): number;
  domain: readonly [number, number];
  range: readonly [number, number];
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const scale = ((value: number) => r0 + ((value - d0) / span) * (r1 - r0)) as Scale;
  scale.domain = domain;
  scale.range = range;
  return scale;
}

/** A coordinate for an SVG attribute: two decimals at most, no exponent. */
export function n(value: number): string {
  if (!Number.isFinite(value)) return "0";
  return String(Math.round(value * 100) / 100);
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  // Whole multiples of the step, written with the step's decimals (0.3, not 0.30000000000000004).
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1) ticks.push(Number((k * step).toFixed(decimals)));
  return ticks;
}

export interface ChartFrame {
  /** What the chart shows, its `data-chart` attribute: "decision", "labels", … */
  chart: string;
  /** Unique on the page (suite index and chart), for the title and description ids. */
  id: string;
  width: number;
  height: number;
  title: string;
  description: string;
  /** Extra attributes (already escaped), e.g. data-domain. */
  attributes?: string;
}

/** An <svg role="img"> with its title and description referenced by aria-labelledby. */
export function svg(frame: ChartFrame, body: string): string {
  const id = frame.id;
  return (
    `<svg class="chart" data-chart="${escapeHtml(frame.chart)}" role="img" aria-labelledby="${id}t ${id}d" ` +
    `viewBox="0 0 ${n(frame.width)} ${n(frame.height)}" width="${n(frame.width)}" height="${n(frame.height)}"` +
    `${frame.attributes ? ` ${frame.attributes}` : ""}>` +
    `<title id="${id}t">${escapeHtml(frame.title)}</title><desc id="${id}d">${escapeHtml(frame.description)}</desc>${body}</svg>`
  );
}

/** Text at a point; `anchor` start, middle or end. */
export function text(x: number, y: number, content: string, options: { anchor?: "start" | "middle" | "end"; cls?: string } = {}): string {
  const anchor = options.anchor && options.anchor !== "start" ? ` text-anchor="${options.anchor}"` : "";
  const cls = options.cls ? ` class="${options.cls}"` : "";
  return `<text x="${n(x)}" y="${n(y)}"${anchor}${cls}>${escapeHtml(content)}</text>`;
}

/** Counts of values in `bins` equal bins over [lo, hi]; values outside are clamped into the end bins. */
export function histogram(values: readonly number[], lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins || 1;
  for (const value of values) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((value - lo) / width)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}
