import { describe, expect, it } from "vitest";
import { RUN_HEAP_SHARE, withRunHeapLimit } from "../../src/run/heap-limit.js";

const GIB = 2 ** 30;

describe("withRunHeapLimit", () => {
  it("gives the run process a share of the machine's memory (2,867 MB on a 7 GB hosted runner)", () => {
    expect(RUN_HEAP_SHARE).toBe(0.4);
    expect(withRunHeapLimit({}, 7 * GIB).NODE_OPTIONS).toBe("--max-old-space-size=2867");
  });

  it("keeps the user's other Node options, and a heap limit they set, whichever spelling", () => {
    expect(withRunHeapLimit({ NODE_OPTIONS: "--enable-source-maps" }, 4 * GIB).NODE_OPTIONS).toBe("--enable-source-maps --max-old-space-size=1638");
    for (const set of ["--max-old-space-size=100", "--max_old_space_size=100"]) {
      expect(withRunHeapLimit({ NODE_OPTIONS: set }, 64 * GIB).NODE_OPTIONS).toBe(set);
    }
  });

  it("leaves every other variable as it was", () => {
    const env = { PATH: "/bin", UV_THREADPOOL_SIZE: "1" };
    expect(withRunHeapLimit(env, GIB)).toMatchObject(env);
  });
});
