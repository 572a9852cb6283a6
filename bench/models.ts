// The models the benchmark runs on. The forged bench pair lives in .cache/models; when it is missing it is
// forged into a temporary folder and only the bench files are moved into place, so the demo models other runs
// may be using there are never rewritten.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forge } from "../tools/forge/cli.js";
import type { BenchModels } from "./suite.js";

export function defaultBenchModels(root: string): BenchModels {
  const dir = join(root, ".cache", "models");
  return { base: join(dir, "bench-base.gguf"), lora: join(dir, "bench-lora.gguf") };
}

async function runForge(out: string, bench: boolean): Promise<void> {
  const code = await forge(["--out", out, ...(bench ? ["--bench"] : [])]);
  if (code !== 0) throw new Error(`the model forge failed (exit ${code}); try it by hand: npm run forge -- --out ${out}${bench ? " --bench" : ""}`);
}

/** The forged bench pair, forged first if either file is missing. */
export async function ensureBenchModels(root: string): Promise<BenchModels> {
  const models = defaultBenchModels(root);
  if (existsSync(models.base) && existsSync(models.lora)) return models;
  const modelsDir = join(root, ".cache", "models");
  await mkdir(modelsDir, { recursive: true });
  const scratch = await mkdtemp(join(modelsDir, ".bench-forge-"));
  try {
    console.log("bench: forging the bench models (random weights, ~42 M parameters)…");
    await runForge(scratch, true);
    await rename(join(scratch, "bench-base.gguf"), models.base);
    await rename(join(scratch, "bench-lora.gguf"), models.lora);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return models;
}

/** The demo classifier pair, forged into a temporary folder; `remove` deletes it. */
export async function forgeDemoModels(): Promise<{ models: BenchModels; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "tunegate-bench-demo-"));
  await runForge(dir, false);
  return { models: { base: join(dir, "demo-base.gguf"), lora: join(dir, "demo-lora.gguf") }, remove: () => rm(dir, { recursive: true, force: true }) };
}
