// A report replaces its destination in one step: a failed write leaves the previous file as it was.
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
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
    // Replacing these would take the device from everyone else on the machine.
    expect(destinationProblem("/dev/null")).toMatch(/^is a device, FIFO or socket, not a file/);
    symlinkSync("/dev/null", join(dir, "to-null"));
    expect(destinationProblem(join(dir, "to-null"))).toMatch(/^is a link to a folder, device, FIFO or socket/);
  });
});
