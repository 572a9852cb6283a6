// Validates parsed YAML data against the suite schema and rewrites each ajv error as a Diagnostic at the
// line of the offending key or value, in words a suite author understands.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { failed, ok, type Result } from "../types.js";
import { error, type Diagnostic } from "./diagnostics.js";
import { closestMatch, suggestion } from "./did-you-mean.js";
import type { RawSuite } from "./raw-suite.js";
import { suiteSchema } from "./schema.js";
import type { DataPath, YamlLocator } from "./yaml-source.js";

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // verbose: errors carry their parentSchema, whose titles, descriptions and property names feed the hints.
  compiled ??= new Ajv2020({ strict: true, allErrors: true, verbose: true }).compile(suiteSchema);
  return compiled;
}

export function validateAgainstSchema(data: unknown, locator: YamlLocator): Result<RawSuite, Diagnostic> {
  const validate = validator();
  if (validate(data)) return ok(data as RawSuite);
  const errors = withoutMisspeltRequired(relevantErrors(validate.errors ?? []));
  return failed(errors.flatMap((e) => describe(e, data, locator)));
}

/**
 * Drops errors that only echo another: the branch errors of oneOf/anyOf (their parent error is translated as
 * one rule), and every other error at a path whose value already has the wrong type.
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const wrongType = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  return errors.filter((e) => {
    if (/\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath)) return false;
    if (e.keyword !== "type" && wrongType.has(e.instancePath)) return false;
    return true;
  });
}

/**
 * `lables:` produces two errors, "unknown key lables" and "missing key labels"; the first one's hint (did you
 * mean `labels`?) says it all, so the second is dropped.
 */
function withoutMisspeltRequired(errors: ErrorObject[]): ErrorObject[] {
  return errors.filter((e) => {
    if (e.keyword !== "required") return true;
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return !errors.some(
      (other) =>
        other.keyword === "additionalProperties" &&
        other.instancePath === e.instancePath &&
        closestMatch(String((other.params as { additionalProperty: string }).additionalProperty), Object.keys(((e.parentSchema ?? {}) as SchemaNode).properties ?? {})) === missing,
    );
  });
}

function describe(e: ErrorObject, data: unknown, locator: YamlLocator): Diagnostic[] {
  const path = parsePointer(e.instancePath);
  const where = displayName(path);
  const schema = (e.parentSchema ?? {}) as SchemaNode;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(schema.properties ?? {});
      return [
        error(
          "unknown-key",
          locator.keyIn(path, key),
          `unknown key \`${key}\` in ${where}`,
          unknownKeyHint(key, allowed, where, locator.isFlowMap(path)),
        ),
      ];
    }
    case "required": {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const property = schema.properties?.[missing];
      return [
        error(
          "missing-key",
          locator.key(path),
          `${capitalise(where)} is missing the required key \`${missing}\``,
          `add \`${missing}:\`${property !== undefined ? ` — ${propertyHelp(property)}` : ""}`,
        ),
      ];
    }
    case "type":
      return [wrongType(e, path, data, locator)];
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const actual = valueAt(data, path);
      return [
        error(
          "bad-value",
          locator.value(path),
          `${where} must be one of ${allowed.map((a) => `\`${a}\``).join(", ")}, not \`${String(actual)}\``,
          typeof actual === "string" ? suggestion(actual, allowed, "write one of") : `write one of ${allowed.join(", ")}`,
        ),
      ];
    }
    case "minItems": {
      const itemTitle = (schema.items?.title ?? "item").toLowerCase();
      return [
        error(
          "empty-value",
          locator.value(path),
          `${where} is an empty list; it needs at least one ${itemTitle}`,
          `add ${itemTitle}s as \`- ...\` lines under \`${String(path.at(-1) ?? "")}:\``,
        ),
      ];
    }
    case "minLength":
      return [
        error(
          "empty-value",
          locator.value(path),
          `${where} is an empty string`,
          `write ${schema.title !== undefined ? `the ${schema.title.toLowerCase()}` : "a value"}, or remove the key if it is optional`,
        ),
      ];
    case "maxLength": {
      const { limit } = e.params as { limit: number };
      const value = valueAt(data, path);
      return [
        error(
          "too-long",
          locator.value(path),
          `${where} is ${typeof value === "string" ? value.length : "too many"} characters long; at most ${limit} are allowed`,
          schema.description ?? `shorten it to ${limit} characters`,
        ),
      ];
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      return [
        error(
          "out-of-range",
          locator.value(path),
          `${where} must be ${comparison} ${limit}, but it is ${String(valueAt(data, path))}`,
          schema.description ?? `use a number ${comparison} ${limit}`,
        ),
      ];
    }
    case "uniqueItems":
      return duplicateItems(path, data, locator);
    case "oneOf":
      if (path.length === 0) return [casesSource(data, locator)];
      break;
    case "anyOf":
      if (path.length === 1 && path[0] === "few_shot") return [fewShotPrompt(data, locator)];
      break;
  }
  return [error("bad-value", locator.value(path), `${where} ${e.message ?? "is invalid"}`, schema.description)];
}

