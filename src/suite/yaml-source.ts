// YAML text → document + line-accurate diagnostics, and a locator that maps a data path (as ajv and the
// checks name it) back to the line and column where that value or key was written.
import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
} from "yaml";
import type { SourceLocation } from "../types.js";
import { error, startOf, warning, type Diagnostic } from "./diagnostics.js";

export type DataPath = readonly (string | number)[];

export interface ParsedYaml {
  doc: Document.Parsed;
  locator: YamlLocator;
  /** The plain data (`doc.toJS()`); undefined when the document has errors. */
  data?: unknown;
  diagnostics: Diagnostic[];
}

/** Parse one YAML document. Syntax errors become diagnostics, one per line (later ones on a line are echoes). */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    // "error" keeps the yaml package from printing warnings to the process (they are reported as
    // diagnostics instead); "silent" would also drop the error for a second document in the file.
    logLevel: "error",
  });
  const locator = new YamlLocator(doc, lineCounter, file);
  const lines = text.split(/\r?\n|\r/);
  const diagnostics: Diagnostic[] = [];
  const linesWithError = new Set<number>();
  const flows = flowCollections(doc);
  for (const e of doc.errors) {
    const diagnostic =
      tabIndentError(e, locator, lines) ??
      unclosedQuoteError(e, doc, locator) ??
      describeFlowError(e, flows, text, locator) ??
      describeYamlError(e, locator, lines);
    if (linesWithError.has(diagnostic.location.line)) continue;
    linesWithError.add(diagnostic.location.line);
    diagnostics.push(diagnostic);
  }
  for (const w of doc.warnings) {
    diagnostics.push(warning("yaml-warning", locator.offset(w.pos[0]), `${w.message}`, "tunegate reads plain YAML 1.2; remove the tag"));
  }
  if (doc.errors.length > 0) return { doc, locator, diagnostics };

  const aliasErrors = unresolvedAliases(doc, locator);
  if (aliasErrors.length > 0) return { doc, locator, diagnostics: [...diagnostics, ...aliasErrors] };
  try {
    // A small alias budget: suites have no reason for aliases that expand into thousands of nodes.
    const data: unknown = doc.toJS({ maxAliasCount: 1000 });
    return { doc, locator, data, diagnostics };
  } catch (cause) {
    diagnostics.push(
      error(
        "yaml-alias",
        startOf(file),
        `the YAML cannot be expanded: ${(cause as Error).message}`,
        "write the values out instead of using nested aliases (*name)",
      ),
    );
    return { doc, locator, diagnostics };
  }
}

/** Tabs in the indentation cause most "bad indent" reports on their line; name the real cause. */
function tabIndentError(e: YAMLError, locator: YamlLocator, lines: readonly string[]): Diagnostic | undefined {
  const at = locator.offset(e.pos[0]);
  const indentTab = /^[ ]*\t/.exec(lines[at.line - 1] ?? "");
  if (e.code !== "TAB_AS_INDENT" && indentTab === null) return undefined;
  return error(
    "yaml-tab-indent",
    { ...at, column: indentTab !== null ? indentTab[0].length : at.column },
    `line ${at.line} is indented with a tab; YAML forbids tabs for indentation`,
    "indent with spaces (configure your editor to insert spaces for this file)",
  );
}

function describeYamlError(e: YAMLError, locator: YamlLocator, lines: readonly string[]): Diagnostic {
  const at = locator.offset(e.pos[0]);
  const lineText = lines[at.line - 1] ?? "";
  switch (e.code) {
    case "DUPLICATE_KEY":
      return error(
        "yaml-duplicate-key",
        at,
        `duplicate key \`${keyTextAt(lineText, at.column)}\`: this key is already set earlier in the same mapping`,
        "remove one of the two, or merge their contents",
      );
    case "MULTIPLE_DOCS":
      return error(
        "yaml-multiple-documents",
        at,
        "a `---` line starts a second YAML document; a suite file is one document",
        "remove the `---` line (inside a prompt, put the text in a `|` block, indented)",
      );
    case "BAD_INDENT":
      return error(
        "yaml-syntax",
        at,
        `bad indentation: ${lowerFirst(e.message)}`,
        "indent the keys of one mapping (or the items of one list) to the same column, with spaces",
      );
    case "MISSING_CHAR":
      if (/implicit map keys/i.test(e.message)) {
        return error(
          "yaml-syntax",
          at,
          "YAML syntax error: this line is neither `key: value` nor a list item, and it does not continue a value",
          "write `key: value` (with a space after the colon), or indent the line under the value it continues",
        );
      }
      if (/comments must be separated/i.test(e.message)) {
        return error("yaml-syntax", at, `YAML syntax error: ${lowerFirst(e.message)}`, "put a space before `#`, or quote the value that contains it");
      }
      return error("yaml-syntax", at, `YAML syntax error: ${lowerFirst(e.message)}`, "close the quote or bracket where the value ends");
    case "MULTILINE_IMPLICIT_KEY":
    case "BLOCK_AS_IMPLICIT_KEY":
      return error(
        "yaml-syntax",
        at,
        "YAML syntax error: expected `key: value`, found text that is not a key on one line",
        "a suite is `key: value` lines; quote values that contain `: ` or `#`, and check the indentation",
      );
    case "BAD_DQ_ESCAPE":
      return error("yaml-syntax", at, `YAML syntax error: ${lowerFirst(e.message)} in a double-quoted string`, "write `\\\\` for a backslash, or use single quotes");
    default:
      return error(
        "yaml-syntax",
        at,
        `YAML syntax error: ${lowerFirst(e.message)}`,
        "check the indentation and quoting here; quote a value that starts with { [ & * ! | > % @ or a backtick",
      );
  }
}

