// The machine the figures were measured on, and how busy other processes kept it while they were measured.
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, platform, release, totalmem } from "node:os";

/** Other processes' CPU use (in cores) above which a step's timing is taken as disturbed. */
export const DISTURBED_LOAD_CORES = 0.2;

export interface MachineDescription {
  cpu_model: string;
  cores: number;
  memory_bytes: number;
  os: string;
  node_version: string;
  node_llama_cpp_version: string;
  backend: string;
  load_average_at_start: number[];
}

export function describeMachine(engine: { nodeLlamaCppVersion: string; backend: string }, loadAverageAtStart: number[]): MachineDescription {
  return {
    cpu_model: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memory_bytes: totalmem(),
    os: `${platform()} ${release()}`,
    node_version: process.version,
    node_llama_cpp_version: engine.nodeLlamaCppVersion,
    backend: engine.backend,
    load_average_at_start: loadAverageAtStart,
  };
}

/** Busy CPU seconds of the whole machine so far (Linux /proc/stat), or undefined where there is none. */
export function machineBusySeconds(): number | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ is 100 on every Linux that Node supports
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of this process and of every child it has reaped, their own children included (Linux: utime,
 * stime, cutime and cstime of /proc/self/stat). A benchmark child spawns a process of its own (node-llama-cpp
 * tests its binary in one), so the child's own resource usage would miss part of the work the step caused.
 */
export function familyCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    // After the command name: state is field 3 of the full line, so utime (14) .. cstime (17) are indices 11..14 here.
    return (fields[11]! + fields[12]! + fields[13]! + fields[14]!) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Cores' worth of CPU that other processes used while a step ran: the machine's busy time less this process
 * tree's, over the step's wall time. Anything well above 0 means the step shared the CPU and its timing is disturbed.
 */
export function otherLoad(
  busy: { before: number | undefined; after: number | undefined },
  family: { before: number | undefined; after: number | undefined },
  wallSeconds: number,
): number | undefined {
  if (busy.before === undefined || busy.after === undefined || family.before === undefined || family.after === undefined || wallSeconds <= 0) return undefined;
  return Math.max(0, (busy.after - busy.before - (family.after - family.before)) / wallSeconds);
}
