import { copyFileSync, mkdirSync, openSync, closeSync, ftruncateSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/suite/diagnostics.js";
import { CASES_FILE_MAX_BYTES, SUITE_FILE_MAX_BYTES } from "../../src/suite/limits.js";
import { loadSuite, loadSuiteFromText, type LoadSuiteOptions } from "../../src/suite/loader.js";
import { FIXTURE_MODELS, positionOf, scratchDir, SUITE_FIXTURES, suiteYaml } from "./helpers.js";

const scratch = scratchDir();
let counter = 0;

/** Writes `content` as a suite file in the scratch folder and loads it. */
async function load(content: string | Uint8Array, options: LoadSuiteOptions = {}, name?: string) {
  const file = join(scratch, name ?? `suite-${++counter}.cases.yaml`);
  writeFileSync(file, content);
  return { file, ...(await loadSuite(file, { env: {}, ...options })) };
}

function only(diagnostics: Diagnostic[], severity: "error" | "warning" = "error"): Diagnostic {
  const matching = diagnostics.filter((d) => d.severity === severity);
  expect(matching, JSON.stringify(diagnostics, null, 2)).toHaveLength(1);
  return matching[0]!;
}

function at(d: Diagnostic) {
  return { line: d.location.line, column: d.location.column };
}

describe("defaults", () => {
  it("fills every optional key of a minimal suite", async () => {
    const file = join(SUITE_FIXTURES, "valid/minimal.cases.yaml");
    const { suite, diagnostics } = await loadSuite(file, { env: {} });
    expect(diagnostics.map((d) => d.code)).toEqual(["volume-missing"]);
    expect(suite).toBeDefined();
    const s = suite!;
    expect(s.name).toBe("minimal");
    expect(s.file).toBe(file);
    expect(s.fewShot.inputPrefix).toBe("Input");
    expect(s.fewShot.outputPrefix).toBe("Output");
    expect(s.fewShot.template).toBeUndefined();
    expect(s.lora.model).toEqual(s.fewShot.model);
    expect(s.lora.model.path).toBe(join(FIXTURE_MODELS, "base.gguf"));
    expect(s.lora.model.location).toEqual({ file, line: 4, column: 10 });
    expect(s.lora.scale).toBe(1);
    expect(s.scoring).toBe("logprob");
    expect(s.lengthNormalize).toBe(false);
    expect(s.volume).toEqual({ callsPerDay: 0 });
    expect(s.cost).toBeUndefined();
    expect(s.gate).toEqual({ withinPoints: 5, loraWinsPoints: 15, volumeThreshold: 100_000, failOn: "fine-tune" });
    expect(s.misses).toBe("warn");
    expect(s.casesFile).toBeUndefined();
    expect(s.cases).toEqual([
      { index: 0, input: "Claim your prize now", expected: "spam", must: false, location: { file, line: 16, column: 5 } },
      { index: 1, input: "Lunch on Friday?", expected: "ham", must: false, location: { file, line: 17, column: 5 } },
    ]);
    expect(s.fewShot.examples.map((e) => e.location.line)).toEqual([9, 10, 11]);
  });

  it("keeps every value a full suite writes", async () => {
    const file = join(SUITE_FIXTURES, "valid/customer-triage.cases.yaml");
    const { suite, diagnostics } = await loadSuite(file, { env: {} });
    expect(diagnostics).toEqual([]);
    expect(suite!.name).toBe("Customer message triage");
    expect(suite!.labels).toEqual(["complaint", "inquiry", "praise", "cancellation"]);
    expect(suite!.fewShot).toMatchObject({
      role: "a customer-support triage assistant",
      task: "classify each customer message into one category",
      format: "one word, one of the categories",
      inputPrefix: "Message",
      outputPrefix: "Category",
    });
    expect(suite!.lora.template).toBe('Classify this customer message: "{input}"\nCategory:');
    expect(suite!.lora.adapter).toMatchObject({ path: join(FIXTURE_MODELS, "triage-lora.gguf"), written: "../models/triage-lora.gguf", envVars: [] });
    expect(suite!.cases[1]).toMatchObject({ expected: "cancellation", must: true });
    expect(suite!.volume).toEqual({ callsPerDay: 120_000 });
    expect(suite!.cost).toEqual({
      currency: "USD",
      fewShot: { inputPerMillion: 0.2, outputPerMillion: 0.2 },
      lora: { inputPerMillion: 0.2, outputPerMillion: 0.2 },
      fineTuneOneOff: 2000,
    });
  });

  it("reads templates, generate scoring, a partial gate and misses: fail", async () => {
    const { suite, diagnostics } = await loadSuite(join(SUITE_FIXTURES, "valid/template.cases.yaml"), { env: {} });
    expect(diagnostics).toEqual([]);
    expect(suite!.fewShot.template).toBe("Label the sentiment of product reviews.\n{examples}\nReview: {input}\nSentiment:");
    expect(suite!.lora).toMatchObject({ scale: 0.5, template: "Review: {input}\nSentiment:" });
    expect(suite!.scoring).toBe("generate");
    expect(suite!.gate).toEqual({ withinPoints: 5, loraWinsPoints: 15, volumeThreshold: 100_000, failOn: "gray-zone" });
    expect(suite!.misses).toBe("fail");
  });

  it("accepts length_normalize and cost without fine_tune_one_off, with the default currency", async () => {
    const yaml = suiteYaml({
      rest: "length_normalize: true\nvolume: { calls_per_day: 5 }\ncost:\n  few_shot: { input_per_million: 1, output_per_million: 2 }\n  lora: { input_per_million: 0.5, output_per_million: 0.5 }",
    });
    const { suite, diagnostics } = await load(yaml);
    expect(diagnostics).toEqual([]);
    expect(suite!.lengthNormalize).toBe(true);
    expect(suite!.cost).toEqual({ currency: "USD", fewShot: { inputPerMillion: 1, outputPerMillion: 2 }, lora: { inputPerMillion: 0.5, outputPerMillion: 0.5 } });
  });

  it("names a suite after its file without .cases.yaml", async () => {
    const { suite } = await load(suiteYaml(), {}, "support-triage.cases.yaml");
    expect(suite!.name).toBe("support-triage");
    const { suite: yml } = await load(suiteYaml(), {}, "other.cases.yml");
    expect(yml!.name).toBe("other");
  });
});

describe("cases files", () => {
  it("reads .jsonl cases with their own file and line numbers, skipping blank lines and ignoring extra keys", async () => {
    const file = join(SUITE_FIXTURES, "valid/jsonl-cases.cases.yaml");
    const casesFile = join(SUITE_FIXTURES, "valid/cases/triage.jsonl");
    const { suite } = await loadSuite(file, { env: {} });
    expect(suite!.casesFile).toBe(casesFile);
    expect(suite!.cases).toEqual([
      { index: 0, input: "The box was crushed.", expected: "complaint", must: true, location: { file: casesFile, line: 1, column: 1 } },
      { index: 1, input: "When do you open?", expected: "inquiry", must: false, location: { file: casesFile, line: 2, column: 1 } },
      { index: 2, input: "Lovely staff, thanks!", expected: "praise", must: false, location: { file: casesFile, line: 4, column: 1 } },
    ]);
  });

  it("reads .csv cases (RFC 4180 quoting, CRLF, a header in any case, extra columns, a must column)", async () => {
    const casesFile = join(SUITE_FIXTURES, "valid/cases/triage.csv");
    const { suite, diagnostics } = await loadSuite(join(SUITE_FIXTURES, "valid/csv-cases.cases.yaml"), { env: {} });
    expect(diagnostics).toEqual([]);
    expect(suite!.cases).toEqual([
      { index: 0, input: "The box was crushed.", expected: "complaint", must: true, location: { file: casesFile, line: 2, column: 1 } },
      { index: 1, input: "When do you open, and where?", expected: "inquiry", must: false, location: { file: casesFile, line: 3, column: 1 } },
      { index: 2, input: 'She said "wow".\r\nTwo lines.', expected: "praise", must: false, location: { file: casesFile, line: 4, column: 1 } },
    ]);
  });

  async function withCasesFile(name: string, content: string | Uint8Array) {
    const path = join(scratch, name);
    writeFileSync(path, content);
    const yaml = suiteYaml({ cases: `cases_file: ./${name}` });
    const result = await load(yaml);
    return { ...result, path, yaml };
  }

  it.each([
    ["a JSON array on a line", '["a", "b"]\n', 1, 1, "holds a JSON array, not a case object"],
    ["a missing expected key, with the key to rename", '{"input": "x", "label": "praise"}\n', 1, 1, "did you mean `expected` instead of `label`?"],
    ["a number as input", '{"input": 42, "expected": "praise"}\n', 1, 1, '`input` must be a string, but it is 42'],
    ["must as a string", '{"input": "a", "expected": "praise"}\n{"input": "b", "expected": "praise", "must": "yes"}\n', 2, 1, "`must` must be true or false"],
    ["an empty input", '{"input": "  ", "expected": "praise"}\n', 1, 1, "`input` is empty"],
    ["a bad JSON line (its column from the parser)", '{"input": "a", "expected": "praise"}\n\n{"input": "b" "expected": "praise"}\n', 3, 15, "line 3 is not valid JSON"],
    ["a truncated line", '{"input": "a", "expected": "pra\n', 1, 32, "Unterminated string"],
    ["a whole JSON array file", '[\n{"input": "a", "expected": "praise"}\n]\n', 1, 1, "one object a line, not one JSON array"],
  ])(".jsonl with %s: error at its line", async (_what, content, line, column, text) => {
    const { diagnostics, path, suite } = await withCasesFile(`c${++counter}.jsonl`, content);
    expect(suite).toBeUndefined();
    const d = diagnostics.find((x) => x.severity === "error")!;
    expect(d.location).toEqual({ file: path, line, column });
    expect(`${d.message} ${d.hint}`).toContain(text);
  });

  it.each([
    ["a header without expected (a synonym to rename)", "text,category\na,praise\n", 1, 1, "rename `category` to `expected`"],
    ["semicolons", "input;expected\na;praise\n", 1, 1, "`;` or tabs between columns"],
    ["an unclosed quote (at the quote)", 'input,expected\na,praise\n"b,praise\n', 3, 1, "never closed"],
    ["a quote inside an unquoted field", 'input,expected\nsay "hi",praise\n', 2, 5, "double quote inside a field that is not quoted"],
    ["text after a closing quote", 'input,expected\n"a"b,praise\n', 2, 4, "after a closing double quote"],
    ["a row with too many fields", "input,expected\na,b,praise\n", 2, 1, "3 fields but the header has 2"],
    ["an invalid must", "input,expected,must\na,praise,perhaps\n", 2, 1, "`must` column is `perhaps`"],
    ["an empty expected", "input,expected\na,\n", 2, 1, "`expected` is empty"],
    ["a duplicated column", "input,expected,Expected\na,praise,praise\n", 1, 1, "names the column `expected` twice"],
  ])(".csv with %s: error at its line", async (_what, content, line, column, text) => {
    const { diagnostics, path } = await withCasesFile(`c${++counter}.csv`, content);
    const d = only(diagnostics);
    expect(d.code).toMatch(/^cases-file-(csv|field)$/);
    expect(d.location).toEqual({ file: path, line, column });
    expect(`${d.message} ${d.hint}`).toContain(text);
  });

  it("reports an empty cases file at its first line", async () => {
    const { diagnostics, path } = await withCasesFile(`c${++counter}.jsonl`, "\n\n");
    expect(only(diagnostics)).toMatchObject({ code: "cases-file-empty", location: { file: path, line: 1, column: 1 } });
    const csv = await withCasesFile(`c${++counter}.csv`, "input,expected\n");
    expect(only(csv.diagnostics)).toMatchObject({ code: "cases-file-empty", location: { file: csv.path, line: 1, column: 1 } });
  });

  it("reports a record that is no case together with what the checks find in the cases read around it", async () => {
    const { diagnostics, path } = await withCasesFile(`c${++counter}.jsonl`, '{"input": 42, "expected": "praise"}\n{"input": "a", "expected": "prase"}\n');
    expect(diagnostics.map((d) => [d.code, d.location.file, d.location.line])).toEqual([
      ["cases-file-field", path, 1],
      ["label-unknown", path, 2],
    ]);
  });

  it("points a missing cases file at the cases_file key's value, with the resolved path", async () => {
    const missingYaml = suiteYaml({ cases: "cases_file: ./nowhere/cases.jsonl" });
    const missing = await load(missingYaml);
    const d = only(missing.diagnostics);
    expect(d.code).toBe("cases-file-not-found");
    expect(at(d)).toEqual(positionOf(missingYaml, "./nowhere"));
    expect(d.message).toContain(join(scratch, "nowhere/cases.jsonl"));
    expect(d.hint).toContain("resolved against the suite's folder");
  });

  it("refuses an unsupported extension, pointing at cases_file", async () => {
    const yaml = suiteYaml({ cases: "cases_file: ./cases.json" });
    const d = only((await load(yaml)).diagnostics);
    expect(d).toMatchObject({ code: "cases-file-type" });
    expect(at(d)).toEqual(positionOf(yaml, "./cases.json"));
    expect(d.hint).toContain(".jsonl");
  });

  it("refuses a cases file over the size limit without reading it", async () => {
    const path = join(scratch, "huge.jsonl");
    const fd = openSync(path, "w");
    ftruncateSync(fd, CASES_FILE_MAX_BYTES + 1); // sparse: no disk used, and all NUL bytes if it were read
    closeSync(fd);
    const d = only((await load(suiteYaml({ cases: "cases_file: ./huge.jsonl" }))).diagnostics);
    expect(d).toMatchObject({ code: "file-too-large", location: { file: path, line: 1, column: 1 } });
    expect(d.message).toContain("over the limit of 20.0 MiB");
  });

  it("refuses a binary cases file at the NUL byte", async () => {
    const { diagnostics, path } = await withCasesFile(`c${++counter}.jsonl`, Buffer.from('{"input": "a"}\n\u0000\u0001garbage'));
    expect(only(diagnostics)).toMatchObject({ code: "binary-file", location: { file: path, line: 2, column: 1 } });
  });

  it("reports labels of file cases at the case's own line", async () => {
    const { diagnostics, path } = await withCasesFile(`c${++counter}.jsonl`, '{"input": "a", "expected": "praise"}\n{"input": "b", "expected": "complaint "}\n');
    const d = only(diagnostics);
    expect(d).toMatchObject({ code: "label-unknown", location: { file: path, line: 2, column: 1 } });
    expect(d.hint).toBe("remove the surrounding whitespace: `complaint`");
  });
});

describe("environment variables in paths", () => {
  const envSuite = join(SUITE_FIXTURES, "valid/env-paths.cases.yaml");

  it("uses the defaults when the variables are unset, and records the variables used", async () => {
    const { suite, diagnostics } = await loadSuite(envSuite, { env: {} });
    expect(diagnostics).toEqual([]);
    expect(suite!.fewShot.model).toMatchObject({
      path: join(FIXTURE_MODELS, "base.gguf"),
      written: "${env:TUNEGATE_FIXTURE_MODELS:-../models}/base.gguf",
      envVars: ["TUNEGATE_FIXTURE_MODELS"],
    });
    expect(suite!.casesFile).toBe(join(SUITE_FIXTURES, "valid/cases/triage.jsonl"));
  });

  it("uses the variables' values when set (an empty value counts as unset, as in the shell)", async () => {
    const models = join(scratch, "models-elsewhere");
    mkdirSync(models, { recursive: true });
    copyFileSync(join(FIXTURE_MODELS, "base.gguf"), join(models, "base.gguf"));
    copyFileSync(join(FIXTURE_MODELS, "triage-lora.gguf"), join(models, "triage-lora.gguf"));
    const { suite, diagnostics } = await loadSuite(envSuite, { env: { TUNEGATE_FIXTURE_MODELS: models, TUNEGATE_FIXTURE_CASES: "" } });
    expect(diagnostics).toEqual([]);
    expect(suite!.fewShot.model.path).toBe(join(models, "base.gguf"));
    expect(suite!.lora.adapter.path).toBe(join(models, "triage-lora.gguf"));
    expect(suite!.casesFile).toBe(join(SUITE_FIXTURES, "valid/cases/triage.jsonl"));
  });

  it("names the variable and whether it was set, never its value, when the file it leads to is missing", async () => {
    // The value may be a secret (a hostile suite can write `${env:GITHUB_TOKEN}`), and messages reach PR comments.
    const secret = "/nonexistent/ghp_s3cr3tTokenValue";
    const { diagnostics } = await loadSuite(envSuite, { env: { TUNEGATE_FIXTURE_MODELS: secret } });
    const errors = diagnostics.filter((d) => d.code === "model-not-found");
    // lora.model is written separately but resolves to the same file: reported once, at few_shot.model.
    expect(errors.map((d) => d.location.line)).toEqual([4, 14]);
    expect(errors[0]!.message).toContain("`${env:TUNEGATE_FIXTURE_MODELS:-../models}/base.gguf`");
    expect(errors[0]!.message).toContain("with TUNEGATE_FIXTURE_MODELS set; values are not shown");
    expect(errors[0]!.hint).toBe("check the value of TUNEGATE_FIXTURE_MODELS");
    for (const d of diagnostics) expect(`${d.message} ${d.hint ?? ""}`).not.toContain("s3cr3t");
  });

  it("does not show an environment value in a cases file's or a model's messages either", async () => {
    const secret = "/run/ghp_s3cr3tTokenValue";
    const yaml = suiteYaml({
      lora: ["lora:", "  adapter: ${env:ADAPTER_DIR}/triage-lora.gguf", '  template: "Message: {input}\\nCategory:"'].join("\n"),
      cases: "cases_file: ${env:CASES_DIR}/cases.jsonl",
    });
    const { diagnostics } = await loadSuiteFromText(yaml, "/suites/x.cases.yaml", { env: { CASES_DIR: secret, ADAPTER_DIR: secret } });
    expect(diagnostics.map((d) => d.code).sort()).toEqual(["cases-file-not-found", "model-not-found"]);
    for (const d of diagnostics) {
      expect(`${d.message} ${d.hint ?? ""}`).not.toContain("s3cr3t");
      expect(d.message).toMatch(/`\$\{env:(CASES|ADAPTER)_DIR\}\/(cases\.jsonl|triage-lora\.gguf)`/);
    }
  });

  it.each([
    ["${env:NOPE}/base.gguf", "env-unset", "the environment variable NOPE is not set"],
    ["${HOME}/base.gguf", "env-syntax", "write `${env:HOME}`"],
    ["${env:MODELS/base.gguf", "env-syntax", "unclosed"],
  ])("rejects %s with an error at the path", async (written, code, text) => {
    const yaml = suiteYaml({
      lora: ["lora:", `  adapter: "${written}"`, '  template: "Message: {input}\\nCategory:"'].join("\n"),
    });
    const d = only((await load(yaml)).diagnostics);
    expect(d.code).toBe(code);
    expect(at(d)).toEqual(positionOf(yaml, `"${written}"`));
    expect(`${d.message} ${d.hint}`).toContain(text);
  });

  it("treats a set but empty variable without default as an error", async () => {
    const yaml = suiteYaml({ lora: ["lora:", "  adapter: ${env:EMPTY}/x.gguf", '  template: "{input}"'].join("\n") });
    const d = only((await load(yaml, { env: { EMPTY: "" } })).diagnostics);
    expect(d.message).toContain("EMPTY is empty");
  });
});

describe("model files", () => {
  it("reports a missing adapter with its resolved path, and the base model once for both arms", async () => {
    const yaml = suiteYaml({
      fewShot: suiteYaml().split("\n").slice(1, 10).join("\n").replace(`${FIXTURE_MODELS}/base.gguf`, "./models/base.gguf"),
      lora: ["lora:", "  adapter: ./adapters/lora.gguf", '  template: "Message: {input}\\nCategory:"'].join("\n"),
    });
    const { diagnostics } = await load(yaml);
    const errors = diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, at(d)])).toEqual([
      ["model-not-found", positionOf(yaml, "./models/base.gguf")],
      ["model-not-found", positionOf(yaml, "./adapters/lora.gguf")],
    ]);
    expect(errors[0]!.message).toContain(join(scratch, "models/base.gguf"));
    expect(errors[0]!.message).toContain("`few_shot.model`");
    expect(errors[1]!.message).toContain("LoRA adapter");
    expect(errors[1]!.hint).toContain(`resolved against the suite's folder, ${scratch}`);
  });

  it("hints that ~ is not expanded", async () => {
    const yaml = suiteYaml({ lora: ["lora:", "  adapter: ~/lora.gguf", '  template: "{input}"'].join("\n") });
    expect(only((await load(yaml)).diagnostics).hint).toContain("`~` is not expanded");
  });

  it("reports a directory given as a model", async () => {
    const yaml = suiteYaml({ lora: ["lora:", `  adapter: ${FIXTURE_MODELS}`, '  template: "{input}"'].join("\n") });
    expect(only((await load(yaml)).diagnostics).message).toContain("is a directory");
  });

  it("leaves what a model file holds to the GGUF check that validate, run and the engine share", async () => {
    // An empty adapter exists, so the loader is content; test/engine/validate-as-run.test.ts shows the refusal.
    const path = join(scratch, `not-gguf-${++counter}.gguf`);
    writeFileSync(path, "");
    const yaml = suiteYaml({ lora: ["lora:", `  adapter: ${path}`, '  template: "{input}"'].join("\n") });
    const { diagnostics, suite } = await load(yaml);
    expect(suite).toBeDefined();
    expect(diagnostics).toEqual([]);
  });

  it("skips the file checks when asked to, still resolving the paths", async () => {
    const yaml = suiteYaml({ lora: ["lora:", "  adapter: ./missing.gguf", '  template: "{input}"'].join("\n") });
    const { suite, diagnostics } = await load(yaml, { checkModelFiles: false });
    expect(diagnostics).toEqual([]);
    expect(suite!.lora.adapter.path).toBe(join(scratch, "missing.gguf"));
  });
});

