import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { globSync } from "tinyglobby";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { expandGlob, expandSuitePaths } from "../../src/run/suite-paths.js";
import { isSuiteFile, SUITE_FILE_GLOB, SUITE_FILE_GLOB_ANY_CASE } from "../../src/suite/suite-files.js";
import { SUITE_FILE_PATTERN } from "../../src/vitest/plugin.js";
import type { FileReport } from "../../src/cli/validate.js";
import { FIXTURE_MODELS, REPO_ROOT, scratchDir, SUITE_FIXTURES, suiteYaml } from "./helpers.js";

async function run(args: string[], cwd = REPO_ROOT, env: Record<string, string> = { TUNEGATE_FIXTURE_MODELS: FIXTURE_MODELS }) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l), cwd, env });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

const valid = "fixtures/suites/valid";
const invalid = "fixtures/suites/invalid";

describe("tunegate (in-process)", () => {
  it("prints help and the version", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: tunegate <command>");
    expect(help.stdout).toMatch(/^ {2}validate {2}/m);
    const version = await run(["--version"]);
    expect(version.stdout).toBe(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version);
    expect((await run(["help", "validate"])).stdout).toContain("Usage: tunegate validate");
  });

  it("exits 2 with usage for no command, an unknown command or an unknown option", async () => {
    expect(await run([])).toMatchObject({ code: 2, stdout: "" });
    const unknown = await run(["validat"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command `validat`");
    const option = await run(["validate", "--jsn", `${valid}/minimal.cases.yaml`]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("--jsn");
  });

  it("validate without a path checks every suite below the working directory, as run does", async () => {
    expect(await run(["validate"], join(SUITE_FIXTURES, "valid"))).toMatchObject({ code: 0, stdout: expect.stringContaining("minimal.cases.yaml: ok") as unknown });
    const all = await run(["validate"], SUITE_FIXTURES);
    expect(all.code).toBe(2);
    expect(all.stdout).toContain("valid/minimal.cases.yaml: ok");
    expect(all.stdout).toMatch(/invalid\/unknown-key\.cases\.yaml: invalid/);
  });
});

describe("tunegate validate (in-process)", () => {
  it("prints one summary line per valid file, with the warning count, and exits 0", async () => {
    const { code, stdout, stderr } = await run(["validate", `${valid}/customer-triage.cases.yaml`, `${valid}/minimal.cases.yaml`]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout.split("\n")).toEqual([
      `${valid}/customer-triage.cases.yaml: ok — 4 cases, 4 labels, 4 examples`,
      `${valid}/minimal.cases.yaml:1:1: warning: \`volume.calls_per_day\` is not set, so 0 calls a day is assumed: the gate never recommends the fine-tune on volume grounds and costs per day are 0`,
      "    hint: add `volume: { calls_per_day: <expected production calls a day> }`",
      `${valid}/minimal.cases.yaml: ok — 2 cases, 2 labels, 3 examples (1 warning)`,
    ]);
  });

  it("prints file:line:col: error: message with the hint, and exits 2 when any file is invalid", async () => {
    const { code, stdout } = await run(["validate", `${valid}/minimal.cases.yaml`, `${invalid}/unknown-key.cases.yaml`]);
    expect(code).toBe(2);
    expect(stdout).toContain(
      `${invalid}/unknown-key.cases.yaml:2:1: error: unknown key \`lables\` in the suite\n    hint: did you mean \`labels\`?\n${invalid}/unknown-key.cases.yaml: invalid — 1 error`,
    );
  });

  it("prints cases-file errors with the cases file's own path and line", async () => {
    const { stdout } = await run(["validate", `${invalid}/bad-json-line.cases.yaml`]);
    expect(stdout.split("\n")[0]).toMatch(new RegExp(`^${invalid}/cases/bad-line\\.jsonl:3:48: error: line 3 is not valid JSON`));
  });

  it("prints paths relative to the working directory", async () => {
    const { stdout } = await run(["validate", "valid/minimal.cases.yaml"], SUITE_FIXTURES);
    expect(stdout.split("\n").at(-1)).toBe("valid/minimal.cases.yaml: ok — 2 cases, 2 labels, 3 examples (1 warning)");
  });

  it("validates every suite in a folder and expands quoted globs", async () => {
    const folder = await run(["validate", valid]);
    expect(folder.code).toBe(0);
    const summaries = folder.stdout.split("\n").filter((l) => l.includes(": ok — "));
    expect(summaries.length).toBe(8);
    const glob = await run(["validate", `${invalid}/*-key.cases.yaml`]);
    expect(glob.code).toBe(2);
    expect(glob.stdout.split("\n").filter((l) => l.includes(": invalid — "))).toEqual([
      `${invalid}/duplicate-key.cases.yaml: invalid — 1 error`,
      `${invalid}/unknown-key.cases.yaml: invalid — 1 error`,
    ]);
  });

  it("exits 2 when a glob or folder matches nothing, or a file does not exist", async () => {
    const glob = await run(["validate", "nowhere/*.cases.yaml"]);
    expect(glob).toMatchObject({ code: 2 });
    expect(glob.stdout).toBe("nowhere/*.cases.yaml: error: no suite files match this path or pattern");
    const missing = await run(["validate", "missing.cases.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("missing.cases.yaml:1:1: error: the suite file");
  });

  it("--json prints one document with files, validity, summaries and relative diagnostics", async () => {
    const { code, stdout } = await run(["validate", "--json", `${valid}/minimal.cases.yaml`, `${invalid}/bad-json-line.cases.yaml`]);
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as { files: FileReport[] };
    expect(report.files).toEqual([
      {
        file: `${valid}/minimal.cases.yaml`,
        valid: true,
        summary: { name: "minimal", cases: 2, labels: 2, examples: 3, errors: 0, warnings: 1 },
        diagnostics: [expect.objectContaining({ severity: "warning", code: "volume-missing", location: { file: `${valid}/minimal.cases.yaml`, line: 1, column: 1 } })],
      },
      {
        file: `${invalid}/bad-json-line.cases.yaml`,
        valid: false,
        summary: { errors: 1, warnings: 0 },
        diagnostics: [
          {
            severity: "error",
            code: "cases-file-json",
            message: "line 3 is not valid JSON: Expected double-quoted property name",
            hint: 'each line must be one complete JSON object: {"input": "...", "expected": "<label>"}',
            location: { file: `${invalid}/cases/bad-line.jsonl`, line: 3, column: 48 },
          },
        ],
      },
    ]);
  });

  it("--skip-models validates a suite whose models are not there yet", async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, "later.cases.yaml"), suiteYaml().replaceAll(FIXTURE_MODELS, "./not-forged-yet"));
    expect((await run(["validate", "later.cases.yaml"], dir)).code).toBe(2);
    expect(await run(["validate", "--skip-models", "later.cases.yaml"], dir)).toMatchObject({ code: 0, stdout: "later.cases.yaml: ok — 2 cases, 3 labels, 3 examples" });
  });
});

describe("suite paths", () => {
  it("matches globs as whole paths: ** spans folders, * and ? stay within a name, [...] is a character class", () => {
    const dir = scratchDir();
    mkdirSync(join(dir, "a/b"), { recursive: true });
    for (const f of ["a/b/c.cases.yaml", "c.cases.yaml", "c1.cases.yaml", "xxyaml"]) writeFileSync(join(dir, f), "");
    const matches = (glob: string) => expandGlob(glob, dir).map((f) => relative(dir, f).split(sep).join("/"));
    expect(matches("**/*.cases.yaml")).toContain("a/b/c.cases.yaml");
    expect(matches("**/*.cases.yaml")).toContain("c.cases.yaml");
    expect(matches("*.cases.yaml")).not.toContain("a/b/c.cases.yaml");
    expect(matches("c?.cases.[yj]aml")).toContain("c1.cases.yaml");
    expect(matches("x.yam?")).not.toContain("xxyaml");
  });

  it("matches suite files in any letter case, .cases.yml included, for folders, globs and the Action's default", () => {
    const dir = scratchDir();
    mkdirSync(join(dir, "evals"), { recursive: true });
    for (const f of ["evals/a.cases.yaml", "evals/B.Cases.YAML", "evals/c.cases.yml", "evals/d.yaml"]) writeFileSync(join(dir, f), "");
    const expected = ["evals/B.Cases.YAML", "evals/a.cases.yaml", "evals/c.cases.yml"];
    const found = (args: string[]) => expandSuitePaths(args, dir).files.map((f) => relative(dir, f).split(sep).join("/"));
    expect(found(["evals"])).toEqual(expected);
    expect(found([SUITE_FILE_GLOB])).toEqual(expected);
    expect(found(["evals/*.cases.yaml"])).toEqual(["evals/B.Cases.YAML", "evals/a.cases.yaml"]);
    for (const name of ["x.cases.yaml", "x.cases.yml", "X.CASES.YAML", "x.Cases.Yml"]) expect(isSuiteFile(name)).toBe(true);
    for (const name of ["x.yaml", "x.cases.json", "cases.yaml", "x.cases.yaml.bak"]) expect(isSuiteFile(name)).toBe(false);
  });

  it("gives Vitest's include a pattern that finds the same suite files without a case-insensitive mode", () => {
    const dir = scratchDir();
    mkdirSync(join(dir, "evals"), { recursive: true });
    for (const f of ["evals/a.cases.yaml", "evals/B.Cases.YAML", "evals/c.cases.yml", "evals/d.yaml", "evals/e.cases.json"]) writeFileSync(join(dir, f), "");
    expect(SUITE_FILE_PATTERN).toBe(SUITE_FILE_GLOB_ANY_CASE);
    expect(globSync(SUITE_FILE_GLOB_ANY_CASE, { cwd: dir }).sort()).toEqual(["evals/B.Cases.YAML", "evals/a.cases.yaml", "evals/c.cases.yml"]);
  });

  it("reports an invalid glob as a usage error (exit 2 with the reason), not as a crash", async () => {
    expect(expandSuitePaths(["evals/[z-a].cases.yaml"], REPO_ROOT).invalid).toEqual([
      { pattern: "evals/[z-a].cases.yaml", problem: "has an invalid character class [z-a] (Range out of order in character class); write ranges low to high, e.g. [a-z]" },
    ]);
    const validate = await run(["validate", "evals/[z-a].cases.yaml"]);
    expect(validate).toMatchObject({ code: 2, stdout: "" });
    expect(validate.stderr).toBe(
      'tunegate validate: the glob "evals/[z-a].cases.yaml" has an invalid character class [z-a] (Range out of order in character class); write ranges low to high, e.g. [a-z]\nRun `tunegate validate --help` for usage.',
    );
    const tooLong = await run(["run", `${"x".repeat(70_000)}*.cases.yaml`]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/^tunegate: the glob "x+\*\.cases\.yaml" is 70012 characters long; a glob may have at most 65536$/);
  });

  it("skips node_modules and keeps argument order without repeats", () => {
    const dir = scratchDir();
    mkdirSync(join(dir, "node_modules/pkg"), { recursive: true });
    mkdirSync(join(dir, "suites/deep"), { recursive: true });
    for (const f of ["node_modules/pkg/x.cases.yaml", "suites/b.cases.yaml", "suites/deep/a.cases.yml", "suites/notes.yaml"]) writeFileSync(join(dir, f), "");
    expect(expandGlob("**/*.cases.y*ml", dir).map((f) => relative(dir, f))).toEqual(["suites/b.cases.yaml", "suites/deep/a.cases.yml"]);
    const expanded = expandSuitePaths(["suites/b.cases.yaml", "suites", "absent.cases.yaml"], dir);
    expect(expanded.files.map((f) => relative(dir, f))).toEqual(["suites/b.cases.yaml", "suites/deep/a.cases.yml", "absent.cases.yaml"]);
    expect(expanded.unmatched).toEqual([]);
  });
});

describe("bin/tunegate.js (subprocess, against the build)", () => {
  const bin = join(REPO_ROOT, "bin/tunegate.js");

  beforeAll(() => {
    if (!existsSync(join(REPO_ROOT, "dist/src/cli/main.js"))) {
      throw new Error("dist/ is missing: run `npm run build` first (npm test does), this test runs the compiled CLI");
    }
  });

  function node(args: string[]) {
    return spawnSync(process.execPath, [bin, ...args], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, TUNEGATE_FIXTURE_MODELS: FIXTURE_MODELS } });
  }

  it("exits 2 on every invalid fixture and never prints a stack trace", () => {
    const result = node(["validate", invalid]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    const invalidLines = result.stdout.split("\n").filter((l) => l.includes(": invalid — "));
    expect(invalidLines.length).toBe(29);
  });

  it("exits 0 on the valid fixtures", () => {
    const result = node(["validate", valid]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("exits 2 with a message, not a stack trace, for binary garbage given as a suite", () => {
    const dir = scratchDir();
    const file = join(dir, "garbage.cases.yaml");
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    const result = node(["validate", file]);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/garbage\.cases\.yaml:1:1: error: the suite file is not valid UTF-8 \(byte 0x89 at offset 0\)/);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
  });
});
