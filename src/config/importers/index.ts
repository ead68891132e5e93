// Entry point for app-config importers: detect which app a settings file belongs to, read it into
// mailctl terms (with the app keys behind each setting), and write fixes back in the app's syntax.

import type { Dialect, ImportResult } from "../types.js";
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

const MODULES: Record<Dialect, DialectModule> = {
  mailctl, dify, ragflow, msmtp, nodemailer, "smtp-url": smtpUrl, aiosmtplib,
};

/** Every dialect, in the registry's order: the list everything else (docs, tests, --dialect) derives from. */
export const DIALECTS = Object.keys(MODULES) as Dialect[];

const LABELS: Record<Dialect, string> = {
  mailctl: "mailctl profile",
  dify: "Dify .env",
  ragflow: "RAGFlow service_conf.yaml",
  msmtp: "msmtprc",
  nodemailer: "nodemailer options",
  "smtp-url": "SMTP URL",
  aiosmtplib: "aiosmtplib/smtplib settings",
};

/** Below this confidence a guess is worse than asking the user for --dialect. */
const MIN_CONFIDENCE = 0.5;

/** The dialect `text` most likely is, or null when none is confident enough. */
export function detectDialect(text: string, fileName = ""): Dialect | null {
  let best: Dialect | null = null;
  let score = 0;
  for (const [dialect, mod] of Object.entries(MODULES) as [Dialect, DialectModule][]) {
    const s = mod.detect(text, fileName);
    if (s > score) [best, score] = [dialect, s];
  }
  return score >= MIN_CONFIDENCE ? best : null;
}

/** Read an app's SMTP settings; throws ImportError (one line, naming the file) when it cannot. */
export function importConfig(text: string, opts: { fileName?: string; dialect?: Dialect; account?: string } = {}): ImportResult {
  const file = opts.fileName;
  const dialect = opts.dialect ?? detectDialect(text, file ?? "");
  if (!dialect) {
    const names = Object.values(LABELS).filter((l) => l !== LABELS.mailctl).join(", ");
    throw new ImportError(`cannot tell which app this config is for (${names}); pass the dialect explicitly`, { file });
  }
  const mod = MODULES[dialect];
  if (!mod) throw new ImportError(`unknown dialect "${String(dialect)}"`, { file });
  try {
    return mod.parse(text, { fileName: file, account: opts.account });
  } catch (err) {
    if (err instanceof ImportError) throw err;
    // A parser bug must still surface as one line about the file, never as the raw text (it may hold secrets).
    throw new ImportError(`cannot read it as ${LABELS[dialect]}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`, { file });
  }
}

/** The change written as lines of the dialect's own config syntax, for fix steps. */
export function renderSettings(dialect: Dialect, change: ProfileSettings, ctx?: RenderContext): string[] {
  return MODULES[dialect].render(change, ctx);
}

/** Human name of a dialect, e.g. "Dify .env". */
export function dialectLabel(dialect: Dialect): string {
  return LABELS[dialect];
}
