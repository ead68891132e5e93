// Entry point for app-config importers: detect which app a settings file belongs to, read it into
// mailctl terms (with the app keys behind each setting), and write fixes back in the app's syntax.

import type { ImportResult } from "../types.js";
import { DIALECT_NAMES, dialectLabel, IMPORTED, type Dialect } from "./registry.js";
import type { ProfileSettings } from "../../settings.js";
import type { DialectModule, RenderContext } from "./common.js";
import { ImportError } from "./errors.js";
import * as aiosmtplib from "./aiosmtplib.js";
import * as dify from "./dify.js";
import * as mailctl from "./mailctl.js";
import * as msmtp from "./msmtp.js";
import * as nodemailer from "./nodemailer.js";
import * as ragflow from "./ragflow.js";
import * as smtpUrl from "./smtp-url.js";

export { ImportError } from "./errors.js";

/** Each dialect's code: a dialect in registry.ts without a module here, or a module without a line there, does not compile. */
const MODULES = {
  mailctl, dify, ragflow, msmtp, nodemailer, "smtp-url": smtpUrl, aiosmtplib,
} satisfies Record<Dialect, DialectModule>;

/** Below this confidence a guess is worse than asking the user for --dialect. */
const MIN_CONFIDENCE = 0.5;

/** The dialect `text` most likely is, or null when none is confident enough. */
export function detectDialect(text: string, fileName = ""): Dialect | null {
  let best: Dialect | null = null;
  let score = 0;
  for (const dialect of DIALECT_NAMES) {
    const s = (MODULES[dialect] as DialectModule).detect(text, fileName);
    if (s > score) [best, score] = [dialect, s];
  }
  return score >= MIN_CONFIDENCE ? best : null;
}

/** Read an app's SMTP settings; throws ImportError (one line, naming the file) when it cannot. */
export function importConfig(text: string, opts: { fileName?: string; dialect?: Dialect; account?: string } = {}): ImportResult {
  const file = opts.fileName;
  const dialect = opts.dialect ?? detectDialect(text, file ?? "");
  if (!dialect) {
    const names = IMPORTED.map((d) => d.label).join(", ");
    throw new ImportError(`cannot tell which app this config is for (${names}); pass the dialect explicitly`, { file });
  }
  const mod = MODULES[dialect] as DialectModule | undefined;
  if (!mod) throw new ImportError(`unknown dialect "${String(dialect)}"`, { file });
  try {
    return mod.parse(text, { fileName: file, account: opts.account });
  } catch (err) {
    if (err instanceof ImportError) throw err;
    // A parser bug must still surface as one line about the file, never as the raw text (it may hold secrets).
    throw new ImportError(`cannot read it as ${dialectLabel(dialect)}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`, { file });
  }
}

/** The change written as lines of the dialect's own config syntax, for fix steps. */
export function renderSettings(dialect: Dialect, change: ProfileSettings, ctx?: RenderContext): string[] {
  return (MODULES[dialect] as DialectModule).render(change, ctx);
}