describe("the file itself", () => {
  it.each([
    ["empty", "", "the suite file is empty"],
    ["blank", "  \n\n", "the suite file is empty"],
    ["only comments", "# nothing yet\n", "holds only comments"],
  ])("reports an %s file at 1:1", async (_what, content, text) => {
    const d = only((await load(content)).diagnostics);
    expect(d).toMatchObject({ code: "file-empty", location: { line: 1, column: 1 } });
    expect(d.message).toContain(text);
  });

  it("refuses a file over the size limit, at 1:1, without parsing it", async () => {
    const file = join(scratch, "huge.cases.yaml");
    const fd = openSync(file, "w");
    ftruncateSync(fd, SUITE_FILE_MAX_BYTES + 1);
    closeSync(fd);
    const d = only((await loadSuite(file)).diagnostics);
    expect(d).toMatchObject({ code: "file-too-large", location: { file, line: 1, column: 1 } });
    expect(d.message).toBe("the suite file is 5.0 MiB, over the limit of 5.0 MiB");
    expect(d.hint).toContain("cases_file");
  });

  it("reports a missing file and a directory", async () => {
    expect(only((await loadSuite(join(scratch, "absent.cases.yaml"))).diagnostics)).toMatchObject({ code: "file-not-found", location: { line: 1, column: 1 } });
    expect(only((await loadSuite(scratch)).diagnostics)).toMatchObject({ code: "file-unreadable" });
  });

  it("resolves a relative path against options.cwd", async () => {
    writeFileSync(join(scratch, "relative.cases.yaml"), suiteYaml());
    const { suite } = await loadSuite("relative.cases.yaml", { cwd: scratch, env: {} });
    expect(suite!.file).toBe(join(scratch, "relative.cases.yaml"));
  });

  it.each([
    ["a NUL byte", Buffer.from("labels: [a]\nfew_shot:\u0000\n"), "binary-file", 2, 10],
    ["invalid UTF-8 (Latin-1 text)", Buffer.from([...Buffer.from("labels: [caf"), 0xe9, ...Buffer.from("]\n")]), "invalid-utf8", 1, 13],
    ["a truncated UTF-8 sequence", Buffer.from([...Buffer.from("name: \u00e9t\u00e9\nlabels: [x"), 0xe2, 0x82]), "invalid-utf8", 2, 11],
    ["UTF-16", Buffer.from("\ufeffname: x\n", "utf16le"), "invalid-utf8", 1, 1],
    ["a control character", Buffer.from("labels: [a\u0001]\n"), "control-character", 1, 11],
  ])("refuses %s with an error at its line:col", async (_what, bytes, code, line, column) => {
    const d = only((await load(bytes)).diagnostics);
    expect(d).toMatchObject({ code, location: { line, column } });
    expect(d.hint).toBeDefined();
  });

  it("refuses binary garbage (gzip data, random bytes) with one clear error", async () => {
    const gzip = gzipSync(Buffer.from(suiteYaml()));
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    for (const bytes of [gzip, random]) {
      const d = only((await load(bytes)).diagnostics);
      expect(["binary-file", "invalid-utf8", "control-character"]).toContain(d.code);
      expect(d.message).not.toMatch(/YAML/);
    }
  });

  it("accepts a UTF-8 byte order mark and CRLF line ends", async () => {
    const { suite, diagnostics } = await load(`\ufeff${suiteYaml().replace(/\n/g, "\r\n")}`);
    expect(diagnostics).toEqual([]);
    expect(suite!.cases[1]!.location.line).toBe(16);
  });
});

