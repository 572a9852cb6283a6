// Checks a schema cannot express: labels referenced across the file, templates, the gate's thresholds
// (errors), and the rules of a well-formed few-shot prompt (role, task, output format, 3–10 examples in one
// shape, ending in the output cue) plus common slips (warnings).
import { basename } from "node:path";
import { INVALID_PREDICTION, type FewShotExample, type Suite, type SuiteCase } from "../types.js";
import { EXAMPLES_MAX, EXAMPLES_MIN } from "./defaults.js";
import { error, startOf, warning, type Diagnostic } from "./diagnostics.js";
import { closestMatch } from "./did-you-mean.js";
import type { RawSuite } from "./raw-suite.js";
import type { DataPath, YamlLocator } from "./yaml-source.js";

export function checkSuite(suite: Suite, raw: RawSuite, locator: YamlLocator): Diagnostic[] {
  return [
    ...checkName(suite, raw, locator),
    ...checkLabels(suite, locator),
    ...checkExamples(suite, locator),
    ...checkCases(suite, raw, locator),
    ...checkFewShotPrompt(suite, raw, locator),
    ...checkLoraTemplate(suite, locator),
    ...checkGate(suite, locator),
    ...checkScoringAndVolume(suite, raw, locator),
  ];
}

/**
 * Index of the first character that has no place in a one-line name: C0 and C1 controls (newline, tab, NUL
 * included), DEL, the Unicode line and paragraph separators, and a surrogate without its pair; -1 if none.
 * Names and labels are printed on their own line in logs, titles and tables, where a line break would start
 * a new log line (one a CI runner might take for a command) and a lone surrogate cannot be written as UTF-8.
 */
function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return i;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

function controlCharacterProblem(text: string, what: string, at: Diagnostic["location"], hint: string): Diagnostic | undefined {
  const index = firstControlCharacter(text);
  if (index === -1) return undefined;
  const code = text.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0");
  return error("control-character", at, `${what} contains the control character U+${code} at character ${index + 1}; it must be one line of printable text`, hint);
}

function checkName(suite: Suite, raw: RawSuite, locator: YamlLocator): Diagnostic[] {
  // The path is a test module's id in Vitest, which cannot load one with a line break, and is printed too.
  const path = controlCharacterProblem(locator.file, `the suite file's path ${JSON.stringify(locator.file)}`, startOf(locator.file), "rename the file (or its folder)");
  if (path !== undefined) return [path];
  const problem =
    raw.name !== undefined
      ? controlCharacterProblem(suite.name, "the suite's `name`", locator.value(["name"]), "remove the line break or control character (in a double-quoted string, an escape such as \\n)")
      : undefined;
  return problem === undefined ? [] : [problem];
}

function checkLabels(suite: Suite, locator: YamlLocator): Diagnostic[] {
  const found: Diagnostic[] = [];
  const byFolded = new Map<string, string>();
  suite.labels.forEach((label, i) => {
    const at = locator.value(["labels", i]);
    const control = controlCharacterProblem(label, `the label ${JSON.stringify(label)}`, at, "write the label as one word or phrase on one line");
    if (control !== undefined) {
      // The other label checks would only repeat the problem in other words.
      found.push(control);
      return;
    }
    if (label === INVALID_PREDICTION) {
      found.push(
        error(
          "label-reserved",
          at,
          `the label \`${INVALID_PREDICTION}\` is reserved: tunegate records generate-mode output that matches no label as \`${INVALID_PREDICTION}\``,
          "rename the label, e.g. `invalid_request`",
        ),
      );
    }
    if (label.trim() === "") {
      found.push(error("empty-value", at, "a label is only whitespace", "write the label's name, or remove it"));
      return;
    }
    if (label !== label.trim()) {
      found.push(
        warning(
          "label-whitespace",
          at,
          `the label \`${label}\` starts or ends with whitespace; labels match exactly, so outputs and cases must carry the same spaces`,
          `write \`${label.trim()}\``,
        ),
      );
    } else if (/\s/.test(label) && suite.scoring === "generate") {
      found.push(
        warning(
          "label-whitespace",
          at,
          `the label \`${label}\` contains a space, but generate scoring compares only the first word of the output, so it can never be predicted`,
          `use one word (e.g. \`${label.replace(/\s+/g, "_")}\`), or \`scoring: logprob\``,
        ),
      );
    }
    const folded = label.toLowerCase();
    const twin = byFolded.get(folded);
    if (twin !== undefined) {
      found.push(
        warning(
          "label-case-collision",
          at,
          `the labels \`${twin}\` and \`${label}\` differ only in letter case; they are different labels, as matching is case-sensitive`,
          "merge them unless they really are two categories",
        ),
      );
    } else {
      byFolded.set(folded, label);
    }
  });
  return found;
}

