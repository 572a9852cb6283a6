// The suite file's JSON Schema (draft 2020-12): the one definition behind ajv validation, the raw TypeScript
// type (FromSchema) and the editor schema shipped as schema/suite.schema.json (see tools/write-schemas.ts).
// Every property carries a title and description because yaml-language-server shows them as hover help.
// Rules that need more than one key (cases vs cases_file, role/task/format vs template) are expressed here
// too, so editors flag them; the loader translates their ajv errors into one readable message each.
// The raw type derived from it lives in raw-suite.ts, so that this public module does not depend on
// json-schema-to-ts (a build-time dependency) in its declarations.
import { ARM_DISPLAY, ARMS, FAIL_ON_POLICIES, MISS_POLICIES, REMOTE_ENGINE_KIND_NAMES, SCORING_MODES } from "../types.js";
import { CASES_FILE_MAX_BYTES, formatLimit, SUITE_FILE_MAX_BYTES } from "./limits.js";

// A subschema that only requires keys; `properties: { key: true }` declares them so ajv's strict mode
// (strictRequired) accepts a `required` inside oneOf/anyOf. The real definitions live in the parent.
function requireKeys<const K extends readonly string[]>(...keys: K) {
  return {
    required: keys,
    properties: Object.fromEntries(keys.map((key) => [key, true])) as { [P in K[number]]: true },
  } as const;
}


// Upper bounds that keep every cost figure finite (prices × tokens × calls stays far below 1e308) and an
// adapter scale from overflowing the logits; anything beyond them is a typo, not a production setting.
const MAX_LORA_SCALE = 10;
// Names and labels are printed in every table row, test name and annotation title: a bound keeps a hostile
// megabyte out of each of them (free text such as cases is bounded by the file size limits).
const MAX_NAME_CHARS = 200;
const MAX_LABEL_CHARS = 100;
const MAX_PRICE_PER_MILLION = 1_000_000;
const MAX_CALLS_PER_DAY = 1e12;
const MAX_ONE_OFF_COST = 1e12;

const promptTemplateHelp =
  "Placeholders: {input} (the case text, required)";

const armPrices = (arm: string) =>
  ({
    type: "object",
    title: `${arm} prices`,
    description: `Token prices of the ${arm} arm in production, in \`cost.currency\` per million tokens.`,
    additionalProperties: false,
    required: ["input_per_million", "output_per_million"],
    properties: {
      input_per_million: {
        type: "number",
        minimum: 0,
        maximum: MAX_PRICE_PER_MILLION,
        title: "Input price per million tokens",
        description: "Price of one million prompt tokens, in `cost.currency`.",
      },
      output_per_million: {
        type: "number",
        minimum: 0,
        maximum: MAX_PRICE_PER_MILLION,
        title: "Output price per million tokens",
        description: "Price of one million generated tokens, in `cost.currency`.",
      },
    },
  }) as const;

/** A string that must not be empty, with the title and description editors show. */
function nonEmptyText<const T extends string, const D extends string>(title: T, description: D) {
  return { type: "string", minLength: 1, title, description } as const;
}

