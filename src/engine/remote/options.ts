// Which engine a run uses, from the run's own options first, then the environment (TUNEGATE_ENGINE_URL,
// TUNEGATE_ENGINE_KIND). No URL anywhere: the in-process engine. Read without loading any engine.
import { TunegateError } from "../../errors.js";
import { REMOTE_ENGINE_KINDS, type RemoteEngineKind } from "../engine.js";
import type { RemoteEngineOptions } from "./remote-engine.js";

/** The URLs of an engine URL setting: one, or several separated by commas or spaces (replicas of one server). */
export function engineUrls(url: string): string[] {
  return url.split(/[\s,]+/).filter((part) => part !== "");
}

/** What a user writes: a URL and optionally the kind and the operating settings. */
export interface RemoteEngineChoice {
  url?: string;
  kind?: string;
  apiKey?: string;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  /** Per-arm served model names, where the engine names its arms (vLLM, SGLang, openai). */
  models?: { base?: string; lora?: string };
}

export function checkEngineKind(kind: string, from: string): RemoteEngineKind {
  const value = kind.trim().toLowerCase();
  if (!(REMOTE_ENGINE_KINDS as readonly string[]).includes(value)) {
    throw new TunegateError("BAD_ENGINE", `unknown engine kind ${JSON.stringify(kind)}${from}`, { hint: `use one of ${REMOTE_ENGINE_KINDS.join(", ")}` });
  }
  return value as RemoteEngineKind;
}

/** The remote engine's settings, or undefined for the in-process engine. */
export function resolveRemoteEngine(choice: RemoteEngineChoice | undefined, env: Record<string, string | undefined> = process.env): RemoteEngineOptions | undefined {
  const url = choice?.url ?? (env.TUNEGATE_ENGINE_URL?.trim() || undefined);
  const kindText = choice?.kind ?? (env.TUNEGATE_ENGINE_KIND?.trim() || undefined);
  if (url === undefined) {
    if (choice !== undefined && (choice.kind !== undefined || choice.concurrency !== undefined || choice.apiKey !== undefined || choice.models !== undefined)) {
      throw new TunegateError("BAD_ENGINE", "engine settings were given without an engine URL", { hint: "give the URL too (--engine-url, engine.url, or TUNEGATE_ENGINE_URL)" });
    }
    return undefined;
  }
  // Several URLs, separated by commas or spaces: replicas of one server (replicas.ts).
  const urls = engineUrls(url);
  for (const each of urls.length > 0 ? urls : [url]) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(each);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      throw new TunegateError("BAD_ENGINE", `the engine URL must be an http:// or https:// URL${choice?.url === undefined ? " (from TUNEGATE_ENGINE_URL)" : ""}`, {
        hint: "write it as http://HOST:PORT (several replicas: separated by commas)",
      });
    }
  }
  const kind = kindText === undefined ? undefined : checkEngineKind(kindText, choice?.kind === undefined ? " (from TUNEGATE_ENGINE_KIND)" : "");
  const positive = (name: string, value: number | undefined, allowZero = false) => {
    if (value !== undefined && !(Number.isInteger(value) && (allowZero ? value >= 0 : value >= 1))) {
      throw new TunegateError("BAD_ENGINE", `engine ${name} must be a whole number ≥ ${allowZero ? 0 : 1}, got ${value}`);
    }
    return value;
  };
  const concurrency = positive("concurrency", choice?.concurrency);
  const timeoutMs = positive("timeout", choice?.timeoutMs);
  const retries = positive("retries", choice?.retries, true);
  const models: { base?: string; lora?: string } = {};
  for (const key of ["base", "lora"] as const) {
    const name = choice?.models?.[key];
    if (name === undefined) continue;
    if (typeof name !== "string" || name.trim() === "") throw new TunegateError("BAD_ENGINE", `engine models.${key} must be a served model's name`);
    models[key] = name.trim();
  }
  return {
    url,
    ...(kind !== undefined ? { kind } : {}),
    ...(choice?.apiKey !== undefined ? { apiKey: choice.apiKey } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(Object.keys(models).length > 0 ? { models } : {}),
  };
}
