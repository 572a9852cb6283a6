// The Action end to end, run as GitHub's runner runs it (see runner.ts): the compiled entry in a child
// process with INPUT_* and GITHUB_* set, on suites that give each gate, invalid input, a baseline, and the
// PR comment against a local stand-in for the API. (npm test builds first; these tests run dist/.)
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { COMMENT_MARKER } from "../../src/action/comment.js";
import type { Report } from "../../src/report/types.js";
import { DEMO_SUITE, forgeDemo, temporaryDir } from "../helpers/forged.js";
import { chatter, startFakeGitHub } from "./github-api.js";
import { FAKE_TOKEN, REPOSITORY, runAction, SHA, type ActionRun, type ActionRunOptions } from "./runner.js";

const forged = forgeDemo();
// One parent for everything: a run over suites in two folders has their common parent as its root, and
// Vitest keeps its results cache (node_modules/.vite) there.
const base = temporaryDir("tunegate-action-");
const workspace = join(base, "repository");
const scratch = join(base, "runner-temp");
const outside = join(base, "elsewhere");
for (const dir of [workspace, scratch, outside]) mkdirSync(dir);
const github = await startFakeGitHub();
afterAll(() => github.close());

/** A run that stops before any report still writes every output, empty, so none keeps an earlier value. */
const NO_OUTPUTS = Object.fromEntries(["verdict", "gate", "few-shot-accuracy", "lora-accuracy", "delta-points", "report-path", "suites", "regression"].map((name) => [name, ""]));

const NOT_HAPPY = "{ input: Not happy with the long wait., expected: complaint }";

/** The demo suite (fine-tune verdict, gate warn) with the forged models, `edit` applied. */
function demoSuite(path: string, edit: (yaml: string) => string = (y) => y): string {
  const yaml = readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", forged.base).replace("../../.cache/models/demo-lora.gguf", forged.lora);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, edit(yaml));
  return path;
}

/**
 * Cases with words the base model knows, so both arms agree: ship-prompt, gate pass. One case both arms
 * miss ("Not happy…": neither knows "wait") keeps a warning annotation in a passing run.
 */
function passingSuite(path: string): string {
  return demoSuite(path, (yaml) => {
    const start = yaml.indexOf("cases:");
    const end = yaml.indexOf("scoring:");
    const cases = [
      "{ input: The shipment arrived damaged., expected: complaint }",
      "{ input: Can you tell me your business hours?, expected: inquiry }",
      "{ input: This is the best product I've ever used!, expected: praise }",
      "{ input: I want to cancel., expected: cancellation }",
      "{ input: You sent me the wrong size., expected: complaint }",
      "{ input: Do you ship to Canada?, expected: inquiry }",
      "{ input: I love the new design., expected: praise }",
      "{ input: Stop the monthly box., expected: cancellation }",
      NOT_HAPPY,
    ];
    return `${yaml.slice(0, start)}cases:\n${cases.map((c) => `  - ${c}\n`).join("")}\n${yaml.slice(end)}`.replace("name: Customer message triage", "name: Known words");
  });
}

