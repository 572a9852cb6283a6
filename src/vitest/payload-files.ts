// Where a generated test module finds its suite's recorded results. They travel beside the module, as a JSON
// file the worker reads, not inside it: Vite parses every module it serves into an AST and keeps source maps
// over its text, and a payload written into the code cost about 23 KB of main-process memory per case
// (2.3 GB for a 100,000-case suite) where a file costs nothing there.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeNumbers } from "../text/json-numbers.js";
import { writeFileAtomic } from "../text/write-file.js";
import type { SuitePayload } from "./payload.js";

export class PayloadFiles {
  private folder: string | undefined;
  private readonly removeOnExit = () => this.removeAll();

  /** Writes a suite's payload and returns its path; a suite file keeps one path, so a watch rerun replaces it. */
  async write(payload: SuitePayload): Promise<string> {
    if (this.folder === undefined) {
      // Private to this user (mkdtemp makes it 0700) and fresh for every run.
      this.folder = mkdtempSync(join(tmpdir(), "tunegate-"));
      process.once("exit", this.removeOnExit);
    }
    const path = join(this.folder, `${createHash("sha256").update(payload.file).digest("hex").slice(0, 24)}.json`);
    // Tagged, so a score of -Infinity (a label the model cannot produce) survives JSON.
    await writeFileAtomic(path, JSON.stringify(encodeNumbers(payload)));
    return path;
  }

  /** Removes every payload written; the next write starts a new folder. */
  removeAll(): void {
    if (this.folder === undefined) return;
    rmSync(this.folder, { recursive: true, force: true });
    this.folder = undefined;
    process.off("exit", this.removeOnExit);
  }
}
