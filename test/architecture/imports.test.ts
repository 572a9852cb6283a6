// The data path reads top-down: every import in src/ points down the pipeline, and no file imports itself
// back through a cycle. TypeScript's own pre-processor lists the imports, so this reads what tsc reads.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
/** Folders whose code ships or runs the product; tests may import anything, so they are not checked. */
const CHECKED = ["src", "tools", "bench"];

/**
 * The pipeline's layers, lowest first. A file may import its own layer or any layer below it. The first
 * matching prefix decides, so a folder listed before its parent's other files wins.
 */
const LAYERS: ReadonlyArray<readonly [layer: number, prefixes: readonly string[]]> = [
  [0, ["types.ts", "errors.ts", "text/", "read-head.ts"]],
  [1, ["suite/"]],
  [2, ["prompts.ts", "gguf/"]],
  [3, ["engine/"]],
  // The result cache: in front of any engine, below everything that reads results.
  [4, ["cache/"]],
  [5, ["stats/"]],
  [6, ["cost.ts", "decision.ts"]],
  [7, ["report/"]],
  [8, ["vitest/"]],
  // The run both entry points share: suite paths → validation → one Vitest run.
  [9, ["run/"]],
  [10, ["cli/", "action/"]],
  // The command dispatcher runs every entry point, `tunegate action` included.
  [11, ["cli/main.ts", "index.ts"]],
];

function layerOf(file: string): number {
  const inSrc = file.slice("src/".length);
  const matches = LAYERS.filter(([, prefixes]) => prefixes.some((prefix) => inSrc === prefix || inSrc.startsWith(prefix)));
  // A whole file named in LAYERS wins over its folder's prefix.
  const exact = matches.find(([, prefixes]) => prefixes.includes(inSrc));
  const match = exact ?? matches[0];
  if (match !== undefined) return match[0];
  throw new Error(`${file} belongs to no layer: add it to LAYERS in ${relative(process.cwd(), import.meta.filename)}`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative imports of a file, as repository paths of .ts files. Type-only and dynamic imports count: they couple too. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
  return info.importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)).split("\\").join("/").replace(/\.js$/, ".ts"));
}

const files = CHECKED.flatMap(sourceFiles);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const isSrc = (file: string): boolean => file.startsWith("src/");

describe("imports in src/, tools/ and bench/", () => {
  it("resolve to files that exist", () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((target) => !graph.has(target)).map((target) => `${file} → ${target}`));
    expect(missing).toEqual([]);
  });

  it("point down the pipeline in src/ (suite → prompts → engine → stats → decision → report → entry points)", () => {
    const upward = [...graph]
      .filter(([file]) => isSrc(file))
      .flatMap(([file, targets]) => targets.filter((target) => !isSrc(target) || layerOf(target) > layerOf(file)).map((target) => `${file} → ${target}`));
    expect(upward).toEqual([]);
  });

  it("form no cycle between files", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, "open");
      path.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === "open") cycles.push([...path.slice(path.indexOf(target)), target].join(" → "));
        else if (!state.has(target) && graph.has(target)) visit(target);
      }
      path.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
