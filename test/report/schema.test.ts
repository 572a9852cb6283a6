import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { GateOutcome, MustMiss, Verdict } from "../../src/decision.js";
import { partialReportSchema, reportSchema } from "../../src/report/schema.js";
import type { ArmReport, CostReport, SuiteReport } from "../../src/report/types.js";
import type { ConfusionMatrix } from "../../src/stats/confusion.js";
import type { LabelMetrics } from "../../src/stats/label-metrics.js";
import type { ArmName, FailOn, ScoringMode } from "../../src/types.js";
import { PARTIAL_REPORT_SCHEMA_PATH, partialReportSchemaJson, REPORT_SCHEMA_PATH, reportSchemaJson } from "../../tools/write-schemas.js";
import { REPO_ROOT } from "../suite/helpers.js";

describe("report schema", () => {
  it("is what schema/report.schema.json holds (run `node dist/tools/write-schemas.js` after editing schema.ts)", () => {
    const committed = readFileSync(join(REPO_ROOT, REPORT_SCHEMA_PATH), "utf8");
    expect(committed).toBe(reportSchemaJson());
  });

  it("compiles under ajv's strict mode", () => {
    expect(() => new Ajv2020({ strict: true, allErrors: true }).compile(reportSchema)).not.toThrow();
  });

  it("has a partial report schema for shards' parts, as schema/partial-report.schema.json holds it, compiling strictly", () => {
    expect(readFileSync(join(REPO_ROOT, PARTIAL_REPORT_SCHEMA_PATH), "utf8")).toBe(partialReportSchemaJson());
    expect(() => new Ajv2020({ strict: true, allErrors: true }).compile(partialReportSchema)).not.toThrow();
    // A part's cases are the report's own case records.
    expect(partialReportSchema.$defs.case).toBe(reportSchema.$defs.case);
  });

  it("describes the domain records the report writes as they are, and the domain's enumerations", () => {
    // Checked by the type checker (npm run typecheck): a schema edit that drifts from them fails to compile.
    expectTypeOf<ArmReport["per_label"][number]>().toEqualTypeOf<LabelMetrics>();
    expectTypeOf<ArmReport["confusion"]>().toEqualTypeOf<ConfusionMatrix>();
    expectTypeOf<SuiteReport["must_misses"][number]>().toEqualTypeOf<MustMiss>();
    expectTypeOf<SuiteReport["verdict"]>().toEqualTypeOf<Verdict>();
    expectTypeOf<SuiteReport["gate"]>().toEqualTypeOf<GateOutcome>();
    expectTypeOf<SuiteReport["scoring"]>().toEqualTypeOf<ScoringMode>();
    expectTypeOf<SuiteReport["thresholds"]["fail_on"]>().toEqualTypeOf<FailOn>();
    expectTypeOf<CostReport["cheaper_arm"]>().toEqualTypeOf<ArmName | null>();
    expectTypeOf<keyof SuiteReport["arms"]>().toEqualTypeOf<ArmName>();
  });
});
