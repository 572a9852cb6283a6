// The JSON report's schema (draft 2020-12): the one definition behind the TypeScript report types
// (FromSchema, in types.ts), the file shipped as schema/report.schema.json (see tools/write-schemas.ts) and
// the validation of a baseline report in the Action. Field names are snake_case: other tools read them.
// The enumerations come from where they are defined, so a new verdict or arm cannot miss the schema.
import { DAYS_PER_MONTH } from "../cost.js";
import { GATE_OUTCOMES, VERDICTS } from "../decision.js";
import { MAX_SHARDS } from "../suite/shards.js";
import { ARMS, FAIL_ON_POLICIES, MISS_POLICIES, SCORING_MODES } from "../types.js";

export const REPORT_VERSION = 1;

/**
 * An object schema that allows no other properties and requires every one but `optional`, so that each key is
 * written once. `required` is typed as an array of those keys, which FromSchema reads as all of them required.
 */
function closedObject<const P extends Record<string, unknown>, const O extends keyof P & string = never>(
  properties: P,
  options: { description?: string; optional?: readonly O[] } = {},
) {
  const optional: readonly string[] = options.optional ?? [];
  return {
    ...(options.description === undefined ? {} : { description: options.description }),
    type: "object",
    additionalProperties: false,
    required: Object.keys(properties).filter((key) => !optional.includes(key)) as Exclude<keyof P & string, O>[],
    properties,
  } as const;
}

const count = { $ref: "#/$defs/count" } as const;
const nonNegative = { $ref: "#/$defs/nonNegative" } as const;
const fraction = { $ref: "#/$defs/fraction" } as const;
const nullableFraction = { $ref: "#/$defs/nullableFraction" } as const;
const points = { $ref: "#/$defs/points" } as const;
const ISO_TIME_PATTERN = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$";
const isoTime = { type: "string", pattern: ISO_TIME_PATTERN } as const;
const isoTimeOrNull = { type: ["string", "null"], pattern: ISO_TIME_PATTERN } as const;
/** What names a case wherever the report lists one: its position, text, label and line. */
const caseIdentity = {
  index: count,
  input: { type: "string" },
  expected: { type: "string" },
  file: { type: "string" },
  line: { type: "integer", minimum: 1 },
} as const;

const thresholds = closedObject({
  within_points: { type: "number" },
  lora_wins_points: { type: "number" },
  volume_threshold: { type: "number" },
  fail_on: { enum: FAIL_ON_POLICIES },
});
const engineBlock = closedObject({
  backend: { type: "string" },
  threads: { type: "number" },
  arms_in_parallel: { description: "The arms ran side by side: each arm's latency includes contention with the other.", type: "boolean" },
  context_size: { type: "number" },
  model_load_ms: { type: "number" },
  node_llama_cpp_version: { description: "tunegate's own node-llama-cpp (tokenises and runs suites in-process; a remote engine's runtime is in `version`).", type: "string" },
  kind: { description: "The engine that produced the numbers: local (llama.cpp in this process), llama-server, vllm, sglang or openai.", type: "string" },
  url: { description: "A remote engine's URL, without credentials.", type: "string" },
  version: { description: "A remote engine's server version, as it reports it.", type: "string" },
  concurrency: { description: "A remote engine: requests in flight at once (latency figures include queueing at this concurrency).", type: "number" },
}, { optional: ["url", "version", "concurrency"] });