function checkExamples(suite: Suite, locator: YamlLocator): Diagnostic[] {
  const found: Diagnostic[] = [];
  const { examples } = suite.fewShot;
  const labels = new Set(suite.labels);
  examples.forEach((example, i) => {
    if (!labels.has(example.output)) {
      found.push(unknownLabel(example.output, suite.labels, locator.value(["few_shot", "examples", i, "output"]), "example output"));
    }
  });

  if (examples.length < EXAMPLES_MIN || examples.length > EXAMPLES_MAX) {
    found.push(
      warning(
        "example-count",
        locator.key(["few_shot", "examples"]),
        `\`few_shot\` has ${examples.length} example${examples.length === 1 ? "" : "s"}; ${EXAMPLES_MIN} to ${EXAMPLES_MAX} work best`,
        examples.length < EXAMPLES_MIN
          ? "add examples, at least one per label"
          : "keep the clearest examples; a long prompt costs tokens on every call without making the model more accurate",
      ),
    );
  }

  const shown = new Set(examples.map((e) => e.output));
  suite.labels.forEach((label, i) => {
    if (!shown.has(label)) {
      found.push(
        warning(
          "label-without-example",
          locator.value(["labels", i]),
          `the label \`${label}\` has no few-shot example, so the prompt never shows the model when to answer it`,
          `add an example with \`output: ${label}\``,
        ),
      );
    }
  });

  found.push(...inconsistentFormat(examples, suite.fewShot.inputPrefix, suite.fewShot.outputPrefix));
  return found;
}

