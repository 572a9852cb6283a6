export { buildReport, buildSuiteReport, REPORT_METHODS, reportPath, reportToJson, type BuildReportOptions } from "./build.js";
export { escapeMarkdown, renderMarkdown, type MarkdownOptions } from "./markdown.js";
export { DEFAULT_TERMINAL_WIDTH, renderTerminal, type TerminalOptions } from "./terminal.js";
export { displayWidth, truncate, wrap } from "../text/width.js";
export * from "./types.js";
export { breakEvenNote, decisionReason, intervalNote, type DeltaInterval, type ReasonEvidence } from "./wording.js";
