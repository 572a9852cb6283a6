// tunegate's Vitest reporter: after the run, the side-by-side table and the verdict of every suite, the JSON
// report and the Markdown summary where asked, and a plain `N passed, N failed` line any CI log reader finds.
// It rebuilds each suite's run from its tests' `meta` (test-meta.ts), not from this process's memory, so
// `vitest --merge-reports` reports what the shards ran exactly as one run would.
import { realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from "vitest/node";
import type { Vitest } from "vitest/node";
import { buildReport, linkFrom, reportToJson } from "../report/build.js";
import { renderHtml } from "../report/html/render.js";
import { renderMarkdown, renderPartialMarkdown } from "../report/markdown.js";
import { buildPartialReport, partialNote, partialToJson, type PartialReport } from "../report/partial.js";
import { renderTerminal, type TableMode } from "../report/terminal.js";
import { terminalStyle } from "../report/text-figures.js";
import type { Report } from "../report/types.js";
import { isSuiteFile } from "../suite/suite-files.js";
import { formatCount, formatCountOf } from "../text/format.js";
import { packageVersion } from "../text/package-root.js";
import { singleLine } from "../text/width.js";
import { writeFileAtomic } from "../text/write-file.js";
import type { SuiteRun } from "../types.js";
import { evaluations, registryKey, type Evaluation } from "./registry.js";
import { isWarnedMiss, rebuildSuiteRun, type TunegateTestMeta } from "./test-meta.js";

export interface ReportFiles {
  /** Path of the JSON report (schema/report.schema.json). */
  json?: string;
  /** Path of the Markdown summary (for a GitHub job summary or PR comment). */
  markdown?: string;
  /** Path of the self-contained HTML report (charts, every case), readable when opened from disk. */
  html?: string;
}

/** A suite file Vitest handed over that has no result: invalid, failed, or (merged) without its records. */
export type NotEvaluated = Exclude<Evaluation, { kind: "done" }> | { kind: "not-run"; file: string; reason: string };

export interface RunOutcome {
  report: Report | undefined;
  /** A shard's run (`tunegate run --shard i/n`): its part, and no report, since a shard decides nothing. */
  partial?: PartialReport | undefined;
  /** Suite files that could not be evaluated: invalid YAML/schema, a model or adapter that failed, no results. */
  unevaluated: NotEvaluated[];
  /** Suite files below the root left out by the project's test.include/exclude (set only when none is included). */
  notIncluded: string[];
  passed: number;
  failed: number;
  /** Passed case tests whose arm missed, under `misses: warn`. */
  warned: number;
}

/** What the reporter reads from the engine the suites ran on, without importing the engine. */
export interface ReporterEngine {
  /** Model files the engine has loaded. */
  modelLoads(): number;
}


function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export class TunegateReporter implements Reporter {
  private vitest: Vitest | undefined;
  /** The outcome of the last finished run, for the CLI and the Action. */
  lastOutcome: RunOutcome | undefined;
  /** Set by the plugin: suite files no test.include pattern takes in, when it takes in none. */
  notIncluded: string[] = [];

  constructor(
    private readonly files: ReportFiles = {},
    /** Absent when the reporter runs without tunegate's plugin, which owns the engine. */
    private readonly engine?: ReporterEngine,
    /** Which cases the terminal table lists (default: misses and disagreements). */
    private readonly table?: TableMode,
  ) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  private log(text: string): void {
    if (this.vitest) this.vitest.logger.log(text);
    else console.log(text);
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = [], reason?: TestRunEndReason): Promise<void> {
    const runs: SuiteRun[] = [];
    const unevaluated: NotEvaluated[] = [];
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let warned = 0;
    let unloadedFiles = 0;
    for (const module of testModules) {
      const metas: TunegateTestMeta[] = [];
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        const meta = test.meta().tunegate;
        if (meta) metas.push(meta);
        if (state === "passed") passed += 1;
        else if (state === "failed") failed += 1;
        else if (state === "skipped") skipped += 1;
        if (state === "passed" && isWarnedMiss(meta)) warned += 1;
      }
      if (metas.length > 0) {
        const run = rebuildSuiteRun(metas);
        if (typeof run === "string") unevaluated.push({ kind: "not-run", file: module.moduleId, reason: run });
        else runs.push(run);
        continue;
      }
      const loadError = module.errors()[0]?.message;
      if (!isSuiteFile(module.moduleId)) {
        if (loadError !== undefined) unloadedFiles += 1;
        continue;
      }
      const evaluation = evaluations.get(registryKey(module.moduleId));
      if (evaluation && evaluation.kind !== "done") unevaluated.push(evaluation);
      else unevaluated.push({ kind: "not-run", file: module.moduleId, reason: loadError !== undefined ? singleLine(loadError).slice(0, 300) : "it has no results" });
    }

    // Paths in the report are relative to the root as the file system has it, like the suite files' own.
    const root = realPath(this.vitest?.config.root ?? process.cwd());
    const sharded = runs.some((run) => run.shard !== undefined);
    const partial = sharded ? buildPartialReport(runs, { root, tunegateVersion: packageVersion() }) : undefined;
    const report = runs.length > 0 && !sharded ? buildReport(runs, { root }) : undefined;
    if (partial) {
      this.log("");
      this.log(`tunegate ▸ ${partialNote(partial.partial.shard, partial.partial.shards)}`);
      for (const suite of partial.suites) this.log(`tunegate ▸ ${singleLine(suite.name)}: ${formatCount(suite.cases.length)} of its ${formatCountOf(suite.cases_total, "case")} in this shard`);
    }
    if (report) {
      this.log("");
      this.log(renderTerminal(report, { ...terminalStyle(process.env, process.stdout), ...(this.table ? { table: this.table } : {}) }));
      const loads = this.engine ? `; model files loaded in this process: ${this.engine.modelLoads()}` : "";
      const engine = runs[0]!.engine;
      const arms = engine.armsInParallel ? "arms side by side" : "arms one after the other";
      const threads = `${engine.threads} thread${engine.threads === 1 ? "" : "s"} each`;
      const how = engine.remote ? `at ${engine.remote.url}, ${engine.remote.concurrency} requests at a time, arms in phases` : `${arms}, ${threads}`;
      this.log(`tunegate ▸ ${formatCountOf(runs.length, "suite")} on ${singleLine(engine.backend)} (${how})${loads}`);
    }
    for (const broken of unevaluated) this.log(`tunegate ▸ not evaluated: ${singleLine(broken.file)} (${describeNotEvaluated(broken)})`);
    const ci = isCI();
    if (this.notIncluded.length > 0) {
      this.log(notIncludedMessage(this.notIncluded, root, ci));
      if (ci) process.exitCode = 1;
    }
    await this.writeFiles(report ?? partial, unevaluated, root);
    this.lastOutcome = { report, partial, unevaluated, notIncluded: [...this.notIncluded], passed, failed, warned };

    // Vitest's own summary is not among the formats CI log readers know; this line is. Whatever kept a suite
    // from being evaluated counts as failed there, so the line never reads as success when it was not one.
    const notEvaluated = unevaluated.length + this.notIncluded.length;
    const errors = unhandledErrors.length;
    const counted = failed + notEvaluated + unloadedFiles + errors;
    // Vitest failed or stopped the run for a reason none of the above counts (no test file found, a Ctrl-C).
    const runProblem =
      reason === "interrupted" ? "the run was interrupted" : reason === "failed" && counted === 0 ? (testModules.length === 0 ? "no test file ran" : "Vitest failed the run") : undefined;
    const causes = [
      ...(notEvaluated > 0 ? [`${formatCountOf(notEvaluated, "suite")} not evaluated`] : []),
      ...(unloadedFiles > 0 ? [`${formatCountOf(unloadedFiles, "test file")} not loaded`] : []),
      ...(errors > 0 ? [`${formatCountOf(errors, "error")} outside tests`] : []),
      ...(runProblem !== undefined ? [runProblem] : []),
    ];
    const extra = [...(skipped > 0 ? [`${skipped} skipped`] : []), ...(warned > 0 ? [`${warned} warned (missed under misses: warn)`] : [])];
    const failures = counted + (runProblem !== undefined && counted === 0 ? 1 : 0);
    this.log(`${passed} passed, ${failures} failed${extra.map((part) => `, ${part}`).join("")}${causes.length > 0 ? ` — ${causes.join(", ")}` : ""}`);
  }

  private async writeFiles(report: Report | PartialReport | undefined, unevaluated: NotEvaluated[], root: string): Promise<void> {
    const notEvaluated = notEvaluatedMarkdown(unevaluated, this.notIncluded, root);
    // A shard's part goes to the JSON and the Markdown file; the HTML report is the merged one's.
    const targets: Array<[string | undefined, (report: Report) => string, ((part: PartialReport) => string) | undefined]> = [
      [this.files.json, (r) => reportToJson(r), (part) => partialToJson(part)],
      [this.files.markdown, (r) => renderMarkdown(r) + notEvaluated, (part) => renderPartialMarkdown(part) + notEvaluated],
      [this.files.html, (r) => renderHtml(r, { fileLink: linkFrom(root, dirname(resolve(root, this.files.html ?? ""))) }), undefined],
    ];
    const shard = this.vitest?.config.shard;
    const removed: string[] = [];
    for (const [target, render, renderPart] of targets) {
      if (!target) continue;
      const path = resolve(root, target);
      const text = !report || shard ? undefined : "partial" in report ? renderPart?.(report) : render(report);
      if (text !== undefined) {
        await writeFileAtomic(path, text);
        this.log(`tunegate ▸ wrote ${path}${report && "partial" in report ? " (partial: no verdict)" : ""}`);
        continue;
      }
      // A report left from an earlier run would read as this run's: it goes.
      if (await rm(path).then(() => true, () => false)) removed.push(path);
    }
    const part = report && "partial" in report ? report.partial : undefined;
    if ((report && !shard && !(part && this.files.html)) || (!this.files.json && !this.files.markdown && !this.files.html)) return;
    const why = shard
      ? `shard ${shard.index}/${shard.count}: the report files are written by \`vitest --merge-reports\``
      : part
        ? `shard ${part.shard}/${part.shards}: the HTML report is written by \`tunegate merge\``
        : "no suite was evaluated, so no report was written";
    this.log(`tunegate ▸ ${why}${removed.length > 0 ? `; removed the earlier ${removed.join(" and ")}` : ""}`);
  }
}

