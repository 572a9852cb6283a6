// How many model files this process has loaded. Kept apart from runtime.ts so that the Vitest reporter can
// read it without importing node-llama-cpp (whose top-level await would stop `require("tunegate/vitest")`).
let loads = 0;

export function countModelLoad(): void {
  loads += 1;
}

/** How many model files this process has loaded: tests use it to prove a model is loaded once per run. */
export function modelLoadCount(): number {
  return loads;
}
