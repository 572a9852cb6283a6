import { describe, expect, it } from "vitest";
import {
  renderExamples,
  renderFewShotPrompt,
  renderLoraPrompt,
  renderPromptParts,
  sharedPromptPrefix,
} from "../../src/prompts.js";
import type { FewShotArm, LoraArm, ModelRef } from "../../src/types.js";

const model: ModelRef = { path: "/m/base.gguf", written: "./base.gguf", envVars: [], location: { file: "/s.cases.yaml", line: 1, column: 1 } };
const at = { file: "/s.cases.yaml", line: 1, column: 1 };

const fewShot: FewShotArm = {
  model,
  role: "a customer-support triage assistant",
  task: "classify each customer message into one category",
  format: "one word, one of the categories",
  inputPrefix: "Message",
  outputPrefix: "Category",
  examples: [
    { input: "The item broke after one use.", output: "complaint", location: at },
    { input: "Do you ship to Canada?", output: "inquiry", location: at },
  ],
};

const lora: LoraArm = {
  model,
  adapter: { ...model, path: "/m/lora.gguf" },
  scale: 1,
  template: 'Classify this customer message: "{input}"\nCategory:',
};

describe("renderFewShotPrompt", () => {
  it("renders the structured prompt exactly, ending with the output cue and nothing after it", () => {
    expect(renderFewShotPrompt(fewShot, "The shipment arrived damaged.")).toBe(
      "You are a customer-support triage assistant. You classify each customer message into one category.\n" +
        "Format: one word, one of the categories\n" +
        "Examples:\n" +
        "---\n" +
        "Message: The item broke after one use.\n" +
        "Category: complaint\n" +
        "---\n" +
        "Message: Do you ship to Canada?\n" +
        "Category: inquiry\n" +
        "---\n" +
        "Message: The shipment arrived damaged.\n" +
        "Category:",
    );
  });

  it("uses the default prefixes Input and Output", () => {
    const prompt = renderFewShotPrompt({ ...fewShot, inputPrefix: "Input", outputPrefix: "Output", examples: fewShot.examples.slice(0, 1) }, "x");
    expect(prompt).toBe(
      `You are ${fewShot.role}. You ${fewShot.task}.\nFormat: ${fewShot.format}\nExamples:\n---\nInput: The item broke after one use.\nOutput: complaint\n---\nInput: x\nOutput:`,
    );
  });

  it("substitutes {examples} and {input} in a template, once, without rescanning inserted text", () => {
    const templated: FewShotArm = { ...fewShot, template: "Sort messages.\n{examples}\nMessage: {input}\nCategory:" };
    expect(renderFewShotPrompt(templated, "literal {examples} and {input}")).toBe(
      "Sort messages.\n---\nMessage: The item broke after one use.\nCategory: complaint\n---\nMessage: Do you ship to Canada?\nCategory: inquiry\n---\n" +
        "Message: literal {examples} and {input}\nCategory:",
    );
  });

  it("keeps braces that are not placeholders", () => {
    const templated: FewShotArm = { ...fewShot, template: 'Reply as JSON {"label": ...}.\n{examples}\nMessage: {input}\nCategory:' };
    expect(renderFewShotPrompt(templated, "hi").startsWith('Reply as JSON {"label": ...}.\n---\n')).toBe(true);
  });
});

describe("renderExamples", () => {
  it("is the ----separated blocks, starting and ending with ---", () => {
    expect(renderExamples(fewShot)).toBe(
      "---\nMessage: The item broke after one use.\nCategory: complaint\n---\nMessage: Do you ship to Canada?\nCategory: inquiry\n---",
    );
  });
});

describe("renderLoraPrompt", () => {
  it("puts the input into the template", () => {
    expect(renderLoraPrompt(lora, "Where is my order?")).toBe('Classify this customer message: "Where is my order?"\nCategory:');
  });

  it("replaces every {input}", () => {
    expect(renderLoraPrompt({ ...lora, template: "{input} / {input}:" }, "a")).toBe("a / a:");
  });
});

describe("renderPromptParts", () => {
  const inputs = ["The shipment arrived damaged.", "x", "", "Line one\nLine two"];

  it.each([
    ["few-shot", fewShot],
    ["few-shot template", { ...fewShot, template: "{examples}\nMessage: {input}\nCategory:" }],
    ["lora", lora],
  ] as const)("%s: prefix + suffix is the full prompt and the prefix is the same for every input", (_name, arm) => {
    const render = (input: string) => ("adapter" in arm ? renderLoraPrompt(arm, input) : renderFewShotPrompt(arm, input));
    const prefixes = new Set<string>();
    for (const input of inputs) {
      const { prefix, suffix } = renderPromptParts(arm, input);
      expect(prefix + suffix).toBe(render(input));
      prefixes.add(prefix);
    }
    expect(prefixes.size).toBe(1);
    expect(sharedPromptPrefix(arm)).toBe([...prefixes][0]);
  });

  it("cuts the structured prompt before the space that precedes the input, so the input keeps its leading space token", () => {
    const { prefix, suffix } = renderPromptParts(fewShot, "Hello");
    expect(prefix.endsWith("---\nMessage:")).toBe(true);
    expect(suffix).toBe(" Hello\nCategory:");
  });

  it("cuts a template just before {input}", () => {
    expect(renderPromptParts(lora, "Hi")).toEqual({ prefix: 'Classify this customer message: "', suffix: 'Hi"\nCategory:' });
  });
});