function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

function describeNotEvaluated(broken: NotEvaluated): string {
  if (broken.kind === "invalid") return "invalid suite";
  if (broken.kind === "failed") return singleLine(broken.error.message);
  return broken.reason;
}

function notIncludedMessage(files: readonly string[], root: string, ci: boolean): string {
  const shown = files.slice(0, 3).map((file) => singleLine(file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file));
  const more = files.length > shown.length ? ` and ${files.length - shown.length} more` : "";
  return (
    `tunegate ▸ not evaluated: ${formatCountOf(files.length, "suite file")} (${shown.join(", ")}${more}) ${files.length === 1 ? "is" : "are"} not in this project's test.include; ` +
    `add "**/*.cases.yaml" (or their folder) to test.include in your Vitest config` +
    (ci ? " — this fails the run under CI" : " (under CI=true this fails the run)")
  );
}

function notEvaluatedMarkdown(unevaluated: readonly NotEvaluated[], notIncluded: readonly string[], root: string): string {
  const lines = [
    ...unevaluated.map((broken) => `- \`${singleLine(broken.file)}\`: ${describeNotEvaluated(broken)}`),
    ...notIncluded.map((file) => `- \`${singleLine(file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file)}\`: not in test.include`),
  ];
  return lines.length === 0 ? "" : `\n**Not evaluated** (this run failed):\n\n${lines.join("\n")}\n`;
}
