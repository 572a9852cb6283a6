// tunegate's library entry point: a flat list of re-exports.
export * from "./types.js";
export { loadSuite, loadSuiteFromText, type LoadSuiteOptions, type LoadSuiteResult } from "./suite/loader.js";
export {
  displayPath,
  formatDiagnostic,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
  type DiagnosticCode,
  type Severity,
} from "./suite/diagnostics.js";
export { suiteSchema } from "./suite/schema.js";
export { SUITE_DEFAULTS, EXAMPLES_MIN, EXAMPLES_MAX, defaultSuiteName } from "./suite/defaults.js";
export { SUITE_FILE_MAX_BYTES, CASES_FILE_MAX_BYTES } from "./suite/limits.js";
export { interpolateEnv, type Environment } from "./suite/env.js";
export {
  EXAMPLES_PLACEHOLDER,
  INPUT_PLACEHOLDER,
  fewShotPromptParts,
  loraPromptParts,
  renderExamples,
  renderFewShotPrompt,
  renderLoraPrompt,
  renderPromptParts,
  sharedPromptPrefix,
  type PromptParts,
} from "./prompts.js";
export * from "./stats/index.js";
export * from "./decision.js";
export * from "./cost.js";
export {
  buildReport,
  buildSuiteReport,
  reportPath,
  reportToJson,
  renderMarkdown,
  renderTerminal,
  escapeMarkdown,
  DEFAULT_TERMINAL_WIDTH,
  REPORT_METHODS,
  type BuildReportOptions,
  type MarkdownOptions,
  type TerminalOptions,
} from "./report/index.js";
export * from "./report/types.js";
export { reportSchema } from "./report/schema.js";
export { TunegateError, isTunegateError } from "./errors.js";
export { inspectGguf, checkAdapterFitsModel, type GgufInspection, type GgufRole } from "./gguf/inspect.js";
export {
  GPU_CHOICES,
  CONTEXT_ALIGNMENT,
  DEFAULT_MAX_GENERATED_TOKENS,
  alignContextSize,
  resolveGpuChoice,
  type ArmProgress,
  type Engine,
  type EngineDescription,
  type GpuChoice,
  type RunOptions,
} from "./engine/engine.js";
export { createLocalEngine, LocalEngine, type LocalEngineOptions } from "./engine/local/local-engine.js";
export { parseGeneratedLabel } from "./engine/parse-output.js";
