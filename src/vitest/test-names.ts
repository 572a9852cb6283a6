// Test names, made the same way by the module `vitest list` collects (in Vitest's main process) and by the
// evaluated module (in the worker, from its payload file).
const NAME_WIDTH = 60;

/**
 * A case's test name: its input on one line, shortened, then the expected label. It depends on the case alone,
 * never on a result, so a test keeps its name (and its history in CI, its `-t` filter) from run to run; what an
 * arm predicted is in the failure message, the warning annotation and the test's meta. The arm is the name of
 * the describe block around it, part of the full name every reporter shows.
 */
export function caseTestName(input: string, expected: string): string {
  const oneLine = input.replace(/\s+/g, " ").trim();
  const short = oneLine.length > NAME_WIDTH ? `${oneLine.slice(0, NAME_WIDTH - 1)}…` : oneLine;
  return `${short} → ${expected}`;
}