describe("YAML syntax", () => {
  async function fromText(text: string) {
    return loadSuiteFromText(text, join(scratch, "text.cases.yaml"), { env: {} });
  }

  it.each([
    ["a tab in a nested list", "labels:\n  - a\n\t- b\n", 3, 1],
    ["spaces then a tab", "few_shot:\n  model: x\n  \trole: y\n", 3, 3],
    ["a tab inside a flow list's lines", "labels: [\n\ta,\n\tb]\n", 2, 1],
  ])("names the line of %s and says YAML forbids tabs", async (_what, text, line, column) => {
    const { diagnostics } = await fromText(text);
    expect(diagnostics[0]).toMatchObject({ code: "yaml-tab-indent", location: { line, column } });
    expect(diagnostics[0]!.message).toBe(`line ${line} is indented with a tab; YAML forbids tabs for indentation`);
  });

  it("accepts tabs inside a block scalar's text and after a value", async () => {
    const yaml = suiteYaml({ lora: ["lora:", `  adapter: ${FIXTURE_MODELS}/triage-lora.gguf`, "  template: |-", "    Message:\t{input}", "    \tCategory:"].join("\n") });
    const { suite } = await fromText(yaml);
    expect(suite!.lora.template).toBe("Message:\t{input}\n\tCategory:");
  });

  it("points a duplicate nested key at the second key", async () => {
    const yaml = suiteYaml().replace("  task: classify each message\n", "  task: classify each message\n  role: again\n");
    const d = only((await fromText(yaml)).diagnostics);
    expect(d).toMatchObject({ code: "yaml-duplicate-key", location: positionOf(yaml, "role: again") });
    expect(d.message).toContain("`role`");
  });

  it.each([
    ["a list never closed", "labels: [a, b\nfew_shot:\n  model: x\n", 1, 9, "the `[` opened here is never closed with `]`"],
    ["a mapping never closed, inside a closed one", '{"labels": ["a"],\n "few_shot": {\n', 2, 14, "the `{` opened here is never closed with `}`"],
    ["a list item mapping never closed", "cases:\n  - { input: x, expected: y\n  - { input: z }\n", 2, 5, "never closed with `}`"],
    ["a double quote never closed", 'name: "Triage\nlabels: [a]\n', 1, 7, "the double quote opened here is never closed"],
    ["a quote never closed inside a flow mapping", 'cases:\n  - { input: "abc, expected: x }\n  - { input: y, expected: z }\n', 2, 14, "double quote opened here"],
    ["a single quote never closed", "a: 1\nb: 'x\nc: 2\n", 2, 4, "the single quote opened here is never closed"],
    ["a closed list continued without indentation", "labels: [a,\nb]\nx: 1\n", 2, 1, "continues the `[ ... ]` opened at line 1"],
  ])("reports %s where the mistake is", async (_what, text, line, column, message) => {
    const d = (await fromText(text)).diagnostics[0]!;
    expect(d).toMatchObject({ code: "yaml-syntax", location: { line, column } });
    expect(d.message).toContain(message);
  });

  it.each([
    ["an unknown escape", 'name: "a\\qb"\n', "yaml-syntax"],
    ["an alias with no anchor", "labels: *missing\n", "yaml-alias"],
  ])("reports %s as one error at its line, without a parser dump", async (_what, text, code) => {
    const { diagnostics } = await fromText(text);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]!.code).toBe(code);
    expect(diagnostics[0]!.message).not.toContain("\n");
  });

  it("never throws on odd input, and every diagnostic has a position", async () => {
    const inputs = [":", "- - -", "{", "[[[", "!!binary AAAA", "&a [*a]", "? ", "%YAML 1.1\n---\na: 1", "\u202e\u0301", "a: &x 1\nb: *x\n", "0", "~", "'", '"', "|", ">\n  x", "labels: !!set {a, b}", "cases: !custom x"];
    for (const text of inputs) {
      const result = await fromText(text);
      expect(result.suite).toBeUndefined();
      for (const d of result.diagnostics) {
        expect(d.location.line).toBeGreaterThanOrEqual(1);
        expect(d.location.column).toBeGreaterThanOrEqual(1);
        expect(d.message.length).toBeGreaterThan(0);
      }
    }
  });
});

