// Schema-valid raw data → the normalised Suite: defaults applied, paths interpolated and made absolute,
// cases loaded (inline or from cases_file) with their source locations. Problems found on the way are
// diagnostics; the Suite is still built (with placeholders) so the checks can report everything in one pass.
import { failed, type CostConfig, type FewShotExample, type ModelRef, type SourceLocation, type Suite, type SuiteCase, type SuiteEngine } from "../types.js";
import { readCasesFile, type CaseDraft } from "./cases-file.js";
import { defaultSuiteName, SUITE_DEFAULTS } from "./defaults.js";
import { error, type Diagnostic } from "./diagnostics.js";
import { interpolateEnv, type Environment } from "./env.js";
import { checkModelFile, describeResolution, pathHint, resolveSuitePath, shownPath } from "./paths.js";
import type { RawSuite } from "./raw-suite.js";
import type { DataPath, YamlLocator } from "./yaml-source.js";
import { outsideRoot } from "./confine.js";

export interface NormalizeContext {
  /** Absolute path of the suite file. */
  file: string;
  locator: YamlLocator;
  env: Environment;
  checkModelFiles: boolean;
  /** See LoadSuiteOptions.confineTo. */
  confineTo?: string;
  casesFileMaxBytes?: number;
}

export interface NormalizeResult {
  suite: Suite;
  diagnostics: Diagnostic[];
}

export async function normalizeSuite(raw: RawSuite, context: NormalizeContext): Promise<NormalizeResult> {
  const { file, locator, env } = context;
  const diagnostics: Diagnostic[] = [];

  const modelRef = (written: string, path: DataPath): ModelRef => {
    const location = locator.value(path);
    const result = resolveSuitePath(written, file, env, location);
    if (!result.ok) {
      diagnostics.push(...result.problems);
      return { path: "", written, envVars: [], location };
    }
    return { ...result.value };
  };

  const fewShotModel = modelRef(raw.few_shot.model, ["few_shot", "model"]);
  const loraModel = raw.lora.model === undefined ? fewShotModel : modelRef(raw.lora.model, ["lora", "model"]);
  const adapter = modelRef(raw.lora.adapter, ["lora", "adapter"]);

  if (context.checkModelFiles) {
    const checks: Promise<Diagnostic[]>[] = [];
    if (fewShotModel.path !== "") checks.push(checkModelFile(fewShotModel, "base model", "few_shot.model", file, env));
    if (loraModel !== fewShotModel && loraModel.path !== "" && loraModel.path !== fewShotModel.path) {
      checks.push(checkModelFile(loraModel, "base model", "lora.model", file, env));
    }
    if (adapter.path !== "") checks.push(checkModelFile(adapter, "LoRA adapter", "lora.adapter", file, env));
    for (const found of await Promise.all(checks)) diagnostics.push(...found);
  }

  const examples: FewShotExample[] = raw.few_shot.examples.map((example, i) => ({
    input: example.input,
    output: example.output,
    location: locator.value(["few_shot", "examples", i]),
  }));

  let drafts: CaseDraft[] = [];
  let casesFile: string | undefined;
  if (raw.cases !== undefined) {
    drafts = raw.cases.map((c, i) => ({
      input: c.input,
      expected: c.expected,
      must: c.must ?? SUITE_DEFAULTS.must,
      location: locator.value(["cases", i]),
    }));
  } else if (raw.cases_file !== undefined) {
    const location = locator.value(["cases_file"]);
    const resolved = resolveSuitePath(raw.cases_file, file, env, location);
    if (!resolved.ok) {
      diagnostics.push(...resolved.problems);
    } else {
      casesFile = resolved.value.path;
      const outside = context.confineTo === undefined ? undefined : await outsideRoot(resolved.value.path, context.confineTo, "cases file", location);
      const read = outside
        ? failed([outside])
        : await readCasesFile({
            path: resolved.value.path,
            referencedAt: location,
            notFoundHint: `${describeResolution(resolved.value, env)}; ${pathHint(resolved.value, file)}`,
            shownAs: shownPath(resolved.value),
            ...(context.casesFileMaxBytes !== undefined ? { maxBytes: context.casesFileMaxBytes } : {}),
          });
      if (read.ok) {
        drafts = read.value.cases;
        diagnostics.push(...read.value.recordProblems);
      } else {
        diagnostics.push(...read.problems);
      }
    }
  }
  const cases: SuiteCase[] = drafts.map((draft, index) => ({ index, ...draft }));

  const suite: Suite = {
    name: raw.name ?? defaultSuiteName(file),
    file,
    labels: [...raw.labels],
    fewShot: {
      model: fewShotModel,
      role: raw.few_shot.role ?? "",
      task: raw.few_shot.task ?? "",
      format: raw.few_shot.format ?? "",
      inputPrefix: raw.few_shot.input_prefix ?? SUITE_DEFAULTS.inputPrefix,
      outputPrefix: raw.few_shot.output_prefix ?? SUITE_DEFAULTS.outputPrefix,
      examples,
      ...(raw.few_shot.template !== undefined ? { template: raw.few_shot.template } : {}),
    },
    lora: {
      model: loraModel,
      adapter,
      scale: raw.lora.scale ?? SUITE_DEFAULTS.loraScale,
      template: raw.lora.template,
    },
    cases,
    ...(casesFile !== undefined ? { casesFile } : {}),
    scoring: raw.scoring ?? SUITE_DEFAULTS.scoring,
    lengthNormalize: raw.length_normalize ?? SUITE_DEFAULTS.lengthNormalize,
    volume: { callsPerDay: raw.volume?.calls_per_day ?? SUITE_DEFAULTS.callsPerDay },
    ...(raw.cost !== undefined ? { cost: costConfig(raw.cost) } : {}),
    gate: {
      withinPoints: raw.gate?.within_points ?? SUITE_DEFAULTS.gate.withinPoints,
      loraWinsPoints: raw.gate?.lora_wins_points ?? SUITE_DEFAULTS.gate.loraWinsPoints,
      volumeThreshold: raw.gate?.volume_threshold ?? SUITE_DEFAULTS.gate.volumeThreshold,
      failOn: raw.gate?.fail_on ?? SUITE_DEFAULTS.gate.failOn,
    },
    misses: raw.misses ?? SUITE_DEFAULTS.misses,
  };
  if (raw.engine !== undefined) {
    const engine = suiteEngine(raw.engine, env, locator.value(["engine"]), diagnostics);
    if (engine) suite.engine = engine;
  }
  return { suite, diagnostics };
}

