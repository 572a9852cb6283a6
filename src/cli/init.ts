// `tunegate init`: a starter in the current folder — a suite with comments, a vitest.config with the plugin
// (ES module or CommonJS, as the project's package.json says), and a GitHub workflow that runs it. Files that
// exist are never touched: each one refused is named, and the exit status is then 2.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { EXIT_INVALID, EXIT_OK, type CliIO } from "../run/io.js";
import { parseCommandArgs } from "./args.js";

export const initUsage = `Usage: tunegate init

Writes a starter into the current folder, and never overwrites a file:
  suites/triage.cases.yaml        a suite with comments (models: $TUNEGATE_MODELS, default ./models)
  vitest.config.js                Vitest with tunegate's plugin, ES module or CommonJS as package.json says
  .github/workflows/tunegate.yml  runs the tests and the gate on pushes and pull requests

Exit status: 0 all written, 2 a file already existed (it is named and kept; the others are written).`;

export const STARTER_SUITE = "suites/triage.cases.yaml";
export const STARTER_WORKFLOW = ".github/workflows/tunegate.yml";

const SUITE = `# yaml-language-server: $schema=../node_modules/tunegate/schema/suite.schema.json
# (The schema path is relative to this file: one ../ per folder between it and node_modules.)
#
# A tunegate suite: the same cases through two arms of one base model, a few-shot prompt and a LoRA adapter,
# then the decision rule. Every case becomes a Vitest test per arm; \`npx tunegate validate suites/\` checks
# the file without running a model.
name: Customer message triage
labels: [complaint, inquiry, praise, cancellation]   # every expected label and example output is one of these

few_shot:
  # Paths are relative to this file; \${env:VAR:-default} takes an environment variable (the workflow sets it).
  model: \${env:TUNEGATE_MODELS:-../models}/base.gguf
  role: a customer-support triage assistant
  task: classify each customer message into one category
  format: one word, one of the categories
  input_prefix: Message
  output_prefix: Category
  examples:                  # 3–10, at least one per label
    - { input: The item broke after one use., output: complaint }
    - { input: What payment methods do you accept?, output: inquiry }
    - { input: "Amazing quality, will buy again!", output: praise }   # quote text with a comma or colon
    - { input: "Please cancel my order #12345.", output: cancellation }

lora:
  # model defaults to few_shot.model; the adapter must be trained on that base (GGUF, from convert_lora_to_gguf.py).
  adapter: \${env:TUNEGATE_MODELS:-../models}/adapter.gguf
  template: "Classify this customer message: \\"{input}\\"\\nCategory:"   # exactly the prompt the adapter was trained on

cases:                       # or cases_file: cases.jsonl / cases.csv for many
  - { input: The shipment arrived damaged., expected: complaint }
  - { input: Can you tell me your business hours?, expected: inquiry }
  - { input: I'd like to cancel my subscription., expected: cancellation, must: true }   # a miss fails the run
  - { input: This is the best product I've ever used!, expected: praise }
  - { input: My order hasn't arrived in 3 weeks., expected: complaint }
  - { input: Do you ship to Canada?, expected: inquiry }
  - { input: Thank you for the quick help., expected: praise }
  - { input: Please close my account., expected: cancellation }
  - { input: The delivery was late again., expected: complaint }
  - { input: How long does delivery take?, expected: inquiry }
  - { input: Great service and very friendly staff., expected: praise }
  - { input: Please terminate my contract., expected: cancellation }

volume: { calls_per_day: 5000 }   # your production volume: the fine-tune verdict needs 100,000 by default
gate:
  fail_on: fine-tune         # fail the run when the fine-tune clearly pays off (gray-zone: also then; never: report only)
misses: warn                 # a missed case (not must) passes with a warning; fail: it fails its test
`;

const PLUGIN_OPTIONS = `{ report: { json: "tunegate-report.json", markdown: "tunegate-report.md" } }`;

const CONFIG_ESM = `// Vitest with tunegate: every *.cases.yaml becomes tests, and the run ends with the verdicts.
// If you set test.include, keep "**/*.cases.yaml" in it (tunegate says so, and fails under CI, if none is).
import { defineConfig } from "vitest/config";
import { tunegate } from "tunegate/vitest";

export default defineConfig({
  plugins: [tunegate(${PLUGIN_OPTIONS})],
});
`;

const CONFIG_CJS = `// Vitest with tunegate: every *.cases.yaml becomes tests, and the run ends with the verdicts.
// If you set test.include, keep "**/*.cases.yaml" in it (tunegate says so, and fails under CI, if none is).
const { tunegate } = require("tunegate/vitest");

module.exports = {
  plugins: [tunegate(${PLUGIN_OPTIONS})],
};
`;

