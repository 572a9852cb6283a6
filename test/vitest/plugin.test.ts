// The plugin in a user's own Vitest setup: a vitest.config with `plugins: [tunegate()]`, run by `vitest`.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEMO_SUITE, forgeDemo, temporaryDir } from "../helpers/forged.js";

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");
const forged = forgeDemo();
const project = temporaryDir("tunegate-project-");

/** A project with the plugin in its vitest.config, written as ES module or (require()-ing tunegate) CommonJS. */
function writeProject(dir: string, module: "esm" | "commonjs"): void {
  const plugin = JSON.stringify(join(ROOT, "dist/src/vitest/index.js"));
  const options = `{ threads: 1, report: { json: "out/report.json" } }`;
  if (module === "esm") {
    writeFileSync(join(dir, "vitest.config.mjs"), `import { tunegate } from ${plugin};\nexport default { plugins: [tunegate(${options})] };\n`);
  } else {
    // As installed: node_modules/tunegate (here a link to this checkout), so Vite keeps it external to the
    // bundled config and Node's require() loads it.
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    symlinkSync(ROOT, join(dir, "node_modules", "tunegate"), "dir");
    writeFileSync(join(dir, "vitest.config.cjs"), `const { tunegate } = require("tunegate/vitest");\nmodule.exports = { plugins: [tunegate(${options})] };\n`);
  }
  writeFileSync(
    join(dir, "triage.cases.yaml"),
    readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", forged.base).replace("../../.cache/models/demo-lora.gguf", forged.lora),
  );
  writeFileSync(join(dir, "plain.test.mjs"), `import { test, expect } from "vitest";\ntest("an ordinary test still runs", () => expect(1 + 1).toBe(2));\n`);
}
writeProject(project, "commonjs");

