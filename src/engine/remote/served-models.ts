// Which of the models a server serves is the suite's base model, and which its adapter, where the server
// names its arms (vLLM's /v1/models, SGLang's --lora-paths, a hosted provider's model ids). A name the user
// configured is taken as their word; otherwise the server's path for a model must be the suite's file (path,
// content, or file name, as same-file.ts matches). A mismatch names both sides and how to say which is which.
import { TunegateError } from "../../errors.js";
import { shownPath } from "../../suite/paths.js";
import type { ModelRef } from "../../types.js";
import { shownName } from "./backend.js";
import { matchingFiles } from "./same-file.js";

export interface ServedModel {
  /** What a request names to get it (vLLM's model id, SGLang's adapter name). */
  name: string;
  /** The path it was loaded from, where the server says. */
  path?: string;
}

export interface ArmOfSuite {
  /** "base model" or "adapter", for messages. */
  what: string;
  /** Which arm key configures its name: "base" or "lora". */
  key: "base" | "lora";
  file: ModelRef;
}

function listed(models: readonly ServedModel[]): string {
  if (models.length === 0) return "none";
  return models.map((m) => (m.path !== undefined && m.path !== m.name ? `${shownName(m.name)} (${shownName(m.path)})` : shownName(m.name))).join(", ");
}

function nameHint(key: "base" | "lora"): string {
  return `name the served model: models.${key} in the suite's engine block, --engine-model-${key} NAME, or the Action's engine-model-${key} input`;
}

/** The served model that is the suite's file, or the one the user named; a TunegateError naming both sides otherwise. */
export async function pickServedModel(
  arm: ArmOfSuite,
  configured: string | undefined,
  served: readonly ServedModel[],
  where: { url: string; runtime: string },
): Promise<ServedModel> {
  if (configured !== undefined) {
    const named = served.find((m) => m.name === configured);
    if (named) return named;
    throw new TunegateError(
      "ENGINE_MISMATCH",
      `the ${where.runtime} server at ${where.url} serves no ${arm.what} named ${shownName(configured)} for the suite's ${shownPath(arm.file)} (it serves: ${listed(served)})`,
      { location: arm.file.location, hint: `check models.${arm.key} (or --engine-model-${arm.key}) against the names the server was started with` },
    );
  }
  const matches = await matchingFiles(served, (model) => model.path, arm.file.path);
  if (matches.length === 0) {
    throw new TunegateError(
      "ENGINE_MISMATCH",
      `the ${where.runtime} server at ${where.url} serves no ${arm.what} loaded from the suite's ${shownPath(arm.file)} (it serves: ${listed(served)})`,
      { location: arm.file.location, hint: `start the server on the suite's own files, or ${nameHint(arm.key)}` },
    );
  }
  if (matches.length > 1 && matches[0]!.how === matches[1]!.how) {
    throw new TunegateError("ENGINE_MISMATCH", `several ${arm.what}s the ${where.runtime} server at ${where.url} serves match the suite's ${shownPath(arm.file)} (${listed(matches.map((m) => m.candidate))})`, {
      location: arm.file.location,
      hint: nameHint(arm.key),
    });
  }
  return matches[0]!.candidate;
}

/** Both arms name one base model: a remote engine serves one. */
export function requireOneBaseModel(base: ModelRef, loraBase: ModelRef): void {
  if (base.path !== loraBase.path) {
    throw new TunegateError("ENGINE_MISMATCH", `a remote engine serves one base model, but the arms name two (${shownPath(base)} and ${shownPath(loraBase)})`, {
      location: loraBase.location,
      hint: "give both arms the same base model, or run the suite in-process",
    });
  }
}
