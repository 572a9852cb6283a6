// Cases kept outside the suite: `.jsonl`/`.ndjson` (one JSON object a line) or `.csv` (a header row, then
// one case a record). Every case keeps its own file and line, so later messages point into that file.
// Keys or columns other than input/expected/must are ignored: exported datasets usually carry ids and notes.
import { extname } from "node:path";
import { failed, ok, type Result, type SourceLocation, type SuiteCase } from "../types.js";
import { parseCsv } from "./csv.js";
import { error, type Diagnostic } from "./diagnostics.js";
import { closestMatch } from "./did-you-mean.js";
import { CASES_FILE_MAX_BYTES } from "./limits.js";
import { readTextFile } from "./text-file.js";

export type CaseDraft = Omit<SuiteCase, "index">;

/**
 * A cases file that could be read as a whole. A record that is no case does not fail the file: it is left out
 * with an error, so the suite loader reports it together with what its checks find in the other cases.
 */
export interface CasesFile {
  cases: CaseDraft[];
  /** One error for each record left out of `cases`. */
  recordProblems: Diagnostic[];
}

export const CASES_FILE_EXTENSIONS = [".jsonl", ".ndjson", ".csv"] as const;

export interface CasesFileRequest {
  /** Absolute path. */
  path: string;
  /** The `cases_file` value in the suite, where missing-file and wrong-type errors point. */
  referencedAt: SourceLocation;
  notFoundHint: string;
  /** How messages name the file (see TextFileOptions.shownAs). */
  shownAs?: string;
  maxBytes?: number;
}

export async function readCasesFile(request: CasesFileRequest): Promise<Result<CasesFile, Diagnostic>> {
  const extension = extname(request.path).toLowerCase();
  if (!(CASES_FILE_EXTENSIONS as readonly string[]).includes(extension)) {
    return failed([
      error(
        "cases-file-type",
        request.referencedAt,
        `\`cases_file\` must be a .jsonl, .ndjson or .csv file, not \`${extension === "" ? "(no extension)" : extension}\`: ${request.shownAs ?? request.path}`,
        extension === ".json"
          ? 'write one object a line and name the file .jsonl: {"input": "...", "expected": "..."}'
          : "convert the cases to .jsonl (one JSON object a line) or .csv (with an `input,expected` header)",
      ),
    ]);
  }
  const read = await readTextFile(request.path, {
    maxBytes: request.maxBytes ?? CASES_FILE_MAX_BYTES,
    kind: "cases file",
    referencedAt: request.referencedAt,
    notFoundHint: request.notFoundHint,
    ...(request.shownAs !== undefined ? { shownAs: request.shownAs } : {}),
  });
  if (!read.ok) return read;
  const parsed = extension === ".csv" ? casesFromCsv(read.value, request.path) : ok(casesFromJsonLines(read.value, request.path));
  if (parsed.ok && parsed.value.cases.length === 0 && parsed.value.recordProblems.length === 0) {
    return failed([
      error(
        "cases-file-empty",
        { file: request.path, line: 1, column: 1 },
        `the cases file has no cases`,
        extension === ".csv" ? "add rows under the `input,expected` header" : 'add lines like {"input": "...", "expected": "<label>"}',
      ),
    ]);
  }
  return parsed;
}

/** Each line is read on its own, so no line fails the whole file. */
export function casesFromJsonLines(text: string, file: string): CasesFile {
  const cases: CaseDraft[] = [];
  const recordProblems: Diagnostic[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const lineText = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (lineText.trim() === "") return;
    const location: SourceLocation = { file, line: index + 1, column: 1 };
    let value: unknown;
    try {
      value = JSON.parse(lineText);
    } catch (cause) {
      const message = (cause as Error).message;
      const position = /at position (\d+)/.exec(message);
      recordProblems.push(
        error(
          "cases-file-json",
          position !== null ? { ...location, column: Number(position[1]) + 1 } : location,
          `line ${index + 1} is not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "").replace(/^Unexpected end of JSON input$/, "the line ends too early")}`,
          index === 0 && lineText.trim() === "["
            ? "a .jsonl file holds one object a line, not one JSON array"
            : 'each line must be one complete JSON object: {"input": "...", "expected": "<label>"}',
        ),
      );
      return;
    }
    const draft = caseFromRecord(value, location, "key");
    if (draft.ok) cases.push(draft.value);
    else recordProblems.push(...draft.problems);
  });
  return { cases, recordProblems };
}

/** Column names other tools use for the same thing, suggested as the column to rename. */
const COLUMN_SYNONYMS: Record<"input" | "expected", readonly string[]> = {
  input: ["text", "message", "prompt", "question", "sentence", "inputs"],
  expected: ["label", "labels", "category", "class", "output", "target", "answer", "expected_label"],
};

