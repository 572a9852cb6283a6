import type { ArmName } from "../../src/types.js";
import type { ArmOutcome } from "../tasks.js";

/** What every method reports about one run of a suite. */
export interface MethodRun {
  wallMs: number;
  modelLoadMs: number;
  modelLoads: number;
  threads: number;
  /** Where llama.cpp ran: "cpu", "cuda (NVIDIA …)". */
  backend: string;
  nodeLlamaCppVersion: string;
  arms: Record<ArmName, ArmOutcome>;
}
