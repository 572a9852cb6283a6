// The benchmark's suite: the demo suite's prompt, labels and cases, grown or cut to N cases and pointed at
// the models under test. Repeated inputs get a distinct tail, so that no two neighbouring cases share more
// than the few-shot prefix (an exact repeat would let the engine reuse the whole previous case).
import { DEMO_SUITE_PATH } from "../tools/forge/demo-corpus.js";
import { loadSuite } from "../src/suite/loader.js";
import type { ModelRef, ScoringMode, Suite, SuiteCase } from "../src/types.js";

export interface BenchModels {
  base: string;
  lora: string;
}

/** The demo suite as written (its own model paths are replaced by the caller). */
export async function loadDemoSuite(): Promise<Suite> {
  const { suite, diagnostics } = await loadSuite(DEMO_SUITE_PATH, { checkModelFiles: false });
  if (!suite) {
    const problems = diagnostics.map((d) => d.message).join("; ");
    throw new Error(`the demo suite ${DEMO_SUITE_PATH} does not load (${problems}); the benchmark builds its suite from it`);
  }
  return suite;
}

/** Case i: the demo's case i mod 45, with "(message k)" appended from the second round on. */
export function benchCases(demoCases: readonly SuiteCase[], count: number): SuiteCase[] {
  return Array.from({ length: count }, (_, index) => {
    const source = demoCases[index % demoCases.length]!;
    const round = Math.floor(index / demoCases.length);
    return { ...source, index, input: round === 0 ? source.input : `${source.input} (message ${round + 1})` };
  });
}

/** The suite one benchmark run uses: N cases, the given scoring mode, both arms on `models`. */
export async function benchSuite(models: BenchModels, caseCount: number, scoring: ScoringMode): Promise<Suite> {
  const demo = await loadDemoSuite();
  const at = (ref: ModelRef, path: string): ModelRef => ({ ...ref, path, written: path });
  return {
    ...demo,
    name: `bench: ${demo.name}, ${caseCount} cases`,
    cases: benchCases(demo.cases, caseCount),
    scoring,
    fewShot: { ...demo.fewShot, model: at(demo.fewShot.model, models.base) },
    lora: { ...demo.lora, model: at(demo.lora.model, models.base), adapter: at(demo.lora.adapter, models.lora) },
  };
}
