// The baseline comparison as Markdown, for the job summary and the PR comment: one row a suite with both
// arms' accuracy change and the regression check, then the cases whose result changed.
import { formatCount, formatCountOf, formatPercent, formatPoints } from "../text/format.js";
import { escapeMarkdown } from "../report/markdown.js";
import { armHeading } from "../report/wording.js";
import { singleLine, truncate } from "../text/width.js";
import type { CaseReport } from "../report/types.js";
import { ARMS, type ArmName } from "../types.js";
import type { AccuracyChange, BaselineComparison, CaseArmChange, CaseChange, SuiteComparison } from "./comparison.js";

export interface ComparisonMarkdownOptions {
  fileLink?: ((file: string, line: number) => string) | undefined;
  /** Where the baseline came from, in words (a path). */
  baselineLabel: string;
  /** Most rows in each changed-cases table; default 50. */
  maxCaseRows?: number;
}

const INPUT_CHARS = 80;
const CHANGE_CELL: Record<CaseArmChange, string> = {
  "newly-failing": "✅ → ❌",
  "newly-passing": "❌ → ✅",
  "still-passing": "✅",
  "still-failing": "❌",
};

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function accuracyCell(change: AccuracyChange): string {
  return `${formatPercent(change.before)} → ${formatPercent(change.after)} (${formatPoints(change.changePoints)})`;
}

function regressionCell(suite: SuiteComparison): string {
  const check = suite.regression;
  if (check === undefined) return "not checked";
  const drop = formatPoints(check.dropPoints, [check.limitPoints], false);
  if (check.failed) return `❌ few-shot fell ${drop} points (limit ${formatPoints(check.limitPoints, [], false)})`;
  return check.dropPoints > 0 ? `✅ fell ${drop} points, within ${formatPoints(check.limitPoints, [], false)}` : "✅ no drop";
}

function location(c: CaseReport, fileLink: ComparisonMarkdownOptions["fileLink"]): string {
  const text = escapeMarkdown(`${c.file}:${c.line}`);
  return fileLink ? `[${text}](${fileLink(c.file, c.line)})` : text;
}

function changesTable(title: string, suites: readonly SuiteComparison[], pick: (s: SuiteComparison) => CaseChange[], options: ComparisonMarkdownOptions): string[] {
  const changes = suites.flatMap((suite) => pick(suite).map((change) => ({ suite: suite.suite.name, change })));
  if (changes.length === 0) return [];
  const limit = options.maxCaseRows ?? 50;
  const cell = (change: CaseChange, arm: ArmName) => `${CHANGE_CELL[change.arms[arm]]} ${escapeMarkdown(change.case[arm].predicted)}`;
  const lines = [
    `**${title} (${formatCount(changes.length)})**`,
    "",
    row(["Suite", "Case", "Input", "Expected", ...ARMS.map(armHeading)]),
    row([":--", ":--", ":--", ":--", ":--", ":--"]),
    ...changes
      .slice(0, limit)
      .map(({ suite, change }) =>
        row([
          escapeMarkdown(suite),
          `${location(change.case, options.fileLink)}${change.case.must ? " **must**" : ""}`,
          escapeMarkdown(truncate(singleLine(change.case.input), INPUT_CHARS)),
          escapeMarkdown(change.case.expected),
          cell(change, "few_shot"),
          cell(change, "lora"),
        ]),
      ),
  ];
  if (changes.length > limit) lines.push("", `… and ${formatCount(changes.length - limit)} more.`);
  return [...lines, ""];
}


export function renderComparison(comparison: BaselineComparison, options: ComparisonMarkdownOptions): string {
  const heading = comparison.regressed.length > 0 ? "### ❌ Against the baseline: few-shot accuracy regressed" : "### Against the baseline";
  const lines = [heading, "", `Baseline: ${escapeMarkdown(options.baselineLabel)}.`, ""];
  if (comparison.suites.length > 0) {
    lines.push(
      row(["Suite", "Few-shot accuracy", "LoRA accuracy", "Newly failing", "Newly passing", "Cases new / removed", "Regression check"]),
      row([":--", "--:", "--:", "--:", "--:", "--:", ":--"]),
      ...comparison.suites.map((s) =>
        row([
          escapeMarkdown(s.suite.name),
          accuracyCell(s.accuracy.few_shot),
          accuracyCell(s.accuracy.lora),
          formatCount(s.newlyFailing.length),
          formatCount(s.newlyPassing.length),
          `${formatCount(s.newCases)} / ${formatCount(s.removedCases)}`,
          regressionCell(s),
        ]),
      ),
      "",
    );
  }
  if (comparison.maxRegressionPoints === undefined) lines.push("No regression check: `max-regression-points` is not set.", "");
  const unmatched = [
    ...comparison.newSuites.map((name) => `${escapeMarkdown(name)} (new)`),
    ...comparison.removedSuites.map((name) => `${escapeMarkdown(name)} (only in the baseline)`),
  ];
  if (unmatched.length > 0) lines.push(`Not compared, no counterpart: ${unmatched.join(", ")}.`, "");
  const newCases = comparison.suites.reduce((sum, s) => sum + s.newCases, 0);
  const removedCases = comparison.suites.reduce((sum, s) => sum + s.removedCases, 0);
  if (newCases + removedCases > 0) {
    lines.push(`Cases are matched by suite and input; ${formatCountOf(newCases, "case")} new in this run and ${formatCountOf(removedCases, "case")} only in the baseline are not in the per-case diff.`, "");
  }
  lines.push(...changesTable("Newly failing", comparison.suites, (s) => s.newlyFailing, options));
  lines.push(...changesTable("Newly passing", comparison.suites, (s) => s.newlyPassing, options));
  if (comparison.suites.every((s) => s.newlyFailing.length === 0 && s.newlyPassing.length === 0) && comparison.suites.length > 0) {
    lines.push("No case changed its result in either arm.", "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
