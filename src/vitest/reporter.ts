// tunegate's Vitest reporter: after the run, the side-by-side table and the verdict of every suite, the JSON
// report and the Markdown summary where asked, and a plain `N passed, N failed` line any CI log reader finds.
import { resolve } from "node:path";
import type { Reporter, TestModule } from "vitest/node";
import type { Vitest } from "vitest/node";
import { buildReport, reportToJson } from "../report/build.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderTerminal } from "../report/terminal.js";
import type { Report } from "../report/types.js";
import { singleLine } from "../text/width.js";
import { writeFileAtomic } from "../text/write-file.js";
import type { SuiteRun } from "../types.js";
import { evaluations, type Evaluation } from "./registry.js";

export interface ReportFiles {
  /** Path of the JSON report (schema/report.schema.json). */
  json?: string;
  /** Path of the Markdown summary (for a GitHub job summary or PR comment). */
  markdown?: string;
}

export interface RunOutcome {
  report: Report | undefined;
  /** Suite files that could not be evaluated: invalid YAML/schema, or a model or adapter that failed. */
  unevaluated: Array<Exclude<Evaluation, { kind: "done" }>>;
  passed: number;
  failed: number;
}

/** What the reporter reads from the engine the suites ran on, without importing the engine. */
export interface ReporterEngine {
  /** Model files the engine has loaded. */
  modelLoads(): number;
}

export class TunegateReporter implements Reporter {
  private vitest: Vitest | undefined;
  /** The outcome of the last finished run, for the CLI and the Action. */
  lastOutcome: RunOutcome | undefined;

  constructor(
    private readonly files: ReportFiles = {},
    /** Absent when the reporter runs without tunegate's plugin, which owns the engine. */
    private readonly engine?: ReporterEngine,
  ) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  private log(text: string): void {
    if (this.vitest) this.vitest.logger.log(text);
    else console.log(text);
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const runs: SuiteRun[] = [];
    const unevaluated: RunOutcome["unevaluated"] = [];
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed += 1;
        else if (state === "failed") failed += 1;
        else if (state === "skipped") skipped += 1;
      }
      const evaluation = evaluations.get(module.moduleId);
      if (!evaluation) continue;
      if (evaluation.kind === "done") runs.push(evaluation.run);
      else unevaluated.push(evaluation);
    }

    const root = this.vitest?.config.root ?? process.cwd();
    const report = runs.length > 0 ? buildReport(runs, { root }) : undefined;
    if (report) {
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      this.log("");
      this.log(renderTerminal(report, { color, width: Math.max(60, Math.min(process.stdout.columns ?? 100, 160)) }));
      const loads = this.engine ? `; model files loaded in this process: ${this.engine.modelLoads()}` : "";
      const engine = runs[0]!.engine;
      const arms = engine.armsInParallel ? "arms side by side" : "arms one after the other";
      const threads = `${engine.threads} thread${engine.threads === 1 ? "" : "s"} each`;
      const how = engine.remote ? `at ${engine.remote.url}, ${engine.remote.concurrency} requests at a time, arms in phases` : `${arms}, ${threads}`;
      this.log(`tunegate ▸ ${runs.length} suite${runs.length === 1 ? "" : "s"} on ${singleLine(engine.backend)} (${how})${loads}`);
      await this.writeFiles(report, root);
    }
    for (const broken of unevaluated) {
      this.log(`tunegate ▸ not evaluated: ${singleLine(broken.file)} (${broken.kind === "invalid" ? "invalid suite" : singleLine(broken.error.message)})`);
    }
    this.lastOutcome = { report, unevaluated, passed, failed };
    // Vitest's own summary is not among the formats CI log readers know; this line is.
    this.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
  }

  private async writeFiles(report: Report, root: string): Promise<void> {
    const targets: Array<[string | undefined, () => string]> = [
      [this.files.json, () => reportToJson(report)],
      [this.files.markdown, () => renderMarkdown(report)],
    ];
    for (const [target, render] of targets) {
      if (!target) continue;
      const path = resolve(root, target);
      await writeFileAtomic(path, render());
      this.log(`tunegate ▸ wrote ${path}`);
    }
  }
}
