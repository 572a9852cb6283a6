import { open } from "node:fs/promises";

/** The first `count` bytes of a file (fewer if it is shorter): enough to recognise a format without reading it. */
export async function readFirstBytes(path: string, count: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(count);
    const { bytesRead } = await handle.read(buffer, 0, count, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