describe("schema errors", () => {
  it("points an unknown nested key at the key, with a did-you-mean hint", async () => {
    const yaml = suiteYaml().replace("  examples:", "  exmples:");
    const errors = (await load(yaml)).diagnostics;
    const d = errors.find((e) => e.code === "unknown-key")!;
    expect(at(d)).toEqual(positionOf(yaml, "exmples:"));
    expect(d.message).toBe("unknown key `exmples` in `few_shot`");
    expect(d.hint).toBe("did you mean `examples`?");
    // The missing `examples` is the same mistake; it is not reported again.
    expect(errors.filter((e) => e.severity === "error")).toHaveLength(1);
  });

  it("lists the allowed keys when nothing is close", async () => {
    const yaml = suiteYaml({ rest: "volume: { calls_per_day: 1, peak: 3 }" });
    expect(only((await load(yaml)).diagnostics).hint).toBe("the keys allowed in `volume` are `calls_per_day`");
  });

  it("suggests quotes for a label YAML reads as a number", async () => {
    const yaml = suiteYaml({ labels: "labels: [1, 2, praise]" });
    const errors = (await load(yaml)).diagnostics;
    expect(errors.map((e) => [e.code, e.location.column])).toEqual([
      ["wrong-type", 10],
      ["wrong-type", 13],
    ]);
    expect(errors[0]!.hint).toBe('YAML reads `1` as the number 1; put it in quotes: "1"');
  });

  it("reports a key with no value at the key", async () => {
    const yaml = suiteYaml({ labels: "labels:" });
    const d = only((await load(yaml)).diagnostics);
    expect(d).toMatchObject({ code: "wrong-type", location: { line: 1, column: 1 } });
    expect(d.message).toBe("`labels` has no value; it must be a list");
  });

  it("reports a missing key of a list item at the item", async () => {
    const yaml = suiteYaml({ cases: "cases:\n  - { input: The box was crushed. }" });
    const d = only((await load(yaml)).diagnostics);
    expect(d).toMatchObject({ code: "missing-key", location: positionOf(yaml, "{ input: The box") });
    expect(d.message).toBe("`cases[0]` is missing the required key `expected`");
  });

  it("rejects a non-positive LoRA scale and out-of-range gate points", async () => {
    const yaml = suiteYaml({
      lora: ["lora:", `  adapter: ${FIXTURE_MODELS}/triage-lora.gguf`, "  scale: 0", '  template: "{input}"'].join("\n"),
      rest: "volume: { calls_per_day: 1 }\ngate: { within_points: 101 }",
    });
    const errors = (await load(yaml)).diagnostics;
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ["out-of-range", "`lora.scale` must be > 0, but it is 0"],
      ["out-of-range", "`gate.within_points` must be <= 100, but it is 101"],
    ]);
  });

  it("reports all schema errors of a file at once, sorted by line", async () => {
    const yaml = suiteYaml({ labels: "labels: [a, a]", rest: "scoring: best\nmisses: 3" });
    const lines = (await load(yaml)).diagnostics.map((d) => d.location.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(lines.length).toBe(3);
  });
});

