import type { Io } from "../io.js";
import { Redactor } from "../session/redact.js";
import { gate, printable, safeJson } from "./printable.js";
import { colorEnabled, makeTheme, type Theme } from "./theme.js";

/** A running progress indicator; a no-op off a terminal. */
export interface Spinner {
  text(t: string): void;
  stop(): void;
}

/**
 * The single output gate. Results go to stdout, everything else to stderr; in JSON mode human printing is a
 * no-op; every line passes the redactor, so a secret cannot reach a terminal or a log by any path, and has its
 * control characters escaped, so nothing from outside can drive the terminal (only the theme's colours pass).
 */
export class Ui {
  readonly theme: Theme;
  readonly errTheme: Theme;
  readonly redactor: Redactor;
  private readonly colour: { out: boolean; err: boolean };

  constructor(
    readonly io: Io,
    readonly json = false,
    redactor?: Redactor,
  ) {
    this.colour = { out: colorEnabled(io.stdout, io.env), err: colorEnabled(io.stderr, io.env) };
    this.theme = makeTheme(this.colour.out);
    this.errTheme = makeTheme(this.colour.err);
    this.redactor = redactor ?? new Redactor();
  }

  /** True when prompts are allowed: both stdin and stdout are terminals (GitHub CLI's rule). */
  get interactive(): boolean {
    return Boolean(this.io.stdin.isTTY && this.io.stdout.isTTY);
  }

  /** A human result line on stdout (nothing in JSON mode). */
  out(line = ""): void {
    if (!this.json) this.io.stdout.write(gate(this.redactor.scrub(line), this.colour.out) + "\n");
  }

  /** The one JSON document on stdout. */
  document(value: unknown): void {
    this.io.stdout.write(safeJson(this.redactor.scrub(JSON.stringify(value, null, 2))) + "\n");
  }

  /** A message on stderr. */
  err(line: string): void {
    this.io.stderr.write(gate(this.redactor.scrub(line), this.colour.err) + "\n");
  }

  /** A warning on stderr, always shown (also in JSON mode: stderr is not the document). */
  warn(message: string): void {
    this.err(`${this.errTheme.c.yellow("warning:")} ${message}`);
  }

  /** A spinner on stderr when both streams are terminals and this is not CI (ora is loaded only then). */
  async spinner(text: string): Promise<Spinner> {
    const tty = this.io.stderr.isTTY && this.io.stdout.isTTY && !this.json && !this.io.env.CI;
    if (!tty) return { text: () => {}, stop: () => {} };
    const { default: ora } = await import("ora");
    const s = ora({ text: printable(this.redactor.scrub(text)), stream: this.io.stderr, isEnabled: true }).start();
    return { text: (t) => (s.text = printable(this.redactor.scrub(t))), stop: () => s.stop() };
  }
}