/** 1-based line and column of the first line containing `text`, and the column of its `{`. */
function place(path: string, text: string): { line: number; column: number } {
  const lines = readFileSync(path, "utf8").split("\n");
  const index = lines.findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} not in ${path}`);
  return { line: index + 1, column: Math.max(lines[index]!.indexOf("{"), 0) + 1 };
}

function readReport(run: ActionRun): Report {
  return JSON.parse(readFileSync(run.outputs["report-path"]!, "utf8")) as Report;
}

function run(options: Omit<ActionRunOptions, "workspace" | "scratch">): Promise<ActionRun> {
  return runAction({ workspace, scratch, ...options });
}

/** The outputs the report implies for a single-suite run. */
function expectOutputsMatchReport(result: ActionRun): Report {
  const report = readReport(result);
  const suite = report.suites[0]!;
  expect(result.outputs).toMatchObject({
    verdict: suite.verdict,
    gate: report.gate,
    "few-shot-accuracy": String(suite.arms.few_shot.accuracy),
    "lora-accuracy": String(suite.arms.lora.accuracy),
    "delta-points": String(suite.delta_points),
  });
  expect(Number(result.outputs["delta-points"])).toBeCloseTo(100 * (suite.arms.lora.accuracy - suite.arms.few_shot.accuracy), 9);
  return report;
}

const annotationsOf = (result: ActionRun, command: string) => result.annotations.filter((a) => a.command === command);
/** The failure message (an ::error:: without a file: what core.setFailed writes). */
const failureOf = (result: ActionRun) => result.annotations.find((a) => a.command === "error" && a.properties.file === undefined)?.message;

beforeEach(() => {
  github.comments.clear();
  github.requests.length = 0;
  github.pageSize = 100;
  github.forbidden = false;
  github.forbidWrites = false;
});

describe("tunegate action, as the runner runs it", () => {
  it("passes: outputs equal the report, a warning on the line of the one missed case, a linked summary", async () => {
    const suite = passingSuite(join(workspace, "evals/pass/known.cases.yaml"));
    const result = await run({ inputs: { "working-directory": "evals/pass", baseline: "no-report-yet.json" } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = expectOutputsMatchReport(result);
    expect(result.outputs).toMatchObject({ verdict: "ship-prompt", gate: "pass", "report-path": join(workspace, "evals/pass/tunegate-report.json") });
    expect(report.suites[0]!.file).toBe("known.cases.yaml");
    // The worker gets a libuv pool thread per arm (src/run/process-environment.ts): on a CPU with two cores or
    // more, its engine runs the arms side by side.
    const { engine } = report.suites[0]!;
    expect(engine.arms_in_parallel).toBe(engine.backend === "cpu" && availableParallelism() >= 2);

    const { line, column } = place(suite, "Not happy with the long wait.");
    expect(annotationsOf(result, "warning").map((a) => a.properties)).toEqual([
      { title: "tunegate: no baseline" },
      { title: "tunegate · Known words: missed by both arms", file: "evals/pass/known.cases.yaml", line: String(line), col: String(column) },
    ]);
    expect(annotationsOf(result, "error")).toEqual([]);
    expect(result.stdout).toContain(`::add-mask::${FAKE_TOKEN}`);

    expect(result.summary.startsWith("## tunegate: ✅ pass\n")).toBe(true);
    expect(result.summary).toContain(`(https://github.com/${REPOSITORY}/blob/${SHA}/evals/pass/known.cases.yaml#L${line})`);
  });

  it("uses a result cache only where cache-dir names one: a volume change re-reports from it, the summary says so", async () => {
    passingSuite(join(workspace, "evals/cached/known.cases.yaml"));
    const cacheDir = join(outside, "tunegate-cache");
    const inputs = { "working-directory": "evals/cached", "cache-dir": cacheDir };
    const first = await run({ inputs });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.summary).not.toContain("result cache");
    const second = await run({ inputs: { ...inputs, volume: "5" } });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(readReport(second).suites[0]!.cache).toMatchObject({ enabled: true, few_shot: 9, lora: 9 });
    expect(second.summary).toMatch(/♻️ 9 of 9 cases from the result cache, measured \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(second.stdout).toContain("model files loaded in this process: 0");

    // Without cache-dir there is none, even with a cache in the workspace's default folder.
    cpSync(cacheDir, join(workspace, "evals/cached/node_modules/.cache/tunegate"), { recursive: true });
    const unnamed = await run({ inputs: { "working-directory": "evals/cached" }, env: { TUNEGATE_NO_CACHE: "" } });
    expect(unnamed.stdout).toContain("result cache off on GitHub Actions");
    expect(readReport(unnamed).suites[0]!.cache).toMatchObject({ enabled: false, few_shot: 0, lora: 0 });
  });

  it("warns with two suites (run through npx): the warning suite decides, a warning per missed case on its line", async () => {
    const known = passingSuite(join(workspace, "warn/known.cases.yaml"));
    const suite = demoSuite(join(workspace, "warn/demo.cases.yaml"));
    const result = await run({ inputs: { suites: "warn/known.cases.yaml\nwarn/demo.cases.yaml", "report-path": "reports/warn.json" }, viaNpx: true });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = readReport(result);
    expect(report.suites.map((s) => [s.name, s.gate]).sort()).toEqual([
      ["Customer message triage", "warn"],
      ["Known words", "pass"],
    ]);
    // The deciding suite has the run's (worst) gate: the demo suite; its figures, verbatim.
    const demo = report.suites.find((s) => s.gate === "warn")!;
    expect(result.outputs).toEqual({
      verdict: "fine-tune",
      gate: "warn",
      "few-shot-accuracy": String(demo.arms.few_shot.accuracy),
      "lora-accuracy": String(demo.arms.lora.accuracy),
      "delta-points": String(demo.delta_points),
      "report-path": join(workspace, "reports/warn.json"),
      suites: JSON.stringify(
        [...report.suites].sort((a, b) => a.file.localeCompare(b.file)).map((s) => ({
          name: s.name,
          file: s.file,
          verdict: s.verdict,
          gate: s.gate,
          few_shot_accuracy: s.arms.few_shot.accuracy,
          lora_accuracy: s.arms.lora.accuracy,
          delta_points: s.delta_points,
        })),
      ),
      // No max-regression-points: no check ran, and the output says nothing rather than keeping a value.
      regression: "",
    });
    expect(demo.arms.few_shot.accuracy).toBeCloseTo(26 / 45, 12);

    const caseWarnings = annotationsOf(result, "warning").filter((a) => a.properties.title!.includes("missed"));
    const missed = report.suites.flatMap((s) => s.cases.filter((c) => !c.few_shot.correct || !c.lora.correct).map((c) => ({ c, path: s.file === "warn/known.cases.yaml" ? known : suite })));
    expect(caseWarnings.map((a) => [a.properties.file, Number(a.properties.line), Number(a.properties.col)])).toEqual(
      missed.map(({ c, path }) => [c.file, place(path, c.input).line, place(path, c.input).column]),
    );
    expect(missed.length).toBeGreaterThan(10);
    const gateWarning = annotationsOf(result, "warning").find((a) => a.properties.title!.includes("gate warn"));
    expect(gateWarning).toEqual({
      command: "warning",
      properties: { title: "tunegate · Customer message triage: gate warn (fine-tune)", file: "warn/demo.cases.yaml", line: "1" },
      message: demo.reason,
    });
    // GitHub shows only the first 10 warnings of a step: the gate's comes first.
    expect(annotationsOf(result, "warning")[0]).toEqual(gateWarning);
    expect(annotationsOf(result, "error")).toEqual([]);
    expect(result.summary.startsWith("## tunegate: ⚠️ warn\n")).toBe(true);
  });

  it("fails on a missed must case: the must case as an error on its line, the gate's reason as the failure", async () => {
    const edit = (y: string) =>
      y.replace("fail_on: never", "fail_on: fine-tune").replace(NOT_HAPPY, "{ input: Not happy with the long wait., expected: complaint, must: true }");
    const suite = demoSuite(join(workspace, "strict/strict.cases.yaml"), edit);
    const result = await run({ inputs: { suites: "strict/strict.cases.yaml" } });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const report = expectOutputsMatchReport(result);
    expect(result.outputs).toMatchObject({ verdict: "fine-tune", gate: "fail" });

    const { line, column } = place(suite, "Not happy with the long wait.");
    const errors = annotationsOf(result, "error").filter((a) => a.properties.file !== undefined);
    expect(errors.map((a) => a.properties)).toEqual([
      { title: "tunegate · Customer message triage: must case missed by both arms", file: "strict/strict.cases.yaml", line: String(line), col: String(column) },
    ]);
    expect(failureOf(result)).toBe(`tunegate gate failed: Customer message triage: ${report.suites[0]!.reason}`);
    expect(report.suites[0]!.reason).toMatch(/must/);
    expect(result.summary.startsWith("## tunegate: ❌ fail\n")).toBe(true);
  });

  it("reads no suite outside the repository: it is refused at its path before any model loads", async () => {
    const suite = demoSuite(join(outside, "strict.cases.yaml"));
    const result = await run({ inputs: { suites: suite } });
    expect(result.code).toBe(2);
    expect(failureOf(result)).toContain(`the suite file ${suite} lies outside the workspace`);
    expect(result.stdout).not.toContain("model files loaded");
  });

  it("fails on a few-shot regression against the baseline and on misses: fail, with the per-case diff in the summary", async () => {
    const suite = demoSuite(join(workspace, "regress/demo.cases.yaml"));
    // A baseline in which both arms got every case right, plus one case this run no longer has.
    const cases = [...readFileSync(suite, "utf8").matchAll(/- \{ input: "?(.*?)"?, expected: (\w+)/g)].map(([, input, expected]) => ({ input: input!, expected: expected! }));
    const right = (c: { expected: string }) => ({ predicted: c.expected, correct: true });
    const baselineCases = [...cases, { input: "A case since removed", expected: "inquiry" }].map((c) => ({ ...c, few_shot: right(c), lora: right(c) }));
    const perfect = { accuracy: 1, correct: baselineCases.length, total: baselineCases.length };
    // Its interval, which the HTML report draws beside this run's.
    const interval = { delta_points: 0, delta_ci95: [-4.5, 4.5] };
    const baseline = { version: 1, tool: "tunegate", suites: [{ name: "Customer message triage", file: "demo.cases.yaml", ...interval, arms: { few_shot: perfect, lora: perfect }, cases: baselineCases }] };
    writeFileSync(join(workspace, "regress/main-report.json"), JSON.stringify(baseline));

    // misses: fail as well: a second reason to fail that the gate (warn) does not show.
    const result = await run({ inputs: { "working-directory": "regress", baseline: "main-report.json", "max-regression-points": "5", misses: "fail", "html-path": "out/report.html" } });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const report = expectOutputsMatchReport(result);
    expect(result.outputs).toMatchObject({ gate: "warn", regression: "true" });

    const missedFewShot = report.suites[0]!.cases.filter((c) => !c.few_shot.correct);
    const drop = 100 * (1 - report.suites[0]!.arms.few_shot.accuracy);
    const missedTests = report.suites[0]!.cases.filter((c) => !c.few_shot.correct).length + report.suites[0]!.cases.filter((c) => !c.lora.correct).length;
    expect(failureOf(result)).toBe(
      `Customer message triage: few-shot accuracy fell ${drop.toFixed(2)} points against the baseline (100.0% → ${(100 * report.suites[0]!.arms.few_shot.accuracy).toFixed(1)}%), more than max-regression-points 5.\n` +
        `${missedTests} case tests failed: with \`misses: fail\` every missed case fails its test and the step (see the annotations).`,
    );
    const newly = annotationsOf(result, "warning").filter((a) => a.properties.title!.endsWith("(newly, against the baseline)"));
    expect(newly.map((a) => Number(a.properties.line))).toEqual(
      report.suites[0]!.cases.filter((c) => !c.few_shot.correct || !c.lora.correct).map((c) => place(suite, c.input).line),
    );
    expect(result.summary).toContain("### ❌ Against the baseline: few-shot accuracy regressed");
    expect(result.summary).toContain(`**Newly failing (${report.suites[0]!.cases.filter((c) => !c.few_shot.correct || !c.lora.correct).length})**`);
    expect(result.summary).toContain("0 cases new in this run and 1 case only in the baseline are not in the per-case diff.");
    expect(result.summary).toMatch(/> \[!CAUTION\]\n> Customer message triage: few-shot accuracy fell/);
    expect(missedFewShot.length).toBeGreaterThan(10);

    // The HTML report: the baseline's interval on the decision chart, the changed cases listed and filterable.
    const html = readFileSync(join(workspace, "regress/out/report.html"), "utf8");
    expect(html).toContain(`<g class="ci baseline" data-lower="-4.5" data-upper="4.5" data-delta="0">`);
    expect(html).toContain(`<h4>Newly failing (${report.suites[0]!.cases.filter((c) => !c.few_shot.correct || !c.lora.correct).length})</h4>`);
    expect(html).toContain(`<option value="changed">changed since the baseline</option>`);
    expect(html.match(/data-changed="1"/g)).toHaveLength(report.suites[0]!.cases.filter((c) => !c.few_shot.correct || !c.lora.correct).length);
  });

  it("posts one PR comment, found again across pages and edited on the next run", async () => {
    passingSuite(join(workspace, "comment/known.cases.yaml"));
    github.pageSize = 50;
    github.comments.set(`${REPOSITORY}#42`, chatter(120));
    const inputs = { "working-directory": "comment", comment: "true" } as const;

    const first = await run({ inputs, apiUrl: github.url });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${REPOSITORY}/issues/42/comments?per_page=100`,
      `GET /repos/${REPOSITORY}/issues/42/comments?per_page=50&page=2`,
      `GET /repos/${REPOSITORY}/issues/42/comments?per_page=50&page=3`,
      `POST /repos/${REPOSITORY}/issues/42/comments`,
    ]);
    expect(github.requests.every((r) => r.authorization === `Bearer ${FAKE_TOKEN}`)).toBe(true);
    const created = github.comments.get(`${REPOSITORY}#42`)!.at(-1)!;
    expect(created.body.startsWith(`${COMMENT_MARKER}\n## tunegate: ✅ pass\n`)).toBe(true);
    expect(created.body).toContain(`commit ${SHA.slice(0, 7)} · [workflow run](https://github.com/${REPOSITORY}/actions/runs/1234567890)`);

    github.requests.length = 0;
    const second = await run({ inputs, apiUrl: github.url });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    // The marked comment is adopted only once GraphQL has said it is the token's own (POST /graphql).
    expect(github.requests.map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual([
      `GET /repos/${REPOSITORY}/issues/42/comments`,
      `GET /repos/${REPOSITORY}/issues/42/comments`,
      `GET /repos/${REPOSITORY}/issues/42/comments`,
      "POST /graphql",
      `PATCH /repos/${REPOSITORY}/issues/comments/${created.id}`,
    ]);
    expect(github.requests.at(-1)!.path).toBe(`/repos/${REPOSITORY}/issues/comments/${created.id}`);
    expect(github.comments.get(`${REPOSITORY}#42`)!.filter((c) => c.body.startsWith(COMMENT_MARKER))).toHaveLength(1);
    expect(second.stdout).toContain(`PR comment updated: ${created.html_url}`);
  });

  it("turns a 403 from the API into a warning and keeps the step green", async () => {
    passingSuite(join(workspace, "forbidden/known.cases.yaml"));
    github.forbidWrites = true;
    const result = await run({ inputs: { "working-directory": "forbidden", comment: "true" }, apiUrl: github.url });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const warning = annotationsOf(result, "warning").find((a) => a.properties.title === "tunegate: no PR comment (403)");
    expect(warning?.message).toMatch(/^The PR comment could not be written: POST \/repos\/acme\/support-triage\/issues\/42\/comments answered 403: Resource not accessible by integration\. A pull request from a fork/);
    expect(result.outputs.gate).toBe("pass");
  });
});

