// Forged models for tests, made by the project's own forge into a temporary folder (well under a second).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { readDemoCorpus } from "../../tools/forge/demo-corpus.js";
import { buildDemoModel } from "../../tools/forge/demo-model.js";
import { encodeGguf, type GgufFile } from "../../tools/forge/gguf-writer.js";
import { loadSuite } from "../../src/suite/loader.js";
import type { ModelRef, Suite } from "../../src/types.js";

export interface ForgedDemo {
  dir: string;
  base: string;
  lora: string;
}

/** A temporary folder removed after the test file. */
export function temporaryDir(prefix = "tunegate-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeGguf(path: string, file: GgufFile): string {
  writeFileSync(path, encodeGguf(file));
  return path;
}

/** The demo base model and adapter, forged into a fresh temporary folder. */
export function forgeDemo(): ForgedDemo {
  const dir = temporaryDir("tunegate-forged-");
  const demo = buildDemoModel(readDemoCorpus());
  return { dir, base: writeGguf(join(dir, "demo-base.gguf"), demo.base), lora: writeGguf(join(dir, "demo-lora.gguf"), demo.lora) };
}

/** The real third-party models in ../shared/models, when this checkout has them (tests skip otherwise). */
export const SHARED_MODELS = join(import.meta.dirname, "../../../shared/models");

export const DEMO_SUITE = join(import.meta.dirname, "../../fixtures/demo/customer-messages.cases.yaml");

/** The demo suite, loaded by the real loader, with its models pointed at forged files. */
export async function loadDemoSuite(models: { base: string; lora: string }, change: (suite: Suite) => Suite = (s) => s): Promise<Suite> {
  const { suite, diagnostics } = await loadSuite(DEMO_SUITE, { checkModelFiles: false });
  if (!suite) throw new Error(`demo suite did not load: ${diagnostics.map((d) => d.message).join("; ")}`);
  const at = (ref: ModelRef, path: string): ModelRef => ({ ...ref, path });
  return change({
    ...suite,
    fewShot: { ...suite.fewShot, model: at(suite.fewShot.model, models.base) },
    lora: { ...suite.lora, model: at(suite.lora.model, models.base), adapter: at(suite.lora.adapter, models.lora) },
  });
}
