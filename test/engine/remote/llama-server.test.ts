// The remote engine against a real llama-server (built from the llama.cpp node-llama-cpp bundles): the same
// suite files give the same predictions as in-process and every label score within 1e-3 nats; the canaries,
// the file matching and fail-closed behaviour against real servers. Every server is killed with its process
// group when this file ends.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine } from "../../../src/engine/local/local-engine.js";
import { createRemoteEngine } from "../../../src/engine/remote/remote-engine.js";
import { openRemoteEngine } from "../../../src/engine/remote/replicas.js";
import { TunegateError } from "../../../src/errors.js";
import { loadStorySuite } from "../../helpers/story-suite.js";
import type { Suite, SuiteRun } from "../../../src/types.js";
import { adapterFileNameFor, buildAdapterFor } from "../../../tools/forge/adapter-for.js";
import { buildSuiteReport } from "../../../src/report/build.js";
import { DEMO_SUITE, forgeDemo, loadDemoSuite, SHARED_MODELS, temporaryDir, writeGguf } from "../../helpers/forged.js";
import { LLAMA_SERVER, startLlamaServer, type RunningServer } from "../../helpers/llama-server.js";
import { runAction } from "../../action/runner.js";

const TOLERANCE = 1e-3;
const ROOT = join(import.meta.dirname, "../../..");
const BIN = join(ROOT, "bin/tunegate.js");
const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");

/**
 * Runs Node on these arguments, asynchronously: a blocked event loop would stop reading the servers' log
 * pipes, and the servers with them.
 */
function runNode(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, output: stdout + stderr }),
    );
  });
}
/** What the README tells users to start: adapters off unless a request sets them, no host-memory prompt cache. */
const SAFE = ["--lora-init-without-apply", "--cache-ram", "0"];

const local = createLocalEngine();
afterAll(() => local.dispose());

/** Same predictions, and every label score within TOLERANCE, arm by arm and case by case. */
function expectSameRun(remote: SuiteRun, inProcess: SuiteRun, tolerance = TOLERANCE): void {
  for (const arm of ["few_shot", "lora"] as const) {
    expect(remote.arms[arm].cases.map((c) => c.predicted)).toEqual(inProcess.arms[arm].cases.map((c) => c.predicted));
    expect(remote.arms[arm].multiTokenLabels).toEqual(inProcess.arms[arm].multiTokenLabels);
    remote.arms[arm].cases.forEach((c, i) => {
      const expected = inProcess.arms[arm].cases[i]!;
      expect(Object.keys(c.scores)).toEqual(Object.keys(expected.scores));
      for (const [label, score] of Object.entries(expected.scores)) expect(Math.abs(c.scores[label]! - score)).toBeLessThanOrEqual(tolerance);
      expect(c.promptTokens).toBe(expected.promptTokens);
      expect(c.outputTokens).toBe(expected.outputTokens);
      // In-process detokenising drops the SentencePiece leading space of the first token; the server's pieces keep it.
      if (expected.generated !== undefined) expect(c.generated?.trimStart()).toBe(expected.generated.trimStart());
    });
  }
}

