// tunegate as users get it: runSuite on the suite, with the engine's own thread choice unless told otherwise.
import { runSuite } from "../../src/engine/run-suite.js";
import { modelLoadCount } from "../../src/engine/runtime.js";
import type { ArmRun, Suite } from "../../src/types.js";
import type { ArmOutcome } from "../tasks.js";
import type { MethodRun } from "./method-run.js";

export interface TunegateRun extends MethodRun {
  tokensEvaluated: number;
  tokensMinimum: number;
}

function outcome(arm: ArmRun): ArmOutcome {
  const generated = arm.scoring === "generate" ? arm.cases.map((c) => c.generated ?? "") : undefined;
  return {
    predicted: arm.cases.map((c) => c.predicted),
    ...(generated ? { generated } : {}),
    correct: arm.cases.filter((c) => c.correct).length,
    tokensEvaluated: arm.tokensEvaluated,
    contextSize: arm.contextSize,
    wallMs: arm.wallMs,
  };
}

export async function runTunegate(suite: Suite, threads?: number): Promise<TunegateRun> {
  const loadsBefore = modelLoadCount();
  const started = performance.now();
  const run = await runSuite(suite, threads === undefined ? {} : { threads });
  const wallMs = performance.now() - started;
  const { few_shot: fewShot, lora } = run.arms;
  return {
    wallMs,
    modelLoadMs: run.engine.modelLoadMs,
    modelLoads: modelLoadCount() - loadsBefore,
    threads: run.engine.threads,
    backend: run.engine.backend,
    nodeLlamaCppVersion: run.engine.nodeLlamaCppVersion,
    tokensEvaluated: fewShot.tokensEvaluated + lora.tokensEvaluated,
    tokensMinimum: fewShot.tokensMinimum + lora.tokensMinimum,
    arms: { few_shot: outcome(fewShot), lora: outcome(lora) },
  };
}
