// `tunegate/vitest`: the plugin that turns *.cases.yaml files into Vitest tests, and its reporter.
export { tunegate, SUITE_FILE_PATTERN, type TunegatePlugin, type TunegatePluginOptions } from "./plugin.js";
export { TunegateReporter, type ReportFiles, type RunOutcome } from "./reporter.js";
export type { TunegateTestMeta } from "./test-meta.js";
