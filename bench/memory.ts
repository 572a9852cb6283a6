// npm run bench:memory -- [--cases 1000,4000,10000]: peak memory of `tunegate run` as a suite grows, the
// figures behind the README's per-case memory. Each size is a fresh suite (the demo prompt and models, cases
// made up from a fixed word list) run by the CLI in its own process tree, sampled from /proc every 200 ms.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LABELS = ["complaint", "inquiry", "praise", "cancellation"];
const WORDS = "the item order package delivery refund store help great love cancel subscription arrived damaged late quick service size color price".split(" ");

function writeSuite(dir: string, cases: number): string {
  const lines: string[] = [];
  for (let i = 0; i < cases; i++) {
    const words = Array.from({ length: 6 + (i % 5) }, (_, j) => WORDS[(i * 7 + j * 13) % WORDS.length]);
    lines.push(JSON.stringify({ input: `${words.join(" ")} ${i}`, expected: LABELS[i % LABELS.length] }));
  }
  writeFileSync(join(dir, "cases.jsonl"), `${lines.join("\n")}\n`);
  const demo = readFileSync(join(ROOT, "fixtures/demo/customer-messages.cases.yaml"), "utf8")
    .replaceAll("../../.cache/models/", `${join(ROOT, ".cache/models")}/`)
    .replace(/\ncases:[\s\S]*$/, "\ncases_file: cases.jsonl\n");
  const suite = join(dir, "memory.cases.yaml");
  writeFileSync(suite, demo);
  return suite;
}

/** Resident memory of a process, in bytes, or undefined once it is gone. */
function residentBytes(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The process and every descendant, from /proc's parent links. */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${name}/stat`, "utf8").replace(/^.*\) \S+ /, "").split(" ")[0]);
      parents.set(parent, [...(parents.get(parent) ?? []), Number(name)]);
    } catch {
      // Gone between the listing and the read.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

interface Peak {
  cases: number;
  seconds: number;
  /** The CLI's own process: Vitest's main process, the engine and the reports. */
  mainBytes: number;
  /** The largest other process (Vitest's test worker). */
  workerBytes: number;
  /** The whole tree at its largest moment. */
  totalBytes: number;
}

async function measure(cases: number): Promise<Peak> {
  const dir = mkdtempSync(join(tmpdir(), "tunegate-memory-"));
  try {
    const suite = writeSuite(dir, cases);
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, "bin/tunegate.js"), "run", suite, "--json", join(dir, "report.json")], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    const peak = { mainBytes: 0, workerBytes: 0, totalBytes: 0 };
    const sample = () => {
      let total = 0;
      for (const pid of processTree(child.pid!)) {
        const bytes = residentBytes(pid) ?? 0;
        total += bytes;
        if (pid === child.pid) peak.mainBytes = Math.max(peak.mainBytes, bytes);
        else peak.workerBytes = Math.max(peak.workerBytes, bytes);
      }
      peak.totalBytes = Math.max(peak.totalBytes, total);
    };
    const timer = setInterval(sample, 200);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearInterval(timer);
    if (code !== 0) throw new Error(`tunegate run on ${cases} cases exited ${code}:\n${stderr}`);
    return { cases, seconds: (performance.now() - started) / 1000, ...peak };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function main(argv: string[]): Promise<number> {
  const index = argv.indexOf("--cases");
  const sizes = (index === -1 ? "1000,4000" : (argv[index + 1] ?? "")).split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error("bench:memory: --cases takes whole numbers separated by commas, e.g. --cases 1000,4000,10000");
    return 2;
  }
  if (!existsSync("/proc/self/status")) {
    console.error("bench:memory: reads /proc, so it runs on Linux only");
    return 2;
  }
  if (!existsSync(join(ROOT, ".cache/models/demo-base.gguf"))) {
    console.error("bench:memory: forge the demo models first: npm run forge -- --out .cache/models");
    return 2;
  }
  const peaks: Peak[] = [];
  for (const cases of sizes) {
    console.error(`bench:memory: ${cases} cases...`);
    peaks.push(await measure(cases));
  }
  console.log("cases     seconds   main peak   worker peak   tree peak");
  for (const p of peaks) {
    console.log(`${String(p.cases).padEnd(10)}${p.seconds.toFixed(0).padStart(7)}   ${megabytes(p.mainBytes).padStart(9)}   ${megabytes(p.workerBytes).padStart(11)}   ${megabytes(p.totalBytes).padStart(9)}`);
  }
  if (peaks.length >= 2) {
    const [a, b] = [peaks[0]!, peaks[peaks.length - 1]!];
    const perCase = (b.totalBytes - a.totalBytes) / (b.cases - a.cases);
    console.log(`\nper case (tree peak, ${a.cases} → ${b.cases} cases): ${(perCase / 1024).toFixed(1)} KB; 100,000 cases ≈ ${megabytes(a.totalBytes + perCase * (100_000 - a.cases))}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
