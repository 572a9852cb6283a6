// Report paths → repository paths. The JSON report names files relative to the run's root (the deepest
// folder holding the working directory and every suite); GitHub wants them relative to the repository root,
// GITHUB_WORKSPACE, for annotations and blob links.
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { Report } from "../report/types.js";
import type { RunnerContext } from "./context.js";

/** The suite files the report names that are not among `files` once resolved against `root` (`runRoot` of src/run/suites.ts; none expected). */
export function checkReportRoot(report: Report, root: string, files: readonly string[]): string[] {
  return report.suites.map((suite) => suite.file).filter((file) => !files.includes(resolve(root, file)));
}

export class ReportLocations {
  constructor(
    private readonly root: string,
    private readonly context: RunnerContext,
  ) {}

  /** Forward-slash path relative to the workspace, or undefined when the file lies outside it. */
  repositoryPath(reportFile: string): string | undefined {
    const path = relative(this.context.workspace, resolve(this.root, reportFile));
    if (path === "" || path.startsWith("..") || isAbsolute(path)) return undefined;
    return path.split(sep).join("/");
  }

  /**
   * The `file` of an annotation: the repository path, or, for a file outside the workspace (which GitHub
   * cannot attach to a line), its absolute path so the log still says where it is.
   */
  annotationFile(reportFile: string): string {
    return this.repositoryPath(reportFile) ?? resolve(this.root, reportFile);
  }

  /**
   * A link builder for the Markdown report, or undefined when links would be wrong: no repository or
   * commit known, or a file outside the workspace (then no location is linked, so none is half-linked).
   */
  fileLink(report: Report): ((file: string, line: number) => string) | undefined {
    const { repository, sha, serverUrl } = this.context;
    if (repository === undefined || sha === undefined) return undefined;
    const files = report.suites.flatMap((suite) => [suite.file, ...suite.cases.map((c) => c.file)]);
    if (files.some((file) => this.repositoryPath(file) === undefined)) return undefined;
    return (file, line) => blobUrl(serverUrl, repository, sha, this.repositoryPath(file)!, line);
  }
}

/** `${server}/${repo}/blob/${sha}/${path}#L${line}`, each path segment URL-encoded (parentheses too: Markdown links end at one). */
export function blobUrl(serverUrl: string, repository: string, sha: string, path: string, line: number): string {
  const encodeSegment = (segment: string) => encodeURIComponent(segment).replace(/\(/g, "%28").replace(/\)/g, "%29");
  const encoded = path.split("/").map(encodeSegment).join("/");
  return `${serverUrl}/${repository}/blob/${sha}/${encoded}#L${line}`;
}
