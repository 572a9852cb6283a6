import { availableParallelism } from "node:os";

/** libuv's pool size when the variable does not set it. */
const LIBUV_DEFAULT_POOL = 4;
/** libuv's cap on its pool. */
const LIBUV_MAX_POOL = 1024;

/**
 * The size of this process's libuv thread pool, on which node-llama-cpp runs every decode and the native part of
 * every read of a result. libuv reads UV_THREADPOOL_SIZE once, when the pool starts (before any module code of an
 * ES module entry runs), so the value it started with is the one in the environment the process was started
 * with: the CLI, the Action and the bench set it (src/run/process-environment.ts). Read as libuv reads it: C's
 * atoi (leading digits; anything else is 0), 0 meaning 1, and an unsigned value capped at 1024 (so a negative
 * one is the cap).
 */
export function threadPoolSize(value: string | undefined = process.env.UV_THREADPOOL_SIZE): number {
  if (value === undefined) return LIBUV_DEFAULT_POOL;
  const parsed = Number.parseInt(value.trimStart(), 10);
  if (!Number.isFinite(parsed) || parsed === 0) return 1;
  return parsed < 0 ? LIBUV_MAX_POOL : Math.min(parsed, LIBUV_MAX_POOL);
}

/**
 * Threads for a model on this machine, when `contexts` contexts evaluate at once. Small models lose far more
 * to thread synchronisation than they gain. An explicit count (option or TUNEGATE_THREADS) always wins.
 */
export function chooseThreads(modelBytes: number, override?: number, contexts = 1): number {
  const fromEnv = Number(process.env.TUNEGATE_THREADS);
  const explicit = override ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined);
  if (explicit !== undefined) return explicit;
  // Measured on 2 cores: a 3.6 MB model ran ~100x faster on one thread than on node-llama-cpp's default;
  // the 83 MB bench model ran a little faster on both cores (see bench/README.md).
  return modelBytes < 32 * 1024 * 1024 ? 1 : Math.max(1, Math.floor(availableParallelism() / contexts));
}

/** Most cases per decode on a CPU and on a GPU, unless TUNEGATE_SEQUENCES says otherwise. */
export const CPU_SEQUENCES = { small: 4, large: 8 } as const;
export const GPU_SEQUENCES = 32;

/**
 * Cases per decode (sequences per context) in logprob mode. A CPU gains from a few cases per decode (the
 * weights are read once for all of them) but little from more, and each sequence costs a context's KV cache;
 * a GPU needs tens of cases per decode to be busy. TUNEGATE_SEQUENCES (a positive integer) overrides; 1 turns
 * batching off.
 */
export function chooseSequences(gpu: boolean): number {
  const fromEnv = Number(process.env.TUNEGATE_SEQUENCES);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return Math.min(fromEnv, 256);
  if (gpu) return GPU_SEQUENCES;
  return availableParallelism() > 2 ? CPU_SEQUENCES.large : CPU_SEQUENCES.small;
}
