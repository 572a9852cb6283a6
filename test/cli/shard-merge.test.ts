// `tunegate run --shard i/n` and `tunegate merge` as users run them: the built CLI in child processes, on the
// demo suite with forged models. The merged report of three shards must be the single machine's report, but
// for the fields that measure time or add up what each machine did, named below.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import type { PartialReport } from "../../src/report/partial.js";
import type { Report } from "../../src/report/types.js";
import { summarizeLatency } from "../../src/stats/percentile.js";
import { DEMO_SUITE, forgeDemo, temporaryDir } from "../helpers/forged.js";

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
const CLI = join(ROOT, "bin/tunegate.js");
const forged = forgeDemo();
const dir = temporaryDir("tunegate-shard-");
const SUITE = "demo.cases.yaml";

async function tunegate(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1", TUNEGATE_THREADS: "1" }, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), "utf8")) as T;
const schema = (name: string) => JSON.parse(readFileSync(join(ROOT, "schema", name), "utf8")) as object;

/**
 * Fields that differ between two runs by their nature: when the report was written, how long things took
 * (each case's latency and the summaries of them, each arm's wall time, the model load), and the tokens each
 * machine evaluated (every shard evaluates the prompts' shared prefix itself, so the merge's sum is larger).
 */
const MEASURED_FIELDS = {
  report: ["generated_at"],
  arm: ["latency_ms", "wall_ms", "tokens_evaluated", "tokens_minimum"],
  engine: ["model_load_ms"],
  caseArm: ["latency_ms"],
} as const;

function withoutMeasured(report: Report): unknown {
  const copy = structuredClone(report) as unknown as Record<string, unknown> & { suites: Array<Record<string, unknown> & { arms: Record<string, Record<string, unknown>>; engine: Record<string, unknown>; cases: Array<Record<string, Record<string, unknown>>> }> };
  for (const key of MEASURED_FIELDS.report) delete copy[key];
  for (const suite of copy.suites) {
    for (const arm of Object.values(suite.arms)) for (const key of MEASURED_FIELDS.arm) delete arm[key];
    for (const key of MEASURED_FIELDS.engine) delete suite.engine[key];
    for (const c of suite.cases) for (const arm of ["few_shot", "lora"]) for (const key of MEASURED_FIELDS.caseArm) delete c[arm]![key];
  }
  return copy;
}

describe("tunegate run --shard and tunegate merge", () => {
  beforeAll(() => {
    const yaml = readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", forged.base).replace("../../.cache/models/demo-lora.gguf", forged.lora);
    writeFileSync(join(dir, SUITE), yaml);
    mkdirSync(join(dir, "parts"));
  });

  it("refuses a bad --shard, and --shard without --json or with --html, before running anything", async () => {
    for (const [args, message] of [
      [["--shard", "4/3", "--json", "p.json"], "--shard i must be from 1 to n (3)"],
      [["--shard", "0/0", "--json", "p.json"], "--shard n must be from 1 to"],
      [["--shard", "two", "--json", "p.json"], "--shard must be i/n"],
      [["--shard", "1/3"], "--shard needs --json FILE"],
      [["--shard", "1/3", "--json", "p.json", "--html", "p.html"], "--html is not written by a shard"],
    ] as const) {
      const { code, out } = await tunegate("run", SUITE, ...args);
      expect(code, out).toBe(2);
      expect(out).toContain(message);
      expect(out).not.toContain("RUN");
    }
  });

  it("merges three shards into the single machine's report, every figure recomputed from the case records", async () => {
    const whole = await tunegate("run", SUITE, "--no-cache", "--json", "whole.json");
    expect(whole.code, whole.out).toBe(0);

    const validatePart = new Ajv2020({ allErrors: true, strict: true }).compile(schema("partial-report.schema.json"));
    const validateReport = new Ajv2020({ allErrors: true, strict: true }).compile(schema("report.schema.json"));
    const counts: number[] = [];
    for (const shard of [1, 2, 3]) {
      const { code, out } = await tunegate("run", SUITE, "--no-cache", "--shard", `${shard}/3`, "--json", `parts/${shard}.json`, "--markdown", `parts/${shard}.md`);
      // A shard's exit status says its part is written, never a verdict: 0 although its cases include misses.
      expect(code, out).toBe(0);
      expect(out).toContain(`shard ${shard}/3: a partial report with no verdict`);
      expect(out).not.toMatch(/^(gate|verdict) /m);
      expect(out).toMatch(/^\d+ passed, 0 failed$/m);
      const part = readJson<PartialReport>(`parts/${shard}.json`);
      expect(validatePart(part), JSON.stringify(validatePart.errors)).toBe(true);
      // Nothing in a part reads as a complete report or a verdict.
      expect(validateReport(part)).toBe(false);
      expect(JSON.stringify(part)).not.toMatch(/"(verdict|gate|accuracy)"/);
      expect(part.partial).toMatchObject({ shard, shards: 3 });
      counts.push(part.suites[0]!.cases.length);
      const markdown = readFileSync(join(dir, `parts/${shard}.md`), "utf8");
      expect(markdown).toContain(`shard ${shard}/3: partial, no verdict`);
      expect(markdown).not.toMatch(/FINE-TUNE|PASS|WARN|FAIL/);
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(45);
    expect(Math.min(...counts)).toBeGreaterThan(0);

    // The glob is quoted, as in CI YAML: tunegate expands it.
    const merged = await tunegate("merge", "parts/*.json", "--json", "merged.json", "--markdown", "merged.md", "--html", "merged.html");
    expect(merged.code, merged.out).toBe(0);
    expect(merged.out).toContain("gate      WARN: verdict fine-tune and fail_on: never");
    const single = readJson<Report>("whole.json");
    const report = readJson<Report>("merged.json");
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(withoutMeasured(report)).toEqual(withoutMeasured(single));
    // The latency figures left out above are the merged case records' own, recomputed.
    for (const arm of ["few_shot", "lora"] as const) {
      const suite = report.suites[0]!;
      expect(suite.arms[arm].latency_ms).toEqual(summarizeLatency(suite.cases.map((c) => c[arm].latency_ms)));
      const parts = [1, 2, 3].map((shard) => readJson<PartialReport>(`parts/${shard}.json`).suites[0]!);
      expect(suite.arms[arm].tokens_evaluated).toBe(parts.reduce((sum, part) => sum + part.arms[arm].tokens_evaluated, 0));
    }
    expect(readFileSync(join(dir, "merged.md"), "utf8")).toContain("## tunegate");
    expect(readFileSync(join(dir, "merged.html"), "utf8")).toContain("<html");
  });

  it("writes an empty part for a shard that none of a small suite's cases fall into, and merges it", async () => {
    const yaml = readFileSync(join(dir, SUITE), "utf8");
    const start = yaml.indexOf("cases:");
    const end = yaml.indexOf("scoring:");
    const three = yaml.slice(start, end).split("\n").filter((line) => line.trim().startsWith("- {")).slice(0, 3);
    writeFileSync(join(dir, "small.cases.yaml"), `${yaml.slice(0, start)}cases:\n${three.join("\n")}\n\n${yaml.slice(end)}`);
    mkdirSync(join(dir, "small"));
    const counts: number[] = [];
    for (const shard of [1, 2, 3, 4, 5]) {
      const { code, out } = await tunegate("run", "small.cases.yaml", "--no-cache", "--shard", `${shard}/5`, "--json", `small/${shard}.json`);
      expect(code, out).toBe(0);
      counts.push(readJson<PartialReport>(`small/${shard}.json`).suites[0]!.cases.length);
    }
    expect(counts.filter((n) => n === 0).length).toBeGreaterThanOrEqual(2);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
    const whole = await tunegate("run", "small.cases.yaml", "--no-cache", "--json", "small-whole.json");
    const merged = await tunegate("merge", "small/*.json", "--json", "small-merged.json");
    expect(merged.code, merged.out).toBe(whole.code);
    expect(withoutMeasured(readJson<Report>("small-merged.json"))).toEqual(withoutMeasured(readJson<Report>("small-whole.json")));
  });

  it("refuses a missing shard, a duplicated part, a part of other suite content and a tampered part: exit 2, no verdict, no report", async () => {
    const refused = async (args: string[], message: string | RegExp) => {
      const { code, out } = await tunegate("merge", ...args, "--json", "refused.json");
      expect(code, out).toBe(2);
      expect(out).toMatch(message);
      expect(out).toContain("nothing merged, no verdict");
      expect(out).not.toMatch(/^(gate|verdict) /m);
      expect(existsSync(join(dir, "refused.json"))).toBe(false);
    };
    await refused(["parts/1.json", "parts/3.json"], "tunegate merge: shard 2/3 is missing");

    copyFileSync(join(dir, "parts/2.json"), join(dir, "copy-of-2.json"));
    await refused(["parts/*.json", "copy-of-2.json"], "shard 2/3 is given more than once: parts/2.json and copy-of-2.json");

    // Shard 3 of the same file run with another threshold: another suite content.
    mkdirSync(join(dir, "other"));
    const other = await tunegate("run", SUITE, "--no-cache", "--within-points", "7", "--shard", "3/3", "--json", "other/3.json");
    expect(other.code, other.out).toBe(0);
    await refused(["parts/1.json", "parts/2.json", "other/3.json"], /suite demo\.cases\.yaml: the suite's content .* differs between parts\/1\.json and other\/3\.json/);

    const tampered = readJson<PartialReport>("parts/2.json");
    (tampered.suites[0]!.cases[0]!.few_shot as Record<string, unknown>).latency_ms = "fast";
    writeFileSync(join(dir, "tampered.json"), JSON.stringify(tampered));
    await refused(["parts/1.json", "tampered.json", "parts/3.json"], /tampered\.json is not a tunegate partial report of version 1: \/suites\/0\/cases\/0\/few_shot\/latency_ms must be number/);

    await refused(["parts/1.json", "parts/2.json", "no-such.json"], "no-such.json: no such file");
  });
});
