// `tunegate merge PARTS...`: the parts a sharded run's machines wrote (`tunegate run --shard i/n --json`) as
// one report, built from every case record by the same builder as a single machine's run; prints the table and
// the verdict, writes the reports asked for, and exits with the gate. A set of parts that is not one whole run
// (a shard missing or given twice, a case missing or duplicated, another suite, model, adapter or engine) is
// refused with exit status 2 and no verdict.
import { dirname, resolve } from "node:path";
import { linkFrom, reportToJson } from "../report/build.js";
import { renderHtml } from "../report/html/render.js";
import { renderMarkdown } from "../report/markdown.js";
import { DEFAULT_TABLE_MODE, renderTerminal, TABLE_MODES, type TableMode } from "../report/terminal.js";
import { terminalStyle } from "../report/text-figures.js";
import type { Report } from "../report/types.js";
import { EXIT_INVALID, EXIT_OK, type CliIO } from "../run/io.js";
import { mergePartFiles } from "../run/merge-parts.js";
import { destinationProblem, writeFileAtomic } from "../text/write-file.js";
import { UsageError } from "../errors.js";
import { parseCommandArgs } from "./args.js";

export const mergeUsage = `Usage: tunegate merge PARTS... [options]

Merges the parts of a sharded run (each written by \`tunegate run SUITES --shard I/N --json FILE\`) into
one report: every figure is computed again from the parts' case records, by the same builder as a run on
one machine. Prints the table and the verdict and exits with the gate. Parts are files or globs
(parts/*.json); run the merge in the folder the shards ran in, since the report's paths are relative to it.

The parts must be all N shards of one split, each once, of the same suites (same content, after the run's
options), models, adapters, engine and tunegate version, with every case exactly once; otherwise nothing
is merged and the reason is printed.

Options:
  --json FILE        write the merged JSON report (schema/report.schema.json)
  --markdown FILE    write the Markdown summary
  --html FILE        write the HTML report
  --table ${TABLE_MODES.join("|")}  which cases the table lists (default ${DEFAULT_TABLE_MODE})
  -h, --help         show this help

Exit status: 0 gate pass or warn, 1 gate failed (or a must case missed, or a miss under misses: fail),
2 invalid input (a part that is missing, duplicated, malformed or from another run).`;

export async function merge(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs(args, {
    json: { type: "string" },
    markdown: { type: "string" },
    html: { type: "string" },
    table: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  const v = parsed.values;
  if (v.help) {
    io.stdout(mergeUsage);
    return EXIT_OK;
  }
  if (v.table !== undefined && !(TABLE_MODES as readonly string[]).includes(v.table)) throw new UsageError(`--table must be one of ${TABLE_MODES.join(", ")}, got "${v.table}"`);
  if (parsed.positionals.length === 0) throw new UsageError("name the part files to merge (e.g. parts/*.json)");
  const outputs: Array<[string, string | undefined, (report: Report, path: string) => string]> = [
    ["json", v.json, (report) => reportToJson(report)],
    ["markdown", v.markdown, (report) => renderMarkdown(report)],
    ["html", v.html, (report, path) => renderHtml(report, { fileLink: linkFrom(io.cwd, dirname(path)) })],
  ];
  // Checked first, as `tunegate run` does, so a bad destination is reported before anything is read.
  const destinations = outputs.flatMap(([option, target]) => {
    if (target === undefined) return [];
    const path = resolve(io.cwd, target);
    const problem = destinationProblem(path);
    return problem === undefined ? [] : [`--${option} ${path} ${problem}`];
  });
  if (destinations.length > 0) {
    for (const problem of destinations) io.stderr(`tunegate merge: ${problem}`);
    return EXIT_INVALID;
  }

  const result = await mergePartFiles(parsed.positionals, io.cwd);
  if (result.stage === "refused") {
    for (const problem of result.problems) io.stderr(`tunegate merge: ${problem}`);
    io.stderr("tunegate merge: nothing merged, no verdict");
    return result.code;
  }
  const { report } = result;
  io.stdout(renderTerminal(report, { ...terminalStyle(io.env, process.stdout), table: (v.table as TableMode | undefined) ?? DEFAULT_TABLE_MODE }));
  for (const [, target, render] of outputs) {
    if (target === undefined) continue;
    const path = resolve(io.cwd, target);
    await writeFileAtomic(path, render(report, path));
    io.stdout(`tunegate ▸ wrote ${path}`);
  }
  if (result.failedCases > 0) io.stdout(`tunegate ▸ ${result.failedCases} case result${result.failedCases === 1 ? "" : "s"} fail the run (a must case missed, or a miss under misses: fail)`);
  return result.code;
}
