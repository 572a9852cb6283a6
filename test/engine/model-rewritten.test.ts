// A model file truncated in place while a run uses it. llama.cpp maps model files by default, and a mapped file
// cut short kills the process with SIGBUS (exit 135, measured with node-llama-cpp 3.21.1): no message, no
// report. The engine reads its models instead, so the run goes on with the weights it loaded.
import { copyFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalEngine } from "../../src/engine/local/local-engine.js";
import { forgeDemo, loadDemoSuite, temporaryDir } from "../helpers/forged.js";

const forged = forgeDemo();
const engine = createLocalEngine();
afterAll(() => engine.dispose());

describe("a model file truncated during a run", () => {
  it("does not take the process down: the run finishes with the weights it loaded, and predicts as before", async () => {
    const dir = temporaryDir("tunegate-rewritten-");
    const base = join(dir, "base.gguf");
    copyFileSync(forged.base, base);
    const suite = await loadDemoSuite({ base, lora: forged.lora });
    let truncated = false;
    const run = await engine.runSuite(suite, {
      parallelArms: false,
      onProgress: ({ done }) => {
        // After the model loaded and the first case ran: every later case evaluates against a cut file.
        if (!truncated && done >= 1) {
          truncateSync(base, 4096);
          truncated = true;
        }
      },
    });
    expect(truncated).toBe(true);
    const reference = await engine.runSuite(await loadDemoSuite(forged), { parallelArms: false });
    for (const arm of ["few_shot", "lora"] as const) {
      expect(run.arms[arm].cases.map((c) => c.predicted)).toEqual(reference.arms[arm].cases.map((c) => c.predicted));
    }
  });
});
