// Writes schema/suite.schema.json from the TypeScript schema, for editors (yaml-language-server) and for
// users who validate suites with other tools. Run after changing schema.ts: node dist/src/suite/write-schema.js
// A test fails while the committed file differs from suiteSchemaJson().
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../src/text/package-root.js";
import { suiteSchema } from "../src/suite/schema.js";

export const SUITE_SCHEMA_PATH = "schema/suite.schema.json";

export function suiteSchemaJson(): string {
  return `${JSON.stringify(suiteSchema, null, 2)}\n`;
}

export async function writeSuiteSchema(root: string = packageRoot()): Promise<string> {
  const target = join(root, SUITE_SCHEMA_PATH);
  await writeFile(target, suiteSchemaJson());
  return target;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = await writeSuiteSchema();
  console.log(`wrote ${target}`);
}