async function vitest(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [VITEST, "run", ...args], { cwd: project, env: { ...process.env, NO_COLOR: "1", CI: "1" }, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe("tunegate() in a project's vitest.config (CommonJS, loading tunegate with require())", () => {
  it("turns the YAML into tests beside the project's ordinary tests, and reports", async () => {
    const { code, out } = await vitest();
    expect(code, out).toBe(0);
    expect(out).toMatch(/Tests\s+92 passed \(92\)/); // 45 cases x 2 arms + gate + the plain test
    expect(out).toContain("verdict   FINE-TUNE");
    expect(out).toMatch(/^92 passed, 0 failed, 21 warned \(missed under misses: warn\)$/m);
    expect(JSON.parse(readFileSync(join(project, "out/report.json"), "utf8")).suites).toHaveLength(1);
  });

  it("filters cases with -t like any test", async () => {
    const { code, out } = await vitest("--reporter=verbose", "-t", "cancel");
    expect(code, out).toBe(0);
    const cases = (parse(readFileSync(join(project, "triage.cases.yaml"), "utf8")) as { cases: Array<{ input: string; expected: string }> }).cases;
    const matching = cases.filter((c) => `${c.input} → ${c.expected}`.includes("cancel")).length;
    const run = out.split("\n").filter((line) => /✓ .* → /.test(line));
    expect(matching).toBeGreaterThan(5);
    expect(run).toHaveLength(2 * matching); // each arm
    for (const line of run) expect(line.toLowerCase()).toContain("cancel");
  });

  it("names tests by the case alone, the same whatever the model predicts, and tells the arms apart", async () => {
    type Json = { testResults: Array<{ assertionResults: Array<{ fullName: string; title: string; status: string; meta: { tunegate?: { arm?: string; predicted?: string; correct?: boolean } } }> }> };
    const original = readFileSync(join(project, "triage.cases.yaml"), "utf8");
    const names = async (scale: string) => {
      const file = `names-${scale}.json`;
      writeFileSync(join(project, "triage.cases.yaml"), original.replace(/^lora:\n/m, `lora:\n  scale: ${scale}\n`));
      const { out } = await vitest("--reporter=json", `--outputFile=${file}`, "triage.cases.yaml");
      const json = JSON.parse(readFileSync(join(project, file), "utf8")) as Json;
      expect(json.testResults, out).toHaveLength(1);
      return json.testResults[0]!.assertionResults;
    };
    expect(original).toMatch(/^lora:\n/m);
    try {
      const full = await names("1.0");
      const off = await names("0.001");
      // The adapter at scale 0.001 changes what the LoRA arm predicts, not the names of its tests.
      const predictions = (tests: typeof full) => tests.filter((t) => t.meta.tunegate?.arm === "lora").map((t) => t.meta.tunegate?.predicted);
      expect(predictions(off)).not.toEqual(predictions(full));
      expect(off.map((t) => t.fullName)).toEqual(full.map((t) => t.fullName));
      for (const test of full) expect(test.title).not.toMatch(/missed/);
      // Every test's full name is its own: the arm is part of it.
      expect(new Set(full.map((t) => t.fullName)).size).toBe(full.length);
      expect(full.filter((t) => t.fullName.includes(" few-shot ")).length).toBe(45);
      expect(full.filter((t) => t.fullName.includes(" lora ")).length).toBe(45);
      // A warned miss passes; what it predicted is in its meta.
      const missed = full.find((t) => t.meta.tunegate?.correct === false)!;
      expect(missed.status).toBe("passed");
      expect(missed.meta.tunegate?.predicted).toMatch(/^\w+$/);
    } finally {
      writeFileSync(join(project, "triage.cases.yaml"), original);
    }
  });
});

describe("vitest list", () => {
  it("lists every test by the names a run gives them, without loading or running any model", async () => {
    const dir = join(project, "listed");
    mkdirSync(dir);
    writeProject(dir, "esm");
    // Models that cannot be loaded: a run would fail, a listing does not look at them.
    const notAModel = join(dir, "not-a-model.gguf");
    writeFileSync(notAModel, "not a model\n");
    const suite = join(dir, "triage.cases.yaml");
    writeFileSync(suite, readFileSync(suite, "utf8").replaceAll(forged.base, notAModel).replaceAll(forged.lora, notAModel));
    const list = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await exec(process.execPath, [VITEST, "list", ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 << 20 });
        return { code: 0, out: stdout + stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, out: e.stdout + e.stderr };
      }
    };
    const { code, out } = await list("--json");
    expect(code, out).toBe(0);
    const listed = (JSON.parse(out.slice(out.indexOf("["))) as Array<{ name: string; file: string }>).filter((t) => t.file.endsWith("triage.cases.yaml"));
    expect(listed).toHaveLength(2 * 45 + 1);
    expect(listed.map((t) => t.name)).toContain("Customer message triage > few-shot > Please close my account. → cancellation");
    expect(listed.map((t) => t.name)).toContain("Customer message triage > lora > Please close my account. → cancellation");
    expect(listed.at(-1)!.name).toBe("Customer message triage > gate");
    expect(out).not.toContain("arm:");
    // The same suite run for real fails on those models: the listing did not touch them.
    const run = await exec(process.execPath, [VITEST, "run", "triage.cases.yaml"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } }).then(
      () => 0,
      (error: { code: number }) => error.code,
    );
    expect(run).not.toBe(0);
  });
});

describe("watch mode", () => {
  it("reruns a suite when its YAML or its adapter changes, without loading the model again", async () => {
    const dir = join(project, "watched");
    mkdirSync(dir);
    writeProject(dir, "esm");
    const child = spawn(process.execPath, [VITEST, "--watch"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    const waiters: Array<() => void> = [];
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      waiters.splice(0).forEach((wake) => wake());
    });
    const waitFor = async (predicate: () => boolean) => {
      const deadline = Date.now() + 60_000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${output}`);
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, 500);
        });
      }
    };
    const runs = () => output.match(/^\d+ passed, 0 failed\b/gm)?.length ?? 0;
    try {
      await waitFor(() => runs() === 1);
      const suite = join(dir, "triage.cases.yaml");
      writeFileSync(suite, readFileSync(suite, "utf8").replace("name: Customer message triage", "name: Renamed triage"));
      await waitFor(() => runs() === 2);
      expect(output).toContain("Renamed triage · few-shot arm: 45 cases");
      const evaluationsBefore = output.match(/few-shot arm: 45 cases/g)!.length;
      const now = new Date();
      utimesSync(forged.lora, now, now);
      await waitFor(() => runs() === 3);
      expect(output.match(/few-shot arm: 45 cases/g)!.length).toBe(evaluationsBefore + 1);
      expect(output.match(/model files loaded in this process: (\d+)/g)!.at(-1)).toBe("model files loaded in this process: 1");
    } finally {
      child.kill();
    }
  }, 120_000);
});