function unknownKeyHint(key: string, allowed: readonly string[], where: string, inFlowMap: boolean): string {
  const close = closestMatch(key, allowed);
  if (close !== undefined) return `did you mean \`${close}\`?`;
  const keys = `the keys allowed in ${where} are ${allowed.map((k) => `\`${k}\``).join(", ")}`;
  // `{ input: Hello, dear world, output: x }` splits at the comma and reads `dear world` as a key.
  // Schema keys never contain spaces, so a spaced "key" inside { } is text that spilled over.
  return inFlowMap && /\s/.test(key) ? `inside \`{ ... }\` a comma ends a value: put values that contain commas in quotes; ${keys}` : keys;
}

function wrongType(e: ErrorObject, path: DataPath, data: unknown, locator: YamlLocator): ReturnType<typeof error> {
  const expected = String((e.params as { type: string }).type);
  const actual = valueAt(data, path);
  const schema = (e.parentSchema ?? {}) as SchemaNode;
  if (path.length === 0) {
    return error(
      "not-a-mapping",
      locator.value(path),
      `this is not a tunegate suite: the file holds ${describeValue(actual)}, not a mapping of keys such as \`labels:\` and \`few_shot:\``,
      "a suite is YAML `key: value` lines; see schema/suite.schema.json or the example in the README",
    );
  }
  const where = displayName(path);
  const written = locator.sourceText(path);
  if (actual === null) {
    return error(
      "wrong-type",
      locator.value(path),
      `${where} has no value; it must be ${describeType(expected)}`,
      schema.description !== undefined ? `write ${describeType(expected)}: ${schema.description}` : `write ${describeType(expected)}`,
    );
  }
  const hint =
    expected === "string" && (typeof actual === "number" || typeof actual === "boolean")
      ? `YAML reads \`${written ?? String(actual)}\` as ${describeValue(actual)}; put it in quotes: "${written ?? String(actual)}"`
      : schema.description;
  return error(
    "wrong-type",
    locator.value(path),
    `${where} must be ${describeType(expected)}, but it is ${describeValue(actual)}`,
    hint,
  );
}

function duplicateItems(path: DataPath, data: unknown, locator: YamlLocator): Diagnostic[] {
  const items = valueAt(data, path);
  if (!Array.isArray(items)) return [];
  const firstIndex = new Map<string, number>();
  const found: Diagnostic[] = [];
  items.forEach((item, index) => {
    const key = JSON.stringify(item);
    const first = firstIndex.get(key);
    if (first === undefined) {
      firstIndex.set(key, index);
      return;
    }
    const firstAt = locator.value([...path, first]);
    found.push(
      error(
        path.length === 1 && path[0] === "labels" ? "duplicate-label" : "bad-value",
        locator.value([...path, index]),
        `${typeof item === "string" ? `\`${item}\`` : "this item"} is listed twice in ${displayName(path)} (first at line ${firstAt.line})`,
        "remove the duplicate",
      ),
    );
  });
  return found;
}

function casesSource(data: unknown, locator: YamlLocator): Diagnostic {
  const suite = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  if ("cases" in suite && "cases_file" in suite) {
    return error(
      "cases-source",
      locator.key(["cases_file"]),
      "the suite has both `cases` and `cases_file`; it takes its cases from one of them",
      "remove `cases_file`, or move the inline cases into that file and remove `cases`",
    );
  }
  return error(
    "cases-source",
    locator.key([]),
    "the suite has no cases: neither `cases` nor `cases_file` is set",
    'add `cases:` with items like `- { input: "...", expected: <label> }`, or `cases_file: ./cases.jsonl`',
  );
}

function fewShotPrompt(data: unknown, locator: YamlLocator): Diagnostic {
  const fewShot = valueAt(data, ["few_shot"]);
  const present = typeof fewShot === "object" && fewShot !== null ? Object.keys(fewShot) : [];
  const missing = ["role", "task", "format"].filter((key) => !present.includes(key));
  return error(
    "few-shot-prompt-missing",
    locator.key(["few_shot"]),
    `\`few_shot\` needs \`role\`, \`task\` and \`format\` to build its prompt (missing: ${missing.map((m) => `\`${m}\``).join(", ")}), or a full \`template\``,
    "add the missing keys: the prompt starts `You are {role}. You {task}.` then `Format: {format}`",
  );
}

/** "Title: first sentence of the description", short enough for a hint line. */
function propertyHelp(property: SchemaNode): string {
  const firstSentence = property.description?.split("\n")[0]?.match(/^.*?[.:](\s|$)/)?.[0].trim().replace(/:$/, ".");
  return [property.title, firstSentence].filter((s) => s !== undefined).join(": ");
}

interface SchemaNode {
  title?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** RFC 6901 JSON pointer → path segments; list indices as numbers. */
export function parsePointer(pointer: string): DataPath {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/** `few_shot.examples[2].output`, or "the suite" for the root. */
export function displayName(path: DataPath): string {
  if (path.length === 0) return "the suite";
  let name = "";
  for (const segment of path) name += typeof segment === "number" ? `[${segment}]` : name === "" ? segment : `.${segment}`;
  return `\`${name}\``;
}

function valueAt(data: unknown, path: DataPath): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function describeType(type: string): string {
  switch (type) {
    case "string":
      return "a string (text)";
    case "number":
    case "integer":
      return "a number";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
      return "a mapping (`key: value` lines)";
    default:
      return type;
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return `the string \`${value.length > 40 ? `${value.slice(0, 40)}…` : value}\``;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return `the boolean ${value}`;
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

function capitalise(s: string): string {
  return s.startsWith("the ") ? `The ${s.slice(4)}` : s;
}
