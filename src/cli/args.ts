// A command's flags, read with node:util's parseArgs; its complaints (an unknown flag, a missing value) become
// a UsageError, which the dispatcher prints with the command's help hint and exit status 2.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.js";

type CommandArgsConfig<O> = { args: string[]; allowPositionals: true; strict: true; options: O };

export function parseCommandArgs<const O extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: O,
): ReturnType<typeof parseArgs<CommandArgsConfig<O>>> {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
