import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, expectTypeOf, it } from "vitest";
import { SUITE_DEFAULTS } from "../../src/suite/defaults.js";
import type { RawSuite } from "../../src/suite/raw-suite.js";
import { suiteSchema } from "../../src/suite/schema.js";
import { validateAgainstSchema } from "../../src/suite/schema-validation.js";
import { parseYaml } from "../../src/suite/yaml-source.js";
import type { ScoringMode } from "../../src/types.js";
import { SUITE_SCHEMA_PATH, suiteSchemaJson } from "../../tools/write-schemas.js";
import { REPO_ROOT, suiteYaml } from "./helpers.js";

interface Node {
  title?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, Node | boolean>;
  items?: Node;
}

/** Every property schema in the tree, with its dotted path. */
function properties(node: Node, path = ""): [string, Node][] {
  const found: [string, Node][] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (typeof child === "boolean") continue;
    found.push([`${path}${key}`, child], ...properties(child, `${path}${key}.`));
    if (child.items !== undefined) found.push(...properties(child.items, `${path}${key}[].`));
  }
  return found;
}

describe("suite schema", () => {
  it("is what schema/suite.schema.json holds (run `node dist/tools/write-schemas.js` after editing schema.ts)", () => {
    const committed = readFileSync(join(REPO_ROOT, SUITE_SCHEMA_PATH), "utf8");
    expect(committed).toBe(suiteSchemaJson());
  });

  it("compiles under ajv's strict mode", () => {
    expect(() => new Ajv2020({ strict: true, allErrors: true }).compile(suiteSchema)).not.toThrow();
  });

  it("gives every property a title and a description, for editor help", () => {
    const all = properties(suiteSchema as unknown as Node);
    expect(all.length).toBeGreaterThan(40);
    const undocumented = all.filter(([, node]) => !node.title || !node.description).map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  it("documents the same defaults the loader applies", () => {
    const defaults = Object.fromEntries(properties(suiteSchema as unknown as Node).filter(([, n]) => "default" in n).map(([p, n]) => [p, n.default]));
    expect(defaults).toEqual({
      "few_shot.input_prefix": SUITE_DEFAULTS.inputPrefix,
      "few_shot.output_prefix": SUITE_DEFAULTS.outputPrefix,
      "lora.scale": SUITE_DEFAULTS.loraScale,
      "cases[].must": SUITE_DEFAULTS.must,
      scoring: SUITE_DEFAULTS.scoring,
      length_normalize: SUITE_DEFAULTS.lengthNormalize,
      "cost.currency": SUITE_DEFAULTS.currency,
      "gate.within_points": SUITE_DEFAULTS.gate.withinPoints,
      "gate.lora_wins_points": SUITE_DEFAULTS.gate.loraWinsPoints,
      "gate.volume_threshold": SUITE_DEFAULTS.gate.volumeThreshold,
      "gate.fail_on": SUITE_DEFAULTS.gate.failOn,
      misses: SUITE_DEFAULTS.misses,
    });
  });

  it("states each default in its description as its `default` holds it (a boolean flag's false goes without saying)", () => {
    const unstated = properties(suiteSchema as unknown as Node)
      .filter(([, node]) => "default" in node)
      .filter(([, node]) => {
        const value = String(node.default);
        const text = node.description ?? "";
        return !(text.includes(`Default ${value}.`) || text.includes(`Default \`${value}\`.`) || text.startsWith(`${value} (default)`));
      })
      .map(([path]) => path);
    expect(unstated).toEqual(["cases[].must"]);
  });

  it("types keys with a default as optional, since validation fills in none", () => {
    const yaml = suiteYaml();
    const parsed = parseYaml(yaml, "/suites/x.cases.yaml");
    const validated = validateAgainstSchema(parsed.data, parsed.locator);
    if (!validated.ok) throw new Error(JSON.stringify(validated.problems));
    expect(validated.value.scoring).toBeUndefined();
    expect(validated.value.lora.scale).toBeUndefined();
    expectTypeOf<RawSuite["scoring"]>().toEqualTypeOf<ScoringMode | undefined>();
    expectTypeOf<RawSuite["lora"]["scale"]>().toEqualTypeOf<number | undefined>();
  });
});