export const reportSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $comment: "Generated from src/report/schema.ts by `node dist/tools/write-schemas.js`; edit that file, not this one.",
  title: "tunegate report",
  ...closedObject(
    {
      version: { const: REPORT_VERSION },
      tool: { const: "tunegate" },
      generated_at: {
        description: "ISO 8601 UTC timestamp of the run.",
        ...isoTime,
      },
      gate: { description: "The worst gate of all suites.", $ref: "#/$defs/gate" },
      summary: closedObject({ suites: count, pass: count, warn: count, fail: count }),
      methods: closedObject({
        delta: { type: "string" },
        delta_ci95: { type: "string" },
        p_value: { type: "string" },
        percentile: { type: "string" },
        per_label: { type: "string" },
        sample_size: { type: "string" },
        cost: { type: "string" },
      }, { description: "How the figures were computed, in words." }),
      suites: { type: "array", items: { $ref: "#/$defs/suite" } },
    },
    {
      description:
        "The result of a tunegate run: per suite, both arms' metrics, the paired comparison, the verdict, the gate, " +
        "the cost and every case. Accuracies are fractions in [0, 1]; delta_points and intervals are in percentage " +
        "points; file paths are relative to the report root, with forward slashes.",
    },
  ),
  $defs: {
    count: { type: "integer", minimum: 0 },
    nonNegative: { type: "number", minimum: 0 },
    fraction: { type: "number", minimum: 0, maximum: 1 },
    nullableFraction: { type: ["number", "null"], minimum: 0, maximum: 1 },
    points: { type: "number", minimum: -100, maximum: 100 },
    gate: { enum: GATE_OUTCOMES },
    verdict: { enum: VERDICTS },
    arm: { enum: ARMS },
    suite: closedObject({
      name: { type: "string" },
      file: { description: "The suite file.", type: "string" },
      scoring: { enum: SCORING_MODES },
      labels: { type: "array", items: { type: "string" } },
      calls_per_day: nonNegative,
      verdict: { $ref: "#/$defs/verdict" },
      gate: { $ref: "#/$defs/gate" },
      reason: { description: "One sentence: the verdict and the numbers behind it.", type: "string", minLength: 1 },
      thresholds,
      delta_points: { description: "accuracy(LoRA) − accuracy(few-shot), percentage points.", ...points },
      delta_ci95: {
        description: "95 % interval for delta_points: [lower, upper].",
        type: "array",
        prefixItems: [points, points],
        items: false,
        minItems: 2,
      },
      interval: closedObject({
        method: { type: "string" },
        level: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
        lower_points: points,
        upper_points: points,
        phi: { description: "The phi correlation estimate the interval used for the pairing.", type: "number", minimum: -1, maximum: 1 },
        straddled_thresholds: { description: "Decision thresholds (points) strictly inside the interval.", type: "array", items: { type: "number" } },
        cases_needed: {
          description: "Cases needed for the interval to clear them at the observed rates; null when none are straddled or no number is enough.",
          type: ["integer", "null"],
          minimum: 1,
        },
        note: { description: "In words: whether the interval settles the verdict, and if not what would.", type: "string" },
      }),
      mcnemar: closedObject({
        method: { type: "string" },
        few_shot_only: { description: "Cases only the few-shot arm got right.", ...count },
        lora_only: { description: "Cases only the LoRA arm got right.", ...count },
        both_correct: count,
        both_wrong: count,
        p_value: fraction,
      }),
      must_misses: {
        type: "array",
        items: closedObject({
          ...caseIdentity,
          arms: { description: "The arms that missed it.", type: "array", items: { $ref: "#/$defs/arm" }, minItems: 1, uniqueItems: true },
        }, { description: "A `must: true` case that at least one arm got wrong." }),
      },
      arms: closedObject({ few_shot: { $ref: "#/$defs/armMetrics" }, lora: { $ref: "#/$defs/armMetrics" } }),
      majority_baseline: closedObject({
        label: { description: "The label most cases expect (ties: the first in the suite's order).", type: "string" },
        correct: { description: "Cases expecting it: what always answering it gets right.", ...count },
        accuracy: fraction,
      }, { description: "Always answering the most expected label: the accuracy an arm must beat to have learnt anything. Absent in reports written before it existed." }),
      warnings: {
        description: "Results that suggest an arm learnt nothing: one label for every case, or no better than the majority-class baseline. Absent in reports written before it existed.",
        type: "array",
        items: { type: "string" },
      },
      cost: { description: "Present when the suite gives prices.", oneOf: [{ $ref: "#/$defs/cost" }, { type: "null" }] },
      engine: engineBlock,
      cache: closedObject(
        {
          enabled: { description: "Whether the result cache was on for this run.", type: "boolean" },
          few_shot: { description: "Few-shot case results served from the cache.", ...count },
          lora: { description: "LoRA case results served from the cache.", ...count },
          measured_from: { description: "When the oldest cached result was measured (ISO 8601); null when none came from the cache.", ...isoTimeOrNull },
          measured_to: { description: "When the newest cached result was measured (ISO 8601); null when none came from the cache.", ...isoTimeOrNull },
        },
        {
          description:
            "Results taken from the result cache were measured in an earlier run: their latencies are from then, and this run's " +
            "tokens_evaluated, tokens_minimum and wall_ms count only what it ran. Absent in reports written before the cache existed.",
        },
      ),
      cases: { type: "array", items: { $ref: "#/$defs/case" } },
    }, { optional: ["cache", "majority_baseline", "warnings"] }),
    armMetrics: closedObject({
      accuracy: fraction,
      correct: count,
      total: count,
      invalid: count,
      macro_f1: fraction,
      per_label: {
        type: "array",
        items: closedObject({
          label: { type: "string" },
          precision: nullableFraction,
          recall: nullableFraction,
          f1: nullableFraction,
          support: count,
          predicted: count,
        }),
      },
      confusion: closedObject({
        rows: { type: "array", items: { type: "string" } },
        columns: { type: "array", items: { type: "string" } },
        counts: { type: "array", items: { type: "array", items: count } },
      }, { description: "Rows are expected labels, columns predicted labels (plus invalid in generate mode)." }),
      latency_ms: closedObject({ mean: nonNegative, p50: nonNegative, p95: nonNegative, min: nonNegative, max: nonNegative }),
      prompt_tokens_per_call: nonNegative,
      output_tokens_per_call: nonNegative,
      tokens_evaluated: nonNegative,
      tokens_minimum: nonNegative,
      multi_token_labels: { type: "array", items: { type: "string" } },
      wall_ms: nonNegative,
      model: { description: "The base model file.", type: "string" },
      adapter: {
        description: "The LoRA adapter (LoRA arm only).",
        oneOf: [
          closedObject({ file: { type: "string" }, scale: { type: "number" } }),
          { type: "null" },
        ],
      },
    }),
    armCost: closedObject({
      prompt_tokens_per_call: nonNegative,
      output_tokens_per_call: nonNegative,
      input_per_million: nonNegative,
      output_per_million: nonNegative,
      cost_per_call: nonNegative,
      cost_per_day: nonNegative,
      cost_per_month: nonNegative,
    }),
    cost: closedObject({
      currency: { type: "string" },
      calls_per_day: nonNegative,
      days_per_month: { const: DAYS_PER_MONTH },
      few_shot: { $ref: "#/$defs/armCost" },
      lora: { $ref: "#/$defs/armCost" },
      extra_prompt_tokens_per_call: { type: "number" },
      cheaper_arm: { oneOf: [{ $ref: "#/$defs/arm" }, { type: "null" }] },
      daily_saving: nonNegative,
      monthly_saving: nonNegative,
      fine_tune_one_off: { type: ["number", "null"], minimum: 0 },
      break_even_days: { type: ["number", "null"], minimum: 0 },
      break_even_note: { description: "Why there is no break-even figure, or what the figure means.", type: "string" },
    }),
    caseArm: closedObject({
      predicted: { type: "string" },
      correct: { type: "boolean" },
      scores: {
        description: "Log-probability per label (logprob mode; empty in generate mode); null for a non-finite score.",
        type: "object",
        additionalProperties: { type: ["number", "null"] },
      },
      confidence: { description: "null when not finite.", type: ["number", "null"] },
      margin: { description: "null when not finite.", type: ["number", "null"] },
      latency_ms: nonNegative,
      prompt_tokens: count,
      output_tokens: count,
      generated: { description: "Generate mode: the decoded output.", type: "string" },
      cached: closedObject(
        { measured_at: { description: "ISO 8601 UTC timestamp of the run that measured it.", ...isoTime } },
        { description: "Present when the result came from the result cache: latency_ms is from that earlier run, not this one." },
      ),
    }, { optional: ["generated", "cached"] }),
    case: closedObject({
      ...caseIdentity,
      column: { type: "integer", minimum: 1 },
      must: { type: "boolean" },
      few_shot: { $ref: "#/$defs/caseArm" },
      lora: { $ref: "#/$defs/caseArm" },
    }),
  },
} as const;

