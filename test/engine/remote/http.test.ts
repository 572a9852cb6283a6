// The HTTP layer against a real HTTP server on 127.0.0.1 that answers as the test says: retries with backoff on
// transient statuses and dropped connections, Retry-After honoured, no retry on a 4xx, the server's message
// shown, credentials never shown.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { backoffMs, HttpClient, redactUrl, retryAfterMs, serverMessage } from "../../../src/engine/remote/http.js";
import { TunegateError } from "../../../src/errors.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server whose n-th request (0-based) is answered by answers[n] (the last one repeats). */
async function serve(answers: ((req: IncomingMessage, res: ServerResponse) => void)[]): Promise<{ url: string; hits: () => number; times: number[]; headers: IncomingMessage["headers"][] }> {
  let hits = 0;
  const times: number[] = [];
  const headers: IncomingMessage["headers"][] = [];
  server = createServer((req, res) => {
    times.push(performance.now());
    headers.push(req.headers);
    const answer = answers[Math.min(hits, answers.length - 1)]!;
    hits++;
    req.resume();
    req.on("end", () => answer(req, res));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, hits: () => hits, times, headers };
}

const json = (status: number, body: unknown, extra: Record<string, string> = {}) => (_: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json", ...extra });
  res.end(JSON.stringify(body));
};

describe("retry arithmetic", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs("0.5")).toBe(500);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 7_000)).toBe(3000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
  });

  it("waits a jittered share of an exponential ceiling, never less than Retry-After", () => {
    expect(backoffMs(0, 100, undefined, () => 0.5)).toBe(50);
    expect(backoffMs(3, 100, undefined, () => 1)).toBe(800);
    expect(backoffMs(30, 100, undefined, () => 1)).toBe(30_000);
    expect(backoffMs(0, 100, 2000, () => 0.5)).toBe(2000);
    expect(backoffMs(0, 100, 10, () => 0.9)).toBe(90);
  });

  it("shows URLs without credentials or query", () => {
    expect(redactUrl("http://user:secret@host:8080/v1?key=abc#x")).toBe("http://host:8080/v1");
    expect(redactUrl("not a url")).toBe("(invalid URL)");
  });

  it("takes a server's message from its JSON error, without control characters", () => {
    expect(serverMessage(JSON.stringify({ error: { code: 400, message: "invalid adapter id", type: "invalid_request_error" } }))).toBe("invalid adapter id");
    expect(serverMessage(JSON.stringify({ detail: "no such model" }))).toBe("no such model");
    expect(serverMessage("plain\u001b[31m text\n")).toBe("plain [31m text");
    expect(serverMessage("x".repeat(500))).toHaveLength(300);
  });
});

describe("HttpClient", () => {
  it("retries 503 and 502 and then returns the answer", async () => {
    const s = await serve([json(503, { error: { message: "Loading model" } }), json(502, {}), json(200, { ok: 1 })]);
    const client = new HttpClient({ baseUrl: s.url, timeoutMs: 2000, retries: 3, backoffMs: 5 });
    expect((await client.json("/health")).body).toEqual({ ok: 1 });
    expect(s.hits()).toBe(3);
  });

  it("honours Retry-After on 429", async () => {
    const s = await serve([json(429, {}, { "retry-after": "0.3" }), json(200, { ok: 1 })]);
    const client = new HttpClient({ baseUrl: s.url, timeoutMs: 2000, retries: 2, backoffMs: 1 });
    await client.json("/completion", { prompt: [1] });
    expect(s.times[1]! - s.times[0]!).toBeGreaterThanOrEqual(280);
  });

  it("does not retry a 4xx and shows the server's message", async () => {
    const s = await serve([json(400, { error: { code: 400, message: "Invalid LoRA adapter id 7" } })]);
    const client = new HttpClient({ baseUrl: s.url, timeoutMs: 2000, retries: 5, backoffMs: 1 });
    const error = await client.json("/completion", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TunegateError);
    expect((error as TunegateError).code).toBe("ENGINE_REQUEST_FAILED");
    expect((error as TunegateError).message).toContain("HTTP 400: Invalid LoRA adapter id 7");
    expect(s.hits()).toBe(1);
  });

  it("retries a dropped connection and a timeout, then gives up naming the reason and the tries", async () => {
    const s = await serve([(req) => req.socket.destroy(), () => undefined /* never answers: times out */]);
    const client = new HttpClient({ baseUrl: s.url, timeoutMs: 150, retries: 2, backoffMs: 1 });
    const error = (await client.json("/props").catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_UNREACHABLE");
    expect(error.message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/props failed after 3 tries: timed out/);
    expect(s.hits()).toBe(3);
  });

  it("names a refused connection", async () => {
    const s = await serve([json(200, {})]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const client = new HttpClient({ baseUrl: s.url, timeoutMs: 1000, retries: 1, backoffMs: 1 });
    const error = (await client.json("/health").catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_UNREACHABLE");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("sends the API key as a bearer token and never shows it", async () => {
    const s = await serve([json(401, { error: { message: "Invalid API Key" } })]);
    const client = new HttpClient({ baseUrl: s.url, apiKey: "sk-secret-123", timeoutMs: 1000, retries: 0 });
    const error = (await client.json("/v1/models").catch((e: unknown) => e)) as TunegateError;
    expect(s.headers[0]!.authorization).toBe("Bearer sk-secret-123");
    expect(error.describe()).not.toContain("sk-secret-123");
    expect(error.hint).toContain("API key");
  });

  it("refuses a key that is no header value before sending it, without quoting it (fetch's own error would)", async () => {
    const s = await serve([json(200, {})]);
    const client = new HttpClient({ baseUrl: s.url, apiKey: "sk-sec\nret 123", timeoutMs: 1000, retries: 2, backoffMs: 1 });
    const error = (await client.json("/health").catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("BAD_OPTION");
    expect(error.describe()).not.toMatch(/sk-sec|ret 123/);
    expect(s.hits()).toBe(0);
  });

  it("refuses everything once closed", async () => {
    const s = await serve([json(200, {})]);
    const client = new HttpClient({ baseUrl: s.url, timeoutMs: 1000, retries: 0 });
    client.close();
    await expect(client.json("/health")).rejects.toThrow(/closed/);
  });
});

describe("a server that is not llama-server", () => {
  it("is refused by name, not with a protocol error", async () => {
    const { LlamaServerBackend } = await import("../../../src/engine/remote/llama-server.js");
    const s = await serve([
      (req, res) => {
        res.writeHead(req.url === "/health" ? 200 : 404, { "content-type": "application/json" });
        res.end(req.url === "/health" ? "{}" : JSON.stringify({ detail: "Not Found" }));
      },
    ]);
    const client = new LlamaServerBackend(new HttpClient({ baseUrl: s.url, timeoutMs: 1000, retries: 0 }));
    const error = (await client.probe().catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_UNSUPPORTED");
    expect(error.message).toContain("has no /props: it is not a llama-server");
  });
});
