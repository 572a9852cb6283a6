// Opening a FIFO blocks until something writes to it, and a device or socket never reads as a file's text:
// a suite, cases or model path that names one (or a link to one) would hang validation or read endlessly.
// Paths are checked for this with stat (which follows links) before anything opens them.
import type { Stats } from "node:fs";

/** What a path that is no regular file or folder is, in words ("a FIFO (named pipe)"), or undefined. */
export function specialFileKind(info: Stats): string | undefined {
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  return undefined;
}
