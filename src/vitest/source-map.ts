// A source map with one segment per generated line, which is all a generated test module needs for Vitest
// to put a test's location, its FAIL header and its code frame on the YAML line the test came from.

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 VLQ, the source map format's integer encoding. */
export function encodeVlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = "";
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}

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
  let previousSource = 0;
  let previousLine = 0;
  let previousColumn = 0;
  const lines = origins.map((origin) => {
    const line = origin.line - 1;
    const column = origin.column - 1;
    const segment = encodeVlq(0) + encodeVlq(origin.source - previousSource) + encodeVlq(line - previousLine) + encodeVlq(column - previousColumn);
    previousSource = origin.source;
    previousLine = line;
    previousColumn = column;
    return segment;
  });
  return { version: 3, sources, sourcesContent, names: [], mappings: lines.join(";") };
}
