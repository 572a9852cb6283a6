// Confusion-matrix heatmaps: one per arm (rows expected, columns predicted, `invalid` included in generate
// mode) and their difference, LoRA − few-shot, on a diverging scale.
import { formatCount } from "../../text/format.js";
import { truncate } from "../../text/width.js";
import type { ArmReport, SuiteReport } from "../types.js";
import { escapeHtml } from "./escape.js";
import { n, svg } from "./svg.js";

export interface Matrix {
  rows: string[];
  columns: string[];
  counts: number[][];
}

/** LoRA − few-shot, cell by cell, over the union of both arms' rows and columns. */
export function differenceMatrix(fewShot: ArmReport["confusion"], lora: ArmReport["confusion"]): Matrix {
  const union = (a: readonly string[], b: readonly string[]) => [...a, ...b.filter((x) => !a.includes(x))];
  const rows = union(fewShot.rows, lora.rows);
  const columns = union(fewShot.columns, lora.columns);
  const at = (m: ArmReport["confusion"], row: string, column: string) => m.counts[m.rows.indexOf(row)]?.[m.columns.indexOf(column)] ?? 0;
  return { rows, columns, counts: rows.map((row) => columns.map((column) => at(lora, row, column) - at(fewShot, row, column))) };
}

export function heatmap(matrix: Matrix, options: { id: string; title: string; diverging: boolean; suite: string }): string {
  const cell = matrix.columns.length > 20 ? 14 : matrix.columns.length > 10 ? 22 : 34;
  const labelWidth = 110;
  const top = 100;
  const width = labelWidth + cell * matrix.columns.length + 8;
  const height = top + cell * matrix.rows.length + 8;
  const max = matrix.counts.flat().reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  const columnLabels = matrix.columns
    .map((label, c) => {
      const x = labelWidth + c * cell + cell / 2;
      return `<text class="column-label" transform="translate(${n(x + 4)} ${top - 6}) rotate(-60)"><title>${escapeHtml(label)}</title>${escapeHtml(truncate(label, 14))}</text>`;
    })
    .join("");
  const rows = matrix.rows
    .map((label, r) => {
      const y = top + r * cell;
      const name = `<text class="row-label" x="${labelWidth - 6}" y="${n(y + cell / 2 + 4)}" text-anchor="end"><title>${escapeHtml(label)}</title>${escapeHtml(truncate(label, 14))}</text>`;
      const cells = matrix.columns
        .map((column, c) => {
          const count = matrix.counts[r]?.[c] ?? 0;
          const intensity = Math.abs(count) / max;
          const tone = options.diverging ? (count > 0 ? "up" : count < 0 ? "down" : "zero") : label === column ? "diagonal" : "off";
          const shown = options.diverging && count > 0 ? `+${formatCount(count)}` : formatCount(count);
          const x = labelWidth + c * cell;
          const value = cell >= 22 && count !== 0 ? `<text class="cell-value" x="${n(x + cell / 2)}" y="${n(y + cell / 2 + 4)}" text-anchor="middle">${shown}</text>` : "";
          return (
            `<rect class="cell tone-${tone}" data-count="${count}" x="${n(x)}" y="${n(y)}" width="${cell - 1}" height="${cell - 1}" fill-opacity="${n(count === 0 ? 0.04 : 0.15 + 0.85 * intensity)}">` +
            `<title>${escapeHtml(`expected ${label}, predicted ${column}: ${shown}`)}</title></rect>${value}`
          );
        })
        .join("");
      return name + cells;
    })
    .join("");
  const description =
    `Rows are expected labels, columns predicted labels. ` +
    matrix.rows.map((label, r) => `${label}: ${matrix.columns.map((column, c) => `${column} ${formatCount(matrix.counts[r]?.[c] ?? 0)}`).join(", ")}`).join("; ") +
    ".";
  return svg({ chart: "confusion", id: options.id, width, height, title: `${options.title}: ${options.suite}`, description }, columnLabels + rows);
}

export function confusionCharts(suite: SuiteReport, idPrefix: string): string[] {
  const { few_shot: fewShot, lora } = suite.arms;
  return [
    heatmap(fewShot.confusion, { id: `${idPrefix}f`, title: "Few-shot confusion matrix", diverging: false, suite: suite.name }),
    heatmap(lora.confusion, { id: `${idPrefix}l`, title: "LoRA confusion matrix", diverging: false, suite: suite.name }),
    heatmap(differenceMatrix(fewShot.confusion, lora.confusion), { id: `${idPrefix}d`, title: "Difference, LoRA − few-shot", diverging: true, suite: suite.name }),
  ];
}
