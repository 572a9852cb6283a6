// `tunegate run` as users run it: the compiled CLI in a child process, which starts Vitest with the plugin.
// (npm test builds before testing; these tests read dist/.)
import { execFile, spawn } from "node:child_process";
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { mcnemarExact } from "../../src/stats/mcnemar.js";
import { DEMO_SUITE, forgeDemo, temporaryDir } from "../helpers/forged.js";

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
const CLI = join(ROOT, "bin/tunegate.js");
const forged = forgeDemo();
const dir = temporaryDir("tunegate-cli-");

/** The demo suite with its models pointed at the forged files, and `edit` applied to its text. */
function writeSuite(name: string, edit: (yaml: string) => string = (y) => y): string {
  const yaml = readFileSync(DEMO_SUITE, "utf8")
    .replace("../../.cache/models/demo-base.gguf", forged.base)
    .replace("../../.cache/models/demo-lora.gguf", forged.lora);
  const path = join(dir, name);
  writeFileSync(path, edit(yaml));
  return path;
}

async function tunegate(...args: string[]): Promise<{ code: number; out: string }> {
  return tunegateWith({}, ...args);
}

async function tunegateWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1", TUNEGATE_THREADS: "1", ...env }, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe("tunegate run", () => {
  it("runs two suite files with one model load and writes a report whose numbers agree with its cases", async () => {
    const first = writeSuite("first.cases.yaml");
    const second = writeSuite("second.cases.yaml", (y) => y.replace("name: Customer message triage", "name: Second copy"));
    const { code, out } = await tunegate("run", first, second, "--json", "report.json", "--markdown", "report.md");
    expect(code, out).toBe(0);
    expect(out).toContain("model files loaded in this process: 1");
    expect(out).toMatch(/^182 passed, 0 failed, 42 warned \(missed under misses: warn\)$/m); // 19 few-shot and 2 LoRA misses a suite
    expect(out).toContain("gate      WARN: verdict fine-tune and fail_on: never\nverdict   FINE-TUNE: ");

    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as Report;
    const schema = JSON.parse(readFileSync(join(ROOT, "schema/report.schema.json"), "utf8")) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.suites.map((s) => s.name)).toEqual(["Customer message triage", "Second copy"]);
    for (const suite of report.suites) {
      const correct = (arm: "few_shot" | "lora") => suite.cases.filter((c) => c[arm].correct).length;
      const n = suite.cases.length;
      expect(suite.arms.few_shot.accuracy).toBeCloseTo(correct("few_shot") / n, 12);
      expect(suite.arms.lora.accuracy).toBeCloseTo(correct("lora") / n, 12);
      expect(suite.delta_points).toBeCloseTo((100 * (correct("lora") - correct("few_shot"))) / n, 9);
      const fewShotOnly = suite.cases.filter((c) => c.few_shot.correct && !c.lora.correct).length;
      const loraOnly = suite.cases.filter((c) => !c.few_shot.correct && c.lora.correct).length;
      expect(suite.mcnemar).toMatchObject({ few_shot_only: fewShotOnly, lora_only: loraOnly });
      expect(suite.mcnemar.p_value).toBeCloseTo(mcnemarExact(fewShotOnly, loraOnly), 12);
      for (const c of suite.cases) {
        expect(c.few_shot.correct).toBe(c.few_shot.predicted === c.expected);
        expect(c.file).toBe(suite.file);
      }
    }
    expect(readFileSync(join(dir, "report.md"), "utf8")).toContain("## tunegate");
  });

  it("fails the run when a must case misses, naming the case's YAML line", async () => {
    const path = writeSuite("must.cases.yaml", (y) => y.replace("{ input: Not happy with the long wait., expected: complaint }", "{ input: Not happy with the long wait., expected: complaint, must: true }"));
    const line = readFileSync(path, "utf8").split("\n").findIndex((l) => l.includes("Not happy with the long wait.")) + 1;
    const { code, out } = await tunegate("run", path);
    expect(code, out).toBe(1);
    expect(out).toContain(`must.cases.yaml:${line}`);
    // The miss says it one way round, without Vitest's own "expected 'praise' to be 'complaint'" after it.
    expect(out).toContain('few-shot predicted "praise", expected "complaint" (a must case); log P: praise');
    expect(out).toContain('LoRA predicted "praise", expected "complaint" (a must case); log P: praise');
    expect(out).not.toMatch(/expected '.*' to be '.*'/);
    // The gate's failure leads with its cause and points its code frame at the must case's line.
    expect(out).toContain(`FAIL  must.cases.yaml:${line}:5 > Customer message triage > gate\nError: gate FAIL: must case missed at must.cases.yaml:${line}\nLoRA scored`);
    expect(out).toMatch(new RegExp(`gate FAIL: must case missed at must\\.cases\\.yaml:${line}\\n.*\\n ❯ must\\.cases\\.yaml:${line}:5\\n`));
    // The terminal report: the gate's cause, then the verdict, last.
    expect(out).toMatch(new RegExp(`^gate {6}FAIL: must case missed at must\\.cases\\.yaml:${line}\\nverdict {3}FINE-TUNE: `, "m"));
  });

  it("fails the gate on a fine-tune verdict when fail_on says so, and honours --volume", async () => {
    const path = writeSuite("strict.cases.yaml", (y) => y.replace("fail_on: never", "fail_on: fine-tune"));
    const strict = await tunegate("run", path);
    expect(strict.code, strict.out).toBe(1);
    const failOnLine = readFileSync(path, "utf8").split("\n").findIndex((l) => /^\s+fail_on: fine-tune/.test(l)) + 1;
    expect(failOnLine).toBeGreaterThan(1);
    expect(strict.out).toContain(`FAIL  strict.cases.yaml:${failOnLine}:1 > Customer message triage > gate\nError: gate FAIL: verdict fine-tune and fail_on: fine-tune\nLoRA scored`);
    expect(strict.out).toContain(` ❯ strict.cases.yaml:${failOnLine}:1\n`);
    const lowVolume = await tunegate("run", path, "--volume", "5000");
    expect(lowVolume.code, lowVolume.out).toBe(0);
    expect(lowVolume.out).toContain("LORA-WINS-LOW-VOLUME");
  });

  it("--table chooses the table's rows: misses and disagreements by default, all, or none", async () => {
    const path = writeSuite("table.cases.yaml");
    const rows = (out: string) => out.split("\n").filter((line) => /^ *\d+ {2}.*[✓✗] \S+ +[✓✗] \S+ *$/.test(line));
    const byDefault = await tunegate("run", path);
    const all = await tunegate("run", path, "--table", "all");
    const none = await tunegate("run", path, "--table", "none");
    expect(rows(all.out)).toHaveLength(45);
    expect(rows(byDefault.out)).toHaveLength(19); // the cases an arm missed or the arms disagree on
    expect(byDefault.out).toContain("26 cases both arms got right not shown (--table all shows every case)");
    expect(rows(none.out)).toEqual([]);
    for (const { out } of [byDefault, all, none]) expect(out).toMatch(/^verdict {3}FINE-TUNE: /m);
    expect((await tunegate("run", path, "--table", "some")).code).toBe(2);
  });

  it("with misses: fail a missed case fails its test", async () => {
    const path = writeSuite("misses.cases.yaml");
    const { code, out } = await tunegate("run", path, "--misses", "fail");
    expect(code, out).toBe(1);
    expect(out).toMatch(/(\d+) passed, (\d+) failed/);
    const [, , failed] = /(\d+) passed, (\d+) failed/.exec(out)!;
    expect(Number(failed)).toBe(19 + 2); // the few-shot and LoRA misses of the demo suite
  });

  it("on GitHub Actions, refuses a suite's own engine block rather than send the run to the server it names", async () => {
    const named = writeSuite("named-server.cases.yaml", (y) => y.replace("\ncases:", "\nengine:\n  url: http://127.0.0.1:9\n\ncases:"));
    const { code, out } = await tunegateWith({ GITHUB_ACTIONS: "true", TUNEGATE_ENGINE_URL: "" }, "run", named);
    expect(code, out).toBe(2);
    expect(out).toContain("not used on GitHub Actions");
    expect(out).toMatch(/named-server\.cases\.yaml:\d+/);
    expect(out).not.toContain("model files loaded in this process: 1");
  });

  it("exits 2 on invalid input, before loading any model", async () => {
    const broken = writeSuite("broken.cases.yaml", (y) => y.replace("labels:", "lables:"));
    const invalid = await tunegate("run", broken);
    expect(invalid.code).toBe(2);
    expect(invalid.out).toMatch(/broken\.cases\.yaml:\d+:1: error: .*lables/);
    expect(invalid.out).not.toContain("model files loaded");

    const badAdapter = join(dir, "not-an-adapter.gguf");
    writeFileSync(badAdapter, "GGUF but not really");
    const adapter = writeSuite("adapter.cases.yaml", (y) => y.replace(forged.lora, badAdapter));
    const failed = await tunegate("run", adapter);
    expect(failed.code, failed.out).toBe(2);
    expect(failed.out).toContain("not-an-adapter.gguf");

    expect((await tunegate("run", "--volume", "-3", broken)).code).toBe(2);
    expect((await tunegate("run", join(dir, "nothing-here/*.cases.yaml"))).code).toBe(2);
  });
});

