import type { ArmName } from "../../src/types.js";
import type { ArmOutcome } from "../tasks.js";

/** What every method reports about one run of a suite. */
export interface MethodRun {
  wallMs: number;
  modelLoadMs: number;
  modelLoads: number;
  /** Threads per context. */
  threads: number;
  armsInParallel: boolean;
  /** From the first arm's start to the last arm's end. */
  armsSpanMs: number;
  /** Where llama.cpp ran: "cpu", "cuda (NVIDIA …)". */
  backend: string;
  nodeLlamaCppVersion: string;
  arms: Record<ArmName, ArmOutcome>;
}
