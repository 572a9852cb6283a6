import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";

export const reportSchema = JSON.parse(readFileSync(new URL("../../schema/report.schema.json", import.meta.url), "utf8")) as object;

/** Ajv in strict mode on the shipped schema, as another tool would compile it: no plugins, no formats. */
export function reportValidator() {
  return new Ajv2020({ strict: true, allErrors: true }).compile(reportSchema);
}
