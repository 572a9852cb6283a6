// A pull request from a stranger: suites whose names, labels, example and case text and file names carry
// workflow commands. Run through `tunegate action` as the runner runs it (runner.ts), no line of the log may
// be a command the runner would execute, except tunegate's own, and every output is tunegate's.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_SUITE, forgeDemo, temporaryDir, writeGguf } from "../helpers/forged.js";
import { COMMENT_MARKER } from "../../src/action/comment.js";
import { readDemoCorpus } from "../../tools/forge/demo-corpus.js";
import { buildDemoModel } from "../../tools/forge/demo-model.js";
import { GgufValueType, type GgufFile } from "../../tools/forge/gguf-writer.js";
import { startFakeGitHub } from "./github-api.js";
import { FAKE_TOKEN, parseWorkflowCommands, REPOSITORY, runAction, type ActionRun } from "./runner.js";

const forged = forgeDemo();
const base = temporaryDir("tunegate-hostile-");
const workspace = join(base, "repository");
const scratch = join(base, "runner-temp");
for (const dir of [workspace, scratch]) mkdirSync(dir);

const OUTPUT_NAMES = ["verdict", "gate", "few-shot-accuracy", "lora-accuracy", "delta-points", "report-path", "suites", "regression"];

/** What a suite's text would like the runner to do. */
const PAYLOAD = [
  "::set-output name=verdict::ship-prompt",
  "::error::x",
  "##[set-output name=gate;]pass",
  "  ::add-mask::complaint",
  "::stop-commands::hijack",
  "\t::warning file=README.md::forged",
  "\u0085::notice::forged",
];
const MULTILINE = `Broken again\n${PAYLOAD.join("\n")}\r::group::carriage return`;

function yamlString(text: string): string {
  return JSON.stringify(text);
}