/** Fails as a whole when the quoting breaks or the header does not name the columns: then no row can be read. */
export function casesFromCsv(text: string, file: string): Result<CasesFile, Diagnostic> {
  const parsed = parseCsv(text);
  if (!parsed.ok) return failed(parsed.problems.map(({ line, column, message, hint }) => error("cases-file-csv", { file, line, column }, message, hint)));
  const [header, ...rows] = parsed.value;
  if (header === undefined) return ok({ cases: [], recordProblems: [] });
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const headerAt: SourceLocation = { file, line: header.line, column: 1 };
  const missing = (["input", "expected"] as const).filter((name) => !names.includes(name));
  if (missing.length > 0) {
    const found = header.fields.map((f) => `\`${f}\``).join(", ");
    const hints = missing.map((name) => {
      const close = names.find((n) => COLUMN_SYNONYMS[name].includes(n)) ?? closestMatch(name, names);
      return close !== undefined ? `rename \`${close}\` to \`${name}\`` : `add an \`${name}\` column`;
    });
    const oneColumn = header.fields.length === 1 && /[;\t]/.test(header.fields[0]!);
    return failed([
      error(
        "cases-file-csv",
        headerAt,
        `the CSV header has no ${missing.map((m) => `\`${m}\``).join(" or ")} column (found: ${found})`,
        oneColumn
          ? "the file seems to use `;` or tabs between columns; tunegate reads comma-separated values"
          : `the first row must name the columns, e.g. \`input,expected\`; ${hints.join(", ")}`,
      ),
    ]);
  }
  const duplicated = names.find((name, i) => (name === "input" || name === "expected" || name === "must") && names.indexOf(name) !== i);
  if (duplicated !== undefined) {
    return failed([error("cases-file-csv", headerAt, `the CSV header names the column \`${duplicated}\` twice`, "keep one of them")]);
  }
  const cases: CaseDraft[] = [];
  const recordProblems: Diagnostic[] = [];
  for (const row of rows) {
    const location: SourceLocation = { file, line: row.line, column: 1 };
    if (row.fields.length !== names.length) {
      recordProblems.push(
        error(
          "cases-file-csv",
          location,
          `this row has ${row.fields.length} field${row.fields.length === 1 ? "" : "s"} but the header has ${names.length}`,
          "wrap fields that contain commas in double quotes",
        ),
      );
      continue;
    }
    const record: Record<string, unknown> = {};
    names.forEach((name, i) => (record[name] = row.fields[i]));
    const must = record.must;
    if (typeof must === "string") {
      const parsedMust = parseCsvBoolean(must);
      if (parsedMust === undefined) {
        recordProblems.push(
          error("cases-file-field", location, `the \`must\` column is \`${must}\`, not true or false`, "write true/false, yes/no or 1/0, or leave it empty (false)"),
        );
        continue;
      }
      record.must = parsedMust;
    }
    const draft = caseFromRecord(record, location, "column");
    if (draft.ok) cases.push(draft.value);
    else recordProblems.push(...draft.problems);
  }
  return ok({ cases, recordProblems });
}

function parseCsvBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === "" || v === "false" || v === "no" || v === "0") return false;
  if (v === "true" || v === "yes" || v === "1") return true;
  return undefined;
}

function caseFromRecord(value: unknown, location: SourceLocation, field: "key" | "column"): Result<CaseDraft, Diagnostic> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return failed([
      error(
        "cases-file-field",
        location,
        `this line holds ${Array.isArray(value) ? "a JSON array" : `a JSON ${value === null ? "null" : typeof value}`}, not a case object`,
        'write one object a line: {"input": "...", "expected": "<label>"}',
      ),
    ]);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const name of ["input", "expected"] as const) {
    const v = record[name];
    if (v === undefined) {
      const others = keys.filter((k) => k !== "input" && k !== "expected" && k !== "must");
      const close = others.find((k) => COLUMN_SYNONYMS[name].includes(k.toLowerCase())) ?? closestMatch(name, others);
      return failed([
        error(
          "cases-file-field",
          location,
          `this case has no \`${name}\` ${field}${keys.length > 0 && field === "key" ? ` (its keys: ${keys.map((k) => `\`${k}\``).join(", ")})` : ""}`,
          close !== undefined ? `did you mean \`${name}\` instead of \`${close}\`?` : `add \`"${name}"\``,
        ),
      ]);
    }
    if (typeof v !== "string") {
      return failed([error("cases-file-field", location, `\`${name}\` must be a string, but it is ${JSON.stringify(v)}`, `write it in double quotes: "${String(v)}"`)]);
    }
    if (v.trim() === "") {
      return failed([error("cases-file-field", location, `\`${name}\` is empty`, `write the ${name === "input" ? "message" : "label"}, or remove the case`)]);
    }
  }
  const must = record.must;
  if (must !== undefined && typeof must !== "boolean") {
    return failed([error("cases-file-field", location, `\`must\` must be true or false, but it is ${JSON.stringify(must)}`, "write true or false without quotes")]);
  }
  return ok({ input: record.input as string, expected: record.expected as string, must: must === true, location });
}
