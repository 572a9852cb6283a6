import { describe, expect, it } from "vitest";
import { RUN_THREAD_POOL_SIZE, runProcessEnvironment } from "../../src/run/process-environment.js";

const GIB = 2 ** 30;

describe("runProcessEnvironment", () => {
  it("gives a run process one libuv pool thread per arm and a heap limit sized to the machine", () => {
    expect(RUN_THREAD_POOL_SIZE).toBe(2);
    expect(runProcessEnvironment({ PATH: "/bin" }, 7 * GIB)).toEqual({ PATH: "/bin", UV_THREADPOOL_SIZE: "2", NODE_OPTIONS: "--max-old-space-size=2867" });
  });

  it("keeps a pool size and a heap limit the user set", () => {
    const env = { UV_THREADPOOL_SIZE: "1", NODE_OPTIONS: "--max-old-space-size=100" };
    expect(runProcessEnvironment(env, 7 * GIB)).toEqual(env);
  });
});
