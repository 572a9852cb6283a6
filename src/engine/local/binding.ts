// Starting llama.cpp: only prebuilt binaries, never a build or a download, and a failure a user can act on.
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { TunegateError } from "../../errors.js";
import type { GpuChoice } from "../engine.js";
import type { LlamaLog } from "./llama-log.js";

export async function startLlama(choice: GpuChoice, log: LlamaLog): Promise<Llama> {
  try {
    return await getLlama({
      gpu: choice === "cpu" ? false : choice,
      build: "never",
      usePrebuiltBinaries: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.warn,
      logger: log.record,
    });
  } catch (error) {
    throw new TunegateError("NO_LLAMA_BINARY", `cannot start llama.cpp for GPU backend "${choice}": ${(error as Error).message}`, {
      hint: choice === "auto" || choice === "cpu" ? "reinstall node-llama-cpp (npm ci)" : `this machine has no usable ${choice} build; use gpu auto or cpu`,
      cause: error,
    });
  }
}

/** The backend in words, for reports: "cuda (NVIDIA H100)", "cpu". */
export async function describeBackend(llama: Llama): Promise<string> {
  if (llama.gpu === false) return "cpu";
  const devices = await llama.getGpuDeviceNames().catch(() => [] as string[]);
  return devices.length > 0 ? `${llama.gpu} (${devices.join(", ")})` : llama.gpu;
}
