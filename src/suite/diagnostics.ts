// What the suite loader reports instead of throwing: every user mistake becomes a Diagnostic that says what
// is wrong, where (file:line:col) and, in `hint`, how to fix it.
import { isAbsolute, relative } from "node:path";
import type { SourceLocation } from "../types.js";

export type Severity = "error" | "warning";

/**
 * Stable identifiers of the problems the loader reports, for tools that filter or count them.
 * Errors make a suite invalid; warnings never do.
 */
export type DiagnosticCode =
  // the file itself
  | "file-not-found"
  | "file-unreadable"
  | "outside-workspace"
  | "file-too-large"
  | "file-empty"
  | "binary-file"
  | "invalid-utf8"
  | "control-character"
  // YAML syntax
  | "yaml-syntax"
  | "yaml-tab-indent"
  | "yaml-duplicate-key"
  | "yaml-multiple-documents"
  | "yaml-alias"
  | "yaml-warning"
  // schema
  | "not-a-mapping"
  | "unknown-key"
  | "missing-key"
  | "wrong-type"
  | "bad-value"
  | "empty-value"
  | "too-long"
  | "out-of-range"
  | "duplicate-label"
  | "cases-source"
  | "few-shot-prompt-missing"
  // paths and environment
  | "env-unset"
  | "env-syntax"
  | "model-not-found"
  | "model-not-gguf"
  | "model-unusable"
  | "adapter-mismatch"
  // cases files
  | "cases-file-not-found"
  | "cases-file-type"
  | "cases-file-json"
  | "cases-file-csv"
  | "cases-file-field"
  | "cases-file-empty"
  // checks beyond the schema: errors
  | "label-unknown"
  | "label-reserved"
  | "template-no-input"
  | "gate-thresholds"
  // checks beyond the schema: warnings
  | "examples-inconsistent"
  | "label-without-example"
  | "example-count"
  | "duplicate-case"
  | "case-leaks-example"
  | "template-ignored-fields"
  | "template-no-examples"
  | "template-placeholder"
  | "template-trailing-newline"
  | "length-normalize-ignored"
  | "label-whitespace"
  | "label-case-collision"
  | "prompt-punctuation"
  | "volume-missing"
  | "internal-error";

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  /** What is wrong, in one sentence, naming the key or value concerned. */
  message: string;
  location: SourceLocation;
  /** How to fix it. */
  hint?: string;
}

export function error(code: DiagnosticCode, location: SourceLocation, message: string, hint?: string): Diagnostic {
  return hint === undefined ? { severity: "error", code, message, location } : { severity: "error", code, message, location, hint };
}

export function warning(code: DiagnosticCode, location: SourceLocation, message: string, hint?: string): Diagnostic {
  return hint === undefined
    ? { severity: "warning", code, message, location }
    : { severity: "warning", code, message, location, hint };
}

export function startOf(file: string): SourceLocation {
  return { file, line: 1, column: 1 };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** File, line, column order (the suite file first), dropping exact repeats. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[], primaryFile?: string): Diagnostic[] {
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.location.file}\0${d.location.line}\0${d.location.column}\0${d.severity}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const fileRank = (file: string) => (file === primaryFile ? 0 : 1);
  return unique.sort(
    (a, b) =>
      fileRank(a.location.file) - fileRank(b.location.file) ||
      a.location.file.localeCompare(b.location.file) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column,
  );
}

/** A path as people read it: relative to `cwd` (absolute only when no relative path exists, e.g. another drive). */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel === "" || isAbsolute(rel) ? file : rel;
}

/** `file:line:col: error: message` with the hint on an indented second line, as compilers print it. */
export function formatDiagnostic(diagnostic: Diagnostic, cwd: string = process.cwd()): string {
  const { file, line, column } = diagnostic.location;
  const head = `${displayPath(file, cwd)}:${line}:${column}: ${diagnostic.severity}: ${diagnostic.message}`;
  return diagnostic.hint === undefined ? head : `${head}\n    hint: ${diagnostic.hint}`;
}