describe("checks beyond the schema", () => {
  it("rejects a few-shot template without {input}", async () => {
    const yaml = suiteYaml().replace("  role: a support triage assistant\n  task: classify each message\n  format: one word\n", '  template: "{examples}\\nCategory:"\n');
    const d = only((await load(yaml)).diagnostics);
    expect(d).toMatchObject({ code: "template-no-input", location: positionOf(yaml, '"{examples}') });
  });

  it("points the gate error at lora_wins_points when only that is written", async () => {
    const yaml = suiteYaml({ rest: "volume: { calls_per_day: 1 }\ngate:\n  lora_wins_points: 4" });
    const d = only((await load(yaml)).diagnostics);
    expect(d).toMatchObject({ code: "gate-thresholds", location: positionOf(yaml, "4") });
  });

  it("treats equal thresholds as an error", async () => {
    const yaml = suiteYaml({ rest: "volume: { calls_per_day: 1 }\ngate: { within_points: 10, lora_wins_points: 10 }" });
    expect(only((await load(yaml)).diagnostics).code).toBe("gate-thresholds");
  });

  it("matches labels exactly and case-sensitively", async () => {
    const yaml = suiteYaml({ cases: "cases:\n  - { input: a, expected: Praise }\n  - { input: b, expected: praise }" });
    const d = only((await load(yaml)).diagnostics);
    expect(d).toMatchObject({ code: "label-unknown", location: positionOf(yaml, "Praise") });
    expect(d.hint).toBe("did you mean `praise`? (labels match exactly, case-sensitive)");
  });

  it("rejects a whitespace-only label and warns about surrounding whitespace", async () => {
    const yaml = suiteYaml({ labels: 'labels: [complaint, inquiry, praise, " ", " spaced "]' });
    const { diagnostics } = await load(yaml);
    expect(diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["empty-value"]);
    expect(diagnostics.some((d) => d.code === "label-whitespace" && d.message.includes("` spaced `"))).toBe(true);
  });

  it("warns about more than ten examples", async () => {
    const many = Array.from({ length: 11 }, (_, i) => `    - { input: message ${i}, output: ${["complaint", "inquiry", "praise"][i % 3]} }`).join("\n");
    const yaml = suiteYaml().replace(/ {4}- \{ input: It broke[\s\S]*?praise \}/, many);
    const d = only((await load(yaml)).diagnostics, "warning");
    expect(d).toMatchObject({ code: "example-count", location: positionOf(yaml, "examples:") });
    expect(d.message).toBe("`few_shot` has 11 examples; 3 to 10 work best");
  });

  it("reports case problems across a cases file with file:line of the other case", async () => {
    const path = join(scratch, "dupes.jsonl");
    writeFileSync(path, '{"input": "Same", "expected": "praise"}\n{"input": "Same", "expected": "praise"}\n{"input": "Great service!", "expected": "praise"}\n');
    const yaml = suiteYaml({ cases: "cases_file: ./dupes.jsonl" });
    const { diagnostics, file } = await load(yaml);
    expect(diagnostics.map((d) => [d.code, d.location.file, d.location.line])).toEqual([
      ["duplicate-case", path, 2],
      ["case-leaks-example", path, 3],
    ]);
    expect(diagnostics[0]!.message).toBe("this case repeats the input of the case at line 1");
    expect(diagnostics[1]!.message).toContain(`few-shot example at ${basename(file)}:${positionOf(yaml, "Great service!").line}`);
  });
});
