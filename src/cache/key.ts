// The result cache's key: everything that determines one case's result in one arm, and nothing else. A case
// whose key is unchanged gets the same prediction, scores and token counts from the same engine, so its result
// is reused rather than run again; anything that only reads results (volume, cost, gate, misses, the expected
// label) is left out, so changing it re-reports without inference.
import { createHash } from "node:crypto";
import type { EngineDescription } from "../engine/engine.js";
import type { ArmName, ScoringMode } from "../types.js";

/** Bumped when what a cached result holds, or how a key is derived, changes: older entries then never match. */
export const CACHE_KEY_VERSION = 1;

/** What a case's result in one arm depends on. */
export interface CaseKeyInputs {
  /**
   * The engine as it describes itself: kind, runtime and version, backend (a GPU may round differently), and
   * whatever else an engine adds there (every field counts, so a new one cannot be missed).
   */
  engine: EngineDescription;
  arm: ArmName;
  /** SHA-256 (hex) of the base model file's content. */
  modelSha256: string;
  /** LoRA arm: the adapter file's content hash and the scale it is applied at. */
  adapter?: { sha256: string; scale: number };
  scoring: ScoringMode;
  lengthNormalize: boolean;
  /** Generate mode's decoding limit; ignored in logprob mode, which decodes nothing. */
  maxGeneratedTokens: number;
  /** The labels in suite order: the order breaks ties and lays out the scores. */
  labels: readonly string[];
  /** The case's full rendered prompt: with the model's content it fixes the tokens evaluated. */
  prompt: string;
}

/**
 * The key, as 64 hex digits. The inputs are laid out as a JSON array in a fixed order (so no two different
 * inputs share a text), under the version; a field that does not apply is null, never omitted.
 */
export function caseKey(inputs: CaseKeyInputs): string {
  const engine: Readonly<Record<string, unknown>> = { ...inputs.engine };
  const layout = [
    "tunegate-result",
    CACHE_KEY_VERSION,
    Object.entries(engine).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    inputs.arm,
    inputs.modelSha256,
    inputs.adapter ? [inputs.adapter.sha256, inputs.adapter.scale] : null,
    inputs.scoring,
    inputs.scoring === "logprob" ? inputs.lengthNormalize : null,
    inputs.scoring === "generate" ? inputs.maxGeneratedTokens : null,
    [...inputs.labels],
    inputs.prompt,
  ];
  return createHash("sha256").update(JSON.stringify(layout)).digest("hex");
}
