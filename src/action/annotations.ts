// Annotations: each suite whose gate warns, on its suite file, and each missed case on its YAML line (an
// error for a `must` case, a warning otherwise). The runner turns `::warning file=…,line=…,col=…::` lines
// into annotations on the pull request's diff, but keeps only 10 of each level per step (50 per job), so
// the order matters: gate warnings first, then cases newly failing against the baseline, then the rest in
// report order. The log has them all; the summary lists every case.
import * as core from "@actions/core";
import { own } from "../run/command-guard.js";
import { singleLine, truncate } from "../text/width.js";
import type { CaseReport, Report, SuiteReport } from "../report/types.js";
import { ARM_DISPLAY, ARMS, type ArmName } from "../types.js";
import type { ReportLocations } from "./locations.js";

export interface Annotation {
  level: "error" | "warning" | "notice";
  message: string;
  title: string;
  file?: string;
  line?: number;
  column?: number;
}

/** Annotations beyond this many are left out (with a notice saying so): a log of thousands helps nobody. */
export const MAX_CASE_ANNOTATIONS = 1000;

const INPUT_CHARS = 120;

function missedBy(c: CaseReport): ArmName[] {
  return ARMS.filter((arm) => !c[arm].correct);
}

function armsInWords(arms: readonly ArmName[]): string {
  return arms.length === 2 ? "both arms" : ARM_DISPLAY[arms[0]!];
}

function caseAnnotation(suite: SuiteReport, c: CaseReport, locations: ReportLocations, newlyFailing: boolean): Annotation {
  const arms = missedBy(c);
  const predictions = ARMS
    .map((arm) => `${ARM_DISPLAY[arm]} predicted "${c[arm].predicted}" (${c[arm].correct ? "right" : "wrong"})`)
    .join(", ");
  const what = c.must ? `must case missed by ${armsInWords(arms)}` : `missed by ${armsInWords(arms)}`;
  return {
    level: c.must ? "error" : "warning",
    title: `tunegate · ${singleLine(suite.name)}: ${what}${newlyFailing ? " (newly, against the baseline)" : ""}`,
    message: `"${truncate(singleLine(c.input), INPUT_CHARS)}": expected "${c.expected}"; ${predictions}.`,
    file: locations.annotationFile(c.file),
    line: c.line,
    column: c.column,
  };
}

/** The annotations of a finished run, in the order described above. */
export function reportAnnotations(report: Report, locations: ReportLocations, newlyFailing: ReadonlySet<CaseReport> = new Set()): Annotation[] {
  const gates: Annotation[] = report.suites
    .filter((suite) => suite.gate === "warn")
    .map((suite) => ({
      level: "warning",
      title: `tunegate · ${singleLine(suite.name)}: gate warn (${suite.verdict})`,
      message: suite.reason,
      file: locations.annotationFile(suite.file),
      line: 1,
    }));
  const missed = report.suites.flatMap((suite) => suite.cases.filter((c) => !c.few_shot.correct || !c.lora.correct).map((c) => ({ suite, c })));
  // A stable sort: newly failing cases first, each group in report order.
  const ordered = [...missed.filter(({ c }) => newlyFailing.has(c)), ...missed.filter(({ c }) => !newlyFailing.has(c))];
  const cases = ordered.slice(0, MAX_CASE_ANNOTATIONS).map(({ suite, c }) => caseAnnotation(suite, c, locations, newlyFailing.has(c)));
  if (missed.length > cases.length) {
    cases.push({
      level: "notice",
      title: "tunegate: more missed cases",
      message: `${missed.length - cases.length} more missed cases are not annotated (at most ${MAX_CASE_ANNOTATIONS}); the job summary and the JSON report list them all.`,
    });
  }
  return [...gates, ...cases];
}

export function emitAnnotation(annotation: Annotation): void {
  const properties: core.AnnotationProperties = { title: annotation.title };
  if (annotation.file !== undefined) properties.file = annotation.file;
  if (annotation.line !== undefined) properties.startLine = annotation.line;
  if (annotation.column !== undefined) properties.startColumn = annotation.column;
  const write = annotation.level === "error" ? core.error : annotation.level === "warning" ? core.warning : core.notice;
  own(() => write(annotation.message, properties));
}
