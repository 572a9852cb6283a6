// The small story-feeling suite the real-model tests run (stories260K, llama-2-tiny-random and llama-server):
// one place that writes its YAML, each test choosing its labels, examples and cases.
import { join } from "node:path";
import { loadSuiteFromText } from "../../src/suite/loader.js";
import type { Suite } from "../../src/types.js";

export interface StorySuiteSpec {
  model: string;
  adapter: string;
  labels: readonly string[];
  /** [input, label] pairs of the few-shot block. */
  examples: ReadonlyArray<readonly [string, string]>;
  /** [input, expected] pairs. */
  cases: ReadonlyArray<readonly [string, string]>;
  scoring?: string;
  /** More top-level YAML, appended as written. */
  extra?: string;
}

/** Loads the suite from YAML written into `dir`; a suite that does not load is an error naming its diagnostics. */
export async function loadStorySuite(spec: StorySuiteSpec, dir: string, name = "stories.cases.yaml"): Promise<Suite> {
  const pair = ([input, label]: readonly [string, string], key: string) => `    - { input: ${JSON.stringify(input)}, ${key}: ${label} }`;
  const yaml = `
labels: [${spec.labels.join(", ")}]
few_shot:
  model: ${spec.model}
  role: a storyteller
  task: say how the character feels
  format: one word
  input_prefix: Story
  output_prefix: Feeling
  examples:
${spec.examples.map((example) => pair(example, "output")).join("\n")}
lora:
  adapter: ${spec.adapter}
  template: "Story: {input}\\nFeeling:"
cases:
${spec.cases.map((c) => pair(c, "expected").slice(2)).join("\n")}
scoring: ${spec.scoring ?? "logprob"}
volume: { calls_per_day: 1000 }
${spec.extra ?? ""}`;
  const { suite, diagnostics } = await loadSuiteFromText(yaml, join(dir, name));
  if (!suite) throw new Error(diagnostics.map((d) => d.message).join("; "));
  return suite;
}
