// The TypeScript type of a suite exactly as written, derived from the schema so the two cannot disagree.
// Internal: the public, normalised type is `Suite` in src/types.ts.
import type { FromSchema } from "json-schema-to-ts";
import type { suiteSchema } from "./schema.js";

/**
 * The suite exactly as written (after YAML parsing), once it has passed the schema. Keys with a schema
 * `default` stay optional: ajv checks the data but fills in nothing, and normalize.ts applies SUITE_DEFAULTS.
 */
export type RawSuite = FromSchema<typeof suiteSchema, { keepDefaultedPropertiesOptional: true }>;