const WORKFLOW = `# Written by \`npx tunegate init\`: runs the Vitest tests, tunegate's suites among them, on every push to main
# and every pull request; a failed gate fails the job. Adjust the lines marked ←. For PR comments, a baseline
# comparison and annotations, see tunegate's Action (examples/workflow.yml in tunegate's repository).
name: tunegate

on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read

jobs:
  test:
    runs-on: ubuntu-latest # ← a GPU runner for larger models
    timeout-minutes: 30
    env:
      # The suite reads its models from here (\${env:TUNEGATE_MODELS:-../models}).
      TUNEGATE_MODELS: \${{ github.workspace }}/.models
      # Pin both files by URL (with a commit in it) and SHA-256: the cache key is made of these.
      BASE_MODEL_URL: https://huggingface.co/your-org/your-base-GGUF/resolve/0123456789abcdef/base.Q4_K_M.gguf # ←
      BASE_MODEL_SHA256: 0000000000000000000000000000000000000000000000000000000000000000 # ←
      ADAPTER_URL: https://huggingface.co/your-org/your-lora-GGUF/resolve/fedcba9876543210/adapter.gguf # ←
      ADAPTER_SHA256: 1111111111111111111111111111111111111111111111111111111111111111 # ←
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: "20"
          cache: npm
      - run: npm ci

      - name: Cache the GGUF models
        id: models
        uses: actions/cache@v4
        with:
          path: .models
          key: gguf-\${{ runner.os }}-\${{ env.BASE_MODEL_SHA256 }}-\${{ env.ADAPTER_SHA256 }}

      - name: Download the GGUF models (cache miss only)
        if: steps.models.outputs.cache-hit != 'true'
        shell: bash
        run: |
          mkdir -p "$TUNEGATE_MODELS"
          curl --fail --location --retry 3 --silent --show-error --output "$TUNEGATE_MODELS/base.gguf" "$BASE_MODEL_URL"
          curl --fail --location --retry 3 --silent --show-error --output "$TUNEGATE_MODELS/adapter.gguf" "$ADAPTER_URL"
          echo "$BASE_MODEL_SHA256  $TUNEGATE_MODELS/base.gguf" | sha256sum --check --strict
          echo "$ADAPTER_SHA256  $TUNEGATE_MODELS/adapter.gguf" | sha256sum --check --strict

      # tunegate's reporter stays beside whatever --reporter names; the JUnit file is for your CI's test view.
      - name: Tests and the tunegate gate
        run: npx vitest run --reporter=default --reporter=junit --outputFile.junit=junit.xml

      - name: Keep the reports
        if: \${{ !cancelled() }}
        uses: actions/upload-artifact@v4
        with:
          name: tunegate-report
          path: |
            tunegate-report.json
            tunegate-report.md
            junit.xml
          if-no-files-found: warn
`;

/** Config files Vitest would read instead of (or besides) the one init writes. */
const CONFIG_NAME = /^vite(st)?\.config\.(c|m)?(j|t)s$/;

function packageType(cwd: string): "module" | "commonjs" {
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")) as { type?: unknown };
    return pkg.type === "module" ? "module" : "commonjs";
  } catch {
    return "commonjs";
  }
}

function existingConfig(cwd: string): string | undefined {
  try {
    return readdirSync(cwd).find((name) => CONFIG_NAME.test(name));
  } catch {
    return undefined;
  }
}

/** Creates `path` with `text` unless something (a file, a folder, a link) is already there. */
function writeNew(path: string, text: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, text, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

export async function init(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(args, { help: { type: "boolean", short: "h", default: false } });
  if (parsed.values.help) {
    io.stdout(initUsage);
    return EXIT_OK;
  }
  if (parsed.positionals.length > 0) {
    io.stderr(`tunegate init: takes no arguments (got ${parsed.positionals.join(" ")}); it writes into the current folder.`);
    return EXIT_INVALID;
  }
  const type = packageType(io.cwd);
  const refused: string[] = [];
  const write = (name: string, text: string) => {
    if (writeNew(join(io.cwd, name), text)) io.stdout(`tunegate init: wrote ${name}`);
    else refused.push(name);
  };
  write(STARTER_SUITE, SUITE);
  const config = existingConfig(io.cwd);
  if (config === undefined) write("vitest.config.js", type === "module" ? CONFIG_ESM : CONFIG_CJS);
  else refused.push(config);
  write(STARTER_WORKFLOW, WORKFLOW);

  for (const name of refused) {
    const hint = name === config ? `; add the plugin to it yourself: ${type === "module" ? `import { tunegate } from "tunegate/vitest"` : `const { tunegate } = require("tunegate/vitest")`} and plugins: [tunegate()]` : "";
    io.stderr(`tunegate init: refused to overwrite ${name}: it exists and was kept${hint}`);
  }
  io.stdout(
    `Next: put base.gguf and adapter.gguf in ./models (or set TUNEGATE_MODELS), check with \`npx tunegate validate suites/\`, then run \`npx vitest run\`.`,
  );
  return refused.length > 0 ? EXIT_INVALID : EXIT_OK;
}
