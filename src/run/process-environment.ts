// The environment of a process tunegate starts to run suites in (`tunegate run` through bin/tunegate.js, the
// Action's worker). The benchmark sets its own pool per step (bench/spawn.ts) with the same size for tunegate
// as shipped.
import { withRunHeapLimit } from "./heap-limit.js";

/**
 * libuv pool threads for a run process: one per arm. node-llama-cpp runs every decode and every native part of
 * a result read on a pool thread, and on a CPU the engine runs the two arms side by side (local-engine.ts), so
 * two threads let both arms' decodes run at once while neither waits behind the other's reads. Measured on
 * 2 cores (bench/README.md, "A pool thread per arm"): the arms side by side on two pool threads took 13 to 35 %
 * less time per alternating pair than one arm after the other on a pool of one, which is what this was before.
 */
export const RUN_THREAD_POOL_SIZE = 2;

/**
 * `env` for a run process: UV_THREADPOOL_SIZE (libuv reads it when its pool starts, before any code of an ES
 * module entry runs, so it must be set by whoever starts the process) and a heap limit sized to the machine.
 * Values the user set are kept.
 */
export function runProcessEnvironment(env: NodeJS.ProcessEnv, totalMemoryBytes: number): NodeJS.ProcessEnv {
  return withRunHeapLimit({ UV_THREADPOOL_SIZE: String(RUN_THREAD_POOL_SIZE), ...env }, totalMemoryBytes);
}
