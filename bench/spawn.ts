// Runs one task in a fresh Node process and returns what it measured.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RUN_THREAD_POOL_SIZE } from "../src/run/process-environment.js";
import { familyCpuSeconds, machineBusySeconds, otherLoad } from "./machine.js";
import type { Measurement, ProcessFigures, Task } from "./tasks.js";

const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));

export interface ChildRun<M extends Measurement> {
  result: M & ProcessFigures;
  /** Cores' worth of CPU other processes used while the child ran (see otherLoad); undefined off Linux. */
  otherLoadCores: number | undefined;
}

/**
 * The libuv pool the child starts with. tunegate's runs get one thread per arm, as `tunegate run` and the Action
 * give themselves (src/run/process-environment.ts), except a run asked for its arms one after the other, which
 * gets one thread, its fastest pool for that (bench/README.md); the limit gets one thread too, as it evaluates
 * one thing at a time. The article's loop keeps Node's default, as a user's script would.
 */
export function threadPoolFor(task: Task): string | undefined {
  if (task.kind === "method" && task.method === "baseline") return undefined;
  if (task.kind === "method" && task.parallelArms !== false) return String(RUN_THREAD_POOL_SIZE);
  return "1";
}

export async function runInChild<M extends Measurement>(task: Task): Promise<ChildRun<M>> {
  const dir = await mkdtemp(join(tmpdir(), "tunegate-bench-"));
  const resultFile = join(dir, "result.json");
  try {
    const busyBefore = machineBusySeconds();
    const familyBefore = familyCpuSeconds();
    const started = performance.now();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolvePromise, reject) => {
      const env = { ...process.env };
      const pool = threadPoolFor(task);
      if (pool === undefined) delete env.UV_THREADPOOL_SIZE;
      else env.UV_THREADPOOL_SIZE = pool;
      const child = spawn(process.execPath, [CHILD, JSON.stringify(task), resultFile], { stdio: ["ignore", "ignore", "pipe"], env });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      child.on("error", reject);
      child.on("close", (exitCode, signal) => resolvePromise({ code: signal ? 128 : exitCode, stderr }));
    });
    if (code !== 0) {
      const what = task.kind === "method" ? `${task.method} on ${task.cases} cases` : task.kind;
      throw new Error(`benchmark step "${what}" failed (exit ${code}):\n${stderr.trim() || "(no output)"}`);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const result = JSON.parse(await readFile(resultFile, "utf8")) as M & ProcessFigures;
    const busy = { before: busyBefore, after: machineBusySeconds() };
    return { result, otherLoadCores: otherLoad(busy, { before: familyBefore, after: familyCpuSeconds() }, wallSeconds) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
