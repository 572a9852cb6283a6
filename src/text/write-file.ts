// Writing tunegate's reports. A report is written to a temporary file beside its destination and renamed
// over it: a crash, a kill or a full disk mid-write leaves the previous report whole, and a symbolic link at
// the destination is replaced rather than followed (a suite's author may have planted one pointing elsewhere).
import { randomBytes } from "node:crypto";
import { lstatSync, mkdtempSync, rmdirSync, statSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Writes `data` to `path` all at once or not at all, creating missing folders. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryName(path);
  try {
    // "wx": a fresh file, never one (or a link) someone placed at the temporary name.
    const handle = await open(temporary, "wx", 0o666);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw cause;
  }
}

/**
 * Why a report cannot be written to `path`, as the end of a sentence naming it ("is a folder; ..."), or
 * undefined. Checked before a run, so a bad destination stops it before any model loads rather than after
 * minutes of inference. Missing folders are fine (the writer creates them) if the nearest existing one takes
 * a new file; that is tried for real, since permissions alone do not say it (root, read-only mounts).
 */
export function destinationProblem(path: string): string | undefined {
  const special = "; a report is written as a new file that replaces the destination, so give the path of a file";
  try {
    const entry = lstatSync(path);
    if (entry.isDirectory()) return "is a folder; give a file name, such as report.json";
    if (!entry.isFile() && !entry.isSymbolicLink()) return `is a device, FIFO or socket, not a file${special}`;
    // A link is replaced, not followed; but one to a device (/dev/stdout) would leave the machine without it.
    if (entry.isSymbolicLink()) {
      let target: ReturnType<typeof statSync> | undefined;
      try {
        target = statSync(path);
      } catch {
        // Dangling: replaced like any link.
      }
      if (target !== undefined && !target.isFile()) return `is a link to a folder, device, FIFO or socket${special}`;
    }
  } catch {
    // Absent: written new.
  }
  let folder = dirname(path);
  for (;;) {
    let isFolder: boolean | undefined;
    try {
      isFolder = statSync(folder).isDirectory();
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") return `cannot be written: its folder ${folder} cannot be reached (${code ?? String(cause)})`;
    }
    if (isFolder === false) return `cannot be written: ${folder} is a file, not a folder`;
    if (isFolder === true) break;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  try {
    rmdirSync(mkdtempSync(join(folder, ".tunegate-check-")));
  } catch (cause) {
    return `cannot be written: nothing can be created in ${folder} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); choose a writable folder`;
  }
  return undefined;
}
