// The generated test module: small per case (Vite parses and source-maps every line it serves, in Vitest's
// main process), free of suite text, and mapped line by line to where each case was written.
import { decode } from "@jridgewell/sourcemap-codec";
import { parseAst } from "vite";
import { describe, expect, it } from "vitest";
import { generateTestModule } from "../../src/vitest/codegen.js";
import type { SuitePayload } from "../../src/vitest/payload.js";

const RESULT = { scores: { complaint: -0.1 }, confidence: 1, margin: 0, latencyMs: 1, promptTokens: 10, outputTokens: 1 };

function payloadOf(cases: number): SuitePayload {
  return {
    name: "a suite whose name must not be in the code",
    file: "/w/s.cases.yaml",
    misses: "warn",
    cases: Array.from({ length: cases }, (_, i) => ({
      index: i,
      input: `a long case input that appears nowhere in the generated code, number ${i} ${"x".repeat(200)}`,
      expected: "complaint",
      must: false,
      location: i % 2 === 0 ? { file: "/w/s.cases.yaml", line: 20 + i, column: 5 } : { file: "/w/cases.jsonl", line: i, column: 1 },
      arms: {
        few_shot: { ...RESULT, predicted: "complaint", correct: true },
        lora: { ...RESULT, predicted: "praise", correct: false },
      },
    })),
    gate: { outcome: "pass", verdict: "ship-prompt", reason: "r", failOn: "never", headline: "gate PASS: verdict ship-prompt and fail_on: never", mustMisses: [], accuracy: { few_shot: 1, lora: 0 }, deltaPoints: -100 },
    // The module never reads the constants; the worker hands them on in the gate test's meta.
    constants: {} as SuitePayload["constants"],
  };
}

const YAML = "name: x\nlabels: [a]\nfew_shot:\n  model: m\nlora:\n  adapter: a\ngate:\n  fail_on: never\n";

describe("generateTestModule", () => {
  const payload = payloadOf(1000);
  const { code, map } = generateTestModule(payload, "/tmp/tunegate-x/p.json", YAML, "/pkg/assertions.js");

  it("carries no suite text: names and results are read from the payload file", () => {
    expect(code).not.toContain("appears nowhere");
    expect(code).not.toContain(payload.name);
    expect(code).toContain(JSON.stringify("/tmp/tunegate-x/p.json"));
  });

  it("costs at most 120 bytes per test, whatever the inputs' length", () => {
    const perTest = code.length / (2 * payload.cases.length);
    expect(perTest).toBeLessThanOrEqual(120);
  });

  it("is valid JavaScript with one test call per case and arm, plus the gate", () => {
    parseAst(code);
    expect(code.match(/^\s*test\(/gm)).toHaveLength(2 * payload.cases.length + 1);
  });

  it("maps each case's test line to the file and line the case was written at", () => {
    const lines = code.split("\n");
    const mappings = decode(map.mappings);
    const loraLines = new Map(lines.flatMap((line, at) => Array.from(line.matchAll(/test\(name\((\d+)\), options\(arm1, /g), (m) => [Number(m[1]), at] as const)));
    expect(loraLines.size).toBe(payload.cases.length);
    for (const [index, c] of payload.cases.entries()) {
      const generatedLine = loraLines.get(index)!;
      const [, source, line, column] = mappings[generatedLine]![0]!;
      expect(map.sources[source!]).toBe(c.location.file);
      expect([line! + 1, column! + 1]).toEqual([c.location.line, c.location.column]);
    }
    expect(map.sourcesContent[0]).toBe(YAML);
  });
});

describe("generateTestModule for a shard", () => {
  it("names the suite-wide test after the shard, not the gate, since a shard has no verdict", () => {
    const shard: SuitePayload = { ...payloadOf(3), shard: { index: 2, count: 3 }, gate: null };
    const { code } = generateTestModule(shard, "/tmp/p.json", YAML, "/pkg/assertions.js");
    parseAst(code);
    expect(code).toContain('test("shard 2/3 (no verdict: tunegate merge decides)", { meta: gateMeta(suite) }');
    expect(code).not.toContain('test("gate"');
  });
});
