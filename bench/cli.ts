// npm run bench -- [options]: the baseline (a model per arm, the full prompt per case), tunegate and tunegate in generate mode on
// the same suite, each in a process of its own; then the machine's limit, thread counts and LoRA memory.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine } from "./machine.js";
import { ensureBenchModels } from "./models.js";
import { UsageError } from "../src/errors.js";
import { EXIT_INTERNAL, EXIT_INVALID, EXIT_OK } from "../src/run/io.js";
import { parseBenchArgs, USAGE, type BenchOptions } from "./options.js";
import { summarize } from "./results.js";
import { runBench } from "./run-bench.js";
import { formatResults } from "./table.js";

/** The checkout's root: dist/bench/cli.js lives two levels below it. */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | "help";
  try {
    options = parseBenchArgs(argv, ROOT);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`bench: ${error.message}\n\n${USAGE}`);
      return EXIT_INVALID;
    }
    throw error;
  }
  if (options === "help") {
    console.log(USAGE);
    return EXIT_OK;
  }
  for (const path of options.models ? [options.models.base, options.models.lora] : []) {
    if (!existsSync(path)) {
      console.error(`bench: ${path} does not exist; forge the demo or bench models with: npm run forge -- --out .cache/models --bench`);
      return EXIT_INVALID;
    }
  }
  const models = options.models ?? (await ensureBenchModels(ROOT));
  const started = performance.now();
  const loadAtStart = loadavg();
  // The demo classifier shows logprob agreement where the random-weight bench models cannot; --quick leaves it out
  // to stay under two minutes, and models given by hand are compared directly.
  const classifierAgreement = options.models === undefined && !options.quick;
  const raw = await runBench(options, models, (line) => console.error(`bench: ${line}`), classifierAgreement);
  const first = raw.methods[0]!.runs.tunegate[0]!.result;
  const results = summarize(raw, describeMachine({ backend: first.backend, nodeLlamaCppVersion: first.nodeLlamaCppVersion }, loadAtStart));
  console.log(formatResults(results));
  await mkdir(dirname(options.json), { recursive: true });
  await writeFile(options.json, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${options.json} (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  return EXIT_OK;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = EXIT_INTERNAL;
}

