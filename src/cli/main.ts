// The `tunegate` command line: a table of commands, each in its own module (src/cli/<command>.ts) that exports
// an async function returning the exit code. Modules are imported only when their command runs, so
// `tunegate validate` never loads the inference engine.
import { UsageError } from "../errors.js";
import { guardProcessOutput } from "../run/command-guard.js";
import { EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, processIO, type CliIO, type CommandRun } from "../run/io.js";
import { packageVersion } from "../text/package-root.js";

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandRun>;
}

const COMMANDS: Record<string, CommandEntry> = {
  action: {
    summary: "the GitHub Action's entry: inputs from INPUT_*, outputs, job summary, annotations, PR comment",
    load: async () => (await import("../action/main.js")).action,
  },
  init: {
    summary: "write a starter: a suite, a vitest.config with the plugin and a GitHub workflow (never overwrites)",
    load: async () => (await import("./init.js")).init,
  },
  merge: {
    summary: "merge the parts of a sharded run (run --shard i/n) into one report, print the verdict, exit with the gate",
    load: async () => (await import("./merge.js")).merge,
  },
  run: {
    summary: "run suites' few-shot and LoRA arms as Vitest tests, print the verdict, exit with the gate",
    load: async () => (await import("./run.js")).run,
  },
  validate: {
    summary: "check suite files (*.cases.yaml) and print every problem as file:line:col",
    load: async () => (await import("./validate.js")).validate,
  },
};

export function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const commands = Object.entries(COMMANDS)
    .map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`)
    .join("\n");
  return `Usage: tunegate <command> [options]

Few-shot prompt or LoRA fine-tune? Measure both on your classification suite.

Commands:
${commands}

Options:
  -h, --help      show this help (tunegate <command> --help for a command's)
  -v, --version   print the version

Exit status: 0 success (for run: gate pass or warn), 1 gate failed (run) or tunegate itself failed,
2 invalid input (bad arguments, a bad suite, a model or adapter that cannot be used).`;
}

export async function main(argv: readonly string[], given?: CliIO): Promise<number> {
  // On a GitHub runner nothing tunegate prints may become a workflow command: suites are other people's text.
  // Only the real process is guarded; a caller passing its own io prints through it.
  if (given === undefined && process.env.GITHUB_ACTIONS === "true") guardProcessOutput();
  const io = given ?? processIO();
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.stderr(mainUsage());
      return EXIT_INVALID;
    }
    if (first === "-h" || first === "--help") {
      io.stdout(mainUsage());
      return EXIT_OK;
    }
    if (first === "-v" || first === "--version") {
      io.stdout(packageVersion());
      return EXIT_OK;
    }
    if (first === "help") {
      const topic = rest[0];
      if (topic !== undefined && COMMANDS[topic] !== undefined) return await (await COMMANDS[topic].load())(["--help"], io);
      io.stdout(mainUsage());
      return EXIT_OK;
    }
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (command === undefined) {
      const known = Object.keys(COMMANDS).join(", ");
      io.stderr(`tunegate: unknown ${first.startsWith("-") ? "option" : "command"} \`${first}\` (commands: ${known})`);
      io.stderr("Run `tunegate --help` for usage.");
      return EXIT_INVALID;
    }
    try {
      return await (await command.load())([...rest], io);
    } catch (cause) {
      if (!(cause instanceof UsageError)) throw cause;
      io.stderr(`tunegate ${first}: ${cause.message}`);
      io.stderr(`Run \`tunegate ${first} --help\` for usage.`);
      return EXIT_INVALID;
    }
  } catch (cause) {
    // Last line of defence: a message, never a stack trace. TUNEGATE_DEBUG=1 shows the stack for bug reports.
    io.stderr(`tunegate: internal error: ${cause instanceof Error ? cause.message : String(cause)}`);
    if (io.env.TUNEGATE_DEBUG) io.stderr(cause instanceof Error ? (cause.stack ?? "") : "");
    return EXIT_INTERNAL;
  }
}
