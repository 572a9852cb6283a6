// Shard assignment (`tunegate run --shard i/n`): every case in exactly one shard, a case's shard fixed by the
// case alone, and the suite hash that tells one suite's parts from another's.
import { describe, expect, it } from "vitest";
import { caseIdentities, casesOfShard, MAX_SHARDS, parseShardSelector, shardOfIdentity, suiteContentSha256 } from "../../src/suite/shards.js";
import type { Suite } from "../../src/types.js";
import { DEMO_SUITE } from "../helpers/forged.js";
import { loadSuite } from "../../src/suite/loader.js";

const CASES = Array.from({ length: 200 }, (_, i) => ({ index: i, input: `message number ${i}`, expected: ["complaint", "praise", "inquiry"][i % 3]! }));

describe("parseShardSelector", () => {
  it("reads i/n with 1 ≤ i ≤ n", () => {
    expect(parseShardSelector("2/4")).toEqual({ index: 2, count: 4 });
    expect(parseShardSelector(" 1 / 1 ")).toEqual({ index: 1, count: 1 });
    expect(parseShardSelector(`${MAX_SHARDS}/${MAX_SHARDS}`)).toEqual({ index: MAX_SHARDS, count: MAX_SHARDS });
  });

  it.each([
    ["0/3", /i must be from 1 to n \(3\)/],
    ["4/3", /i must be from 1 to n \(3\)/],
    ["1/0", /n must be from 1 to/],
    [`1/${MAX_SHARDS + 1}`, /n must be from 1 to/],
    ["1", /must be i\/n/],
    ["a/b", /must be i\/n/],
    ["-1/3", /must be i\/n/],
    ["1.5/3", /must be i\/n/],
    ["", /must be i\/n/],
  ])("refuses %j, saying why", (text, message) => {
    const parsed = parseShardSelector(text);
    expect(typeof parsed).toBe("string");
    expect(parsed).toMatch(message);
  });
});

describe("shard assignment", () => {
  it.each([1, 2, 3, 4, 5, 6, 7])("puts every case in exactly one of %i shards, keeping order and index", (count) => {
    const shards = Array.from({ length: count }, (_, i) => casesOfShard(CASES, { index: i + 1, count }));
    const seen = shards.flat().map((c) => c.index).sort((a, b) => a - b);
    expect(seen).toEqual(CASES.map((c) => c.index));
    for (const shard of shards) {
      expect(shard.map((c) => c.index)).toEqual([...shard.map((c) => c.index)].sort((a, b) => a - b));
      // 200 cases: no shard is empty or takes nearly everything (a hash that ignored the case would).
      if (count > 1) expect(shard.length).toBeGreaterThan(200 / count / 3);
    }
  });

  it("moves no case when another is added, removed or inserted before it", () => {
    const count = 5;
    const shardOf = (cases: typeof CASES) => {
      const identities = caseIdentities(cases);
      return new Map(cases.map((c, i) => [c.input, shardOfIdentity(identities[i]!, count)]));
    };
    const before = shardOf(CASES);
    const added = [{ index: 0, input: "a new first case", expected: "praise" }, ...CASES, { index: 0, input: "a new last case", expected: "inquiry" }];
    const removed = CASES.filter((_, i) => i % 7 !== 3);
    for (const changed of [added, removed]) {
      const after = shardOf(changed);
      for (const c of changed) if (before.has(c.input)) expect(after.get(c.input), c.input).toBe(before.get(c.input));
    }
  });

  it("tells equal cases apart by their occurrence, and only a case's input and expected label count", () => {
    const twice = [
      { input: "same", expected: "praise" },
      { input: "same", expected: "praise" },
      { input: "same", expected: "complaint" },
    ];
    const ids = caseIdentities(twice);
    expect(new Set(ids).size).toBe(3);
    // Adding the occurrence keeps the first copy's identity.
    expect(caseIdentities([twice[0]!])[0]).toBe(ids[0]);
    expect(caseIdentities([{ ...twice[0]!, must: true, line: 99 } as { input: string; expected: string }])[0]).toBe(ids[0]);
    expect(caseIdentities([{ input: "same ", expected: "praise" }])[0]).not.toBe(ids[0]);
  });

  it("reads a shard from the identity's first 48 bits", () => {
    expect(shardOfIdentity(`${"0".repeat(11)}7${"f".repeat(52)}`, 5)).toBe(3);
    expect(shardOfIdentity("f".repeat(64), 1)).toBe(1);
  });
});

describe("suiteContentSha256", () => {
  const load = async (): Promise<Suite> => {
    const { suite } = await loadSuite(DEMO_SUITE, { checkModelFiles: false });
    return suite!;
  };

  it("ignores where the suite and its models lie, and sees any setting, prompt or case change", async () => {
    const suite = await load();
    const hash = suiteContentSha256(suite);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const moved: Suite = {
      ...suite,
      file: "/elsewhere/s.cases.yaml",
      fewShot: { ...suite.fewShot, model: { ...suite.fewShot.model, path: "/elsewhere/m.gguf" } },
      cases: suite.cases.map((c) => ({ ...c, location: { ...c.location, file: "/elsewhere/s.cases.yaml", line: c.location.line + 3 } })),
    };
    expect(suiteContentSha256(moved)).toBe(hash);
    const changes: Array<(s: Suite) => Suite> = [
      (s) => ({ ...s, cases: s.cases.slice(1) }),
      (s) => ({ ...s, cases: s.cases.map((c, i) => (i === 3 ? { ...c, expected: s.labels.find((label) => label !== c.expected)! } : c)) }),
      (s) => ({ ...s, cases: s.cases.map((c, i) => (i === 3 ? { ...c, must: !c.must } : c)) }),
      (s) => ({ ...s, gate: { ...s.gate, withinPoints: s.gate.withinPoints + 1 } }),
      (s) => ({ ...s, misses: s.misses === "warn" ? "fail" : "warn" }),
      (s) => ({ ...s, fewShot: { ...s.fewShot, task: `${s.fewShot.task}!` } }),
      (s) => ({ ...s, lora: { ...s.lora, scale: s.lora.scale / 2 } }),
      (s) => ({ ...s, volume: { callsPerDay: s.volume.callsPerDay + 1 } }),
    ];
    changes.forEach((change, i) => expect(suiteContentSha256(change(suite)), `change ${i}`).not.toBe(hash));
  });
});