describe("tunegate run on paths Vitest cannot load", () => {
  it("exits 2 naming a suite file that never ran, instead of passing with nothing measured", async () => {
    const hashed = writeSuite("issue#12.cases.yaml");
    const plain = writeSuite("plain.cases.yaml");
    const { code, out } = await tunegate("run", hashed, plain);
    expect(code, out).toBe(2);
    expect(out).toContain(`tunegate: ${JSON.stringify(hashed)} was not run: Vitest could not load it as a test file`);
    expect(out).not.toContain("internal error");
  });
});

describe("tunegate run and validate on a GitHub runner", () => {
  it("print no line the runner would execute, whatever the suite's text holds", async () => {
    const payload = "Broken\n::set-output name=verdict::ship-prompt\n  ::add-mask::complaint\r::error::x\n##[set-output name=gate;]pass";
    const suite = writeSuite("hostile-cli.cases.yaml", (y) =>
      y.replace("cases:\n", `cases:\n  - { input: ${JSON.stringify(payload)}, expected: praise, must: true }\n  - { input: ${JSON.stringify(payload)}, expected: praise, must: true }\n`),
    );
    for (const args of [["run", suite], ["validate", suite]]) {
      const { code, out } = await tunegateWith({ GITHUB_ACTIONS: "true" }, ...args);
      expect(code, out).toBe(args[0] === "run" ? 1 : 0);
      if (args[0] === "run") expect(out).toContain("set-output name=verdict::ship-prompt");
      const executable = out.split(/\r\n|\r|\n/).filter((line) => line.replace(/^[\s\u0085\u180e]+/, "").startsWith("::") || line.includes("##["));
      expect(executable, args[0]!).toEqual([]);
    }
  });
});

