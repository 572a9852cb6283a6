// The shared vocabulary of tunegate's data path:
// suite (YAML → Suite) → prompts → engine (→ ArmRun) → stats/decision (→ SuiteReport) → reports.
// Every stage takes the previous stage's output as plain data, so each can be tested on its own.

/** The two arms that are always compared, in the order every report shows them. `few_shot` = base model + few-shot prompt; `lora` = base + adapter + minimal prompt. */
export const ARMS = ["few_shot", "lora"] as const;
export type ArmName = (typeof ARMS)[number];
/** How an arm is named where people read it: in sentences, table cells and messages. */
export const ARM_DISPLAY = { few_shot: "few-shot", lora: "LoRA" } as const satisfies Record<ArmName, string>;

/** A position in a source file, 1-based, as editors and GitHub annotations count. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** How a case is scored: `logprob` ranks the labels by log-probability, `generate` decodes and reads the label. */
export const SCORING_MODES = ["logprob", "generate"] as const;
export type ScoringMode = (typeof SCORING_MODES)[number];

/** Servers a remote engine speaks to (engine.ts re-exports them for the engines). */
export const REMOTE_ENGINE_KIND_NAMES = ["llama-server", "vllm", "sglang", "openai"] as const;

/** A suite's `engine:` block: a server to run both arms on, env references expanded. */
export interface SuiteEngine {
  url: string;
  kind?: (typeof REMOTE_ENGINE_KIND_NAMES)[number];
  /** From `${env:VAR}` only; never printed. */
  apiKey?: string;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  /** Per-arm served model names, where the engine names its arms. */
  models?: { base?: string; lora?: string };
  location: SourceLocation;
}

/** Which verdict fails the gate: the fine-tune verdict, also the gray zone, or none (report only). */
export const FAIL_ON_POLICIES = ["fine-tune", "gray-zone", "never"] as const;
export type FailOn = (typeof FAIL_ON_POLICIES)[number];

/** Whether a missed case that is not `must` fails its test. */
export const MISS_POLICIES = ["warn", "fail"] as const;
export type MissPolicy = (typeof MISS_POLICIES)[number];

/** A path written in the suite (a GGUF file, or the cases file while loading) after `${env:VAR}` interpolation and resolution against the suite file. */
export interface ModelRef {
  /** Absolute path. */
  path: string;
  /** The path exactly as written in the suite, for messages. */
  written: string;
  /** Environment variables the written path used, for messages. */
  envVars: string[];
  location: SourceLocation;
}

export interface FewShotExample {
  input: string;
  output: string;
  location: SourceLocation;
}

export interface FewShotArm {
  model: ModelRef;
  role: string;
  task: string;
  format: string;
  inputPrefix: string;
  outputPrefix: string;
  examples: FewShotExample[];
  /** A full template with `{examples}` and `{input}`; replaces the structured prompt when set. */
  template?: string;
}

export interface LoraArm {
  model: ModelRef;
  adapter: ModelRef;
  scale: number;
  /** Must contain `{input}`. */
  template: string;
}

export interface SuiteCase {
  /** 0-based position in `Suite.cases`; stable key for results. */
  index: number;
  input: string;
  expected: string;
  must: boolean;
  location: SourceLocation;
}

