// Which kind of server answers at a URL, when the user did not say, and the backend that speaks to it. Each
// kind has an endpoint the others lack: llama-server's /props, vLLM's /version with models owned by "vllm",
// SGLang's /get_model_info. A server with none of them is taken as a generic OpenAI-compatible API.
import type { RemoteEngineKind } from "../engine.js";
import { isRecord, type ArmModelNames, type RemoteBackend } from "./backend.js";
import type { HttpClient } from "./http.js";
import { LlamaServerBackend } from "./llama-server.js";
import { OpenAiBackend } from "./openai.js";
import { SglangBackend } from "./sglang.js";
import { VllmBackend } from "./vllm.js";

/** Answers that mean "not this endpoint here", not "the server is broken". */
const ABSENT = [400, 401, 403, 404, 405, 422] as const;

async function get(http: HttpClient, path: string): Promise<unknown> {
  const answer = await http.json<unknown>(path, undefined, ABSENT);
  return answer.status >= 200 && answer.status < 300 ? answer.body : undefined;
}

export async function detectKind(http: HttpClient): Promise<RemoteEngineKind> {
  const props = await get(http, "/props");
  if (isRecord(props) && ("default_generation_settings" in props || "build_info" in props)) return "llama-server";
  const version = await get(http, "/version");
  if (isRecord(version) && typeof version.version === "string") {
    const models = await get(http, "/v1/models");
    if (isRecord(models) && Array.isArray(models.data) && models.data.some((m) => isRecord(m) && m.owned_by === "vllm")) return "vllm";
  }
  const info = await get(http, "/get_model_info");
  if (isRecord(info) && typeof info.model_path === "string") return "sglang";
  return "openai";
}

export function createBackend(kind: RemoteEngineKind, http: HttpClient, models: ArmModelNames): RemoteBackend {
  switch (kind) {
    case "llama-server":
      return new LlamaServerBackend(http) as RemoteBackend;
    case "vllm":
      return new VllmBackend(http, models) as RemoteBackend;
    case "sglang":
      return new SglangBackend(http, models) as RemoteBackend;
    case "openai":
      return new OpenAiBackend(http, models) as RemoteBackend;
  }
}
