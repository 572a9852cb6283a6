// The benchmark's remote row: the same 64-case bench suite through llama-server on this machine (started here,
// on 127.0.0.1, with the bench models) beside the in-process engine, one run each after a warm-up of the
// server: wall time, tokens evaluated against the minimum, and agreement of predictions and scores.
//   npm run build && node dist/bench/remote.js [--server PATH] [--cases N] [--slots N]
// PATH defaults to TUNEGATE_LLAMA_SERVER (tools/build-llama-server.sh prints it).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createLocalEngine } from "../src/engine/local/local-engine.js";
import { createRemoteEngine } from "../src/engine/remote/remote-engine.js";
import type { SuiteRun } from "../src/types.js";
import { ensureBenchModels } from "./models.js";
import { benchSuite } from "./suite.js";

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

function summary(name: string, run: SuiteRun, wallMs: number): string {
  const evaluated = run.arms.few_shot.tokensEvaluated + run.arms.lora.tokensEvaluated;
  const minimum = run.arms.few_shot.tokensMinimum + run.arms.lora.tokensMinimum;
  return `| ${name} | ${(wallMs / 1000).toFixed(2)} s | ${evaluated} | ${minimum} | ${(evaluated / minimum).toFixed(2)}x |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { server: { type: "string" }, cases: { type: "string", default: "64" }, slots: { type: "string", default: "2" } } });
  const binary = values.server ?? process.env.TUNEGATE_LLAMA_SERVER;
  if (!binary) throw new Error("no llama-server: pass --server PATH or set TUNEGATE_LLAMA_SERVER (bash tools/build-llama-server.sh prints it)");
  const root = resolve(import.meta.dirname, "../..");
  const models = await ensureBenchModels(root);
  const suite = await benchSuite(models, Number(values.cases), "logprob");
  const slots = Number(values.slots);
  const threads = String(Math.max(1, availableParallelism()));
  const port = await freePort();
  const server = spawn(binary, ["-m", models.base, "--lora", models.lora, "--lora-init-without-apply", "--cache-ram", "0", "-c", String(2048 * slots), "-np", String(slots), "--threads", threads, "--host", "127.0.0.1", "--port", String(port)], { detached: true, stdio: "ignore" });
  const stop = () => {
    try {
      process.kill(-server.pid!, "SIGKILL");
    } catch {
      // gone
    }
  };
  process.once("exit", stop);
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error("llama-server did not start in 60 s");
      const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await using remote = createRemoteEngine({ url });
    await using local = createLocalEngine();
    await local.loadModel(models.base);
    let started = performance.now();
    const remoteRun = await remote.runSuite(suite);
    const remoteMs = performance.now() - started;
    started = performance.now();
    const localRun = await local.runSuite(suite);
    const localMs = performance.now() - started;
    let worst = 0;
    let same = 0;
    for (const arm of ["few_shot", "lora"] as const) {
      remoteRun.arms[arm].cases.forEach((c, i) => {
        const other = localRun.arms[arm].cases[i]!;
        if (c.predicted === other.predicted) same++;
        for (const [label, score] of Object.entries(other.scores)) worst = Math.max(worst, Math.abs(c.scores[label]! - score));
      });
    }
    console.log(`bench remote: ${suite.cases.length} cases x 2 arms, bench models, llama-server ${remoteRun.engine.remote!.version}, ${slots} slots (concurrency ${remoteRun.engine.remote!.concurrency}), ${threads} server threads`);
    console.log("| engine | wall (both arms; model load excluded; remote: tokenising and canaries included) | tokens evaluated | minimum | ratio |");
    console.log("|---|---|---|---|---|");
    console.log(summary("in-process (node-llama-cpp)", localRun, localMs));
    console.log(summary("llama-server (HTTP)", remoteRun, remoteMs));
    console.log(`same predictions: ${same}/${2 * suite.cases.length}; largest score difference: ${worst.toExponential(2)} nats; canary requests: ${remote.lastCanaries?.requests ?? 0}`);
  } finally {
    stop();
  }
}

await main();
