// One measurement in a process of its own: node dist/bench/child.js TASK_JSON RESULT_FILE.
// The result goes to a file, not stdout, because llama.cpp may write to the process's streams.
import { writeFile } from "node:fs/promises";
import { isTunegateError } from "../src/errors.js";
import { createLocalEngine, type LocalEngine } from "../src/engine/local/local-engine.js";
import { measureLimit } from "./limit.js";
import { measureLoraMemory } from "./lora-memory.js";
import { runBaseline } from "./methods/baseline.js";
import type { MethodRun } from "./methods/method-run.js";
import { runTunegate } from "./methods/tunegate.js";
import { benchSuite } from "./suite.js";
import type { Measurement, MethodResult, ProcessFigures, Task, TaskResult } from "./tasks.js";

function processFigures(): ProcessFigures {
  return { maxRssBytes: process.resourceUsage().maxRSS * 1024 }; // Node reports kilobytes
}

async function runMethod(engine: LocalEngine, task: Extract<Task, { kind: "method" }>): Promise<MethodResult> {
  const suite = await benchSuite(task.models, task.cases, task.method === "tunegate" ? "logprob" : "generate");
  let run: MethodRun;
  let tokensMinimum: number | undefined;
  if (task.method === "baseline") {
    run = await runBaseline(engine, suite, task.threads);
  } else {
    const tunegate = await runTunegate(engine, suite, { threads: task.threads, parallelArms: task.parallelArms });
    run = tunegate;
    tokensMinimum = tunegate.tokensMinimum;
  }
  return {
    kind: "method",
    method: task.method,
    cases: task.cases,
    threads: run.threads,
    armsInParallel: run.armsInParallel,
    armsSpanMs: run.armsSpanMs,
    wallMs: run.wallMs,
    modelLoadMs: run.modelLoadMs,
    modelLoads: run.modelLoads,
    backend: run.backend,
    nodeLlamaCppVersion: run.nodeLlamaCppVersion,
    llamaDefaultThreads: (await engine.llama()).maxThreads,
    tokensEvaluated: run.arms.few_shot.tokensEvaluated + run.arms.lora.tokensEvaluated,
    ...(tokensMinimum !== undefined ? { tokensMinimum } : {}),
    arms: run.arms,
  };
}

async function measure(engine: LocalEngine, task: Task): Promise<Measurement> {
  switch (task.kind) {
    case "method":
      return runMethod(engine, task);
    case "limit":
      return measureLimit(engine, await benchSuite(task.models, task.cases, "logprob"), task.tokens, task.threads, task.replay);
    case "lora-memory":
      return measureLoraMemory(engine, await benchSuite(task.models, 1, "logprob"), task.threads);
  }
}

const [taskJson, resultFile] = process.argv.slice(2);
if (!taskJson || !resultFile) {
  console.error("usage: node dist/bench/child.js TASK_JSON RESULT_FILE (started by the benchmark, not by hand)");
  process.exit(2);
}
try {
  await using engine = createLocalEngine();
  const result: TaskResult = { ...(await measure(engine, JSON.parse(taskJson) as Task)), ...processFigures() };
  await writeFile(resultFile, JSON.stringify(result));
} catch (error) {
  console.error(isTunegateError(error) ? error.describe() : ((error as Error).stack ?? String(error)));
  process.exitCode = 1;
}
