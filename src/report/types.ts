// The JSON report's TypeScript types, derived from its schema (schema.ts) so the two cannot disagree. Only
// names are given here; every field is declared once, in the schema.
import type { FromSchema } from "json-schema-to-ts";
import type { reportSchema } from "./schema.js";

export { REPORT_VERSION } from "./schema.js";

type DerivedReport = FromSchema<typeof reportSchema>;
type DerivedSuite = DerivedReport["suites"][number];

/** The one result object for every rendering; `gate` is the worst suite's. */
export type Report = Omit<DerivedReport, "suites"> & { suites: SuiteReport[] };
export type ReportSummary = Report["summary"];
export type ReportMethods = Report["methods"];

// FromSchema does not read `prefixItems`; the tuple is written out here, the only field declared twice.
export type SuiteReport = Omit<DerivedSuite, "delta_ci95"> & { delta_ci95: [lower: number, upper: number] };
export type ThresholdsReport = SuiteReport["thresholds"];
export type IntervalReport = SuiteReport["interval"];
export type McNemarReport = SuiteReport["mcnemar"];
export type ArmReport = SuiteReport["arms"]["few_shot"];
export type CostReport = NonNullable<SuiteReport["cost"]>;
export type ArmCostReport = CostReport["few_shot"];
export type EngineReport = SuiteReport["engine"];
export type CaseReport = SuiteReport["cases"][number];
export type CaseArmReport = CaseReport["few_shot"];