/** yaml notices a missing closing quote at the end of the file; the mistake is where the quote opened. */
function unclosedQuoteError(e: YAMLError, doc: Document.Parsed, locator: YamlLocator): Diagnostic | undefined {
  const quote = /^Missing closing (["'])quote/.exec(e.message)?.[1];
  if (quote === undefined) return undefined;
  let opened: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const quoted = node.type === (quote === '"' ? "QUOTE_DOUBLE" : "QUOTE_SINGLE");
      if (quoted && node.range && node.range[0] < e.pos[0] && node.range[1] >= e.pos[0]) opened = node.range[0];
    },
  });
  if (opened === undefined) return undefined;
  return error(
    "yaml-syntax",
    locator.offset(opened),
    `the ${quote === '"' ? "double" : "single"} quote opened here is never closed`,
    `end the value with ${quote}; a quoted value can span lines, so everything after this quote became part of it`,
  );
}

interface FlowRange {
  start: number;
  end: number;
  opener: "[" | "{";
}

function flowCollections(doc: Document.Parsed): FlowRange[] {
  const found: FlowRange[] = [];
  const add = (node: Node) => {
    if (node.range) found.push({ start: node.range[0], end: node.range[1], opener: isSeq(node) ? "[" : "{" });
  };
  visit(doc, {
    Seq(_key, node) {
      if (node.flow) add(node);
    },
    Map(_key, node) {
      if (node.flow) add(node);
    },
  });
  return found;
}

/**
 * yaml reports an unclosed `[`/`{` where the next key starts ("flow sequence ... must be sufficiently indented
 * and end with a ]"). The mistake is elsewhere: either the bracket was never closed (point at the bracket)
 * or the list goes on over lines indented no deeper than its key (point at that line, as yaml does).
 */
function describeFlowError(e: YAMLError, flows: readonly FlowRange[], text: string, locator: YamlLocator): Diagnostic | undefined {
  if (!/^Flow (sequence|map)\b.*must .*end with an? [\]}]/.test(e.message)) return undefined;
  const pos = e.pos[0];
  const open = flows
    .filter((f) => f.start < pos && !/[\]}]$/.test(text.slice(f.start, f.end).trimEnd()))
    .sort((a, b) => b.start - a.start)[0];
  if (open === undefined) return undefined;
  const closer = open.opener === "[" ? "]" : "}";
  const openedAt = locator.offset(open.start);
  if (!closesLater(text, open.start)) {
    return error(
      "yaml-syntax",
      openedAt,
      `the \`${open.opener}\` opened here is never closed with \`${closer}\``,
      `add \`${closer}\` after the last ${open.opener === "[" ? "item" : "entry"}`,
    );
  }
  return error(
    "yaml-syntax",
    locator.offset(pos),
    `this line continues the \`${open.opener} ... ${closer}\` opened at line ${openedAt.line}, but is not indented more than its key`,
    `indent the continuation lines, or put the whole \`${open.opener} ... ${closer}\` on one line`,
  );
}

/** Whether the bracket at `start` is closed somewhere later, skipping quoted strings and comments. */
function closesLater(text: string, start: number): boolean {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      for (i++; i < text.length && text[i] !== ch; i++) if (ch === '"' && text[i] === "\\") i++;
    } else if (ch === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (ch === "[" || ch === "{") {
      depth++;
    } else if (ch === "]" || ch === "}") {
      depth--;
      if (depth === 0) return true;
    }
  }
  return false;
}

function unresolvedAliases(doc: Document.Parsed, locator: YamlLocator): Diagnostic[] {
  const found: Diagnostic[] = [];
  visit(doc, {
    Alias(_key, alias) {
      if (alias.resolve(doc) === undefined) {
        found.push(
          error(
            "yaml-alias",
            locator.offset(alias.range?.[0] ?? 0),
            `the alias *${alias.source} refers to no anchor &${alias.source} defined before it`,
            `define \`&${alias.source}\` on an earlier value, or write the value out`,
          ),
        );
      }
    },
  });
  return found;
}

