// Reading the `baseline` input: a JSON report of an earlier run (typically the main branch's artifact),
// validated with the report's own schema, relaxed: only the fields the comparison reads are required, and
// fields the schema does not know are allowed, so a baseline written by another tunegate version of the same
// report version still compares. A field that is present must still have the schema's type.
import { readFile } from "node:fs/promises";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { REPORT_VERSION, reportSchema } from "../report/schema.js";
import type { Report } from "../report/types.js";
import { failed, ok, type Failed, type Result } from "../types.js";

/** The keys of a report the comparison reads: `true` for a whole value, nested keys for objects and array items. */
interface KeyTree {
  readonly [key: string]: true | KeyTree;
}

const ARM_KEYS = { accuracy: true, correct: true, total: true } as const;
const CASE_ARM_KEYS = { predicted: true, correct: true } as const;
const BASELINE_KEYS = {
  version: true,
  tool: true,
  suites: {
    name: true,
    file: true,
    arms: { few_shot: ARM_KEYS, lora: ARM_KEYS },
    cases: { input: true, expected: true, few_shot: CASE_ARM_KEYS, lora: CASE_ARM_KEYS },
  },
} as const satisfies KeyTree;

type Picked<T, K> = K extends true ? T : T extends readonly (infer Item)[] ? Picked<Item, K>[] : { [P in keyof K & keyof T]: Picked<T[P], K[P]> };

/** What the comparison reads of a report; a full `Report` is one. */
export type BaselineReport = Picked<Report, typeof BASELINE_KEYS>;
export type BaselineSuite = BaselineReport["suites"][number];
export type BaselineCase = BaselineSuite["cases"][number];

type SchemaNode = { [keyword: string]: unknown };

function isNode(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null;
}

/** The schema with no `required` and no `additionalProperties: false` anywhere, then `required` set to `keys`. */
function relaxedSchema(schema: object, keys: KeyTree): SchemaNode {
  const root = structuredClone(schema) as SchemaNode;
  const loosen = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(loosen);
    if (!isNode(node)) return;
    if (Array.isArray(node.required)) delete node.required;
    if (node.additionalProperties === false) delete node.additionalProperties;
    Object.values(node).forEach(loosen);
  };
  loosen(root);
  const definitions = root.$defs as Record<string, SchemaNode>;
  const resolve = (node: SchemaNode): SchemaNode =>
    typeof node.$ref === "string" ? resolve(definitions[node.$ref.replace("#/$defs/", "")] as SchemaNode) : node;
  const requireOnly = (node: SchemaNode, tree: KeyTree): void => {
    const target = resolve(node);
    if (target.type === "array") return requireOnly(target.items as SchemaNode, tree);
    const properties = target.properties as Record<string, SchemaNode>;
    target.required = Object.keys(tree);
    for (const [key, subtree] of Object.entries(tree)) if (subtree !== true) requireOnly(properties[key] as SchemaNode, subtree);
  };
  requireOnly(root, keys);
  return root;
}

/**
 * Why no baseline could be read. A missing file is a problem like an invalid one, with its own reason, because
 * whether it matters is the caller's decision: the Action only warns, since a first run has no baseline yet.
 */
export interface BaselineProblem {
  reason: "missing" | "invalid";
  message: string;
}

let validate: ReturnType<Ajv2020["compile"]> | undefined;

function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "the top level" : error.instancePath;
  if (error.keyword === "const") return `${where} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
  return `${where} ${error.message ?? "is invalid"}`;
}

export async function loadBaseline(path: string): Promise<Result<BaselineReport, BaselineProblem>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return missing(`Input \`baseline\`: no file at ${path}; the comparison with the baseline is skipped.`);
    if (code === "EISDIR") return invalid(`Input \`baseline\`: ${path} is a folder; give the path of the JSON report file in it.`);
    return invalid(`Input \`baseline\`: ${path} could not be read (${(error as Error).message}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return invalid(`Input \`baseline\`: ${path} is not JSON (${(error as Error).message}); give a report written by tunegate (report-path).`);
  }
  validate ??= new Ajv2020({ allErrors: true, strict: false }).compile(relaxedSchema(reportSchema, BASELINE_KEYS));
  if (!validate(json)) {
    const errors = (validate.errors ?? []).slice(0, 5).map(describeError);
    return invalid(`Input \`baseline\`: ${path} is not a tunegate JSON report of version ${REPORT_VERSION}: ${errors.join("; ")}.`);
  }
  return ok(json as BaselineReport);
}

function missing(message: string): Failed<BaselineProblem> {
  return failed([{ reason: "missing", message }]);
}

function invalid(message: string): Failed<BaselineProblem> {
  return failed([{ reason: "invalid", message }]);
}
