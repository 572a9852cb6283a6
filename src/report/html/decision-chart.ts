// The decision chart: the delta's point estimate and 95 % interval on a number line, over the four zones the
// suite's own thresholds make (prompt-wins, ship-prompt, gray-zone, and fine-tune or lora-wins-low-volume
// by the volume rule), with the previous run's interval beside it when there is a baseline.
import { verdictBoundaries } from "../../decision.js";
import { formatCount, formatPoints, formatSignedThreshold, formatThreshold } from "../../text/format.js";
import type { SuiteReport } from "../types.js";
import { capitalise } from "../wording.js";
import { decisionDomain, decisionZones, ZONE_NAMES, type DrawnInterval } from "../decision-zones.js";
import { escapeHtml } from "./escape.js";
import { linearScale, n, niceTicks, svg, text } from "./svg.js";

/** The volume rule in words, as stated beside the chart. */
export function volumeRule(suite: Pick<SuiteReport, "thresholds" | "calls_per_day">): string {
  const { lora_wins_points: loraWins, volume_threshold: volume } = suite.thresholds;
  const meets = suite.calls_per_day >= volume;
  return (
    `LoRA ahead by ${formatSignedThreshold(loraWins)} points or more means fine-tune only at ${formatThreshold(volume)} calls a day or more; ` +
    `this suite counts ${formatThreshold(suite.calls_per_day)} calls a day, so that zone reads “${meets ? "fine-tune" : "LoRA wins, low volume"}”.`
  );
}

export function decisionChart(suite: SuiteReport, id: string, baseline?: DrawnInterval): string {
  const current: DrawnInterval = { label: "this run", deltaPoints: suite.delta_points, lower: suite.delta_ci95[0], upper: suite.delta_ci95[1] };
  const intervals = baseline ? [current, baseline] : [current];
  const [lo, hi] = decisionDomain(suite, intervals);
  const width = 760;
  const left = 20;
  const right = 20;
  const zoneTop = 30;
  const rowHeight = 40;
  const zoneBottom = zoneTop + 20 + rowHeight * intervals.length;
  const height = zoneBottom + 40;
  const x = linearScale([lo, hi], [left, width - right]);
  const zones = decisionZones(suite, lo, hi);
  const verdictZone = suite.verdict;

  const zoneMarks = zones
    .filter((z) => z.to > z.from)
    .map((z) => {
      const x0 = x(z.from);
      const x1 = x(z.to);
      const current = z.zone === verdictZone ? " current" : "";
      const label = x1 - x0 > 44 ? text((x0 + x1) / 2, zoneTop - 8, ZONE_NAMES[z.zone], { anchor: "middle", cls: `zone-label${current}` }) : "";
      return (
        `<rect class="zone zone-${z.zone}${current}" data-zone="${z.zone}" data-from="${n(z.from)}" data-to="${n(z.to)}" ` +
        `x="${n(x0)}" y="${zoneTop}" width="${n(x1 - x0)}" height="${n(zoneBottom - zoneTop)}"><title>${escapeHtml(ZONE_NAMES[z.zone])}: ${n(z.from)} to ${n(z.to)} points</title></rect>${label}`
      );
    })
    .join("");
  const boundaries = verdictBoundaries({ withinPoints: suite.thresholds.within_points, loraWinsPoints: suite.thresholds.lora_wins_points });
  const thresholdMarks = boundaries
    .map(
      (t) =>
        `<line class="threshold" data-threshold="${n(t)}" x1="${n(x(t))}" x2="${n(x(t))}" y1="${zoneTop}" y2="${n(zoneBottom + 4)}"/>` +
        text(x(t), zoneBottom + 16, formatSignedThreshold(t), { anchor: "middle", cls: "threshold-label" }),
    )
    .join("");
  const zero = lo < 0 && hi > 0 ? `<line class="zero" x1="${n(x(0))}" x2="${n(x(0))}" y1="${zoneTop}" y2="${n(zoneBottom)}"/>` : "";
  const ticks = niceTicks(lo, hi, 10)
    .filter((t) => !boundaries.includes(t))
    .map((t) => `<line class="tick" x1="${n(x(t))}" x2="${n(x(t))}" y1="${n(zoneBottom)}" y2="${n(zoneBottom + 4)}"/>` + text(x(t), zoneBottom + 16, formatSignedThreshold(t), { anchor: "middle", cls: "tick-label" }))
    .join("");
  const intervalMarks = intervals
    .map((interval, i) => {
      const y = zoneTop + 30 + rowHeight * i;
      const cls = i === 0 ? "ci" : "ci baseline";
      const range = `${formatPoints(interval.lower)} to ${formatPoints(interval.upper)}`;
      return (
        `<g class="${cls}" data-lower="${n(interval.lower)}" data-upper="${n(interval.upper)}" data-delta="${n(interval.deltaPoints)}">` +
        `<line class="ci-line" x1="${n(x(interval.lower))}" x2="${n(x(interval.upper))}" y1="${n(y)}" y2="${n(y)}"/>` +
        `<line class="ci-cap" x1="${n(x(interval.lower))}" x2="${n(x(interval.lower))}" y1="${n(y - 6)}" y2="${n(y + 6)}"/>` +
        `<line class="ci-cap" x1="${n(x(interval.upper))}" x2="${n(x(interval.upper))}" y1="${n(y - 6)}" y2="${n(y + 6)}"/>` +
        `<circle class="delta" cx="${n(x(interval.deltaPoints))}" cy="${n(y)}" r="5"><title>${escapeHtml(`${capitalise(interval.label)}: ${formatPoints(interval.deltaPoints)} points (95% CI ${range})`)}</title></circle>` +
        text(Math.min(width - right - 110, Math.max(left + 110, x(interval.deltaPoints))), y - 10, `${interval.label}: ${formatPoints(interval.deltaPoints)} (${range})`, { anchor: "middle", cls: "ci-label" }) +
        `</g>`
      );
    })
    .join("");
  const axisLabel = text(width / 2, height - 4, "accuracy(LoRA) − accuracy(few-shot), percentage points", { anchor: "middle", cls: "axis-label" });
  const description =
    `Number line from ${formatSignedThreshold(lo)} to ${formatSignedThreshold(hi)} points. Zones: ` +
    zones.filter((z) => z.to > z.from).map((z) => `${ZONE_NAMES[z.zone]} ${n(z.from)} to ${n(z.to)}`).join("; ") +
    `. ` +
    intervals.map((i) => `${capitalise(i.label)}: delta ${formatPoints(i.deltaPoints)} points, 95% interval ${formatPoints(i.lower)} to ${formatPoints(i.upper)}`).join(". ") +
    `. Verdict: ${suite.verdict} (${formatCount(suite.cases.length)} cases).`;
  return svg(
    {
      chart: "decision",
      id,
      width,
      height,
      title: `Decision for ${suite.name}: ${suite.verdict}`,
      description,
      attributes: `data-domain="${n(lo)} ${n(hi)}" data-range="${n(left)} ${n(width - right)}"`,
    },
    zoneMarks + zero + thresholdMarks + ticks + intervalMarks + axisLabel,
  );
}