const sha256OrNull = { description: "SHA-256 of the file's content (hex); null when the machine that ran the shard could not read it.", type: ["string", "null"], pattern: "^[0-9a-f]{64}$" } as const;
const armPrices = closedObject({ input_per_million: nonNegative, output_per_million: nonNegative });
const shardArm = closedObject({
  tokens_evaluated: nonNegative,
  tokens_minimum: nonNegative,
  multi_token_labels: { type: "array", items: { type: "string" } },
  shared_prefix_tokens: nonNegative,
  context_size: nonNegative,
  wall_ms: nonNegative,
}, { description: "What this shard's machine evaluated for the arm." });

/**
 * The part one shard of a sharded run writes (`tunegate run --shard i/n --json part.json`): every case record of
 * the shard and what `tunegate merge` needs to check the parts belong together and to build the report. It has
 * no verdict, no gate and no figure computed over cases: those come from the merge, over all of them.
 */
export const partialReportSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $comment: "Generated from src/report/schema.ts by `node dist/tools/write-schemas.js`; edit that file, not this one.",
  title: "tunegate partial report (one shard)",
  ...closedObject(
    {
      version: { const: REPORT_VERSION },
      tool: { const: "tunegate" },
      partial: closedObject({
        shard: { description: "This part's shard, 1-based.", type: "integer", minimum: 1 },
        shards: { description: "How many shards the suites were split into.", type: "integer", minimum: 1, maximum: MAX_SHARDS },
        note: { type: "string" },
      }, { description: "Marks the file as one shard's part: it decides nothing until `tunegate merge` has every part." }),
      tunegate_version: { description: "The tunegate that wrote the part; every part of a merge must come from the same.", type: "string" },
      generated_at: { description: "ISO 8601 UTC timestamp of the shard's run.", ...isoTime },
      suites: { type: "array", items: { $ref: "#/$defs/shardSuite" } },
    },
    { description: "One shard of a sharded tunegate run. File paths are relative to the run's root, with forward slashes." },
  ),
  $defs: {
    ...reportSchema.$defs,
    shardSuite: closedObject({
      name: { type: "string" },
      file: { description: "The suite file.", type: "string" },
      suite_sha256: { description: "Hash of the whole suite's settings, prompts and cases, after the run's overrides.", type: "string", pattern: "^[0-9a-f]{64}$" },
      cases_total: { description: "Cases in the whole suite, over all shards.", ...count },
      scoring: { enum: SCORING_MODES },
      labels: { type: "array", items: { type: "string" }, minItems: 1, uniqueItems: true },
      calls_per_day: nonNegative,
      thresholds,
      misses: { description: "Whether a missed case that is not `must` fails the run.", enum: MISS_POLICIES },
      prices: {
        oneOf: [
          closedObject({ currency: { type: "string" }, few_shot: armPrices, lora: armPrices, fine_tune_one_off: { type: ["number", "null"], minimum: 0 } }),
          { type: "null" },
        ],
      },
      models: closedObject({
        few_shot: closedObject({ file: { type: "string" }, sha256: sha256OrNull }),
        lora: closedObject({ file: { type: "string" }, sha256: sha256OrNull }),
        adapter: closedObject({ file: { type: "string" }, sha256: sha256OrNull, scale: { type: "number" } }),
      }),
      engine: engineBlock,
      result_cache: { type: "boolean" },
      arms: closedObject({ few_shot: shardArm, lora: shardArm }),
      cases: { type: "array", items: { $ref: "#/$defs/case" } },
    }, { description: "One suite's cases that fell into this shard (possibly none), with the whole suite's identity." }),
  },
} as const;
