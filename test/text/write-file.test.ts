// A report replaces its destination in one step: a failed write leaves the previous file as it was.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { destinationProblem, writeFileAtomic } from "../../src/text/write-file.js";

describe("writeFileAtomic", () => {
  it("leaves the previous file whole and no temporary file when the write fails midway", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tunegate-write-"));
    const path = join(dir, "report.json");
    writeFileSync(path, "previous");
    // A data argument that fails while being written stands in for a full disk.
    const failing = { length: 1 } as unknown as Uint8Array;
    await expect(writeFileAtomic(path, failing)).rejects.toThrow();
    expect(readFileSync(path, "utf8")).toBe("previous");
    expect(readdirSync(dir)).toEqual(["report.json"]);
    await writeFileAtomic(path, "next");
    expect(readFileSync(path, "utf8")).toBe("next");
    expect(destinationProblem(path)).toBeUndefined();
    expect(destinationProblem(join(dir, "new/folders/report.json"))).toBeUndefined();
    expect(destinationProblem(dir)).toMatch(/^is a folder/);
  });
});
