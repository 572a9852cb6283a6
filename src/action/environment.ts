// Inputs whose variable names hold a hyphen (INPUT_FAIL-ON, INPUT_REPORT-PATH, ...) are not valid shell
// identifiers, and dash, Debian's and Ubuntu's /bin/sh, drops them from the environment it passes on. action.yml
// runs the entry under bash, which keeps them; a hand run through `npx` (which runs commands with /bin/sh) can
// spell them with underscores instead (INPUT_FAIL_ON), which survives any shell. Nothing is read from other
// processes: their environments hold the token and other secrets.

/**
 * Fills in the wanted INPUT_ variables `env` lacks from the same name with underscores. Returns a line for
 * the log, if any.
 */
export function completeInputVariables(wanted: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const aliased: string[] = [];
  for (const name of wanted.filter((variable) => variable.includes("-"))) {
    const alias = name.replace(/-/g, "_");
    if (env[name] === undefined && env[alias] !== undefined) {
      env[name] = env[alias];
      aliased.push(`${alias} as ${name}`);
    }
  }
  return aliased.length > 0 ? `tunegate: read ${aliased.join(", ")}.` : undefined;
}
