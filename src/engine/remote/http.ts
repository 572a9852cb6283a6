// JSON over HTTP to an inference server, on Node's own fetch (undici: keep-alive connections by default).
// Transient failures (timeouts, refused or reset connections, 429/502/503/504) are retried with exponential
// backoff and full jitter, honouring Retry-After; any other answer that is not 2xx is final, and the server's
// own message is shown. Nothing here prints the API key or a URL's credentials.
import { TunegateError } from "../../errors.js";

export interface HttpSettings {
  /** Base URL, without credentials (see redactUrl). */
  baseUrl: string;
  apiKey?: string;
  /** Per request, in milliseconds. */
  timeoutMs: number;
  /** Retries after the first try, for transient failures only. */
  retries: number;
  /** First backoff, in milliseconds; doubles per retry (full jitter), capped at 30 s. */
  backoffMs?: number;
}

/** Statuses that mean "try again later", not "your request is wrong". */
const TRANSIENT_STATUSES = new Set([408, 429, 502, 503, 504]);
const MAX_BACKOFF_MS = 30_000;

/** A URL as it may be shown: no user name, password, query or fragment. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    parsed.hash = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

/** Seconds or an HTTP date, as Retry-After allows; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before retry number `attempt` (0-based): full jitter over an exponential ceiling, or Retry-After when longer. */
export function backoffMs(attempt: number, base: number, retryAfter: number | undefined, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, base * 2 ** attempt);
  const jittered = random() * ceiling;
  return retryAfter !== undefined ? Math.min(Math.max(retryAfter, jittered), MAX_BACKOFF_MS * 4) : jittered;
}

/** A short, printable excerpt of a server's error body: its `error.message` when JSON, else the text. */
export function serverMessage(body: string): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const candidate = typeof parsed.error === "string" ? parsed.error : (parsed.error?.message ?? parsed.message ?? parsed.detail);
    if (typeof candidate === "string") text = candidate;
  } catch {
    // not JSON: the text itself
  }
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** Why a fetch failed, from undici's error and its cause (ECONNREFUSED, ECONNRESET, a timeout). */
/**
 * Why a request got no answer, in words of our own or a system error code: never the error's message, which
 * can quote a request header (the API key included, e.g. undici's "invalid header value").
 */
function networkReason(error: unknown): string {
  const err = error as { name?: string; cause?: { code?: unknown } };
  if (err.name === "TimeoutError") return "timed out";
  const code = err.cause?.code;
  return typeof code === "string" && /^[A-Z0-9_]{1,40}$/.test(code) ? code : "the connection failed";
}

/** An API key that fits in an HTTP header: visible ASCII, no spaces or line breaks. Checked before any request, so it is never echoed back in an error. */
function checkApiKey(key: string): void {
  if (!/^[\x21-\x7e]{1,4096}$/.test(key)) {
    throw new TunegateError("BAD_OPTION", "the engine's API key is not a valid bearer token (visible ASCII characters only, no spaces or line breaks)", {
      hint: "check the variable the key comes from (it is never printed)",
    });
  }
}

export interface JsonResponse<T> {
  status: number;
  body: T;
}

export class HttpClient {
  readonly #settings: HttpSettings;
  readonly #shown: string;
  #closed = new AbortController();

  constructor(settings: HttpSettings) {
    this.#settings = settings;
    this.#shown = redactUrl(settings.baseUrl);
  }

  get shownUrl(): string {
    return this.#shown;
  }

  /** Aborts every request in flight and refuses new ones. */
  close(): void {
    this.#closed.abort();
  }

  /**
   * GET (no body) or POST (a body) of a JSON endpoint. `allow` lists non-2xx statuses handed back to the
   * caller instead of thrown (e.g. 404 for an endpoint this server version lacks).
   */
  async json<T>(path: string, body?: unknown, allow: readonly number[] = []): Promise<JsonResponse<T>> {
    const { retries, timeoutMs } = this.#settings;
    const base = this.#settings.backoffMs ?? 250;
    const url = new URL(path.replace(/^\//, ""), this.#settings.baseUrl.endsWith("/") ? this.#settings.baseUrl : `${this.#settings.baseUrl}/`);
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.#settings.apiKey) {
      checkApiKey(this.#settings.apiKey);
      headers.authorization = `Bearer ${this.#settings.apiKey}`;
    }
    const what = `${body === undefined ? "GET" : "POST"} ${this.#shown}${path}`;
    let lastProblem = "";
    for (let attempt = 0; ; attempt++) {
      if (this.#closed.signal.aborted) throw new TunegateError("ENGINE_REQUEST_FAILED", `${what}: the engine was closed`);
      let retryAfter: number | undefined;
      try {
        const response = await fetch(url, {
          method: body === undefined ? "GET" : "POST",
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#closed.signal]),
        });
        const text = await response.text();
        if (response.ok || allow.includes(response.status)) {
          try {
            return { status: response.status, body: (text === "" ? null : JSON.parse(text)) as T };
          } catch {
            throw new TunegateError("ENGINE_REQUEST_FAILED", `${what} answered ${response.status} with a body that is not JSON`, {
              detail: serverMessage(text),
            });
          }
        }
        if (!TRANSIENT_STATUSES.has(response.status)) {
          throw new TunegateError("ENGINE_REQUEST_FAILED", `${what} was refused with HTTP ${response.status}: ${serverMessage(text) || response.statusText}`, {
            hint:
              response.status === 401 || response.status === 403
                ? "check the engine's API key (engine.api_key in the suite, from ${env:...})"
                : "a 4xx is a configuration problem (model, adapter, field or size the server does not accept): fix it and run again",
          });
        }
        lastProblem = `HTTP ${response.status}${text ? `: ${serverMessage(text)}` : ""}`;
        retryAfter = retryAfterMs(response.headers.get("retry-after"));
      } catch (error) {
        if (error instanceof TunegateError) throw error;
        if (this.#closed.signal.aborted) throw new TunegateError("ENGINE_REQUEST_FAILED", `${what}: the engine was closed`);
        lastProblem = networkReason(error);
      }
      if (attempt >= retries) {
        throw new TunegateError("ENGINE_UNREACHABLE", `${what} failed after ${attempt + 1} ${attempt === 0 ? "try" : "tries"}: ${lastProblem}`, {
          hint: "check that the server is running and reachable at that URL; raise engine.retries or engine.timeout_ms for a busy server",
        });
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, base, retryAfter)));
    }
  }
}
