import { availableParallelism } from "node:os";

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
