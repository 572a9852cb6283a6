// `tunegate merge`: the parts of a sharded run (partial.ts) put back together into the suite runs a report is
// built from, so the merged report comes out of the same builder (build.ts) as a single machine's, every figure
// computed again from the case records. Parts are files from other machines, so they are read as hostile:
// each is validated against the part schema first, then the set is refused, naming why, unless the parts are
// all n shards of the same run (same suites with the same content, models, engine and tunegate), each shard
// once, with every case of every suite exactly once and in the shard its identity assigns it to.
import { resolve } from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { caseIdentities, shardOfIdentity } from "../suite/shards.js";
import { singleLine, truncate } from "../text/width.js";
import { ARMS, INVALID_PREDICTION, failed, ok, type ArmName, type ArmRun, type CaseArmResult, type EngineInfo, type ReportedRun, type Result, type SuiteCase } from "../types.js";
import type { PartialReport, ShardSuiteReport } from "./partial.js";
import { partialReportSchema, REPORT_VERSION } from "./schema.js";
import type { CaseArmReport, CaseReport, EngineReport } from "./types.js";

/** A part as read: `name` is how the user named its file, for messages. */
export interface NamedPart {
  name: string;
  report: PartialReport;
}

let compiled: ValidateFunction | undefined;

// The path and key come from the part's own keys: flattened and bounded like every text from a part.
function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "the top level" : shown(error.instancePath);
  if (error.keyword === "const") return `${where} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
  if (error.keyword === "additionalProperties") return `${where} has an unknown key "${shown((error.params as { additionalProperty: string }).additionalProperty)}"`;
  return `${where} ${error.message ?? "is invalid"}`;
}

/** A part file's text as a part, or why it is not one (the message names the file). */
export function readPart(name: string, text: string): Result<PartialReport, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the file's own text, newlines and all.
    return failed([`${name} is not JSON (${shown((error as Error).message)}): give the parts written by \`tunegate run --shard i/n --json FILE\``]);
  }
  if (typeof json === "object" && json !== null && !("partial" in json) && "gate" in json) {
    return failed([`${name} is a whole run's report, not a shard's part: only parts written by \`tunegate run --shard i/n --json FILE\` are merged`]);
  }
  compiled ??= new Ajv2020({ strict: true, allErrors: true }).compile(partialReportSchema);
  if (!compiled(json)) {
    const errors = (compiled.errors ?? []).slice(0, 5).map(describeError);
    return failed([`${name} is not a tunegate partial report of version ${REPORT_VERSION}: ${errors.join("; ")}`]);
  }
  return ok(json as PartialReport);
}

