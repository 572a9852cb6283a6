// Splitting one suite's cases across machines (`tunegate run --shard i/n`) and telling, when the parts come
// back, whether they came from the same suite. A case's shard depends on the case alone, so both arms of a case
// run on the same machine and adding or removing other cases moves no case to another shard.
import { createHash } from "node:crypto";
import type { Suite, SuiteCase } from "../types.js";

/** One shard of `count`: `index` counts from 1, as `--shard 1/3` writes it. */
export interface ShardSelector {
  index: number;
  count: number;
}

/** The most shards a suite may be split into: far more machines than any CI matrix runs. */
export const MAX_SHARDS = 10_000;

/** `--shard i/n` as written, or why it is not one. */
export function parseShardSelector(text: string): ShardSelector | string {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return `must be i/n (this machine's shard i of n, e.g. 2/4), got "${text}"`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) return `n must be from 1 to ${MAX_SHARDS}, got "${text}"`;
  if (index < 1 || index > count) return `i must be from 1 to n (${count}), got "${text}"`;
  return { index, count };
}

/**
 * A case's identity: SHA-256 of its input, its expected label and how many equal cases (same input and label)
 * come before it in the suite, so duplicates are told apart. Its line, `must` flag and position are left out:
 * moving a case or inserting others does not change which shard runs it.
 */
export function caseIdentities(cases: readonly Pick<SuiteCase, "input" | "expected">[]): string[] {
  const seen = new Map<string, number>();
  return cases.map((c) => {
    const text = JSON.stringify([c.input, c.expected]);
    const occurrence = seen.get(text) ?? 0;
    seen.set(text, occurrence + 1);
    return createHash("sha256").update(JSON.stringify(["tunegate-case", c.input, c.expected, occurrence])).digest("hex");
  });
}

/** The shard (1..count) of a case identity: its first 48 bits, modulo count. */
export function shardOfIdentity(identity: string, count: number): number {
  return (Number.parseInt(identity.slice(0, 12), 16) % count) + 1;
}

/** The cases shard `selector` runs, in suite order, each keeping its `index` in the whole suite. */
export function casesOfShard<C extends Pick<SuiteCase, "input" | "expected">>(cases: readonly C[], selector: ShardSelector): C[] {
  const identities = caseIdentities(cases);
  return cases.filter((_, i) => shardOfIdentity(identities[i]!, selector.count) === selector.index);
}

/**
 * What the results and the report of a suite depend on apart from its model files (hashed on their own) and
 * where it lies: settings, prompts and every case. Two parts with the same hash ran the same suite, even from
 * checkouts at different paths. The suite's `engine:` block is left out (it holds an API key; the engine is
 * compared by the report's engine block).
 */
export function suiteContentSha256(suite: Suite): string {
  const examples = suite.fewShot.examples.map((e) => [e.input, e.output]);
  const { role, task, format, inputPrefix, outputPrefix, template } = suite.fewShot;
  const content = [
    "tunegate-suite",
    suite.name,
    suite.labels,
    [role, task, format, inputPrefix, outputPrefix, examples, template ?? null],
    [suite.lora.scale, suite.lora.template],
    suite.scoring,
    suite.lengthNormalize,
    suite.volume.callsPerDay,
    suite.cost ?? null,
    suite.gate,
    suite.misses,
    suite.cases.map((c) => [c.input, c.expected, c.must]),
  ];
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}
