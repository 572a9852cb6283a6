// Cost over time: each arm's cumulative cost at the suite's volume, LoRA starting from the one-off
// fine-tune cost, and the day the lines cross (the break-even), or "never" when LoRA saves nothing.
import { formatDays, formatMoney } from "../../text/format.js";
import type { CostReport, SuiteReport } from "../types.js";
import { escapeHtml } from "./escape.js";
import { linearScale, n, niceTicks, svg, text } from "./svg.js";

/** Days shown: half as long again as the break-even, at least a month; a year when there is none. */
export function costHorizon(cost: CostReport): number {
  if (cost.break_even_days === null) return 365;
  return Math.max(30, Math.ceil(cost.break_even_days * 1.5));
}

export function costChart(suite: SuiteReport, cost: CostReport, id: string): string {
  const days = costHorizon(cost);
  const oneOff = cost.fine_tune_one_off ?? 0;
  const fewShotEnd = cost.few_shot.cost_per_day * days;
  const loraEnd = oneOff + cost.lora.cost_per_day * days;
  const top = Math.max(fewShotEnd, loraEnd, oneOff) || 1;
  const width = 760;
  const left = 70;
  const right = width - 20;
  const plotTop = 20;
  const bottom = 200;
  const height = bottom + 40;
  const x = linearScale([0, days], [left, right]);
  const y = linearScale([0, top], [bottom, plotTop]);
  const money = (v: number) => formatMoney(v, "");
  const line = (cls: string, arm: string, y0: number, y1: number, label: string) =>
    `<line class="cost-line ${cls}" data-arm="${arm}" x1="${n(x(0))}" y1="${n(y(y0))}" x2="${n(x(days))}" y2="${n(y(y1))}"><title>${escapeHtml(label)}</title></line>`;
  const lines =
    line("arm-few_shot", "few_shot", 0, fewShotEnd, `few-shot: ${money(cost.few_shot.cost_per_day)} ${cost.currency} a day`) +
    line("arm-lora", "lora", oneOff, loraEnd, `LoRA: ${money(oneOff)} ${cost.currency} once, then ${money(cost.lora.cost_per_day)} a day`);
  const labels =
    text(right, y(fewShotEnd) - 6, `few-shot ${money(fewShotEnd)}`, { anchor: "end", cls: "series-label arm-few_shot" }) +
    text(right, y(loraEnd) + (loraEnd > fewShotEnd ? -6 : 14), `LoRA ${money(loraEnd)}`, { anchor: "end", cls: "series-label arm-lora" });
  let breakEven: string;
  if (cost.break_even_days !== null) {
    const bx = x(cost.break_even_days);
    breakEven =
      `<line class="break-even" data-day="${n(cost.break_even_days)}" x1="${n(bx)}" x2="${n(bx)}" y1="${plotTop}" y2="${bottom}"/>` +
      text(bx + 4, plotTop + 12, `break-even: day ${formatDays(cost.break_even_days)}`, { cls: "marker-label" });
  } else {
    breakEven = `<text class="break-even-never marker-label" x="${left + 8}" y="${plotTop + 12}">break-even: never</text>`;
  }
  const xTicks = niceTicks(0, days, 8)
    .map((t) => `<line class="tick" x1="${n(x(t))}" x2="${n(x(t))}" y1="${bottom}" y2="${bottom + 4}"/>` + text(x(t), bottom + 16, String(t), { anchor: "middle", cls: "tick-label" }))
    .join("");
  const yTicks = niceTicks(0, top, 5)
    .map((t) => `<line class="grid" x1="${left}" x2="${right}" y1="${n(y(t))}" y2="${n(y(t))}"/>` + text(left - 6, y(t) + 4, money(t), { anchor: "end", cls: "tick-label" }))
    .join("");
  const axisLabel = text((left + right) / 2, height - 4, `days at ${cost.calls_per_day} calls a day (${cost.currency}, cumulative)`, { anchor: "middle", cls: "axis-label" });
  const description =
    `Cumulative cost over ${days} days at ${cost.calls_per_day} calls a day, in ${cost.currency}: few-shot ${money(cost.few_shot.cost_per_day)} a day, reaching ${money(fewShotEnd)}; ` +
    `LoRA ${money(oneOff)} once plus ${money(cost.lora.cost_per_day)} a day, reaching ${money(loraEnd)}. ` +
    (cost.break_even_days !== null ? `The lines cross at day ${formatDays(cost.break_even_days)}.` : `They never cross in LoRA's favour: ${cost.break_even_note}.`);
  return svg({ chart: "cost", id, width, height, title: `Cost over time: ${suite.name}`, description }, yTicks + xTicks + lines + labels + breakEven + axisLabel);
}
