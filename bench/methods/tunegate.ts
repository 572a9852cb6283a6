// tunegate as users get it: runSuite on the suite, with the engine's own choices (threads, arms side by side on
// a multi-core CPU) unless the benchmark asks for others.
import type { Engine, RunOptions } from "../../src/engine/engine.js";
import type { ArmName, ArmRun, Suite } from "../../src/types.js";
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

export async function runTunegate(
  engine: Engine,
  suite: Suite,
  choices: { threads?: number | undefined; parallelArms?: boolean | undefined } = {},
): Promise<TunegateRun> {
  const loadsBefore = engine.modelLoads;
  // When the arms overlap, their own times add up to more than the time they took: the span comes from when
  // each arm started, which its first progress report tells (now less the time it says has passed).
  const armStarted = new Map<ArmName, number>();
  const options: RunOptions = {
    ...(choices.threads !== undefined ? { threads: choices.threads } : {}),
    ...(choices.parallelArms !== undefined ? { parallelArms: choices.parallelArms } : {}),
    onProgress: (p) => {
      if (!armStarted.has(p.arm)) armStarted.set(p.arm, performance.now() - p.elapsedMs);
    },
  };
  const started = performance.now();
  const run = await engine.runSuite(suite, options);
  const wallMs = performance.now() - started;
  const { few_shot: fewShot, lora } = run.arms;
  const starts = [armStarted.get("few_shot") ?? started, armStarted.get("lora") ?? started];
  const armsSpanMs = Math.max(starts[0]! + fewShot.wallMs, starts[1]! + lora.wallMs) - Math.min(...starts);
  return {
    wallMs,
    modelLoadMs: run.engine.modelLoadMs,
    modelLoads: engine.modelLoads - loadsBefore,
    threads: run.engine.threads,
    armsInParallel: run.engine.armsInParallel,
    armsSpanMs,
    backend: run.engine.backend,
    nodeLlamaCppVersion: run.engine.nodeLlamaCppVersion,
    tokensEvaluated: fewShot.tokensEvaluated + lora.tokensEvaluated,
    tokensMinimum: fewShot.tokensMinimum + lora.tokensMinimum,
    arms: { few_shot: outcome(fewShot), lora: outcome(lora) },
  };
}