describe.skipIf(!LLAMA_SERVER)("llama-server on the forged demo models", () => {
  const forged = forgeDemo();
  let server: RunningServer;
  let suite: Suite;
  let inProcess: SuiteRun;
  let expected: { verdict: string; gate: string };

  /** The demo suite file, its models pointed at the forged files the server was started on. */
  const demoYaml = () => readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", forged.base).replace("../../.cache/models/demo-lora.gguf", forged.lora);
  /** A JSON report of the demo suite: the in-process verdict and predictions, and the engine that ran it. */
  const expectSameReport = (path: string) => {
    const [only] = (JSON.parse(readFileSync(path, "utf8")) as { suites: { engine: Record<string, unknown>; verdict: string; gate: string; cases: { few_shot: { predicted: string }; lora: { predicted: string } }[] }[] }).suites;
    expect(only!.verdict).toBe(expected.verdict);
    expect(only!.gate).toBe(expected.gate);
    expect(only!.engine).toMatchObject({ kind: "llama-server", url: server.url });
    expect(only!.cases.map((c) => c.few_shot.predicted)).toEqual(inProcess.arms.few_shot.cases.map((c) => c.predicted));
    expect(only!.cases.map((c) => c.lora.predicted)).toEqual(inProcess.arms.lora.cases.map((c) => c.predicted));
  };

  beforeAll(async () => {
    suite = await loadDemoSuite(forged);
    [server, inProcess] = await Promise.all([
      startLlamaServer(["-m", forged.base, "--lora", forged.lora, ...SAFE, "-c", "4096", "-np", "2"]),
      local.runSuite(suite, { threads: 1 }),
    ]);
    const report = buildSuiteReport(inProcess);
    expected = { verdict: report.verdict, gate: report.gate };
  }, 120_000);

  it("gives the in-process predictions and scores (within 1e-3 nats), reports what ran it, and reuses the prefix", async () => {
    await using remote = createRemoteEngine({ url: server.url });
    const progress: string[] = [];
    const run = await remote.runSuite(suite, { onProgress: (p) => progress.push(`${p.arm}:${p.done}`) });
    expectSameRun(run, inProcess);
    // Phases: every few-shot case before any LoRA case.
    expect(progress.indexOf("lora:1")).toBeGreaterThan(progress.indexOf(`few_shot:${suite.cases.length}`));
    expect(run.engine).toMatchObject({ kind: "llama-server", remote: { url: server.url, concurrency: 2 } });
    expect(run.engine.remote!.version).not.toBe("");
    // The few-shot block is not evaluated once per case: far less than every prompt in full.
    const fewShot = run.arms.few_shot;
    const whole = fewShot.cases.reduce((sum, c) => sum + c.promptTokens, 0);
    expect(fewShot.tokensEvaluated).toBeLessThan(whole / 3);
    expect(fewShot.tokensEvaluated).toBeGreaterThanOrEqual(fewShot.tokensMinimum);
    expect(remote.lastCanaries!.lora).not.toBeCloseTo(remote.lastCanaries!.base, 3);
  }, 120_000);

  it("tunegate run --engine-url (the built CLI): the same predictions, and the report names the engine", async () => {
    const dir = temporaryDir();
    const file = join(dir, "demo.cases.yaml");
    writeFileSync(file, demoYaml());
    const cli = await runNode([BIN, "run", file, "--engine-url", server.url, "--json", join(dir, "report.json")], dir, { TUNEGATE_ENGINE_URL: "", GITHUB_ACTIONS: "" });
    expect([0, 1], cli.output).toContain(cli.code);
    expectSameReport(join(dir, "report.json"));
    const [only] = (JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as { suites: { engine: Record<string, unknown> }[] }).suites;
    expect(only!.engine).toMatchObject({ concurrency: 2 });
  }, 120_000);

  it("through the Vitest plugin (option engine): the same predictions, and the report names the engine", async () => {
    const project = temporaryDir("tunegate-remote-project-");
    const plugin = JSON.stringify(join(ROOT, "dist/src/vitest/index.js"));
    writeFileSync(join(project, "vitest.config.mjs"), `import { tunegate } from ${plugin};\nexport default { plugins: [tunegate({ engine: { url: ${JSON.stringify(server.url)} }, report: { json: "report.json" } })] };\n`);
    writeFileSync(join(project, "demo.cases.yaml"), demoYaml());
    const { code, output } = await runNode([VITEST, "run"], project, { TUNEGATE_ENGINE_URL: "", GITHUB_ACTIONS: "", NO_COLOR: "1" });
    expect([0, 1], output).toContain(code);
    expectSameReport(join(project, "report.json"));
  }, 180_000);

  it("through the Action (input engine-url), with the runner's environment: the same verdict in its outputs", async () => {
    // The suite and its models inside the workspace (the Action confines suite files to it); the server runs on the same files.
    const scratch = temporaryDir("tunegate-remote-runner-");
    writeFileSync(join(forged.dir, "demo.cases.yaml"), demoYaml());
    const run = await runAction({ workspace: forged.dir, scratch, inputs: { suites: "demo.cases.yaml", "engine-url": server.url, comment: "false" } });
    expect([0, 1], run.stdout + run.stderr).toContain(run.code);
    expect(run.outputs).toMatchObject({ verdict: expected.verdict, gate: expected.gate });
    expectSameReport(run.outputs["report-path"]!);
    expect(run.summary).toContain("measured on llama-server");
    expect(run.summary).not.toContain(server.url);
  }, 180_000);

  it("a canary stops an adapter that changes nothing (lora.scale 1e-9): no case runs", async () => {
    const faint = await loadDemoSuite(forged, (s) => ({ ...s, lora: { ...s.lora, scale: 1e-9 } }));
    await using remote = createRemoteEngine({ url: server.url });
    let progressed = false;
    const error = (await remote.runSuite(faint, { onProgress: () => (progressed = true) }).catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_UNTRUSTED");
    expect(error.message).toContain("the LoRA arm scores every label as the base model does");
    expect(progressed).toBe(false);
  }, 60_000);

  it("refuses a server that did not load the suite's adapter, naming both", async () => {
    const bare = await startLlamaServer(["-m", forged.base, ...SAFE, "-c", "2048"]);
    await using remote = createRemoteEngine({ url: bare.url });
    const error = (await remote.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_MISMATCH");
    expect(error.message).toContain("demo-lora.gguf");
    expect(error.message).toContain("its adapters: none");
    await bare.stop();
  }, 60_000);

  it("refuses a server on another base model, naming both", async () => {
    const other = await loadDemoSuite(forged, (s) => ({ ...s, fewShot: { ...s.fewShot, model: { ...s.fewShot.model, path: join(forged.dir, "other-base.gguf") } }, lora: { ...s.lora, model: { ...s.lora.model, path: join(forged.dir, "other-base.gguf") } } }));
    writeFileSync(join(forged.dir, "other-base.gguf"), "another model's bytes");
    await using remote = createRemoteEngine({ url: server.url });
    const error = (await remote.runSuite(other).catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_MISMATCH");
    expect(error.message).toContain("demo-base.gguf");
    expect(error.message).toContain("other-base.gguf");
  }, 60_000);

  it("kills the server mid-run: a clear error naming how many cases are missing, and no run", async () => {
    const doomed = await startLlamaServer(["-m", forged.base, "--lora", forged.lora, ...SAFE, "-c", "2048", "-np", "1"]);
    await using remote = createRemoteEngine({ url: doomed.url, retries: 2, backoffMs: 20, timeoutMs: 5000 });
    let killed = false;
    const outcome = await remote
      .runSuite(suite, {
        onProgress: (p) => {
          if (!killed && p.arm === "few_shot" && p.done >= 3) {
            killed = true;
            void doomed.stop();
          }
        },
      })
      .catch((e: unknown) => e);
    expect(killed).toBe(true);
    expect(outcome).toBeInstanceOf(TunegateError);
    const error = outcome as TunegateError;
    expect(error.code).toBe("ENGINE_INCOMPLETE");
    expect(error.message).toMatch(/^\d+ of \d+ case evaluations were not scored, so this suite gets no verdict: the few-shot arm failed on case \d+/);
    const [missing, total] = error.message.match(/^(\d+) of (\d+)/)!.slice(1).map(Number);
    expect(total).toBe(2 * suite.cases.length);
    expect(missing).toBeGreaterThanOrEqual(suite.cases.length);
    expect(missing).toBeLessThan(total!);
    expect(error.message).toMatch(/ECONNREFUSED|ECONNRESET|socket|other side closed|fetch failed/);
  }, 60_000);

  it("with a server on default settings (adapter applied globally, host-memory prompt cache on): the same numbers, or a canary names the trap", async () => {
    const defaults = await startLlamaServer(["-m", forged.base, "--lora", forged.lora, "-c", "4096", "-np", "2"]);
    await using remote = createRemoteEngine({ url: defaults.url });
    const outcome = await remote.runSuite(suite).catch((e: unknown) => e);
    if (outcome instanceof TunegateError) {
      expect(outcome.code).toBe("ENGINE_UNTRUSTED");
      expect(outcome.hint).toContain("--cache-ram 0");
    } else {
      expectSameRun(outcome as SuiteRun, inProcess);
    }
    await defaults.stop();
  }, 120_000);
});

const stories = join(SHARED_MODELS, "stories260K.gguf");

// A real model: stories260K (F32 weights, sharp distributions) magnifies kernel differences that the demo
// models hide: a server built with other CPU kernels than node-llama-cpp's differed by up to 1.7e-2 nats.
describe.skipIf(!LLAMA_SERVER || !existsSync(stories))("llama-server on stories260K.gguf (a real model) with a forged adapter", () => {
  const dir = temporaryDir();
  let adapter: string;
  let server: RunningServer;

  const storySuite = (scoring: string, extra = ""): Promise<Suite> =>
    loadStorySuite(
      {
        model: stories,
        adapter,
        labels: ["happy", "sad"],
        examples: [["Lily found a puppy and smiled.", "happy"], ["Tom lost his red ball and cried.", "sad"]],
        cases: [["The boy got a new toy.", "happy"], ["The bird hurt its wing.", "sad"], ["Mom baked a big cake.", "happy"], ["The dog was alone in the rain.", "sad"]],
        scoring,
        extra,
      },
      dir,
    );


  beforeAll(async () => {
    adapter = writeGguf(join(dir, adapterFileNameFor(stories)), await buildAdapterFor(stories));
    server = await startLlamaServer(["-m", stories, "--lora", adapter, ...SAFE, "-c", "1024", "-np", "2"]);
  }, 60_000);

  for (const [name, scoring, extra] of [
    ["logprob (multi-token labels)", "logprob", ""],
    ["logprob, length-normalised", "logprob", "length_normalize: true"],
    ["generate", "generate", ""],
  ] as const) {
    it(`${name}: the in-process predictions and scores`, async () => {
      const suite = await storySuite(scoring, extra);
      await using remote = createRemoteEngine({ url: server.url, concurrency: 1 });
      const [remoteRun, localRun] = [await remote.runSuite(suite), await local.runSuite(suite, { threads: 1 })];
      expectSameRun(remoteRun, localRun);
    }, 60_000);
  }
});

describe.skipIf(!LLAMA_SERVER)("llama-server replicas: one engine URL listing two servers", () => {
  const forged = forgeDemo();

  it("spreads the cases over both servers and gives the in-process predictions and scores; one replica killed mid-run leaves no verdict, naming it", async () => {
    const suite = await loadDemoSuite(forged);
    const args = ["-m", forged.base, "--lora", forged.lora, ...SAFE, "-c", "2048", "-np", "1", "--metrics"];
    const [a, b, inProcess] = await Promise.all([startLlamaServer(args), startLlamaServer(args), local.runSuite(suite, { threads: 1 })]);
    await using engine = openRemoteEngine({ url: `${a.url}, ${b.url}` });
    const run = await engine.runSuite(suite);
    expectSameRun(run, inProcess);
    expect(run.engine.remote).toMatchObject({ url: `${a.url}, ${b.url}`, concurrency: 2 });
    // Both servers evaluated prompts: their own counters say so.
    for (const server of [a, b]) {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(Number(/^llamacpp:prompt_tokens_total (\d+)/m.exec(metrics)?.[1] ?? 0), server.url).toBeGreaterThan(100);
    }
    // Killing one replica mid-run: no verdict, and the message names that replica.
    let killed = false;
    const outcome = await engine
      .runSuite(suite, {
        onProgress: (p) => {
          if (!killed && p.done >= 4) {
            killed = true;
            void b.stop();
          }
        },
      })
      .catch((e: unknown) => e);
    expect((outcome as TunegateError).code).toBe("ENGINE_INCOMPLETE");
    expect((outcome as TunegateError).message).toContain(`the replica at ${b.url} failed`);
    await a.stop();
  }, 180_000);
});