/** The engine block, env references expanded (a failed expansion is a diagnostic at the key). */
function suiteEngine(raw: NonNullable<RawSuite["engine"]>, env: Environment, location: SourceLocation, diagnostics: Diagnostic[]): SuiteEngine | undefined {
  const expand = (written: string) => {
    const result = interpolateEnv(written, env);
    if (result.ok) return result.value.text;
    diagnostics.push(...result.problems.map((problem) => error(problem.code, location, `engine: ${problem.message}`, problem.hint)));
    return undefined;
  };
  // Only TUNEGATE_* variables, as for api_key: a URL is sent over the network and shown in messages, and a
  // suite (a pull request's file) must not be able to put a CI secret such as HF_TOKEN into either.
  const foreign = [...raw.url.matchAll(/\$\{env:([^}:]*)/g)].map((m) => m[1]!).filter((name) => !/^TUNEGATE_[A-Za-z0-9_]+$/.test(name));
  if (foreign.length > 0) {
    diagnostics.push(
      error("bad-value", location, `engine: url may only use \${env:TUNEGATE_...} variables, not ${foreign.map((name) => JSON.stringify(name)).join(", ")}`, "name the server in a TUNEGATE_* variable (e.g. ${env:TUNEGATE_ENGINE_HOST}), or give it with --engine-url"),
    );
    return undefined;
  }
  const url = expand(raw.url);
  const apiKey = raw.api_key === undefined ? undefined : expand(raw.api_key);
  if (url === undefined || (raw.api_key !== undefined && apiKey === undefined)) return undefined;
  return {
    url,
    location,
    ...(raw.kind !== undefined ? { kind: raw.kind } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(raw.concurrency !== undefined ? { concurrency: raw.concurrency } : {}),
    ...(raw.timeout_ms !== undefined ? { timeoutMs: raw.timeout_ms } : {}),
    ...(raw.retries !== undefined ? { retries: raw.retries } : {}),
    ...(raw.models !== undefined ? { models: { ...(raw.models.base !== undefined ? { base: raw.models.base } : {}), ...(raw.models.lora !== undefined ? { lora: raw.models.lora } : {}) } } : {}),
  };
}

function costConfig(cost: NonNullable<RawSuite["cost"]>): CostConfig {
  return {
    currency: cost.currency ?? SUITE_DEFAULTS.currency,
    fewShot: { inputPerMillion: cost.few_shot.input_per_million, outputPerMillion: cost.few_shot.output_per_million },
    lora: { inputPerMillion: cost.lora.input_per_million, outputPerMillion: cost.lora.output_per_million },
    ...(cost.fine_tune_one_off !== undefined ? { fineTuneOneOff: cost.fine_tune_one_off } : {}),
  };
}