/** The demo suite with hostile text in every place a suite holds text, and the forged models. */
function hostileSuite(path: string, name: string, labelEdit: (yaml: string) => string = (y) => y): string {
  let yaml = readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", forged.base).replace("../../.cache/models/demo-lora.gguf", forged.lora);
  yaml = yaml.replace("name: Customer message triage", `name: ${yamlString(name)}`);
  yaml = yaml.replace("- { input: I never received my package., output: complaint }", `- { input: ${yamlString(`I never received my package.\n::error::example ##[set-output name=gate;]pass`)}, output: complaint }`);
  // Twice: the duplicate-case warning quotes it in a diagnostic.
  yaml = yaml.replace("cases:\n", `cases:\n  - { input: ${yamlString(MULTILINE)}, expected: complaint }\n  - { input: ${yamlString(MULTILINE)}, expected: complaint }\n`);
  writeFileSync(path, labelEdit(yaml));
  return path;
}

interface Executed {
  stream: "stdout" | "stderr";
  line: string;
}

/**
 * The lines the runner would execute: after leading whitespace (as .NET trims it) `::`, outside a
 * stop-commands bracket, or `##[` anywhere (counted even inside a bracket, to be strict). The bracket is
 * tracked on stdout, where tunegate writes it; on stderr no command may appear at all.
 */
function executedCommands(run: ActionRun): Executed[] {
  const executed: Executed[] = [];
  for (const stream of ["stdout", "stderr"] as const) {
    let stopToken: string | undefined;
    for (const line of run[stream].split(/\r\n|\r|\n/)) {
      const trimmed = line.replace(/^[\s\u0085\u180e]+/, "");
      if (line.includes("##[")) executed.push({ stream, line });
      if (!trimmed.startsWith("::")) continue;
      if (stopToken !== undefined) {
        if (trimmed === `::${stopToken}::`) {
          executed.push({ stream, line });
          stopToken = undefined;
        }
        continue;
      }
      executed.push({ stream, line });
      const stop = /^::stop-commands::(.*)$/.exec(trimmed);
      if (stop) stopToken = stop[1];
    }
  }
  return executed;
}

/** Whether a command line is one tunegate writes: its annotations, groups, the mask of the token, the bracket. */
function isOwn(executed: Executed, token: string | undefined): boolean {
  if (executed.stream !== "stdout") return false;
  const { line } = executed;
  if (line.includes("##[")) return false;
  if (line === `::add-mask::${FAKE_TOKEN}` || line === "::group::tunegate: running the suites" || line === "::endgroup::") return true;
  if (token !== undefined && (line === `::stop-commands::${token}` || line === `::${token}::`)) return true;
  const [command] = parseWorkflowCommands(line);
  if (command === undefined || !["error", "warning", "notice"].includes(command.command)) return false;
  // Annotations carry a title starting with tunegate; the failure message (core.setFailed) has none.
  return command.properties.title?.startsWith("tunegate") === true || (command.command === "error" && Object.keys(command.properties).length === 0);
}

function expectNoForeignCommands(run: ActionRun): void {
  const executed = executedCommands(run);
  const token = /^::stop-commands::(tunegate-[0-9a-f]{32})$/m.exec(run.stdout)?.[1];
  expect(executed.filter((e) => !isOwn(e, token))).toEqual([]);
  expect(token, "the run brackets its output with a random stop-commands token").toBeDefined();
  // The failure message is written once, at the end; a second bare ::error:: would be a forged one.
  expect(executed.filter((e) => /^::error::/.test(e.line)).length).toBeLessThanOrEqual(1);
}

describe("tunegate action on a hostile pull request", () => {
  it("runs suites whose text carries workflow commands without executing any of them, and sets every output itself", async () => {
    const folder = join(workspace, "evals");
    mkdirSync(folder);
    const file = join(folder, "::set-output name=verdict::ship-prompt.cases.yaml");
    hostileSuite(file, "::error::x ##[set-output name=gate;]pass ::add-mask::complaint");
    const result = await runAction({ workspace, scratch, inputs: { suites: "evals/**/*.cases.yaml" } });
    const log = result.stdout + result.stderr;
    expect(result.code, log).toBe(0);

    // The hostile text did reach the log (so this test tests something), but inert.
    expect(log).toContain("set-output name=verdict");
    expect(log).toContain("add-mask::complaint");
    expectNoForeignCommands(result);

    const report = JSON.parse(readFileSync(result.outputs["report-path"]!, "utf8")) as { gate: string; suites: Array<{ verdict: string }> };
    expect(Object.keys(result.outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
    expect(result.outputs.verdict).toBe(report.suites[0]!.verdict);
    expect(result.outputs.gate).toBe(report.gate);
    expect(result.outputs.regression).toBe("");
    // The missed hostile cases are annotated on their lines, their text escaped by @actions/core.
    const annotations = result.annotations.filter((a) => a.properties.title?.includes("missed"));
    expect(annotations.length).toBeGreaterThan(0);
  });

  it("fails a suite whose name and label hold line breaks at their lines, writing every output empty", async () => {
    const folder = join(workspace, "invalid");
    mkdirSync(folder);
    const file = hostileSuite(join(folder, "bad.cases.yaml"), `Triage\n::set-output name=verdict::ship-prompt\n##[set-output name=gate;]pass`, (yaml) =>
      yaml.replace("labels: [complaint,", `labels: [complaint, ${yamlString("refund\n::add-mask::complaint")},`),
    );
    const result = await runAction({ workspace, scratch, inputs: { suites: "invalid/bad.cases.yaml" } });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expectNoForeignCommands(result);
    expect(result.outputs).toEqual(Object.fromEntries(OUTPUT_NAMES.map((name) => [name, ""])));

    const lines = readFileSync(file, "utf8").split("\n");
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    const errors = result.annotations.filter((a) => a.command === "error" && a.properties.file !== undefined);
    expect(errors.map((a) => [a.properties.file, a.properties.line, a.message.split("\n")[0]])).toEqual([
      ["invalid/bad.cases.yaml", String(lineOf("name:")), expect.stringContaining("the suite's `name` contains the control character U+000A")],
      ["invalid/bad.cases.yaml", String(lineOf("refund")), expect.stringContaining("contains the control character U+000A")],
    ]);
  });

  it("refuses a suite file whose name holds a line break, before loading it", async () => {
    const folder = join(workspace, "named");
    mkdirSync(folder);
    hostileSuite(join(folder, "triage\n::set-output name=verdict::ship-prompt\n##[set-output name=gate;]pass.cases.yaml"), "Triage");
    const result = await runAction({ workspace, scratch, inputs: { suites: "named" } });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expectNoForeignCommands(result);
    const errors = result.annotations.filter((a) => a.command === "error" && a.properties.file !== undefined);
    expect(errors.map((a) => [a.properties.line, a.message.split("\n")[0]])).toEqual([["1", expect.stringMatching(/^the suite file's path .* contains the control character U\+000A/)]]);
    expect(result.stdout).not.toContain("model files loaded");
  });

  it("writes every output empty when the step fails before any suite runs", async () => {
    const result = await runAction({ workspace, scratch, inputs: { suites: "nowhere/*.cases.yaml" } });
    expect(result.code).toBe(2);
    expect(result.outputs).toEqual(Object.fromEntries(OUTPUT_NAMES.map((name) => [name, ""])));
  });

  it("reads no suite or cases file that links out of the workspace, and quotes none of it", async () => {
    // Files the runner holds outside the checkout, which a pull request can link to.
    const outside = join(base, "runner-secrets");
    mkdirSync(outside);
    const secret = "SECRET-7f3a9c: do not print";
    writeFileSync(join(outside, "cases.jsonl"), `{"input": "${secret}", "expected": "complaint"}\n`);
    writeFileSync(join(outside, "stolen.cases.yaml"), `name: "${secret}"\n`);

    mkdirSync(join(workspace, "linked"));
    const suite = readFileSync(DEMO_SUITE, "utf8")
      .replace("../../.cache/models/demo-base.gguf", forged.base)
      .replace("../../.cache/models/demo-lora.gguf", forged.lora)
      .replace(/\ncases:\n(?:(?: {2}- | {2}#).*\n|\n)+/, "\ncases_file: cases.jsonl\n");
    expect(suite).toContain("\ncases_file: cases.jsonl\n");
    expect(suite).not.toContain("\ncases:");
    writeFileSync(join(workspace, "linked/via-cases.cases.yaml"), suite);
    symlinkSync(join(outside, "cases.jsonl"), join(workspace, "linked/cases.jsonl"));
    symlinkSync(join(outside, "stolen.cases.yaml"), join(workspace, "linked/stolen.cases.yaml"));

    // The folder search walks into no link; a suite named by its path is checked where it really is.
    for (const suites of ["linked", "linked/via-cases.cases.yaml\nlinked/stolen.cases.yaml"]) {
      const result = await runAction({ workspace, scratch, inputs: { suites } });
      expect(result.code).toBe(2);
      const everything = [result.stdout, result.stderr, result.summary, JSON.stringify(result.outputs)].join("\n");
      expect(everything).not.toContain("SECRET-7f3a9c");
      expect(everything).toMatch(/the cases file .*cases\.jsonl lies outside the workspace/);
      if (suites.includes("stolen")) expect(everything).toMatch(/the suite file .*stolen\.cases\.yaml lies outside the workspace/);
      expect(result.stdout).not.toContain("model files loaded");
    }
  });

  it("reports a run that llama.cpp aborted: outputs set, bracket and group closed, the PR comment replaced", async () => {
    // An SPM vocabulary without its <0xXX> byte pieces passes every pre-load check and makes llama.cpp throw
    // std::out_of_range while loading: the process aborts (SIGABRT), as on a model nobody checked for.
    const demo = buildDemoModel(readDemoCorpus());
    const metadata = demo.base.metadata.map(([key, value]) =>
      key === "tokenizer.ggml.tokens" && value.type === GgufValueType.ARRAY
        ? ([key, { ...value, items: value.items.map((piece) => String(piece).replace(/^<0x/, "<0y")) }] as const)
        : ([key, value] as const),
    );
    const broken = writeGguf(join(scratch, "no-byte-pieces.gguf"), { ...demo.base, metadata } as GgufFile);
    mkdirSync(join(workspace, "crash"));
    const yaml = readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", broken).replace("../../.cache/models/demo-lora.gguf", forged.lora);
    writeFileSync(join(workspace, "crash/demo.cases.yaml"), yaml);

    const github = await startFakeGitHub();
    try {
      const key = `${REPOSITORY}#42`;
      github.comments.set(key, [{ id: 900, body: `${COMMENT_MARKER}\n## tunegate: ✅ pass`, html_url: "u", user: { login: "github-actions[bot]", type: "Bot" } }]);
      const result = await runAction({ workspace, scratch, inputs: { suites: "crash/demo.cases.yaml", comment: "true" }, apiUrl: github.url });
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stderr).toContain("std::out_of_range");
      expect(result.outputs).toEqual(Object.fromEntries(OUTPUT_NAMES.map((name) => [name, ""])));
      expect(result.summary).toContain("tunegate crashed: the run was ended by SIGABRT");
      expect(github.comments.get(key)![0]!.body).toContain("tunegate crashed: the run was ended by SIGABRT");
      // The worker's bracket is resumed by the supervisor with the same token, then the group is closed.
      const token = /^::stop-commands::(tunegate-[0-9a-f]{32})$/m.exec(result.stdout)?.[1];
      expect(token).toBeDefined();
      const resumedAt = result.stdout.indexOf(`::${token}::`);
      expect(resumedAt).toBeGreaterThan(result.stdout.indexOf(`::stop-commands::${token}`));
      expect(result.stdout.indexOf("::endgroup::", resumedAt)).toBeGreaterThan(resumedAt);
      expectNoForeignCommands(result);
    } finally {
      await github.close();
    }
  });
});
