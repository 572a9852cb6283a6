// The result cache through `tunegate run` as users run it: the compiled CLI in a child process, Vitest, the
// plugin and the real engine on the forged demo models. (npm test builds before testing; these read dist/.)
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parseRunArguments } from "../../src/cli/run.js";
import type { Report } from "../../src/report/types.js";
import { DEMO_SUITE, forgeDemo, temporaryDir } from "../helpers/forged.js";
import { reportValidator } from "../report/schema-validator.js";

const exec = promisify(execFile);
const CLI = join(import.meta.dirname, "../../bin/tunegate.js");
const forged = forgeDemo();
const dir = temporaryDir("tunegate-cli-cache-");
const suite = join(dir, "demo.cases.yaml");
const cacheDir = join(dir, "cache");

async function tunegate(env: Record<string, string | undefined>, ...args: string[]): Promise<{ code: number; out: string }> {
  // The project's test config turns the cache off for every other test; here each run says what it wants.
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", TUNEGATE_THREADS: "1", TUNEGATE_NO_CACHE: undefined, GITHUB_ACTIONS: undefined, TUNEGATE_CACHE_DIR: undefined };
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd: dir, env: { ...base, ...env }, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const report = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8")) as Report;

beforeAll(() => {
  writeFileSync(
    suite,
    readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", forged.base).replace("../../.cache/models/demo-lora.gguf", forged.lora),
  );
});

describe("tunegate run with the result cache", () => {
  it("re-reports a volume change without loading a model, and says which results came from the cache and when", async () => {
    const first = await tunegate({}, "run", suite, "--cache-dir", cacheDir, "--json", "first.json");
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain("model files loaded in this process: 1");
    expect(first.out).not.toContain("from the result cache");
    const n = report("first.json").suites[0]!.cases.length;
    expect(report("first.json").suites[0]!.cache).toEqual({ enabled: true, few_shot: 0, lora: 0, measured_from: null, measured_to: null });

    const second = await tunegate({}, "run", suite, "--cache-dir", cacheDir, "--volume", "5", "--json", "second.json", "--markdown", "second.md");
    expect(second.code, second.out).toBe(0);
    expect(second.out).toContain("model files loaded in this process: 0");
    expect(second.out).toContain(`tunegate ▸ Customer message triage: ${n} of ${n} cases from the result cache`);
    expect(second.out).toMatch(/cache +\d+ of \d+ cases from the result cache, measured \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(second.out).toContain("verdict   LORA-WINS-LOW-VOLUME");

    const before = report("first.json").suites[0]!;
    const after = report("second.json").suites[0]!;
    const validate = reportValidator();
    expect(validate(report("second.json")), JSON.stringify(validate.errors)).toBe(true);
    expect(after.cache).toMatchObject({ enabled: true, few_shot: n, lora: n });
    expect(after.cache!.measured_from! <= report("second.json").generated_at).toBe(true);
    expect(after.arms.lora.tokens_evaluated).toBe(0);
    expect(after.cases.map((c) => [c.few_shot.predicted, c.lora.predicted, c.lora.latency_ms])).toEqual(before.cases.map((c) => [c.few_shot.predicted, c.lora.predicted, c.lora.latency_ms]));
    expect(after.cases.every((c) => c.few_shot.cached !== undefined && c.lora.cached !== undefined)).toBe(true);
    expect(before.cases.some((c) => c.few_shot.cached !== undefined)).toBe(false);
    expect(readFileSync(join(dir, "second.md"), "utf8")).toMatch(/♻️ \d+ of \d+ cases from the result cache, measured/);
  });

  it("refuses --no-cache with --cache-dir (exit 2)", async () => {
    const { code, out } = await tunegate({}, "run", suite, "--no-cache", "--cache-dir", cacheDir);
    expect(code).toBe(2);
    expect(out).toContain("--no-cache and --cache-dir contradict each other");
  });

  it("keeps its cache in node_modules/.cache/tunegate under the working directory by default", async () => {
    const { code, out } = await tunegate({}, "run", suite);
    expect(code, out).toBe(0);
    expect(existsSync(join(dir, "node_modules/.cache/tunegate/hashes.json"))).toBe(true);
  });
});

describe("tunegate run's cache flags", () => {
  it("--no-cache turns the cache off and --cache-dir names the folder; an empty folder name is refused", () => {
    expect(parseRunArguments(["--no-cache"])).toMatchObject({ plugin: { cache: false } });
    expect(parseRunArguments(["--cache-dir", "c"])).toMatchObject({ plugin: { cacheDir: "c" } });
    const plain = parseRunArguments([]);
    expect(plain !== "help" && (plain.plugin.cache ?? plain.plugin.cacheDir)).toBeUndefined();
    expect(() => parseRunArguments(["--cache-dir", " "])).toThrow("--cache-dir must name a folder");
  });
});