describe("tunegate action on invalid input", () => {
  it("fails an invalid suite with an error on its line, a summary and exit 2, before loading a model", async () => {
    const suite = demoSuite(join(workspace, "invalid/broken.cases.yaml"), (y) => y.replace("labels:", "lables:"));
    const result = await run({ inputs: { "working-directory": "invalid" } });
    expect(result.code).toBe(2);
    const { line } = place(suite, "lables:");
    const onLine = annotationsOf(result, "error").filter((a) => a.properties.file !== undefined);
    expect(onLine[0]).toMatchObject({ properties: { file: "invalid/broken.cases.yaml", line: String(line), col: "1" } });
    expect(onLine[0]!.message).toContain("lables");
    expect(failureOf(result)).toMatch(new RegExp(`broken\\.cases\\.yaml:${line}:1: error: .*lables`));
    expect(result.outputs).toEqual(NO_OUTPUTS);
    expect(result.summary).toMatch(/^## tunegate: ❌ could not run\n\n````text\n.*broken\.cases\.yaml:\d+:1: error/);
    expect(result.stdout).not.toContain("model files loaded");
  });

  it("names each bad input, and writes no comment outside a pull request", async () => {
    const result = await run({ inputs: { "fail-on": "always", volume: "lots", comment: "true" }, eventName: "push", apiUrl: github.url });
    expect(result.code).toBe(2);
    expect(failureOf(result)).toBe(
      'Input `volume`: expected calls a day, a number from 0 to 1000000000000 (digits only, e.g. 120000), got "lots".\nInput `fail-on`: expected one of fine-tune, gray-zone, never, got "always".',
    );
    expect(github.requests).toEqual([]);
  });

  it("reads comment with the toolkit's boolean rules, naming the input when it is not one", async () => {
    const result = await run({ inputs: { comment: "yes" }, apiUrl: github.url });
    expect(result.code).toBe(2);
    expect(failureOf(result)).toBe('Input `comment`: expected true or false, got "yes".');
    expect(github.requests).toEqual([]);
  });

  it("says which input is wrong for a missing folder, unmatched globs and an unreadable baseline", async () => {
    const folder = await run({ inputs: { "working-directory": "no/such/dir" } });
    expect(folder.code).toBe(2);
    expect(failureOf(folder)).toBe(`Input \`working-directory\`: ${join(workspace, "no/such/dir")} is not a folder (relative paths start at GITHUB_WORKSPACE, ${workspace}).`);

    const globs = await run({ inputs: { suites: "nowhere/**/*.cases.yaml\nwarn/demo.cases.yaml" } });
    expect(globs.code).toBe(2);
    expect(failureOf(globs)).toMatch(/^Input `suites`: no suite files \(\*\.cases\.yaml\) match "nowhere\/\*\*\/\*\.cases\.yaml" in /);

    writeFileSync(join(workspace, "not-json.json"), "<html>");
    const baseline = await run({ inputs: { suites: "warn/demo.cases.yaml", baseline: "not-json.json" } });
    expect(baseline.code).toBe(2);
    expect(failureOf(baseline)).toMatch(/^Input `baseline`: .*not-json\.json is not JSON/);
  });

  it("names `report-path` when the report cannot be written there, before loading a model", async () => {
    demoSuite(join(workspace, "destination/demo.cases.yaml"));
    writeFileSync(join(workspace, "destination/a-file"), "");
    const result = await run({ inputs: { "working-directory": "destination", "report-path": "a-file/report.json" } });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(failureOf(result)).toBe(`Input \`report-path\`: ${join(workspace, "destination/a-file/report.json")} cannot be written: ${join(workspace, "destination/a-file")} is a file, not a folder.`);
    expect(result.stdout).not.toContain("model files loaded");
    expect(result.outputs).toEqual(NO_OUTPUTS);
  });

  it("names `html-path` when the HTML report cannot be written there, before loading a model", async () => {
    demoSuite(join(workspace, "html-destination/demo.cases.yaml"));
    mkdirSync(join(workspace, "html-destination/a-folder"), { recursive: true });
    const result = await run({ inputs: { "working-directory": "html-destination", "html-path": "a-folder" } });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(failureOf(result)).toBe(`Input \`html-path\`: ${join(workspace, "html-destination/a-folder")} is a folder; give a file name, such as report.json.`);
    expect(result.stdout).not.toContain("model files loaded");
  });

  it("fails a suite whose model is missing or whose adapter is not one, at the line that names it", async () => {
    const missing = demoSuite(join(workspace, "models/missing.cases.yaml"), (y) => y.replace(forged.base, join(outside, "gone.gguf")));
    const result = await run({ inputs: { suites: "models/missing.cases.yaml" } });
    expect(result.code).toBe(2);
    expect(annotationsOf(result, "error")[0]).toMatchObject({ properties: { file: "models/missing.cases.yaml", line: String(place(missing, "gone.gguf").line) } });
    expect(failureOf(result)).toContain("gone.gguf");

    const fakeAdapter = join(outside, "not-an-adapter.gguf");
    writeFileSync(fakeAdapter, "GGUF but not really");
    const adapter = demoSuite(join(workspace, "models/adapter.cases.yaml"), (y) => y.replace(forged.lora, fakeAdapter));
    const failed = await run({ inputs: { suites: "models/adapter.cases.yaml" } });
    expect(failed.code, failed.stdout + failed.stderr).toBe(2);
    // Refused while validating, by the same GGUF check `tunegate validate` runs, before Vitest starts.
    expect(annotationsOf(failed, "error")[0]).toMatchObject({ properties: { title: "tunegate: invalid suite (model-unusable)", file: "models/adapter.cases.yaml", line: String(place(adapter, "not-an-adapter.gguf").line) } });
    expect(failureOf(failed)).toContain("not-an-adapter.gguf");
    expect(failed.outputs).toEqual(NO_OUTPUTS);
  });
});
