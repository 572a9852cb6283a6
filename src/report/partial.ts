// The part one shard of a sharded run writes: its case records, in the report's own case format, and what
// identifies the whole suite (content hash, model hashes, engine, settings). It carries no verdict and no
// figure computed over cases, so nothing in it can be read as the suite's result; `tunegate merge`
// (merge.ts) puts the parts back together and builds the report from every case.
import type { FromSchema } from "json-schema-to-ts";
import { ARMS, type ArmName, type ArmRun, type SuiteRun } from "../types.js";
import { byFileThenName, caseReport, engineReport, reportPath, type BuildReportOptions } from "./build.js";
import type { partialReportSchema } from "./schema.js";
import { REPORT_VERSION } from "./schema.js";

export type PartialReport = FromSchema<typeof partialReportSchema>;
export type ShardSuiteReport = PartialReport["suites"][number];
export type ShardArmReport = ShardSuiteReport["arms"]["few_shot"];

/** What a part says of itself, where a person reads it. */
export function partialNote(shard: number, shards: number): string {
  return `shard ${shard}/${shards}: a partial report with no verdict; \`tunegate merge\` of all ${shards} parts decides`;
}

function shardArmReport(arm: ArmRun): ShardArmReport {
  return {
    tokens_evaluated: arm.tokensEvaluated,
    tokens_minimum: arm.tokensMinimum,
    multi_token_labels: [...arm.multiTokenLabels],
    shared_prefix_tokens: arm.sharedPrefixTokens,
    context_size: arm.contextSize,
    wall_ms: arm.wallMs,
  };
}

/** One suite's part. `run` must be a shard's run (it has `shard`). */
function shardSuiteReport(run: SuiteRun, toReportPath: (file: string) => string): ShardSuiteReport {
  const { suite, shard } = run;
  if (!shard) throw new RangeError(`suite "${suite.name}" ran whole, not as a shard: it has no part to write`);
  const { cost, gate } = suite;
  return {
    name: suite.name,
    file: toReportPath(suite.file),
    suite_sha256: shard.suiteSha256,
    cases_total: shard.casesTotal,
    scoring: suite.scoring,
    labels: [...suite.labels],
    calls_per_day: suite.volume.callsPerDay,
    thresholds: { within_points: gate.withinPoints, lora_wins_points: gate.loraWinsPoints, volume_threshold: gate.volumeThreshold, fail_on: gate.failOn },
    misses: suite.misses,
    prices: cost
      ? {
          currency: cost.currency,
          few_shot: { input_per_million: cost.fewShot.inputPerMillion, output_per_million: cost.fewShot.outputPerMillion },
          lora: { input_per_million: cost.lora.inputPerMillion, output_per_million: cost.lora.outputPerMillion },
          fine_tune_one_off: cost.fineTuneOneOff ?? null,
        }
      : null,
    models: {
      few_shot: { file: toReportPath(suite.fewShot.model.path), sha256: shard.sha256.fewShotModel },
      lora: { file: toReportPath(suite.lora.model.path), sha256: shard.sha256.loraModel },
      adapter: { file: toReportPath(suite.lora.adapter.path), sha256: shard.sha256.adapter, scale: suite.lora.scale },
    },
    engine: engineReport(run.engine),
    result_cache: run.resultCache === true,
    arms: Object.fromEntries(ARMS.map((arm) => [arm, shardArmReport(run.arms[arm])])) as Record<ArmName, ShardArmReport>,
    cases: suite.cases.map((c, i) => caseReport(c, { few_shot: run.arms.few_shot.cases[i]!, lora: run.arms.lora.cases[i]! }, toReportPath)),
  };
}

/** The part of one shard's runs (every suite of the run, all of the same shard). */
export function buildPartialReport(runs: readonly SuiteRun[], options: BuildReportOptions & { tunegateVersion: string }): PartialReport {
  const shards = new Set(runs.map((run) => (run.shard ? `${run.shard.index}/${run.shard.count}` : "whole")));
  const first = runs[0]?.shard;
  if (!first || shards.size !== 1) throw new RangeError(`a partial report is one shard's: these runs are ${[...shards].join(", ") || "none"}`);
  const root = options.root ?? process.cwd();
  const toReportPath = (file: string): string => reportPath(root, file);
  const suites = runs.map((run) => shardSuiteReport(run, toReportPath)).sort(byFileThenName);
  return {
    version: REPORT_VERSION,
    tool: "tunegate",
    partial: { shard: first.index, shards: first.count, note: partialNote(first.index, first.count) },
    tunegate_version: options.tunegateVersion,
    generated_at: (options.now ?? new Date()).toISOString(),
    suites,
  };
}

/** The part as the JSON file `tunegate merge` reads: two-space indented, newline-terminated, as a report. */
export function partialToJson(part: PartialReport): string {
  return `${JSON.stringify(part, null, 2)}\n`;
}
