// The Action's `merge` input, run as GitHub's runner runs the entry (runner.ts): the parts a sharded run's
// jobs wrote (`tunegate run --shard i/n`, here the built CLI) merged by one step, which reports the merged
// report as a run's (outputs, summary, status), or fails with exit 2 and no verdict when a part is missing.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { DEMO_SUITE, forgeDemo, temporaryDir } from "../helpers/forged.js";
import { ROOT, runAction } from "./runner.js";

const exec = promisify(execFile);
const forged = forgeDemo();
const base = temporaryDir("tunegate-action-merge-");
const workspace = join(base, "repository");
const scratch = join(base, "runner-temp");
for (const dir of [workspace, scratch]) mkdirSync(dir);
const NO_OUTPUTS = Object.fromEntries(["verdict", "gate", "few-shot-accuracy", "lora-accuracy", "delta-points", "report-path", "suites", "regression"].map((name) => [name, ""]));

describe("tunegate action with merge", () => {
  beforeAll(async () => {
    const yaml = readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", forged.base).replace("../../.cache/models/demo-lora.gguf", forged.lora);
    mkdirSync(join(workspace, "evals"));
    writeFileSync(join(workspace, "evals/demo.cases.yaml"), yaml);
    // The shard jobs, each in its own checkout of the same repository (here: the same folder).
    for (const shard of [1, 2]) {
      await exec(process.execPath, [join(ROOT, "bin/tunegate.js"), "run", "evals/demo.cases.yaml", "--no-cache", "--shard", `${shard}/2`, "--json", `parts/${shard}.json`], {
        cwd: workspace,
        env: { ...process.env, NO_COLOR: "1", TUNEGATE_THREADS: "1" },
      });
    }
  });

  it("merges the parts and reports the merged report as a run's: outputs, summary, status", async () => {
    const result = await runAction({ workspace, scratch, inputs: { merge: "parts/*.json", "report-path": "merged/tunegate-report.json" } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(workspace, "merged/tunegate-report.json"), "utf8")) as Report;
    const suite = report.suites[0]!;
    expect(suite.cases).toHaveLength(45);
    expect(suite.cases.map((c) => c.index)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    expect(result.outputs).toMatchObject({
      verdict: "fine-tune",
      gate: "warn",
      "few-shot-accuracy": String(suite.arms.few_shot.accuracy),
      "lora-accuracy": String(suite.arms.lora.accuracy),
      "report-path": join(workspace, "merged/tunegate-report.json"),
    });
    expect(suite.file).toBe("evals/demo.cases.yaml");
    expect(result.summary).toMatch(/^## tunegate: /);
    expect(result.summary).toContain("evals/demo.cases.yaml#L");
    // The missed cases are annotated on their YAML lines, as after a run.
    const warnings = result.annotations.filter((a) => a.command === "warning" && a.properties.file === "evals/demo.cases.yaml");
    expect(warnings.length).toBeGreaterThan(0);
  });

  it("fails with exit 2 and no verdict when a shard's part is missing, naming it", async () => {
    const result = await runAction({ workspace, scratch, inputs: { merge: "parts/1.json" } });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.outputs).toEqual(NO_OUTPUTS);
    const failure = result.annotations.find((a) => a.command === "error" && a.properties.file === undefined)?.message;
    expect(failure).toContain("Input `merge`: shard 2/2 is missing");
    expect(failure).toContain("nothing merged, no verdict");
    expect(result.summary).toContain("shard 2/2 is missing");
  });
});
