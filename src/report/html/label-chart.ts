// Per-label bars: precision, recall and F1 of both arms side by side, one row per label, with its support.
import { formatCount, formatNumber } from "../../text/format.js";
import { truncate } from "../../text/width.js";
import { ARM_DISPLAY, ARMS } from "../../types.js";
import type { SuiteReport } from "../types.js";
import { escapeHtml } from "./escape.js";
import { n, svg, text } from "./svg.js";

export const LABEL_METRICS = ["precision", "recall", "f1"] as const;
const METRIC_NAMES = { precision: "precision", recall: "recall", f1: "F1" } as const;

export function labelChart(suite: SuiteReport, id: string): string {
  const labels = suite.arms.few_shot.per_label.map((row) => row.label);
  const width = 760;
  const labelWidth = 150;
  const cellGap = 16;
  const cellWidth = (width - labelWidth - cellGap * LABEL_METRICS.length) / LABEL_METRICS.length;
  const barHeight = 11;
  const rowHeight = barHeight * 2 + 14;
  const top = 24;
  const height = top + rowHeight * labels.length + 8;
  const header = LABEL_METRICS.map((metric, m) => text(labelWidth + m * (cellWidth + cellGap), 14, METRIC_NAMES[metric], { cls: "axis-label" })).join("");
  const rows = labels
    .map((label, r) => {
      const y = top + r * rowHeight;
      const support = suite.arms.few_shot.per_label[r]?.support ?? 0;
      const name = `<text x="0" y="${n(y + barHeight)}" class="row-label"><title>${escapeHtml(label)}</title>${escapeHtml(truncate(label, 20))}</text>` + text(0, y + barHeight * 2 + 2, `n = ${formatCount(support)}`, { cls: "support" });
      const cells = LABEL_METRICS.map((metric, m) => {
        const x0 = labelWidth + m * (cellWidth + cellGap);
        const track = `<rect class="track" x="${n(x0)}" y="${n(y)}" width="${n(cellWidth - 40)}" height="${n(barHeight * 2 + 2)}"/>`;
        return (
          track +
          ARMS.map((arm, a) => {
            const value = suite.arms[arm].per_label[r]?.[metric] ?? null;
            const by = y + a * (barHeight + 2);
            const shown = value === null ? "n/a" : formatNumber(value, 2);
            const bar =
              value === null
                ? ""
                : `<rect class="bar arm-${arm}" data-arm="${arm}" data-metric="${metric}" data-label="${escapeHtml(label)}" data-value="${value}" x="${n(x0)}" y="${n(by)}" width="${n(Math.max(0.5, value * (cellWidth - 40)))}" height="${barHeight}"><title>${escapeHtml(`${label}, ${ARM_DISPLAY[arm]}: ${METRIC_NAMES[metric]} ${shown}`)}</title></rect>`;
            return bar + text(x0 + cellWidth - 36, by + barHeight - 2, shown, { cls: "value" });
          }).join("")
        );
      }).join("");
      return name + cells;
    })
    .join("");
  const description =
    `Precision, recall and F1 per label, few-shot then LoRA. ` +
    labels
      .map((label, r) => {
        const figures = ARMS.map((arm) => {
          const row = suite.arms[arm].per_label[r];
          const f = (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : formatNumber(v, 2));
          return `${ARM_DISPLAY[arm]} ${f(row?.precision)}/${f(row?.recall)}/${f(row?.f1)}`;
        }).join(", ");
        return `${label} (support ${formatCount(suite.arms.few_shot.per_label[r]?.support ?? 0)}): ${figures}`;
      })
      .join("; ") +
    ".";
  return svg({ chart: "labels", id, width, height, title: `Per-label precision, recall and F1: ${suite.name}`, description }, header + rows);
}