/** "Keep examples in one format", made concrete: the same shape for every example. */
function inconsistentFormat(examples: readonly FewShotExample[], inputPrefix: string, outputPrefix: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  const traits: { has: (e: FewShotExample) => boolean; is: string; isNot: string }[] = [
    { has: (e) => /^(["'“‘]).*(["'”’])$/s.test(e.input.trim()), is: "is wrapped in quotes", isNot: "are not" },
    { has: (e) => e.input.trim().includes("\n"), is: "spans several lines", isNot: "are single lines" },
  ];
  for (const trait of traits) {
    const withTrait = examples.filter(trait.has);
    if (withTrait.length === 0 || withTrait.length === examples.length) continue;
    const minority = withTrait.length * 2 <= examples.length ? withTrait : examples.filter((e) => !trait.has(e));
    const others = examples.length - minority.length;
    for (const example of minority) {
      const index = examples.indexOf(example) + 1;
      found.push(
        warning(
          "examples-inconsistent",
          example.location,
          minority === withTrait
            ? `example ${index}'s input ${trait.is}, but ${others} of the ${examples.length} examples ${trait.isNot}`
            : `example ${index}'s input does not match the others: ${others} of the ${examples.length} examples' inputs ${trait.is.replace(/^is /, "are ").replace(/^spans/, "span")}`,
          "write all examples in the same format; the model copies the format it sees",
        ),
      );
    }
  }
  examples.forEach((example, i) => {
    if (example.input !== example.input.trim() || example.output !== example.output.trim()) {
      found.push(
        warning(
          "examples-inconsistent",
          example.location,
          `example ${i + 1} has leading or trailing whitespace in its input or output`,
          "remove the surrounding spaces or line breaks",
        ),
      );
    }
    const structural = example.input
      .split("\n")
      .find((line) => line.trim() === "---" || line.startsWith(`${inputPrefix}:`) || line.startsWith(`${outputPrefix}:`));
    if (structural !== undefined) {
      found.push(
        warning(
          "examples-inconsistent",
          example.location,
          `example ${i + 1}'s input contains the line \`${structural.trim()}\`, which looks like the prompt's own structure to the model`,
          "reword the input, or change `input_prefix`/`output_prefix`",
        ),
      );
    }
  });
  return found;
}

function checkCases(suite: Suite, raw: RawSuite, locator: YamlLocator): Diagnostic[] {
  const found: Diagnostic[] = [];
  const labels = new Set(suite.labels);
  const inline = raw.cases !== undefined;
  const expectedAt = (c: SuiteCase) => (inline ? locator.value(["cases", c.index, "expected"]) : c.location);
  const firstByInput = new Map<string, SuiteCase>();
  const examplesByInput = new Map<string, FewShotExample>();
  for (const example of suite.fewShot.examples) examplesByInput.set(normaliseText(example.input), example);

  for (const c of suite.cases) {
    if (!labels.has(c.expected)) found.push(unknownLabel(c.expected, suite.labels, expectedAt(c), "expected label"));
    const key = normaliseText(c.input);
    const first = firstByInput.get(key);
    if (first !== undefined) {
      const conflict = first.expected !== c.expected;
      found.push(
        warning(
          "duplicate-case",
          c.location,
          `this case repeats the input of the case at ${where(first.location, c.location)}${conflict ? ` with a different expected label (\`${first.expected}\` there, \`${c.expected}\` here)` : ""}`,
          conflict ? "decide which label is right and keep one case" : "remove the duplicate; it counts twice in the accuracy",
        ),
      );
    } else {
      firstByInput.set(key, c);
    }
    const example = examplesByInput.get(key);
    if (example !== undefined) {
      found.push(
        warning(
          "case-leaks-example",
          c.location,
          `this case is identical to the few-shot example at ${where(example.location, c.location)}: the prompt gives the few-shot arm its answer`,
          "use a different case, or a different example",
        ),
      );
    }
  }
  return found;
}

function checkFewShotPrompt(suite: Suite, raw: RawSuite, locator: YamlLocator): Diagnostic[] {
  const found: Diagnostic[] = [];
  const fewShot = suite.fewShot;
  if (fewShot.template !== undefined) {
    const at = locator.value(["few_shot", "template"]);
    found.push(...templateProblems(fewShot.template, at, "few_shot.template", ["input", "examples"]));
    if (!fewShot.template.includes("{examples}")) {
      found.push(
        warning(
          "template-no-examples",
          at,
          "`few_shot.template` has no `{examples}`, so the few-shot examples are never shown to the model",
          "put `{examples}` where the examples belong",
        ),
      );
    }
    const ignored = (["role", "task", "format"] as const).filter((key) => raw.few_shot[key] !== undefined);
    if (ignored.length > 0) {
      found.push(
        warning(
          "template-ignored-fields",
          locator.key(["few_shot", ignored[0]!]),
          `${ignored.map((k) => `\`few_shot.${k}\``).join(", ")} ${ignored.length === 1 ? "is" : "are"} ignored because \`few_shot.template\` is set`,
          ignored.length === 1 ? "remove it, or write it into the template" : "remove them, or write them into the template",
        ),
      );
    }
  } else {
    const sentence = (key: "role" | "task", lead: string) => {
      const value = fewShot[key];
      const at = locator.value(["few_shot", key]);
      if (/[.!?]\s*$/.test(value)) {
        found.push(
          warning("prompt-punctuation", at, `\`few_shot.${key}\` ends with punctuation, but the prompt adds a period after it ("${lead} ${value}.")`, "drop the final punctuation"),
        );
      }
      if (new RegExp(`^${lead}\\b`, "i").test(value)) {
        found.push(
          warning("prompt-punctuation", at, `\`few_shot.${key}\` starts with "${lead}", which the prompt already writes ("${lead} ${value}.")`, `drop the leading "${lead}"`),
        );
      }
    };
    sentence("role", "You are");
    sentence("task", "You");
  }
  for (const key of ["input_prefix", "output_prefix"] as const) {
    const value = raw.few_shot[key];
    if (value !== undefined && /:\s*$/.test(value)) {
      found.push(
        warning(
          "prompt-punctuation",
          locator.value(["few_shot", key]),
          `\`few_shot.${key}\` ends with a colon, but the prompt adds one ("${value}: ...")`,
          `write \`${value.replace(/:\s*$/, "")}\``,
        ),
      );
    }
  }
  return found;
}

function checkLoraTemplate(suite: Suite, locator: YamlLocator): Diagnostic[] {
  return templateProblems(suite.lora.template, locator.value(["lora", "template"]), "lora.template", ["input"]);
}

function templateProblems(template: string, at: Diagnostic["location"], key: string, placeholders: readonly string[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  if (!template.includes("{input}")) {
    found.push(
      error(
        "template-no-input",
        at,
        `\`${key}\` has no \`{input}\` placeholder, so the case text would never reach the model`,
        "write `{input}` where the message goes, e.g. `Message: {input}`",
      ),
    );
  }
  for (const match of template.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    const name = match[1]!;
    if (placeholders.includes(name)) continue;
    const close = closestMatch(name, placeholders);
    if (close !== undefined || name === "examples") {
      found.push(
        warning(
          "template-placeholder",
          at,
          `\`${key}\` contains \`{${name}}\`, which is not a placeholder here and stays in the prompt as written`,
          close !== undefined ? `did you mean \`{${close}}\`?` : `the placeholders of \`${key}\` are ${placeholders.map((p) => `{${p}}`).join(", ")}`,
        ),
      );
    }
  }
  if (/\n$/.test(template)) {
    found.push(
      warning(
        "template-trailing-newline",
        at,
        `\`${key}\` ends with a line break (YAML's \`|\` keeps the last one), so the prompt ends with a newline after the cue`,
        "use `|-` instead of `|` to drop it, unless the model was trained that way",
      ),
    );
  }
  return found;
}

function checkGate(suite: Suite, locator: YamlLocator): Diagnostic[] {
  const { withinPoints, loraWinsPoints } = suite.gate;
  if (withinPoints < loraWinsPoints) return [];
  const path: DataPath = locator.has(["gate", "within_points"])
    ? ["gate", "within_points"]
    : locator.has(["gate", "lora_wins_points"])
      ? ["gate", "lora_wins_points"]
      : ["gate"];
  return [
    error(
      "gate-thresholds",
      locator.value(path),
      `\`gate.within_points\` (${withinPoints}) must be smaller than \`gate.lora_wins_points\` (${loraWinsPoints}); between them lies the gray zone`,
      "e.g. within_points: 5 and lora_wins_points: 15",
    ),
  ];
}

function checkScoringAndVolume(suite: Suite, raw: RawSuite, locator: YamlLocator): Diagnostic[] {
  const found: Diagnostic[] = [];
  if (suite.lengthNormalize && suite.scoring === "generate") {
    found.push(
      warning(
        "length-normalize-ignored",
        locator.value(["length_normalize"]),
        "`length_normalize` has no effect with `scoring: generate`",
        "remove it, or use `scoring: logprob`",
      ),
    );
  }
  if (raw.volume === undefined) {
    found.push(
      warning(
        "volume-missing",
        startOf(locator.file),
        "`volume.calls_per_day` is not set, so 0 calls a day is assumed: the gate never recommends the fine-tune on volume grounds and costs per day are 0",
        "add `volume: { calls_per_day: <expected production calls a day> }`",
      ),
    );
  }
  return found;
}

function unknownLabel(value: string, labels: readonly string[], at: Diagnostic["location"], what: string): Diagnostic {
  const trimmed = value.trim();
  const close = closestMatch(value, labels);
  const hint =
    trimmed !== value && labels.includes(trimmed)
      ? `remove the surrounding whitespace: \`${trimmed}\``
      : close !== undefined
        ? `did you mean \`${close}\`? (labels match exactly, case-sensitive)`
        : `use one of ${labels.map((l) => `\`${l}\``).join(", ")}, or add \`${value}\` to \`labels\``;
  return error("label-unknown", at, `the ${what} \`${value}\` is not one of the suite's labels`, hint);
}

function normaliseText(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}

function where(location: Diagnostic["location"], from: Diagnostic["location"]): string {
  return location.file === from.file ? `line ${location.line}` : `${basename(location.file)}:${location.line}`;
}
