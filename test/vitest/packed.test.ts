// tunegate as a user installs it: `npm pack` of this checkout (dist/ is built by `npm test` first), unpacked
// into scratch projects' node_modules beside links to the dependencies this checkout already has (no
// network). Each setup from "Use it in your project" is run for real through Vitest: a project's own
// test.include, a command-line reporter (JUnit), Vitest's sharding with --merge-reports, a CommonJS project
// started by `tunegate init`, and a suite reached through a symbolic link. One tarball for all of them; the
// model runs use the starter suite (12 cases) on the forged demo models.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { validateWorkflow } from "@action-validator/core";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { forgeDemo, temporaryDir } from "../helpers/forged.js";

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
const forged = forgeDemo();
const work = temporaryDir("tunegate-packed-");
const reportSchema = JSON.parse(readFileSync(join(ROOT, "schema/report.schema.json"), "utf8")) as object;
const validateReport = new Ajv2020({ allErrors: true, strict: false }).compile(reportSchema);

interface Result {
  code: number;
  out: string;
}

async function run(cwd: string, command: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  const environment: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", TUNEGATE_THREADS: "1", TUNEGATE_MODELS: forged.dir, ...env };
  // The outer run's own CI and GitHub settings would change what the scratch runs print.
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete environment[key];
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env: environment as NodeJS.ProcessEnv, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const NOT_CI = { CI: undefined, GITHUB_ACTIONS: undefined };
const IN_CI = { CI: "true", GITHUB_ACTIONS: undefined };

let tarball = "";

/** A project folder with tunegate unpacked from the tarball and this checkout's other packages linked. */
async function scratchProject(name: string, packageJson: object): Promise<string> {
  const dir = join(work, name);
  const modules = join(dir, "node_modules");
  mkdirSync(join(modules, ".bin"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
  for (const entry of readdirSync(join(ROOT, "node_modules"))) {
    if (entry === ".bin" || entry === "tunegate" || entry.startsWith(".")) continue;
    symlinkSync(join(ROOT, "node_modules", entry), join(modules, entry));
  }
  mkdirSync(join(modules, "tunegate"));
  await exec("tar", ["-xzf", tarball, "-C", join(modules, "tunegate"), "--strip-components=1"]);
  symlinkSync("../tunegate/bin/tunegate.js", join(modules, ".bin", "tunegate"));
  symlinkSync("../vitest/vitest.mjs", join(modules, ".bin", "vitest"));
  return dir;
}

const projects = new Map<string, Promise<string>>();
/** The scratch project of that name, made on first use, so each test also runs alone (`-t`). */
function project(name: string, packageJson: object): Promise<string> {
  if (!projects.has(name)) projects.set(name, scratchProject(name, packageJson));
  return projects.get(name)!;
}
const COMMONJS_PROJECT = { name: "scratch-cjs", private: true };

const tunegateBin = (dir: string) => join(dir, "node_modules/.bin/tunegate");
const vitestBin = (dir: string) => join(dir, "node_modules/.bin/vitest");

function readReport(path: string): Report {
  const report = JSON.parse(readFileSync(path, "utf8")) as Report;
  expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
  return report;
}

beforeAll(async () => {
  expect(existsSync(join(ROOT, "dist/src/vitest/index.js")), "run `npm run build` first (npm test does)").toBe(true);
  const { stdout } = await exec("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: ROOT, maxBuffer: 16 << 20 });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  tarball = join(work, packed!.filename);
  // The starter suite finds its models through TUNEGATE_MODELS, by these names; the forge names them demo-*.
  symlinkSync(forged.base, join(forged.dir, "base.gguf"), "file");
  symlinkSync(forged.lora, join(forged.dir, "adapter.gguf"), "file");
}, 120_000);

describe("the packed package", () => {
  it("has no install script, carries its LICENSE, and require('tunegate') says the API is ESM-only", async () => {
    const dir = await project("commonjs", COMMONJS_PROJECT);
    const pkg = JSON.parse(readFileSync(join(dir, "node_modules/tunegate/package.json"), "utf8")) as { license: string; scripts: Record<string, string> };
    for (const script of ["preinstall", "install", "postinstall", "prepare"]) expect(pkg.scripts[script], script).toBeUndefined();
    expect(pkg.license).toBe("MIT");
    expect(readFileSync(join(dir, "node_modules/tunegate/LICENSE"), "utf8")).toMatch(/^MIT License/);

    const required = await run(dir, process.execPath, ["-e", `require("tunegate")`]);
    expect(required.code).toBe(1);
    expect(required.out).toContain(`tunegate's API is ESM-only`);
    expect(required.out).toContain(`await import("tunegate")`);
    const imported = await run(dir, process.execPath, ["--input-type=module", "-e", `const t = await import("tunegate"); console.log(typeof t.loadSuite)`]);
    expect(imported.out.trim()).toBe("function");
  });
});

describe("a fresh clone", () => {
  it("runs `tunegate` after `npm ci` without an install script: the launcher transpiles src/ once", async () => {
    const clone = join(work, "clone");
    mkdirSync(clone);
    for (const part of ["bin", "src", "package.json"]) cpSync(join(ROOT, part), join(clone, part), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");
    const first = await run(clone, process.execPath, ["bin/tunegate.js", "--version"]);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain("first run in this checkout: building dist/ from src/");
    expect(first.out.split("\n")).toContain((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version);
    const second = await run(clone, process.execPath, ["bin/tunegate.js", "--version"]);
    expect(second.out).not.toContain("building");
  });
});

describe("tunegate init, then Vitest in a CommonJS project with a JUnit reporter on the command line", () => {
  it("writes a starter that runs: the reporter stays beside --reporter=junit, and the report is written", async () => {
    const dir = await project("commonjs", COMMONJS_PROJECT);
    const first = await run(dir, tunegateBin(dir), ["init"]);
    expect(first.code, first.out).toBe(0);
    expect(readFileSync(join(dir, "vitest.config.js"), "utf8")).toContain(`require("tunegate/vitest")`);
    expect(validateWorkflow(readFileSync(join(dir, ".github/workflows/tunegate.yml"), "utf8")).errors).toEqual([]);
    // The starter's $schema comment resolves from its folder.
    const schemaLine = readFileSync(join(dir, "suites/triage.cases.yaml"), "utf8").split("\n")[0]!;
    expect(existsSync(join(dir, "suites", schemaLine.replace("# yaml-language-server: $schema=", "")))).toBe(true);

    const again = await run(dir, tunegateBin(dir), ["init"]);
    expect(again.code).toBe(2);
    for (const file of ["suites/triage.cases.yaml", "vitest.config.js", ".github/workflows/tunegate.yml"]) expect(again.out).toContain(`refused to overwrite ${file}`);

    const { code, out } = await run(dir, process.execPath, [vitestBin(dir), "run", "--reporter=junit", "--outputFile=junit.xml"], IN_CI);
    expect(code, out).toBe(0);
    expect(out).toMatch(/^verdict {3}LORA-WINS-LOW-VOLUME: /m);
    expect(out).toMatch(/^gate {6}WARN: verdict lora-wins-low-volume and fail_on: fine-tune$/m);
    expect(out).toMatch(/^25 passed, 0 failed, \d+ warned/m); // 12 cases x 2 arms + the gate
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toContain("<testsuites");
    expect(readReport(join(dir, "tunegate-report.json")).suites.map((s) => s.file)).toEqual(["suites/triage.cases.yaml"]);
    expect(readFileSync(join(dir, "tunegate-report.md"), "utf8")).toContain("Customer message triage");
  });

  it("`tunegate run` reports a suite whose path goes through a symbolic link", async () => {
    const dir = await project("commonjs", COMMONJS_PROJECT);
    if (!existsSync(join(dir, "suites"))) await run(dir, tunegateBin(dir), ["init"]);
    const link = join(work, "linked");
    symlinkSync(dir, link, "dir");
    const { code, out } = await run(work, tunegateBin(dir), ["run", join(link, "suites/triage.cases.yaml"), "--json", join(link, "linked-report.json")], NOT_CI);
    expect(code, out).toBe(0);
    expect(out).not.toContain("was not run");
    expect(readReport(join(dir, "linked-report.json")).suites).toHaveLength(1);
  });
});

describe("an ES module project with its own test.include", () => {
  const config = (include: string[]) =>
    `import { tunegate } from "tunegate/vitest";\nexport default { test: { include: ${JSON.stringify(include)} }, plugins: [tunegate({ report: { json: "out/report.json", markdown: "out/report.md" } })] };\n`;
  let made: Promise<string> | undefined;
  /** The project: two starter suites, a plain test under src/, and a report left from an earlier run. */
  const esmProject = () =>
    (made ??= (async () => {
      const dir = await project("esm", { name: "scratch-esm", private: true, type: "module" });
      expect((await run(dir, tunegateBin(dir), ["init"])).code).toBe(0);
      expect(readFileSync(join(dir, "vitest.config.js"), "utf8")).toContain(`import { tunegate } from "tunegate/vitest"`);
      const suite = readFileSync(join(dir, "suites/triage.cases.yaml"), "utf8");
      writeFileSync(join(dir, "suites/second.cases.yaml"), suite.replace("name: Customer message triage", "name: Second triage"));
      mkdirSync(join(dir, "src"));
      writeFileSync(join(dir, "src/unit.test.js"), `import { test, expect } from "vitest";\ntest("unit", () => expect(1 + 1).toBe(2));\n`);
      return dir;
    })());

  it("says loudly that its include leaves out every suite, removes the stale report, and fails under CI", async () => {
    const dir = await esmProject();
    writeFileSync(join(dir, "vitest.config.js"), config(["src/**/*.test.js"]));
    mkdirSync(join(dir, "out"), { recursive: true });
    writeFileSync(join(dir, "out/report.json"), "{}");

    const local = await run(dir, process.execPath, [vitestBin(dir), "run"], NOT_CI);
    expect(local.code, local.out).toBe(0);
    expect(local.out).toContain("tunegate ▸ not evaluated: 2 suite files (suites/second.cases.yaml, suites/triage.cases.yaml) are not in this project's test.include");
    expect(local.out).toMatch(/^1 passed, 2 failed — 2 suites not evaluated$/m);
    expect(existsSync(join(dir, "out/report.json"))).toBe(false);

    const ci = await run(dir, process.execPath, [vitestBin(dir), "run"], IN_CI);
    expect(ci.code, ci.out).toBe(1);
    expect(ci.out).toContain("this fails the run under CI");
  });

  it("with the suites in its include, sharded with blob reports and merged, gives the report one run gives", async () => {
    const dir = await esmProject();
    writeFileSync(join(dir, "vitest.config.js"), config(["src/**/*.test.js", "**/*.cases.yaml"]));
    const shards = await Promise.all([1, 2].map((i) => run(dir, process.execPath, [vitestBin(dir), "run", `--shard=${i}/2`, "--reporter=blob"], IN_CI)));
    for (const shard of shards) {
      expect(shard.code, shard.out).toBe(0);
      expect(shard.out).toMatch(/tunegate ▸ shard [12]\/2: the report files are written by `vitest --merge-reports`/);
    }
    // Vitest gives each shard whole files: between them, both suites and the plain test.
    const verdicts = shards.map((shard) => shard.out.match(/^verdict {3}LORA-WINS-LOW-VOLUME: /gm)?.length ?? 0);
    expect(verdicts.reduce((a, b) => a + b)).toBe(2);
    expect(existsSync(join(dir, "out/report.json"))).toBe(false);

    const merged = await run(dir, process.execPath, [vitestBin(dir), "--merge-reports"], IN_CI);
    expect(merged.code, merged.out).toBe(0);
    expect(merged.out.match(/^verdict {3}LORA-WINS-LOW-VOLUME: /gm)).toHaveLength(2);
    expect(merged.out).toMatch(/^51 passed, 0 failed, \d+ warned/m);
    const report = readReport(join(dir, "out/report.json"));
    expect(report.suites.map((s) => s.name).sort()).toEqual(["Customer message triage", "Second triage"]);
    for (const suite of report.suites) {
      expect(suite.cases).toHaveLength(12);
      expect(suite.gate).toBe("warn");
      expect(suite.arms.few_shot.accuracy).toBeCloseTo(suite.cases.filter((c) => c.few_shot.correct).length / 12, 12);
      for (const c of suite.cases) expect(c.lora.latency_ms).toBeGreaterThan(0);
    }
    expect(readFileSync(join(dir, "out/report.md"), "utf8")).toContain("Second triage");
    rmSync(join(dir, ".vitest-reports"), { recursive: true, force: true });
  });

  it("ends a failed run with a closing line that does not read as success", async () => {
    const dir = await esmProject();
    writeFileSync(join(dir, "vitest.config.js"), config(["src/**/*.test.js", "**/*.cases.yaml"]));
    writeFileSync(join(dir, "suites/broken.cases.yaml"), "name: Broken\nlables: [a, b]\n");
    const invalid = await run(dir, process.execPath, [vitestBin(dir), "run", "suites/broken", "suites/triage"], IN_CI);
    expect(invalid.code, invalid.out).toBe(1);
    expect(invalid.out).toMatch(/^25 passed, 1 failed, \d+ warned \(missed under misses: warn\) — 1 suite not evaluated$/m);
    expect(invalid.out).toContain("tunegate ▸ not evaluated:");
    // The report covers the suite that ran, and its Markdown says which one did not.
    expect(readReport(join(dir, "out/report.json")).suites.map((suite) => suite.name)).toEqual(["Customer message triage"]);
    expect(readFileSync(join(dir, "out/report.md"), "utf8")).toMatch(/\*\*Not evaluated\*\* \(this run failed\):\n\n- `[^`]*suites\/broken\.cases\.yaml`: invalid suite/);

    const nothing = await run(dir, process.execPath, [vitestBin(dir), "run", "no-such-file"], IN_CI);
    expect(nothing.code, nothing.out).toBe(1);
    expect(nothing.out).toMatch(/^0 passed, 1 failed — no test file ran$/m);
  });
});
