// loadSuite: a *.cases.yaml file → a normalised Suite plus diagnostics. User mistakes never throw; they come
// back as diagnostics, and `suite` is present only when there is no error (warnings allowed).
import { resolve } from "node:path";
import type { Suite } from "../types.js";
import { checkSuite } from "./checks.js";
import { error, hasErrors, sortDiagnostics, startOf, type Diagnostic } from "./diagnostics.js";
import type { Environment } from "./env.js";
import { SUITE_FILE_MAX_BYTES } from "./limits.js";
import { normalizeSuite } from "./normalize.js";
import { validateAgainstSchema } from "./schema-validation.js";
import { readTextFile } from "./text-file.js";
import { parseYaml } from "./yaml-source.js";
import { outsideRoot } from "./confine.js";

export interface LoadSuiteOptions {
  /** Variables for `${env:VAR}`; default `process.env`. */
  env?: Environment;
  /**
   * Check that model and adapter files exist (default true). Turn off to validate a suite on a machine
   * without the models; the paths are still interpolated and resolved.
   */
  checkModelFiles?: boolean;
  /** Base for a relative suite path; default `process.cwd()`. */
  cwd?: string;
  /**
   * Refuse a suite or cases file whose real path (links followed) lies outside this folder, before reading
   * it. The Action confines runs to GITHUB_WORKSPACE; the CLI and the plugin do not confine.
   */
  confineTo?: string;
  /** Size limits in bytes; defaults SUITE_FILE_MAX_BYTES and CASES_FILE_MAX_BYTES. */
  maxSuiteBytes?: number;
  maxCasesFileBytes?: number;
}

/**
 * Not a Result: warnings come back with a valid suite too, so the diagnostics belong to both outcomes, and this
 * shape is the public API's.
 */
export interface LoadSuiteResult {
  /** Present when the suite has no errors. */
  suite?: Suite;
  /** Errors and warnings, sorted by file, line and column. */
  diagnostics: Diagnostic[];
}

export async function loadSuite(path: string, options: LoadSuiteOptions = {}): Promise<LoadSuiteResult> {
  const file = resolve(options.cwd ?? process.cwd(), path);
  if (options.confineTo !== undefined) {
    const outside = await outsideRoot(file, options.confineTo, "suite file", startOf(file));
    if (outside) return { diagnostics: [outside] };
  }
  const read = await readTextFile(file, { maxBytes: options.maxSuiteBytes ?? SUITE_FILE_MAX_BYTES, kind: "suite file" });
  if (!read.ok) return { diagnostics: read.problems };
  return loadSuiteFromText(read.value, file, options);
}

/** The same as loadSuite for text already in memory (a bundler's transform hook); `file` locates paths and messages. */
export async function loadSuiteFromText(text: string, file: string, options: LoadSuiteOptions = {}): Promise<LoadSuiteResult> {
  const absolute = resolve(options.cwd ?? process.cwd(), file);
  if (text.replace(/^\uFEFF/, "").trim() === "") {
    return {
      diagnostics: [error("file-empty", startOf(absolute), "the suite file is empty", "a suite needs at least `labels`, `few_shot`, `lora` and `cases`; see schema/suite.schema.json")],
    };
  }
  const parsed = parseYaml(text, absolute);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: sortDiagnostics(parsed.diagnostics, absolute) };
  if (parsed.data === null || parsed.data === undefined) {
    return {
      diagnostics: [
        error("file-empty", startOf(absolute), "the suite file holds only comments", "add the suite's keys: `labels`, `few_shot`, `lora` and `cases`"),
      ],
    };
  }
  const schema = validateAgainstSchema(parsed.data, parsed.locator);
  if (!schema.ok) return { diagnostics: sortDiagnostics([...parsed.diagnostics, ...schema.problems], absolute) };

  const normalized = await normalizeSuite(schema.value, {
    file: absolute,
    locator: parsed.locator,
    env: options.env ?? process.env,
    checkModelFiles: options.checkModelFiles ?? true,
    confineTo: options.confineTo,
    ...(options.maxCasesFileBytes !== undefined ? { casesFileMaxBytes: options.maxCasesFileBytes } : {}),
  });
  const diagnostics = sortDiagnostics(
    [...parsed.diagnostics, ...normalized.diagnostics, ...checkSuite(normalized.suite, schema.value, parsed.locator)],
    absolute,
  );
  return hasErrors(diagnostics) ? { diagnostics } : { suite: normalized.suite, diagnostics };
}
