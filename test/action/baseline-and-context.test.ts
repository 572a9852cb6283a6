// Reading the baseline file and the runner's context (GITHUB_* variables, the event payload).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBaseline } from "../../src/action/baseline.js";
import { pullRequestNumber, pullRequestOfRun, readRunnerContext, runUrl } from "../../src/action/context.js";
import { reportToJson } from "../../src/report/build.js";
import { temporaryDir } from "../helpers/forged.js";
import { reportOf, rows } from "./reports.js";

const dir = temporaryDir("tunegate-action-baseline-");
const EVENT = join(import.meta.dirname, "fixtures/pull_request.synchronize.json");

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("loadBaseline", () => {
  it("loads a report tunegate wrote, and one with fields a later version may add", async () => {
    const report = reportOf({ cases: rows(3) });
    const loaded = await loadBaseline(write("report.json", reportToJson(report)));
    expect(loaded).toEqual({ ok: true, value: JSON.parse(reportToJson(report)) });
    const extended = { ...JSON.parse(reportToJson(report)), extra: { any: 1 } };
    expect((await loadBaseline(write("extended.json", JSON.stringify(extended)))).ok).toBe(true);
  });

  it("requires only what the comparison reads, but checks every field present against the report schema", async () => {
    type Json = Record<string, unknown>;
    const report = JSON.parse(reportToJson(reportOf({ cases: rows(2) }))) as { suites: Array<Json & { arms: Json; cases: Json[] }> };
    const arm = (a: Json) => ({ accuracy: a.accuracy, correct: a.correct, total: a.total });
    const caseArm = (a: Json) => ({ predicted: a.predicted, correct: a.correct });
    const partial = {
      version: 1,
      tool: "tunegate",
      suites: report.suites.map((suite) => ({
        name: suite.name,
        file: suite.file,
        arms: { few_shot: arm(suite.arms.few_shot as Json), lora: arm(suite.arms.lora as Json) },
        cases: suite.cases.map((c) => ({ input: c.input, expected: c.expected, few_shot: caseArm(c.few_shot as Json), lora: caseArm(c.lora as Json) })),
      })),
    };
    expect((await loadBaseline(write("partial.json", JSON.stringify(partial)))).ok).toBe(true);
    report.suites[0]!.verdict = "maybe";
    const wrongVerdict = await loadBaseline(write("wrong-verdict.json", JSON.stringify(report)));
    expect(wrongVerdict).toMatchObject({
      ok: false,
      problems: [{ reason: "invalid", message: expect.stringContaining("/suites/0/verdict must be equal to one of the allowed values") }],
    });
  });

  it("says a missing file is skipped", async () => {
    const path = join(dir, "nothing.json");
    expect(await loadBaseline(path)).toEqual({
      ok: false,
      problems: [{ reason: "missing", message: `Input \`baseline\`: no file at ${path}; the comparison with the baseline is skipped.` }],
    });
  });

  it("refuses a folder, non-JSON and JSON that is not a tunegate report, saying where", async () => {
    mkdirSync(join(dir, "folder"));
    expect(await loadBaseline(join(dir, "folder"))).toMatchObject({ ok: false, problems: [{ reason: "invalid", message: expect.stringContaining("is a folder") }] });
    const notJson = await loadBaseline(write("bad.json", "{ nope"));
    expect(notJson).toMatchObject({ ok: false, problems: [{ reason: "invalid", message: expect.stringMatching(/^Input `baseline`: .*bad\.json is not JSON \(/) }] });
    const other = await loadBaseline(write("other.json", JSON.stringify({ version: 1, tool: "jest", suites: [] })));
    expect(other).toEqual({
      ok: false,
      problems: [{ reason: "invalid", message: `Input \`baseline\`: ${join(dir, "other.json")} is not a tunegate JSON report of version 1: /tool must be "tunegate".` }],
    });
    const report = JSON.parse(reportToJson(reportOf({ cases: rows(2) }))) as { suites: Array<{ cases: Array<Record<string, unknown>> }> };
    delete report.suites[0]!.cases[1]!.lora;
    const broken = await loadBaseline(write("broken.json", JSON.stringify(report)));
    expect(broken).toMatchObject({ ok: false, problems: [{ reason: "invalid", message: expect.stringContaining("/suites/0/cases/1 must have required property 'lora'") }] });
  });
});

describe("runner context", () => {
  it("reads the GITHUB_* variables, with github.com defaults and no trailing slashes", () => {
    expect(readRunnerContext({}, "/cwd")).toEqual({
      workspace: "/cwd",
      serverUrl: "https://github.com",
      apiUrl: "https://api.github.com",
      graphqlUrl: "https://api.github.com/graphql",
      repository: undefined,
      sha: undefined,
      eventName: undefined,
      eventPath: undefined,
      runId: undefined,
    });
    const context = readRunnerContext(
      { GITHUB_WORKSPACE: "/w", GITHUB_SERVER_URL: "https://ghe.example.com/", GITHUB_API_URL: "https://ghe.example.com/api/v3/", GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "9" },
      "/cwd",
    );
    expect(context).toMatchObject({
      workspace: "/w",
      serverUrl: "https://ghe.example.com",
      apiUrl: "https://ghe.example.com/api/v3",
      graphqlUrl: "https://ghe.example.com/api/graphql",
    });
    expect(readRunnerContext({ GITHUB_GRAPHQL_URL: "https://api.example.com/gql/" }, "/cwd").graphqlUrl).toBe("https://api.example.com/gql");
    expect(runUrl(context)).toBe("https://ghe.example.com/o/r/actions/runs/9");
  });

  it("finds the pull request in a pull_request or pull_request_target payload only", async () => {
    const base = readRunnerContext({ GITHUB_EVENT_PATH: EVENT }, "/");
    expect(await pullRequestOfRun({ ...base, eventName: "pull_request" })).toEqual({ ok: true, value: 42 });
    expect(await pullRequestOfRun({ ...base, eventName: "pull_request_target" })).toEqual({ ok: true, value: 42 });
    expect(await pullRequestOfRun({ ...base, eventName: "push" })).toEqual({ ok: false, problems: ["the event is push, not pull_request or pull_request_target"] });
    expect(await pullRequestOfRun({ ...base, eventName: undefined })).toMatchObject({ ok: false, problems: [expect.stringContaining("GITHUB_EVENT_NAME is not set")] });
    expect(await pullRequestOfRun({ ...base, eventName: "pull_request", eventPath: undefined })).toMatchObject({ ok: false, problems: [expect.stringContaining("GITHUB_EVENT_PATH")] });
    expect(await pullRequestOfRun({ ...base, eventName: "pull_request", eventPath: join(dir, "none.json") })).toMatchObject({ ok: false, problems: [expect.stringContaining("could not be read")] });
    expect(pullRequestNumber({ number: 3 })).toBeUndefined();
    expect(pullRequestNumber({ pull_request: { number: "3" } })).toBeUndefined();
    expect(pullRequestNumber(null)).toBeUndefined();
  });
});
