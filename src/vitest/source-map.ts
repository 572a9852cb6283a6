// A source map with one segment per generated line, which is all a generated test module needs for Vitest
// to put a test's location, its FAIL header and its code frame on the YAML line the test came from.
import { encode } from "@jridgewell/sourcemap-codec";

export interface LineOrigin {
  /** Index into `sources`. */
  source: number;
  /** 1-based, as editors count. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface SourceMapV3 {
  version: 3;
  sources: string[];
  sourcesContent: Array<string | null>;
  names: string[];
  mappings: string;
}

/** `origins[i]` is where generated line i + 1 comes from. */
export function lineSourceMap(origins: readonly LineOrigin[], sources: string[], sourcesContent: Array<string | null>): SourceMapV3 {
  // Segments are [generated column, source index, source line, source column], all 0-based.
  const mappings = encode(origins.map((origin) => [[0, origin.source, origin.line - 1, origin.column - 1]]));
  return { version: 3, sources, sourcesContent, names: [], mappings };
}
