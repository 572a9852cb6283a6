// A suite's model and adapter files, checked as GGUF before any weights load: each file read as its role
// (model or adapter) and the adapter fitted to the base model the LoRA arm uses. The engine runs this before it
// loads a model, and `tunegate run` / `tunegate validate` run it while validating, so what validate accepts is
// what the engine accepts: one check, three callers.
import { TunegateError } from "../errors.js";
import { error, startOf, type Diagnostic, type DiagnosticCode } from "../suite/diagnostics.js";
import { shownPath } from "../suite/paths.js";
import type { ModelRef, Suite } from "../types.js";
import { checkAdapterFitsModel, inspectGguf, type GgufInspection, type GgufRole } from "./inspect.js";

export interface SuiteFileInspections {
  fewShotModel: GgufInspection;
  loraModel: GgufInspection;
  adapter: GgufInspection;
}

export interface SuiteFilesCheck {
  /** Present when every file passed. */
  inspections?: SuiteFileInspections;
  /** Each at the suite line naming its file: the adapter's, then the few-shot model's, the LoRA model's, the fit. */
  problems: TunegateError[];
}

/**
 * `error` with the suite line that names the file, if it has no place yet, and a path built from environment
 * values named as written (shownPath: the values may be secrets).
 */
export function locatedAtSuiteLine(ref: ModelRef, cause: unknown): unknown {
  const redacts = ref.envVars.length > 0;
  if (!(cause instanceof TunegateError) || (cause.location && !redacts)) return cause;
  const shown = (text: string | undefined) => (text === undefined || !redacts ? text : text.split(ref.path).join(shownPath(ref)));
  return new TunegateError(cause.code, shown(cause.message)!, {
    location: cause.location ?? ref.location,
    hint: shown(cause.hint),
    detail: shown(cause.detail),
    cause,
  });
}

/** Runs `work`, placing a TunegateError it throws at the suite line of `ref` (see locatedAtSuiteLine). */
export async function atSuiteLine<T>(ref: ModelRef, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    throw locatedAtSuiteLine(ref, cause);
  }
}

/** Reads every model and adapter header a suite names and fits the adapter to its base; loads no weights. */
export async function checkSuiteFiles(suite: Suite): Promise<SuiteFilesCheck> {
  const problems: TunegateError[] = [];
  const inspect = async (ref: ModelRef, role: GgufRole): Promise<GgufInspection | undefined> => {
    try {
      return await atSuiteLine(ref, () => inspectGguf(ref.path, role));
    } catch (cause) {
      if (!(cause instanceof TunegateError)) throw cause;
      problems.push(cause);
      return undefined;
    }
  };
  const adapter = await inspect(suite.lora.adapter, "adapter");
  const fewShotModel = await inspect(suite.fewShot.model, "model");
  const loraModel = suite.lora.model.path === suite.fewShot.model.path ? fewShotModel : await inspect(suite.lora.model, "model");
  if (adapter === undefined || fewShotModel === undefined || loraModel === undefined) return { problems };
  try {
    await atSuiteLine(suite.lora.adapter, async () => checkAdapterFitsModel(adapter, loraModel));
  } catch (cause) {
    if (!(cause instanceof TunegateError)) throw cause;
    return { problems: [cause] };
  }
  return { inspections: { fewShotModel, loraModel, adapter }, problems };
}

/** The diagnostic code a file problem is reported under. */
function diagnosticCode(problem: TunegateError): DiagnosticCode {
  if (problem.code === "GGUF_MISSING" || problem.code === "GGUF_NOT_A_FILE") return "model-not-found";
  if (problem.code === "GGUF_BAD_MAGIC") return "model-not-gguf";
  if (problem.code.startsWith("ADAPTER_")) return "adapter-mismatch";
  return "model-unusable";
}

/** checkSuiteFiles' problems as errors at their suite lines, for validation. */
export async function suiteFileDiagnostics(suite: Suite): Promise<Diagnostic[]> {
  const { problems } = await checkSuiteFiles(suite);
  return problems.map((problem) => error(diagnosticCode(problem), problem.location ?? startOf(suite.file), problem.message, problem.hint));
}
