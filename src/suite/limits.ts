// Size limits, checked with stat() before anything is read: a suite is hand-written text, so anything bigger
// is a wrong path or a generated dump, and reading it whole would only waste memory.

/** Largest suite YAML file accepted: 5 MiB. */
export const SUITE_FILE_MAX_BYTES = 5 * 1024 * 1024;

/**
 * Largest `cases_file` accepted: 20 MiB, some 200,000 cases, far more than two arms can run in CI. Kept
 * below 50 MB so that a 50 MB file is refused whichever of the two files it is.
 */
export const CASES_FILE_MAX_BYTES = 20 * 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A limit as the documentation writes it: "5 MiB". */
export function formatLimit(bytes: number): string {
  return `${bytes / (1024 * 1024)} MiB`;
}