describe("tunegate run's report files", () => {
  it("replaces a link at the destination rather than writing through it, and leaves no temporary file", async () => {
    const suite = writeSuite("linked.cases.yaml");
    const elsewhere = join(dir, "elsewhere");
    mkdirSync(elsewhere);
    const precious = join(elsewhere, "precious.txt");
    writeFileSync(precious, "not a report\n");
    const out = join(dir, "linked-out");
    mkdirSync(out);
    symlinkSync(precious, join(out, "report.json"));
    symlinkSync(precious, join(out, "report.md"));
    const { code, out: log } = await tunegate("run", suite, "--json", "linked-out/report.json", "--markdown", "linked-out/report.md");
    expect(code, log).toBe(0);
    expect(readFileSync(precious, "utf8")).toBe("not a report\n");
    for (const name of ["report.json", "report.md"]) expect(lstatSync(join(out, name)).isSymbolicLink(), name).toBe(false);
    expect((JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as Report).suites[0]!.name).toBe("Customer message triage");
    expect(readdirSync(out).sort()).toEqual(["report.json", "report.md"]);
  });

  it("exits 2 naming a destination that is a folder or cannot be created, before loading any model", async () => {
    const suite = writeSuite("destinations.cases.yaml");
    mkdirSync(join(dir, "a-folder"));
    writeFileSync(join(dir, "a-file"), "");
    const cases: Array<[string[], RegExp]> = [
      [["--json", "a-folder"], new RegExp(`^tunegate: --json ${join(dir, "a-folder")} is a folder; give a file name`, "m")],
      [["--markdown", "a-file/report.md"], new RegExp(`^tunegate: --markdown ${join(dir, "a-file/report.md")} cannot be written: ${join(dir, "a-file")} is a file, not a folder`, "m")],
      [["--html", "a-folder"], new RegExp(`^tunegate: --html ${join(dir, "a-folder")} is a folder; give a file name`, "m")],
      // Nothing can be created in /proc, not even by root, so this holds wherever the tests run on Linux.
      ...(process.platform === "linux" ? [[["--json", "/proc/tunegate/report.json"], /^tunegate: --json \/proc\/tunegate\/report\.json cannot be written: nothing can be created in \/proc/m] as [string[], RegExp]] : []),
    ];
    for (const [args, message] of cases) {
      const { code, out } = await tunegate("run", suite, ...args);
      expect(code, out).toBe(2);
      expect(out).toMatch(message);
      expect(out).not.toContain("model files loaded");
      expect(out).not.toContain("internal error");
    }
  });
});

