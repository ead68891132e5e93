import { Chalk, type ChalkInstance } from "chalk";

/** Decides colour for one stream: FORCE_COLOR wins, then NO_COLOR (https://no-color.org), then whether it is a terminal. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return Boolean(stream.isTTY) && env.TERM !== "dumb";
}

/** The symbols and colours of human output. */
export interface Theme {
  c: ChalkInstance;
  ok: string;
  fail: string;
  skip: string;
  warn: string;
}

/** A theme for a stream; without colour the symbols stay (they are text, not decoration). */
export function makeTheme(color: boolean): Theme {
  const c = new Chalk({ level: color ? 1 : 0 });
  return { c, ok: c.green("✓"), fail: c.red("✗"), skip: c.dim("–"), warn: c.yellow("!") };
}
