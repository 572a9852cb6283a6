// The JavaScript heap a run may use. V8 sizes its heap limit from the machine (about a quarter of the memory:
// some 1.7 GB on a 7 GB hosted runner), and a run holds every case's record several times over while it
// reports (in Vitest's main process: the run, the tests' meta, the report; bench/memory.ts measures it), so a
// 100,000-case suite would stop with "heap out of memory" long before the machine is full. Where tunegate
// starts the process that runs the suites (`tunegate run`, the Action's worker), it raises the limit to a
// share of the machine's memory; a limit the user set in NODE_OPTIONS is kept.

/** Share of the machine's memory each run process may give its heap: Vitest's main process and one worker stay under the total. */
export const RUN_HEAP_SHARE = 0.4;

const HEAP_OPTION = /--max[-_]old[-_]space[-_]size\b/;

/** `env` with NODE_OPTIONS raising the heap limit to RUN_HEAP_SHARE of `totalMemoryBytes`, unless one is set. */
export function withRunHeapLimit(env: NodeJS.ProcessEnv, totalMemoryBytes: number): NodeJS.ProcessEnv {
  const options = env.NODE_OPTIONS ?? "";
  if (HEAP_OPTION.test(options)) return env;
  const megabytes = Math.floor((totalMemoryBytes * RUN_HEAP_SHARE) / 2 ** 20);
  return { ...env, NODE_OPTIONS: `${options} --max-old-space-size=${megabytes}`.trim() };
}
