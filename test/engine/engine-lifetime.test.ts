// An engine owns what it loads: disposing it frees its models and refuses further runs, and two engines in one
// process load, count and dispose independently.
import { beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../../src/engine/local/local-engine.js";
import { TunegateError } from "../../src/errors.js";
import type { Suite } from "../../src/types.js";
import { forgeDemo, loadDemoSuite } from "../helpers/forged.js";

const forged = forgeDemo();
let suite: Suite;

beforeAll(async () => {
  suite = await loadDemoSuite(forged, (s) => ({ ...s, cases: s.cases.slice(0, 3) }));
});

describe("an engine's lifetime", () => {
  it("`await using` disposes it at the end of the block, and a disposed engine refuses to run", async () => {
    let escaped: LocalEngine;
    {
      await using engine = createLocalEngine();
      escaped = engine;
      const run = await engine.runSuite(suite, { threads: 1 });
      expect(run.arms.lora.cases).toHaveLength(3);
      expect(engine.modelLoads).toBe(1);
    }
    const error = await escaped.runSuite(suite, { threads: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TunegateError);
    expect((error as TunegateError).code).toBe("ENGINE_DISPOSED");
    expect((error as TunegateError).hint).toContain("new engine");
    await expect(escaped.loadModel(forged.base)).rejects.toMatchObject({ code: "ENGINE_DISPOSED" });
    await escaped.dispose(); // a second dispose is harmless
  });

  it("describes where it runs without a suite", async () => {
    await using engine = createLocalEngine({ gpu: "cpu" });
    const description = await engine.describe();
    expect(description).toMatchObject({ kind: "local", runtime: "node-llama-cpp", backend: "cpu" });
    expect(description.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(engine.modelLoads).toBe(0);
  });

  it("two engines in one process share no models, counts or bindings", async () => {
    await using first = createLocalEngine();
    const second = createLocalEngine();
    const a = await first.loadModel(forged.base);
    const b = await second.loadModel(forged.base);
    expect(b.model).not.toBe(a.model);
    expect(await first.llama()).not.toBe(await second.llama());
    expect(first.modelLoads).toBe(1);
    expect(second.modelLoads).toBe(1);
    // Loading again is a cache hit within each engine, and counts nowhere.
    expect((await first.loadModel(forged.base)).model).toBe(a.model);
    expect(first.modelLoads + second.modelLoads).toBe(2);

    await second.dispose();
    expect(b.model.disposed).toBe(true);
    expect(a.model.disposed).toBe(false);
    const run = await first.runSuite(suite, { threads: 1 });
    expect(run.arms.few_shot.cases).toHaveLength(3);
    expect(first.modelLoads).toBe(1);
  });
});
