// Reading the `baseline` input: a JSON report of an earlier run (typically the main branch's artifact).
// Only the fields the comparison uses are checked, and extra fields are allowed, so a baseline written by
// another tunegate version of the same report version still compares.
import { readFile } from "node:fs/promises";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { REPORT_VERSION } from "../report/types.js";

const caseArm = {
  type: "object",
  required: ["predicted", "correct"],
  properties: { predicted: { type: "string" }, correct: { type: "boolean" } },
} as const;

const arm = {
  type: "object",
  required: ["accuracy", "correct", "total"],
  properties: {
    accuracy: { type: "number", minimum: 0, maximum: 1 },
    correct: { type: "integer", minimum: 0 },
    total: { type: "integer", minimum: 1 },
  },
} as const;

/** The part of schema/report.schema.json the comparison relies on. */
const BASELINE_SCHEMA = {
  type: "object",
  required: ["version", "tool", "suites"],
  properties: {
    version: { const: REPORT_VERSION },
    tool: { const: "tunegate" },
    generated_at: { type: "string" },
    suites: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "file", "arms", "cases"],
        properties: {
          name: { type: "string" },
          file: { type: "string" },
          arms: { type: "object", required: ["few_shot", "lora"], properties: { few_shot: arm, lora: arm } },
          cases: {
            type: "array",
            items: {
              type: "object",
              required: ["input", "expected", "few_shot", "lora"],
              properties: { input: { type: "string" }, expected: { type: "string" }, few_shot: caseArm, lora: caseArm },
            },
          },
        },
      },
    },
  },
} as const;

export interface BaselineCaseArm {
  predicted: string;
  correct: boolean;
}

export interface BaselineCase {
  input: string;
  expected: string;
  few_shot: BaselineCaseArm;
  lora: BaselineCaseArm;
}

export interface BaselineArm {
  accuracy: number;
  correct: number;
  total: number;
}

export interface BaselineSuite {
  name: string;
  file: string;
  arms: { few_shot: BaselineArm; lora: BaselineArm };
  cases: BaselineCase[];
}

/** What the comparison reads of a report; a full `Report` is one. */
export interface BaselineReport {
  generated_at?: string;
  suites: BaselineSuite[];
}

export type BaselineLoad =
  | { kind: "loaded"; report: BaselineReport }
  /** No file there: usual on the first run, before the main branch has a report. */
  | { kind: "missing"; message: string }
  | { kind: "invalid"; message: string };

let validate: ReturnType<Ajv2020["compile"]> | undefined;

function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "the top level" : error.instancePath;
  if (error.keyword === "const") return `${where} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
  return `${where} ${error.message ?? "is invalid"}`;
}

export async function loadBaseline(path: string): Promise<BaselineLoad> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "missing", message: `Input \`baseline\`: no file at ${path}; the comparison with the baseline is skipped.` };
    if (code === "EISDIR") return { kind: "invalid", message: `Input \`baseline\`: ${path} is a folder; give the path of the JSON report file in it.` };
    return { kind: "invalid", message: `Input \`baseline\`: ${path} could not be read (${(error as Error).message}).` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: "invalid", message: `Input \`baseline\`: ${path} is not JSON (${(error as Error).message}); give a report written by tunegate (report-path).` };
  }
  validate ??= new Ajv2020({ allErrors: true, strict: false }).compile(BASELINE_SCHEMA);
  if (!validate(json)) {
    const errors = (validate.errors ?? []).slice(0, 5).map(describeError);
    return {
      kind: "invalid",
      message: `Input \`baseline\`: ${path} is not a tunegate JSON report of version ${REPORT_VERSION}: ${errors.join("; ")}.`,
    };
  }
  return { kind: "loaded", report: json as BaselineReport };
}