describe("tunegate run on SIGTERM", () => {
  it("stops at once, with the signal's status, leaving the previous report whole", async () => {
    const suite = writeSuite("sigterm.cases.yaml");
    const previous = '{"previous": "report"}\n';
    writeFileSync(join(dir, "sigterm-report.json"), previous);
    const child = spawn(process.execPath, [CLI, "run", suite, "--json", "sigterm-report.json"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    // Once Vitest has started, the run is under way: that is when a CI cancellation lands.
    await new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("RUN") && resolve()));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    child.kill("SIGTERM");
    const { code, signal } = await ended;
    expect(signal === "SIGTERM" || code === 143).toBe(true);
    expect(readFileSync(join(dir, "sigterm-report.json"), "utf8")).toBe(previous);
    expect(readdirSync(dir).filter((name) => name.includes("sigterm-report") && name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("tunegate run and the libuv thread pool", () => {
  // node-llama-cpp decodes on libuv pool threads; the launcher starts the run with one per arm (see
  // bin/tunegate.js), and the engine runs the arms side by side; with a pool of one they take turns.
  it("runs with a pool thread per arm unless UV_THREADPOOL_SIZE is given, and then as given", async () => {
    const suite = writeSuite("pool.cases.yaml");
    const env = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    const own = await exec(process.execPath, [CLI, "run", suite], { cwd: dir, env: { ...env, NO_COLOR: "1", TUNEGATE_THREADS: "1" }, maxBuffer: 64 << 20 }).catch(
      (error: { stdout: string; stderr: string }) => ({ stdout: error.stdout, stderr: error.stderr }),
    );
    expect(own.stdout + own.stderr).toContain("(arms side by side, 1 thread each)");
    const given = await tunegateWith({ UV_THREADPOOL_SIZE: "1" }, "run", suite);
    expect(given.out).toContain("(arms one after the other, 1 thread each)");
  });
});
