// Writes the JSON Schemas shipped in schema/ from their TypeScript sources: the suite's (for editors through
// yaml-language-server, and for users who validate suites with other tools) and the report's (for tools that
// read the JSON report). Run after changing either: node dist/tools/write-schemas.js
// A test fails while a committed file differs from what this writes.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { partialReportSchema, reportSchema } from "../src/report/schema.js";
import { packageRoot } from "../src/text/package-root.js";
import { suiteSchema } from "../src/suite/schema.js";

export const SUITE_SCHEMA_PATH = "schema/suite.schema.json";
export const REPORT_SCHEMA_PATH = "schema/report.schema.json";
export const PARTIAL_REPORT_SCHEMA_PATH = "schema/partial-report.schema.json";

function schemaJson(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export function suiteSchemaJson(): string {
  return schemaJson(suiteSchema);
}

export function reportSchemaJson(): string {
  return schemaJson(reportSchema);
}

export function partialReportSchemaJson(): string {
  return schemaJson(partialReportSchema);
}

/** Writes every schema file; returns their paths. */
export async function writeSchemas(root: string = packageRoot()): Promise<string[]> {
  const files: [string, string][] = [
    [SUITE_SCHEMA_PATH, suiteSchemaJson()],
    [REPORT_SCHEMA_PATH, reportSchemaJson()],
    [PARTIAL_REPORT_SCHEMA_PATH, partialReportSchemaJson()],
  ];
  return Promise.all(
    files.map(async ([path, text]) => {
      const target = join(root, path);
      await writeFile(target, text);
      return target;
    }),
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const target of await writeSchemas()) console.log(`wrote ${target}`);
}
