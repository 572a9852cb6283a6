// The Markdown the job summary and the PR comment show: tunegate's report, with the baseline comparison
// after the overview table, and a failure notice on top when the step fails for a reason the gate does not
// show. Both targets have size limits, so the text is cut at a line to fit.
import { renderMarkdown } from "../report/markdown.js";
import type { Report } from "../report/types.js";

export interface SummaryParts {
  report: Report;
  fileLink?: ((file: string, line: number) => string) | undefined;
  /** The baseline comparison, already rendered. */
  comparison?: string | undefined;
  /** Why the step fails beyond the report's own gate (regression, failed case tests), one sentence each. */
  failures?: readonly string[];
  maxCaseRows?: number;
}

/** GitHub refuses a comment body over 65,536 characters. */
export const COMMENT_MAX_CHARS = 65_536;
/** A step's job summary over 1 MiB is not shown (the runner reports an error instead). */
export const SUMMARY_MAX_BYTES = 1024 * 1024;

export function composeReportMarkdown(parts: SummaryParts): string {
  const report = renderMarkdown(parts.report, {
    ...(parts.fileLink ? { fileLink: parts.fileLink } : {}),
    ...(parts.maxCaseRows !== undefined ? { maxCaseRows: parts.maxCaseRows } : {}),
  });
  const notice = (parts.failures ?? []).map((reason) => `> [!CAUTION]\n> ${reason}\n`).join("\n");
  let text = report;
  if (parts.comparison) {
    // After the overview table, before the first suite's section; at the end if the layout ever changes.
    const firstSuite = report.indexOf("\n### ");
    text = firstSuite < 0 ? `${report}\n${parts.comparison}` : `${report.slice(0, firstSuite + 1)}${parts.comparison}\n${report.slice(firstSuite + 1)}`;
  }
  if (notice) {
    const afterHeading = text.indexOf("\n") + 1;
    text = `${text.slice(0, afterHeading)}\n${notice}${text.slice(afterHeading)}`;
  }
  return text;
}

/** The Markdown for a run that produced no report: what went wrong, verbatim. */
export function composeFailureMarkdown(problems: readonly string[]): string {
  // Longer than any backtick run in the text (which quotes suite files), so nothing in it can close the fence.
  const longestRun = Math.max(0, ...problems.flatMap((p) => (p.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = "`".repeat(Math.max(4, longestRun + 1));
  return `## tunegate: ❌ could not run\n\n${fence}text\n${problems.join("\n")}\n${fence}\n`;
}

export type SizeMeasure = (text: string) => number;
export const measureChars: SizeMeasure = (text) => text.length;
export const measureUtf8Bytes: SizeMeasure = (text) => Buffer.byteLength(text, "utf8");

/**
 * `text` cut at the last line break that keeps it, with a closing note, within `limit` as `measure` counts;
 * a `<details>` block left open by the cut is closed so the note is not hidden in it. Characters are
 * counted as UTF-16 code units, which is never less than what GitHub counts.
 */
export function truncateMarkdown(text: string, limit: number, measure: SizeMeasure, note: string): string {
  if (measure(text) <= limit) return text;
  const closer = "\n</details>\n";
  const tail = `\n\n${note}\n`;
  // Room for the note and for closing the (never more than two) <details> blocks open at the cut.
  const budget = limit - measure(tail) - 2 * measure(closer) - 1;
  if (budget <= 0) throw new RangeError(`a limit of ${limit} leaves no room for the note`);
  // Binary search on the length in code units for the longest prefix that fits.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(text.slice(0, mid)) <= budget) low = mid;
    else high = mid - 1;
  }
  let cut = text.lastIndexOf("\n", low);
  if (cut <= 0) cut = low;
  // Never split a surrogate pair.
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  const kept = text.slice(0, cut);
  const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
  return `${kept}\n${closer.repeat(Math.min(Math.max(open, 0), 2))}${tail}`;
}