function keyTextAt(line: string, column: number): string {
  const rest = line.slice(column - 1);
  const match = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:]*?)\s*:/.exec(rest);
  return (match?.[1] ?? rest).trim();
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** Maps data paths to where they were written. Falls back to the nearest written ancestor, then to 1:1. */
export class YamlLocator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lineCounter: LineCounter,
    readonly file: string,
  ) {}

  offset(offset: number): SourceLocation {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /** Where the value at `path` starts; its key when the value is empty (`labels:` with nothing after it). */
  value(path: DataPath): SourceLocation {
    const found = this.walk(path);
    if (found.complete && found.node !== undefined && !isEmptyScalar(found.node)) return this.nodeStart(found.node);
    if (found.pair?.key !== undefined && isNodeLike(found.pair.key)) return this.nodeStart(found.pair.key);
    if (found.node !== undefined && found.complete) return this.nodeStart(found.node);
    return this.ancestor(found);
  }

  /** Where the key of the entry at `path` is (`few_shot:`); for a list item, where the item starts. */
  key(path: DataPath): SourceLocation {
    if (path.length === 0) return startOf(this.file);
    const found = this.walk(path);
    if (found.complete && found.pair?.key !== undefined && isNodeLike(found.pair.key)) return this.nodeStart(found.pair.key);
    if (found.complete && found.node !== undefined) return this.nodeStart(found.node);
    return this.ancestor(found);
  }

  /** Where the key named `key` is inside the mapping at `mapPath` (for keys ajv reports as unknown). */
  keyIn(mapPath: DataPath, key: string): SourceLocation {
    return this.key([...mapPath, key]);
  }

  /** The source text of a scalar exactly as written (`yes`, `012`), for messages. */
  sourceText(path: DataPath): string | undefined {
    const found = this.walk(path);
    if (!found.complete || found.node === undefined || !isScalar(found.node)) return undefined;
    const source = (found.node as { source?: unknown }).source;
    return typeof source === "string" ? source : undefined;
  }

  /** Whether the value at `path` is a flow mapping (`{ a: 1, b: 2 }`), where a comma ends a plain value. */
  isFlowMap(path: DataPath): boolean {
    const found = this.walk(path);
    return found.complete && found.node !== undefined && isMap(found.node) && found.node.flow === true;
  }

  /** Whether `path` was written in the file (as opposed to defaulted). */
  has(path: DataPath): boolean {
    return this.walk(path).complete;
  }

  private ancestor(found: Walk): SourceLocation {
    if (found.lastPairKey !== undefined) return this.nodeStart(found.lastPairKey);
    if (found.lastNode !== undefined && found.lastNode !== this.doc.contents) return this.nodeStart(found.lastNode);
    return startOf(this.file);
  }

  private nodeStart(node: Node): SourceLocation {
    return node.range ? this.offset(node.range[0]) : startOf(this.file);
  }

  private walk(path: DataPath): Walk {
    let node = this.resolve(this.doc.contents ?? undefined);
    let pair: Pair | undefined;
    let lastNode: Node | undefined = node;
    let lastPairKey: Node | undefined;
    for (const segment of path) {
      if (node === undefined) return { complete: false, lastNode, lastPairKey };
      if (isMap(node)) {
        pair = node.items.find((item) => isPair(item) && keyString(item.key) === String(segment));
        if (pair === undefined) return { complete: false, lastNode, lastPairKey };
        if (isNodeLike(pair.key)) lastPairKey = pair.key;
        node = this.resolve(isNodeLike(pair.value) ? pair.value : undefined);
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        pair = undefined;
        lastPairKey = undefined;
        node = this.resolve(isNodeLike(item) ? item : undefined);
      } else {
        return { complete: false, lastNode, lastPairKey };
      }
      if (node !== undefined) lastNode = node;
    }
    return { complete: true, node, pair, lastNode, lastPairKey };
  }

  private resolve(node: Node | undefined): Node | undefined {
    if (node !== undefined && isAlias(node)) {
      const target = node.resolve(this.doc);
      // Point at the alias itself: that is where this value was written.
      return target !== undefined && isCollection(target) ? target : node;
    }
    return node;
  }
}

interface Walk {
  complete: boolean;
  node?: Node | undefined;
  pair?: Pair | undefined;
  lastNode?: Node | undefined;
  lastPairKey?: Node | undefined;
}

function isNodeLike(value: unknown): value is Node {
  return typeof value === "object" && value !== null && "range" in value;
}

function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && (!node.range || node.range[0] === node.range[1]);
}

function keyString(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}
