/** An app config that cannot be read: unknown dialect, or text the dialect's own parser would reject. */
export class ImportError extends Error {
  override readonly name = "ImportError";
  /** The file being imported, when known (a path or "<stdin>"). */
  readonly file: string | undefined;
  /** 1-based line of the problem, when known. */
  readonly line: number | undefined;

  constructor(problem: string, opts: { file?: string; line?: number } = {}) {
    // One line, naming the file and the place: "service_conf.yaml:12: …" — what a user can act on.
    const where = opts.file ? `${opts.file}${opts.line ? `:${opts.line}` : ""}: ` : opts.line ? `line ${opts.line}: ` : "";
    super(`${where}${problem}`.replace(/\s*\n\s*/g, " "));
    this.file = opts.file;
    this.line = opts.line;
  }
}
