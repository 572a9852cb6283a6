// Command line of `npm run bench`.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../src/errors.js";

export const USAGE = `usage: npm run bench -- [--quick] [--cases N | --cases 16,64,256] [--repeats R] [--json FILE]
                       [--base FILE --lora FILE] [--threads 1,2]

  --quick          the default suite once: one repeat, no replay of the engine's calls, no sweep of
                   tunegate's own settings (the baseline's still are, for the speedup), no demo-classifier
                   agreement: under 2 minutes on 2 quiet cores
  --cases LIST     suite sizes; several (comma-separated) show how time grows with the number of cases
                   (default 64). The headline figures use the size closest to 64.
  --repeats R      runs of each timed step; medians are reported (default 3; --quick or several sizes: 1)
  --json FILE      where to write the results (default bench/results.json)
  --base FILE      base model (default .cache/models/bench-base.gguf, forged if missing)
  --lora FILE      LoRA adapter for --base (default .cache/models/bench-lora.gguf)
  --threads LIST   thread counts per context compared for both methods, and for the limit
                   (default: 1 and the number of cores)`;

export interface BenchOptions {
  quick: boolean;
  cases: number[];
  /** The suite size the headline ratios are computed at. */
  headlineCases: number;
  repeats: number;
  json: string;
  /** Absent: the forged bench pair under .cache/models, forged when missing. */
  models?: { base: string; lora: string };
  threads?: number[];
}

export const DEFAULT_CASES = 64;
const DEFAULT_REPEATS = 3;

function positiveIntegers(flag: string, text: string): number[] {
  const values = text.split(",").map((part) => part.trim());
  const numbers = values.map(Number);
  if (values.some((v) => v === "") || numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new UsageError(`${flag} takes positive whole numbers separated by commas, not "${text}"`);
  }
  return numbers;
}

export function parseBenchArgs(argv: string[], root: string): BenchOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: "boolean", default: false },
        cases: { type: "string" },
        repeats: { type: "string" },
        json: { type: "string" },
        base: { type: "string" },
        lora: { type: "string" },
        threads: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  if ((values.base === undefined) !== (values.lora === undefined)) {
    throw new UsageError("--base and --lora go together: the adapter must fit the base model");
  }
  const quick = values.quick ?? false;
  const cases = values.cases !== undefined ? positiveIntegers("--cases", values.cases) : [DEFAULT_CASES];
  const headlineCases = cases.reduce((best, n) => (Math.abs(n - DEFAULT_CASES) < Math.abs(best - DEFAULT_CASES) ? n : best));
  const repeats = values.repeats !== undefined ? positiveIntegers("--repeats", values.repeats) : [quick || cases.length > 1 ? 1 : DEFAULT_REPEATS];
  if (repeats.length !== 1) throw new UsageError("--repeats takes one number");
  return {
    quick,
    cases,
    headlineCases,
    repeats: repeats[0]!,
    json: resolve(values.json ?? resolve(root, "bench", "results.json")),
    ...(values.base !== undefined && values.lora !== undefined ? { models: { base: resolve(values.base), lora: resolve(values.lora) } } : {}),
    ...(values.threads !== undefined ? { threads: positiveIntegers("--threads", values.threads) } : {}),
  };
}