export const suiteSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $comment: "Generated from src/suite/schema.ts by `node dist/tools/write-schemas.js`; edit that file, not this one.",
  title: "tunegate suite",
  description:
    "A tunegate suite (*.cases.yaml): a classification task measured two ways, a few-shot prompt and a LoRA " +
    "fine-tune on the same base model, to decide which one to ship. Paths are relative to the suite file; " +
    "model, adapter and cases_file paths may use ${env:VAR} or ${env:VAR:-default}. Give exactly one of " +
    `\`cases\` and \`cases_file\`. A suite file may be at most ${formatLimit(SUITE_FILE_MAX_BYTES)}.`,
  type: "object",
  additionalProperties: false,
  required: ["labels", ...ARMS],
  oneOf: [requireKeys("cases"), requireKeys("cases_file")],
  properties: {
    name: {
      type: "string",
      minLength: 1,
      maxLength: MAX_NAME_CHARS,
      title: "Suite name",
      description: `Shown in test names and reports, at most ${MAX_NAME_CHARS} characters. Default: the file name without \`.cases.yaml\`.`,
    },
    labels: {
      type: "array",
      minItems: 1,
      uniqueItems: true,
      title: "Labels",
      description:
        "The categories a message can belong to. Matching is exact and case-sensitive: every example output " +
        "and every case's `expected` must be one of these strings. `invalid` is reserved (it marks " +
        "generate-mode output that is no label).",
      items: {
        type: "string",
        minLength: 1,
        maxLength: MAX_LABEL_CHARS,
        title: "Label",
        description: `One category, e.g. \`complaint\`, at most ${MAX_LABEL_CHARS} characters.`,
      },
    },
    few_shot: {
      type: "object",
      title: "Few-shot arm",
      description:
        "The base model with a few-shot prompt. Without `template` the prompt is:\n" +
        "You are {role}. You {task}.\nFormat: {format}\nExamples:\n---\n{input_prefix}: {example input}\n" +
        "{output_prefix}: {example output}\n---\n...\n{input_prefix}: {case input}\n{output_prefix}:",
      additionalProperties: false,
      required: ["model", "examples"],
      anyOf: [requireKeys("template"), requireKeys("role", "task", "format")],
      properties: {
        model: nonEmptyText(
          "Base model",
          "Path of the base model GGUF file, relative to this suite file. ${env:VAR} and ${env:VAR:-default} " +
            "are expanded.",
        ),
        role: {
          type: "string",
          minLength: 1,
          title: "Role",
          description: "Who the model is: rendered as `You are {role}.` Required unless `template` is set.",
        },
        task: {
          type: "string",
          minLength: 1,
          title: "Task",
          description: "What the model does: rendered as `You {task}.` Required unless `template` is set.",
        },
        format: {
          type: "string",
          minLength: 1,
          title: "Output format",
          description: "The expected answer format: rendered as `Format: {format}`. Required unless `template` is set.",
        },
        input_prefix: {
          type: "string",
          minLength: 1,
          default: "Input",
          title: "Input prefix",
          description: "Written before each input: `{input_prefix}: {input}`. Default `Input`.",
        },
        output_prefix: {
          type: "string",
          minLength: 1,
          default: "Output",
          title: "Output prefix",
          description: "Written before each answer; the prompt ends with `{output_prefix}:`. Default `Output`.",
        },
        examples: {
          type: "array",
          minItems: 1,
          title: "Examples",
          description:
            "The few-shot examples, in prompt order. 3-10 recommended, at least one per label, all in the " +
            "same format, none identical to a case.",
          items: {
            type: "object",
            title: "Example",
            description: "One worked example shown to the model.",
            additionalProperties: false,
            required: ["input", "output"],
            properties: {
              input: nonEmptyText("Example input", "The example message."),
              output: nonEmptyText("Example output", "The correct label for the example; must be one of `labels`."),
            },
          },
        },
        template: {
          type: "string",
          minLength: 1,
          title: "Prompt template",
          description:
            "A full prompt replacing the structured one. " +
            `${promptTemplateHelp}, {examples} (the examples as \`---\`-separated \`{input_prefix}: ...\` / ` +
            "`{output_prefix}: ...` blocks, starting and ending with `---`). Use `|-` for a block scalar so " +
            "the prompt does not end with a newline.",
        },
      },
    },
    lora: {
      type: "object",
      title: "LoRA arm",
      description: "The base model with a LoRA adapter and a minimal prompt (the one the adapter was trained on).",
      additionalProperties: false,
      required: ["adapter", "template"],
      properties: {
        model: nonEmptyText(
          "Base model",
          "Path of the base model GGUF file, relative to this suite file. Default: `few_shot.model`. " +
            "${env:VAR} and ${env:VAR:-default} are expanded.",
        ),
        adapter: nonEmptyText(
          "LoRA adapter",
          "Path of the LoRA adapter GGUF file, relative to this suite file. ${env:VAR} and ${env:VAR:-default} " +
            "are expanded.",
        ),
        scale: {
          type: "number",
          exclusiveMinimum: 0,
          maximum: MAX_LORA_SCALE,
          default: 1,
          title: "Adapter scale",
          description: `How strongly the adapter is applied (llama.cpp LoRA scale), above 0 and at most ${MAX_LORA_SCALE}. Default 1.`,
        },
        template: {
          type: "string",
          minLength: 1,
          title: "Prompt template",
          description: `The prompt the adapter was trained with. ${promptTemplateHelp}.`,
        },
      },
    },
    cases: {
      type: "array",
      minItems: 1,
      title: "Cases",
      description: "The test cases, each run through both arms. Use this or `cases_file`, not both.",
      items: {
        type: "object",
        title: "Case",
        description: "One message and its correct label.",
        additionalProperties: false,
        required: ["input", "expected"],
        properties: {
          input: nonEmptyText("Input", "The message to classify."),
          expected: nonEmptyText("Expected label", "The correct label; must be one of `labels` (exact, case-sensitive)."),
          must: {
            type: "boolean",
            default: false,
            title: "Must pass",
            description: "When true, a miss on this case always fails its test, whatever `misses` says.",
          },
        },
      },
    },
    cases_file: {
      type: "string",
      minLength: 1,
      title: "Cases file",
      description:
        "Path of a file holding the cases, relative to this suite file (${env:VAR} allowed). `.jsonl`/`.ndjson`: " +
        'one {"input": ..., "expected": ..., "must": true|false} object a line. `.csv`: a header row with ' +
        "`input` and `expected` columns (and optionally `must`), RFC 4180 quoting. Other keys or columns are " +
        `ignored. At most ${formatLimit(CASES_FILE_MAX_BYTES)}. Use this or \`cases\`, not both.`,
    },
    scoring: {
      type: "string",
      enum: SCORING_MODES,
      default: "logprob",
      title: "Scoring",
      description:
        "logprob (default): rank the labels by log P(label | prompt). generate: greedy decoding, compare the " +
        "first word of the output with the labels.",
    },
    length_normalize: {
      type: "boolean",
      default: false,
      title: "Length-normalise label scores",
      description:
        "logprob scoring only: rank labels by the mean log-probability per token instead of the sum, for label " +
        "sets whose token lengths differ. Default false.",
    },
    volume: {
      type: "object",
      title: "Production volume",
      description: "Expected production traffic; the gate and the cost figures depend on it.",
      additionalProperties: false,
      required: ["calls_per_day"],
      properties: {
        calls_per_day: {
          type: "number",
          minimum: 0,
          maximum: MAX_CALLS_PER_DAY,
          title: "Calls per day",
          description:
            "Classifications a day in production. When `volume` is left out, 0 is assumed (with a warning), " +
            "so the gate never recommends the fine-tune on volume grounds.",
        },
      },
    },
    cost: {
      type: "object",
      title: "Cost",
      description: "Optional token prices; enables cost per day and the break-even point of the fine-tune.",
      additionalProperties: false,
      required: [...ARMS],
      properties: {
        currency: {
          type: "string",
          minLength: 1,
          maxLength: 16,
          default: "USD",
          title: "Currency",
          description: "Currency of all prices, e.g. USD or EUR. Default USD.",
        },
        few_shot: armPrices(ARM_DISPLAY.few_shot),
        lora: armPrices(ARM_DISPLAY.lora),
        fine_tune_one_off: {
          type: "number",
          minimum: 0,
          maximum: MAX_ONE_OFF_COST,
          title: "Fine-tune one-off cost",
          description: "Engineering and training cost of the fine-tune, once, in `currency`.",
        },
      },
    },
    gate: {
      type: "object",
      title: "Gate",
      description: "When the CI gate recommends the prompt or the fine-tune, and when it fails.",
      additionalProperties: false,
      properties: {
        within_points: {
          type: "number",
          minimum: 0,
          maximum: 100,
          default: 5,
          title: "Within points",
          description:
            "If |LoRA accuracy - few-shot accuracy| is at most this many percentage points, ship the prompt. " +
            "Default 5. Must be smaller than `lora_wins_points`.",
        },
        lora_wins_points: {
          type: "number",
          minimum: 0,
          maximum: 100,
          default: 15,
          title: "LoRA wins points",
          description:
            "LoRA ahead by at least this many percentage points (at `volume_threshold` calls a day or more) " +
            "means the fine-tune pays off. Default 15.",
        },
        volume_threshold: {
          type: "number",
          minimum: 0,
          maximum: MAX_CALLS_PER_DAY,
          default: 100000,
          title: "Volume threshold",
          description: "Calls a day from which a fine-tune that wins clearly pays off. Default 100000.",
        },
        fail_on: {
          type: "string",
          enum: FAIL_ON_POLICIES,
          default: "fine-tune",
          title: "Fail on",
          description:
            "fine-tune (default): the gate fails when the verdict is to fine-tune; gray-zone: also when the " +
            "verdict is unclear; never: report only.",
        },
      },
    },
    engine: {
      type: "object",
      title: "Engine",
      description:
        "Optional: run both arms on an inference server instead of in-process. A run option (--engine-url, " +
        "TUNEGATE_ENGINE_URL, the plugin's `engine`, the Action's `engine-url`) takes precedence over this block.",
      additionalProperties: false,
      required: ["url"],
      properties: {
        url: {
          type: "string",
          minLength: 1,
          maxLength: 2000,
          title: "Engine URL",
          description: "The server's base URL, e.g. http://127.0.0.1:8080, or several replicas' URLs separated by commas (cases are spread over them); only `${env:TUNEGATE_...}` variables are expanded. Credentials in it are never printed. Not used on GitHub Actions (give the Action's engine-url instead).",
        },
        kind: {
          type: "string",
          enum: REMOTE_ENGINE_KIND_NAMES,
          title: "Engine kind",
          description: "llama-server, vllm, sglang or openai (a generic OpenAI-compatible API). Default: detected from the server.",
        },
        api_key: {
          type: "string",
          pattern: "^\\$\\{env:TUNEGATE_[A-Za-z0-9_]+\\}$",
          title: "API key",
          description:
            "Sent as a bearer token. Only as `${env:TUNEGATE_...}`: a key written in the file would be a leaked key, and a suite " +
            "(a pull request's file) may not send any other variable, such as a CI token, to a server it names. Never printed.",
        },
        concurrency: {
          type: "integer",
          minimum: 1,
          maximum: 1024,
          title: "Concurrency",
          description: "Requests in flight at once. Default: the server's slot count.",
        },
        timeout_ms: {
          type: "integer",
          minimum: 1,
          maximum: 3600000,
          title: "Request timeout",
          description: "Per request, in milliseconds. Default 120000.",
        },
        retries: {
          type: "integer",
          minimum: 0,
          maximum: 20,
          title: "Retries",
          description: "Retries of a timeout, dropped connection or 429/502/503/504 (with backoff, honouring Retry-After). Default 4.",
        },
        models: {
          type: "object",
          title: "Served model names",
          description:
            "Where the engine names its arms: the served name of the base model (the few-shot arm) and of the adapter or " +
            "fine-tune (the LoRA arm). vLLM: names from /v1/models (--served-model-name, --lora-modules NAME=PATH); SGLang: " +
            "the adapter's --lora-paths NAME; openai: the provider's model ids (both required). Without them tunegate matches " +
            "the suite's files against the paths the server reports. Not used by llama-server.",
          additionalProperties: false,
          properties: {
            base: { type: "string", minLength: 1, maxLength: 500, title: "Base model name", description: "The served base model, e.g. meta-llama/Llama-3.1-8B-Instruct." },
            lora: { type: "string", minLength: 1, maxLength: 500, title: "Adapter name", description: "The served adapter or fine-tuned model, e.g. support-lora or ft:gpt-4o-mini:acme::abc123." },
          },
        },
      },
    },
    misses: {
      type: "string",
      enum: MISS_POLICIES,
      default: "warn",
      title: "Misses",
      description:
        "warn (default): a missed case that is not `must` is reported but its test passes; fail: every missed " +
        "case fails its test.",
    },
  },
} as const;