/** The fields of an engine block that say which engine produced the results (not how long it took to load). */
function engineIdentity(engine: EngineReport): string {
  const { model_load_ms: _load, context_size: _context, ...identity } = engine;
  return JSON.stringify(Object.entries(identity).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What must be equal in every part of one suite, and the name the messages give it. */
const SAME_IN_EVERY_PART: ReadonlyArray<[string, (suite: ShardSuiteReport) => unknown]> = [
  ["the suite's content (settings, prompts and cases; suite_sha256)", (suite) => suite.suite_sha256],
  ["the number of cases", (suite) => suite.cases_total],
  ["the suite's name", (suite) => suite.name],
  ["the scoring, labels, calls per day, thresholds, misses policy and prices", (suite) => [suite.scoring, suite.labels, suite.calls_per_day, suite.thresholds, suite.misses, suite.prices]],
  ["the base model", (suite) => [suite.models.few_shot, suite.models.lora]],
  ["the adapter", (suite) => suite.models.adapter],
];

/** Text from a part (a stranger's file) as a message shows it: one line, not too long. */
function shown(text: string): string {
  return truncate(singleLine(text), 120);
}

function arrayWords(items: readonly (string | number)[], max = 5): string {
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** A case report's arm result as the engine recorded it; a score the report wrote as null (not finite) is NaN. */
function caseArmResult(report: CaseArmReport): CaseArmResult {
  const number = (value: number | null): number => value ?? Number.NaN;
  return {
    predicted: report.predicted,
    correct: report.correct,
    scores: Object.fromEntries(Object.entries(report.scores).map(([label, score]) => [label, number(score)])),
    confidence: number(report.confidence),
    margin: number(report.margin),
    latencyMs: report.latency_ms,
    promptTokens: report.prompt_tokens,
    outputTokens: report.output_tokens,
    ...(report.generated !== undefined ? { generated: report.generated } : {}),
    ...(report.cached !== undefined ? { cached: { measuredAt: report.cached.measured_at } } : {}),
  };
}

function engineInfo(engine: EngineReport): EngineInfo {
  return {
    backend: engine.backend,
    threads: engine.threads,
    armsInParallel: engine.arms_in_parallel,
    contextSize: engine.context_size,
    modelLoadMs: engine.model_load_ms,
    nodeLlamaCppVersion: engine.node_llama_cpp_version,
    kind: engine.kind,
    ...(engine.url !== undefined ? { remote: { url: engine.url, version: engine.version ?? "", concurrency: engine.concurrency ?? 0 } } : {}),
  };
}

/** Problems with one case record that the schema cannot see: a `correct` that is not what its prediction says. */
function recordProblems(name: string, suite: ShardSuiteReport, c: CaseReport): string[] {
  return ARMS.flatMap((arm) => {
    const result = c[arm];
    const problems: string[] = [];
    if (!suite.labels.includes(result.predicted) && result.predicted !== INVALID_PREDICTION) problems.push(`predicts "${shown(result.predicted)}", which is no label of the suite`);
    if (result.correct !== (result.predicted === c.expected)) problems.push(`says correct: ${result.correct} for predicted "${shown(result.predicted)}" and expected "${shown(c.expected)}"`);
    return problems.map((problem) => `${name}: case ${c.index} (${arm}) ${problem}`);
  });
}

interface SuiteParts {
  file: string;
  entries: Array<{ name: string; shard: number; suite: ShardSuiteReport }>;
}

/** One suite's parts as one run, or why they are not one suite's. */
function mergeSuite({ file: written, entries }: SuiteParts, shards: number, root: string): Result<ReportedRun, string> {
  const file = shown(written);
  const problems: string[] = [];
  const [first] = entries;
  if (!first) return failed([`suite ${file} has no part`]);
  for (const [what, value] of SAME_IN_EVERY_PART) {
    const expected = JSON.stringify(value(first.suite));
    const differing = entries.filter((entry) => JSON.stringify(value(entry.suite)) !== expected).map((entry) => entry.name);
    if (differing.length > 0) problems.push(`suite ${file}: ${what} differs between ${first.name} and ${arrayWords(differing)}; merge the parts of one run of one suite`);
  }
  // A part with no case of the suite ran no engine for it: its engine block says nothing.
  const ran = entries.filter((entry) => entry.suite.cases.length > 0);
  const engine = ran[0];
  if (!engine) return failed([`suite ${file}: no part holds any of its cases; a suite with no case has nothing to merge`]);
  const otherEngines = ran.filter((entry) => engineIdentity(entry.suite.engine) !== engineIdentity(engine.suite.engine)).map((entry) => entry.name);
  if (otherEngines.length > 0) problems.push(`suite ${file}: the engine (kind, backend, version, threads, concurrency, URL) differs between ${engine.name} and ${arrayWords(otherEngines)}; the merged report could state only one`);
  if (problems.length > 0) return failed(problems);

  const total = first.suite.cases_total;
  const byIndex = new Map<number, { name: string; shard: number; record: CaseReport }>();
  const duplicated = new Set<number>();
  const outOfRange: number[] = [];
  for (const entry of entries) {
    for (const record of entry.suite.cases) {
      problems.push(...recordProblems(entry.name, entry.suite, record));
      if (record.index >= total) outOfRange.push(record.index);
      else if (byIndex.has(record.index)) duplicated.add(record.index);
      else byIndex.set(record.index, { name: entry.name, shard: entry.shard, record });
    }
  }
  if (outOfRange.length > 0) problems.push(`suite ${file}: case index ${arrayWords(outOfRange)} is beyond its ${total} cases`);
  if (duplicated.size > 0) problems.push(`suite ${file}: case ${arrayWords([...duplicated].sort((a, b) => a - b))} appears more than once across the parts`);
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) problems.push(`suite ${file}: ${missing.length} of ${total} cases are in no part (case ${arrayWords(missing)})`);
  if (problems.length > 0) return failed(problems);

  const records = Array.from({ length: total }, (_, i) => byIndex.get(i)!);
  // Each case must come from the shard its identity assigns it to: another split is another run.
  const identities = caseIdentities(records.map(({ record }) => record));
  const misplaced = records.filter(({ shard }, i) => shardOfIdentity(identities[i]!, shards) !== shard).map(({ record }) => record.index);
  if (misplaced.length > 0) return failed([`suite ${file}: case ${arrayWords(misplaced)} came from a shard that does not run it; the parts were not split by this tunegate's --shard`]);

  const suite = first.suite;
  const cases: SuiteCase[] = records.map(({ record }) => ({
    index: record.index,
    input: record.input,
    expected: record.expected,
    must: record.must,
    location: { file: resolve(root, record.file), line: record.line, column: record.column },
  }));
  const arm = (name: ArmName): ArmRun => {
    const parts = ran.map((entry) => entry.suite.arms[name]);
    const seen = new Set(parts.flatMap((part) => part.multi_token_labels));
    return {
      arm: name,
      scoring: suite.scoring,
      cases: records.map(({ record }) => caseArmResult(record[name])),
      // What the machines did between them: each evaluated its own shard's shared prefix.
      tokensEvaluated: parts.reduce((sum, part) => sum + part.tokens_evaluated, 0),
      tokensMinimum: parts.reduce((sum, part) => sum + part.tokens_minimum, 0),
      multiTokenLabels: suite.labels.filter((label) => seen.has(label)),
      sharedPrefixTokens: Math.min(...parts.map((part) => part.shared_prefix_tokens)),
      contextSize: Math.max(...parts.map((part) => part.context_size)),
      wallMs: parts.reduce((sum, part) => sum + part.wall_ms, 0),
    };
  };
  const arms = { few_shot: arm("few_shot"), lora: arm("lora") };
  const engineBlock = engine.suite.engine;
  const { prices, thresholds } = suite;
  return ok({
    suite: {
      name: suite.name,
      file: resolve(root, suite.file),
      labels: [...suite.labels],
      scoring: suite.scoring,
      volume: { callsPerDay: suite.calls_per_day },
      ...(prices
        ? {
            cost: {
              currency: prices.currency,
              fewShot: { inputPerMillion: prices.few_shot.input_per_million, outputPerMillion: prices.few_shot.output_per_million },
              lora: { inputPerMillion: prices.lora.input_per_million, outputPerMillion: prices.lora.output_per_million },
              ...(prices.fine_tune_one_off !== null ? { fineTuneOneOff: prices.fine_tune_one_off } : {}),
            },
          }
        : {}),
      misses: suite.misses,
      gate: { withinPoints: thresholds.within_points, loraWinsPoints: thresholds.lora_wins_points, volumeThreshold: thresholds.volume_threshold, failOn: thresholds.fail_on },
      cases,
      fewShot: { model: { path: resolve(root, suite.models.few_shot.file) } },
      lora: { model: { path: resolve(root, suite.models.lora.file) }, adapter: { path: resolve(root, suite.models.adapter.file) }, scale: suite.models.adapter.scale },
    },
    arms,
    engine: {
      ...engineInfo(engineBlock),
      // The slowest machine's load, and the largest context any machine needed.
      modelLoadMs: Math.max(...ran.map((entry) => entry.suite.engine.model_load_ms)),
      contextSize: Math.max(...ran.map((entry) => entry.suite.engine.context_size)),
    },
    resultCache: entries.some((entry) => entry.suite.result_cache),
  });
}

/**
 * The parts of a sharded run as the runs of its suites, paths resolved against `root` (the folder the merged
 * report's paths are relative to, as the parts' were to their run's), or every reason they cannot be merged.
 */
export function mergeParts(parts: readonly NamedPart[], root: string): Result<ReportedRun[], string> {
  const [first] = parts;
  if (!first) return failed(["no part given: name the part files written by `tunegate run --shard i/n --json FILE`"]);
  const problems: string[] = [];
  const shards = first.report.partial.shards;
  const otherCounts = parts.filter((part) => part.report.partial.shards !== shards);
  if (otherCounts.length > 0) {
    return failed([`${first.name} is one of ${shards} shards, but ${otherCounts.map((part) => `${part.name} one of ${part.report.partial.shards}`).join(", ")}; merge the parts of one split`]);
  }
  const otherVersions = parts.filter((part) => part.report.tunegate_version !== first.report.tunegate_version).map((part) => part.name);
  if (otherVersions.length > 0) problems.push(`${first.name} was written by tunegate ${shown(first.report.tunegate_version)} and ${arrayWords(otherVersions)} by another version; run every shard with the same tunegate`);
  const byShard = new Map<number, string[]>();
  for (const part of parts) byShard.set(part.report.partial.shard, [...(byShard.get(part.report.partial.shard) ?? []), part.name]);
  for (const [shard, names] of [...byShard].sort(([a], [b]) => a - b)) {
    if (shard > shards) problems.push(`${names.join(", ")}: shard ${shard} of ${shards} does not exist`);
    else if (names.length > 1) problems.push(`shard ${shard}/${shards} is given more than once: ${names.join(" and ")}`);
  }
  const missing = Array.from({ length: shards }, (_, i) => i + 1).filter((shard) => !byShard.has(shard));
  if (missing.length > 0) problems.push(`shard ${arrayWords(missing.map((shard) => `${shard}/${shards}`))} is missing: every one of the ${shards} parts is needed`);
  if (problems.length > 0) return failed(problems);

  // Suites by file (and name, for two suites in one file's place): every part must have each.
  const suites = new Map<string, SuiteParts>();
  for (const part of parts) {
    const seen = new Set<string>();
    for (const suite of part.report.suites) {
      const key = JSON.stringify([suite.file, suite.name]);
      if (seen.has(key)) problems.push(`${part.name} holds suite ${shown(suite.file)} ("${shown(suite.name)}") twice`);
      seen.add(key);
      const entry = suites.get(key) ?? { file: suite.file, entries: [] };
      entry.entries.push({ name: part.name, shard: part.report.partial.shard, suite });
      suites.set(key, entry);
    }
  }
  for (const { file, entries } of suites.values()) {
    const lacking = parts.filter((part) => !entries.some((entry) => entry.name === part.name)).map((part) => part.name);
    if (lacking.length > 0) problems.push(`suite ${shown(file)} is in ${arrayWords(entries.map((entry) => entry.name))} but not in ${arrayWords(lacking)}; every shard runs every suite`);
  }
  if (suites.size === 0) problems.push("the parts hold no suite");
  if (problems.length > 0) return failed(problems);

  const runs: ReportedRun[] = [];
  for (const suite of suites.values()) {
    const merged = mergeSuite(suite, shards, root);
    if (merged.ok) runs.push(merged.value);
    else problems.push(...merged.problems);
  }
  return problems.length > 0 ? failed(problems) : ok(runs);
}
