// tunegate's library API: what a program needs to load a suite, run it on an engine, decide, and report.
// Deliberately small (test/public-api.test.ts pins it): the pipeline's internals stay free to change.

// Suite files → a typed suite, with diagnostics at file:line:col.
export { loadSuite, loadSuiteFromText, type LoadSuiteOptions, type LoadSuiteResult } from "./suite/loader.js";
export { formatDiagnostic, hasErrors, type Diagnostic, type DiagnosticCode, type Severity } from "./suite/diagnostics.js";
export { suiteSchema } from "./suite/schema.js";
export { SUITE_DEFAULTS } from "./suite/defaults.js";

// The shared vocabulary: arms, scoring, policies, and the plain data each stage hands the next.
export {
  ARMS,
  ARM_DISPLAY,
  FAIL_ON_POLICIES,
  INVALID_PREDICTION,
  MISS_POLICIES,
  SCORING_MODES,
  type ArmName,
  type ArmRun,
  type CaseArmResult,
  type EngineInfo,
  type FailOn,
  type MissPolicy,
  type ScoringMode,
  type SourceLocation,
  type Suite,
  type SuiteCase,
  type SuiteRun,
} from "./types.js";

// Engines: one interface, the in-process implementation on node-llama-cpp.
export {
  GPU_CHOICES,
  type ArmProgress,
  type Engine,
  type EngineDescription,
  type GpuChoice,
  type RunOptions,
} from "./engine/engine.js";
export { createLocalEngine, type LocalEngine, type LocalEngineOptions } from "./engine/local/local-engine.js";
// The result cache in front of any engine: unchanged cases are served from disk.
export { withResultCache, type CachingEngine, type ResultCacheOptions } from "./cache/caching-engine.js";
export { createRemoteEngine, type RemoteEngine, type RemoteEngineOptions } from "./engine/remote/remote-engine.js";
export { openRemoteEngine, type ReplicatedEngine } from "./engine/remote/replicas.js";
export { inspectGguf, checkAdapterFitsModel, type GgufInspection, type GgufRole } from "./gguf/inspect.js";

// The decision rule and its statistics.
export { GATE_OUTCOMES, VERDICTS, decide, type Decision, type DecisionInput, type GateOutcome, type Verdict } from "./decision.js";
export { tabulatePaired, type PairedCounts } from "./stats/paired.js";
export { mcnemarExact } from "./stats/mcnemar.js";
export { newcombePairedInterval, type PairedDifferenceInterval } from "./stats/newcombe.js";
export { estimateCost, type CostEstimate } from "./cost.js";

// Reports: JSON (with its schema), Markdown, terminal.
export { buildReport, buildSuiteReport, reportToJson, type BuildReportOptions } from "./report/build.js";
export { renderMarkdown, type MarkdownOptions } from "./report/markdown.js";
export { renderTerminal, type TerminalOptions } from "./report/terminal.js";
export { reportSchema, REPORT_VERSION } from "./report/schema.js";
export type { Report, SuiteReport, ArmReport, CaseReport, CaseArmReport, CostReport, EngineReport } from "./report/types.js";

export { ERROR_CODES, TunegateError, UsageError, isTunegateError, type ErrorCode } from "./errors.js";
