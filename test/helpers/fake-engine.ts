// A stand-in inference server for contract tests: a real node:http server that answers in the request and
// response shapes of an engine (each test says which source file it follows), with log-probabilities taken
// from a small deterministic table instead of a model. Its tokenizer is per character, so tokenising a prompt
// and then prompt + label agree on the prefix, as a real tokenizer does for the prompts tunegate builds.
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Suite } from "../../src/types.js";
import { loadStorySuite } from "./story-suite.js";

export const VOCAB = 100;
export const BOS = 1;

export type FakeArm = "base" | "lora";

/** Characters to token ids 10…99; BOS in front when special tokens are added. */
export function fakeTokenize(text: string, addSpecial = false): number[] {
  const ids = [...text].map((ch) => 10 + (ch.codePointAt(0)! % 90));
  return addSpecial ? [BOS, ...ids] : ids;
}

/** The table's logits: a fixed function of the context and the arm (the adapter shifts them). */
function logits(context: readonly number[], arm: FakeArm): number[] {
  const seed = context.reduce((h, t, i) => (h * 31 + t * (i + 7)) % 10007, 17);
  return Array.from({ length: VOCAB }, (_, v) => ((seed * 13 + v * 37 + (arm === "lora" ? v * v * 11 : 0)) % 101) / 12);
}

/** log P(token | context) on an arm, from the table. */
export function tableLogprob(context: readonly number[], token: number, arm: FakeArm): number {
  const l = logits(context, arm);
  const top = Math.max(...l);
  const norm = top + Math.log(l.reduce((sum, x) => sum + Math.exp(x - top), 0));
  return l[token]! - norm;
}

export function tableTop(context: readonly number[], arm: FakeArm): { token: number; logprob: number } {
  const l = logits(context, arm);
  const token = l.indexOf(Math.max(...l));
  return { token, logprob: tableLogprob(context, token, arm) };
}

/** The exact label score the table gives after a prompt of tokens. */
export function tableScore(prompt: readonly number[], label: readonly number[], arm: FakeArm): number {
  let sum = 0;
  label.forEach((token, j) => (sum += tableLogprob([...prompt, ...label.slice(0, j)], token, arm)));
  return sum;
}

export interface Received {
  method: string;
  path: string;
  body: unknown;
}

export interface Answer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A JSON server: each request (its body parsed) goes to `answer`; undefined is a 404 like FastAPI's. */
export async function serveFake(answer: (request: Received) => Answer | undefined): Promise<FakeServer> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const request = { method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0]!, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
      received.push(request);
      const reply = answer(request) ?? { status: 404, body: { detail: "Not Found" } };
      res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The small suite the contract tests run: labels happy and sad, three cases, files that exist (contents unread). */
export async function fakeSuite(dir: string, scoring = "logprob"): Promise<Suite> {
  writeFileSync(join(dir, "base.gguf"), "base weights");
  writeFileSync(join(dir, "feelings-lora.gguf"), "adapter weights");
  return loadStorySuite(
    {
      model: "base.gguf",
      adapter: "feelings-lora.gguf",
      labels: ["happy", "sad"],
      examples: [["Tom found a coin.", "happy"], ["Mia broke her toy.", "sad"], ["Sam got a puppy.", "happy"]],
      cases: [["Lily lost her cat.", "sad"], ["Ben won the race.", "happy"], ["The rain came.", "sad"]],
      scoring,
    },
    dir,
  );
}
