// One suite file as `tunegate run` and `tunegate validate` both check it before any weights load: the loader's
// diagnostics, then, for a suite without errors, its model and adapter files read as GGUF and the adapter
// fitted to its base (the engine's own pre-load check, src/gguf/suite-files.ts). What validate accepts is
// what run accepts.
import { suiteFileDiagnostics } from "../gguf/suite-files.js";
import { sortDiagnostics } from "../suite/diagnostics.js";
import { loadSuite, type LoadSuiteOptions, type LoadSuiteResult } from "../suite/loader.js";

export async function checkSuite(file: string, options: LoadSuiteOptions): Promise<LoadSuiteResult> {
  const loaded = await loadSuite(file, options);
  if (loaded.suite === undefined || options.checkModelFiles === false) return loaded;
  const problems = await suiteFileDiagnostics(loaded.suite);
  if (problems.length === 0) return loaded;
  return { diagnostics: sortDiagnostics([...loaded.diagnostics, ...problems], loaded.suite.file) };
}