export interface ArmPrices {
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface CostConfig {
  currency: string;
  fewShot: ArmPrices;
  lora: ArmPrices;
  /** Engineering + training cost of the fine-tune, once, in `currency`. */
  fineTuneOneOff?: number;
}

export interface GateConfig {
  withinPoints: number;
  loraWinsPoints: number;
  volumeThreshold: number;
  failOn: FailOn;
}

/** A validated, normalised suite: defaults applied, paths absolute, cases loaded. */
export interface Suite {
  name: string;
  /** Absolute path of the YAML file. */
  file: string;
  labels: string[];
  fewShot: FewShotArm;
  lora: LoraArm;
  cases: SuiteCase[];
  /** Absolute path of the `cases_file` the cases were read from; absent when they are written inline. */
  casesFile?: string;
  scoring: ScoringMode;
  /** Rank labels by mean log-probability per token instead of the sum (for label sets whose token lengths differ). */
  lengthNormalize: boolean;
  volume: { callsPerDay: number };
  cost?: CostConfig;
  gate: GateConfig;
  misses: MissPolicy;
  /** The suite's own engine block, when it has one. */
  engine?: SuiteEngine;
}

/** The label written when generate-mode output is no label. Never one of the suite's labels. */
export const INVALID_PREDICTION = "invalid";

/** One case run through one arm. */
export interface CaseArmResult {
  /** A label of the suite, or `INVALID_PREDICTION` (generate mode only). */
  predicted: string;
  correct: boolean;
  /**
   * Logprob mode: log P(label | prompt) per label (natural log; summed over the label's tokens, or the
   * per-token mean when the suite asks for length normalisation). Generate mode: empty.
   */
  scores: Record<string, number>;
  /** P(predicted) normalised over the label set (logprob mode); 1 or 0 in generate mode. */
  confidence: number;
  /** Score of the prediction minus the runner-up's (logprob mode); 0 in generate mode. */
  margin: number;
  /** Wall time of this case's own work, in milliseconds (when cases share a decode: its share of the round's time). */
  latencyMs: number;
  /** Tokens a standalone production call would send (the whole rendered prompt, BOS included). */
  promptTokens: number;
  /** Tokens a production call would produce (the predicted label's tokens, or the generated tokens). */
  outputTokens: number;
  /** Generate mode: the decoded output text. */
  generated?: string;
  /**
   * Present when the result came from the result cache instead of this run: when it was measured (ISO 8601).
   * Its latency is from then, not a new measurement.
   */
  cached?: { measuredAt: string };
}

/** One arm of one suite, run by the engine. `cases[i]` belongs to `suite.cases[i]`. */
export interface ArmRun {
  arm: ArmName;
  scoring: ScoringMode;
  cases: CaseArmResult[];
  /** Tokens llama.cpp actually evaluated for this arm. */
  tokensEvaluated: number;
  /**
   * The fewest tokens any evaluator must evaluate: every distinct token prefix of the prompts, and of each prompt
   * followed by the label tokens scored (logprob) or the generated tokens fed back, once. Never above tokensEvaluated.
   */
  tokensMinimum: number;
  /** Labels that tokenise to more than one token in this arm's context. */
  multiTokenLabels: string[];
  /** Leading prompt tokens shared by every case: evaluated once, reused from the KV cache. */
  sharedPrefixTokens: number;
  /** Context size per sequence used for this arm. */
  contextSize: number;
  /** Total wall time of the arm, in milliseconds. */
  wallMs: number;
}

/** How the engine ran: reported so that latency figures can be read correctly. */
export interface EngineInfo {
  backend: string;
  /** Threads per context. */
  threads: number;
  /** Whether the two arms ran side by side (each arm's latency then includes contention with the other). */
  armsInParallel: boolean;
  /** Largest context size per sequence over the arms. */
  contextSize: number;
  modelLoadMs: number;
  nodeLlamaCppVersion: string;
  /** Which engine produced the numbers: "local" (llama.cpp in this process) or a remote server's kind. */
  kind: string;
  /** A remote engine: its URL (no credentials), the server's version and the requests in flight at once. */
  remote?: { url: string; version: string; concurrency: number };
}

/**
 * A run of one shard of a suite (`tunegate run --shard i/n`): which shard, and what tells its part from
 * another suite's when the parts are merged. Its `suite.cases` are the shard's only.
 */
export interface ShardInfo {
  /** 1-based. */
  index: number;
  count: number;
  /** Cases in the whole suite, over all shards. */
  casesTotal: number;
  /** suiteContentSha256 of the whole suite (src/suite/shards.ts). */
  suiteSha256: string;
  /** Content hashes of the files the suite names; null when this machine could not read one (a remote engine's). */
  sha256: { fewShotModel: string | null; loraModel: string | null; adapter: string | null };
}

/** Everything the engine produces for one suite, input to stats and reports. */
export interface SuiteRun {
  suite: Suite;
  arms: Record<ArmName, ArmRun>;
  engine: EngineInfo;
  /** Whether the result cache was on for this run (cases it served carry `cached`). */
  resultCache?: boolean;
  /** Present when only one shard of the suite's cases ran: such a run gets no verdict. */
  shard?: ShardInfo;
}

/** What a report reads of a suite: its settings, the files it names and its cases (not its prompts). */
export type ReportedSuite = Pick<Suite, "name" | "file" | "labels" | "scoring" | "volume" | "cost" | "gate" | "misses" | "cases"> & {
  fewShot: { model: Pick<ModelRef, "path"> };
  lora: { model: Pick<ModelRef, "path">; adapter: Pick<ModelRef, "path">; scale: number };
};

/** What a report is built from: a suite run, or one put together again from the parts of a sharded run. */
export type ReportedRun = Omit<SuiteRun, "suite" | "shard"> & { suite: ReportedSuite };

/**
 * What every reader that can fail returns: the value it read, or the problems that kept it from one, never
 * both, so a caller cannot use a half-read value by mistake. `problems` is a list because some readers
 * report everything they find in one pass; one that stops at the first problem returns a list of one. A
 * problem is whatever its caller shows the user: a suite Diagnostic, an Action input's message.
 */
export type Result<T, Problem> = Ok<T> | Failed<Problem>;
export interface Ok<T> {
  ok: true;
  value: T;
}
export interface Failed<Problem> {
  ok: false;
  /** At least one: a failure with nothing in it would leave the user nothing to fix. */
  problems: Problem[];
}

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function failed<Problem>(problems: Problem[]): Failed<Problem> {
  return { ok: false, problems };
}
