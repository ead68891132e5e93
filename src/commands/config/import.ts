import path from "node:path";
import type { Ctx, Outcome } from "../command.js";
import { importFile, type ImportedConfig } from "../../config/import-layer.js";
import { displayPath, userConfigPath } from "../../config/load.js";
import type { ProfileSettings } from "../../settings.js";
import { dialectLabel, type Dialect } from "../../config/importers/registry.js";
import type { ProfileEntry } from "../../config/validate.js";
import { readProfiles, saveProfile } from "../../config/write.js";
import { MailctlError, usageError } from "../../errors.js";
import type { ImportReport } from "./result.js";

/** `config import` options as commander parses them. */
export interface ImportOptions {
  profile?: string;
  dialect?: Dialect;
  account?: string;
  config?: string;
  force?: boolean;
  json?: boolean;
}

/** Imports an app's config into a mailctl profile. An existing profile is replaced only after a confirm, or with --force. */
export async function runImport(file: string, opts: ImportOptions, ctx: Ctx): Promise<Outcome<ImportReport>> {
  const display = (p: string) => displayPath(p, ctx.cwd, ctx.io.env);
  const imp = await importFile(file, { cwd: ctx.cwd, display, ...(opts.dialect ? { dialect: opts.dialect } : {}), ...(opts.account ? { account: opts.account } : {}) });
  const { entry, note } = profileFrom(imp);
  const name = opts.profile ?? (imp.result.dialect === "msmtp" && opts.account ? opts.account : imp.result.dialect);
  if (!/^[A-Za-z0-9][\w.-]*$/.test(name)) throw usageError(`"${name}" is not a profile name (letters, digits, . _ -)`);
  const configFile = opts.config ? path.resolve(ctx.cwd, opts.config) : userConfigPath(ctx.io.env);
  const existing = await readProfiles(configFile);
  let overwrite = Boolean(opts.force);
  if (existing.names.includes(name) && !overwrite) {
    if (!ctx.ui.interactive) throw usageError(`${display(configFile)} already has a profile "${name}"; pass --force to replace it, or --profile <another name>`);
    overwrite = await confirmReplace(name, display(configFile), ctx);
    if (!overwrite) throw usageError(`profile "${name}" left as it was; pass --profile <another name> to import under another name`);
  }
  for (const f of imp.findings) if (f.severity !== "info") ctx.ui.warn(`${imp.display}: ${f.message}`);
  const saved = await saveProfile(configFile, name, entry, { overwrite, secret: false });
  return {
    category: "ok",
    data: { configFile, profile: name, dialect: imp.result.dialect, sourceFile: imp.file, profileSettings: entry, passwordNote: note, ...saved, findings: imp.findings },
  };
}

/**
 * The profile to save: the app's settings without its password. Where the app names a variable for it (Dify's
 * SMTP_PASSWORD, nodemailer's process.env.X, a RAGFlow ${VAR}) the profile reads that variable; an msmtp
 * passwordeval becomes a passwordCommand; otherwise the password is left out, with a note.
 */
function profileFrom(imp: ImportedConfig): { entry: ProfileEntry; note: string | null } {
  const { password, passwordEnv, passwordCommand, opportunisticTls, ...rest } = imp.result.settings as ProfileSettings;
  const entry: ProfileEntry = { ...rest, dialect: imp.result.dialect, sourceFile: imp.file };
  if (opportunisticTls !== undefined && rest.tls === "none") entry.opportunisticTls = opportunisticTls;
  const dialect = dialectLabel(imp.result.dialect);
  if (passwordCommand !== undefined) {
    entry.passwordCommand = passwordCommand;
    const shell = typeof passwordCommand === "string" && /[|;&$`<>(){}*?]/.test(passwordCommand);
    return { entry, note: shell ? "passwordeval uses shell syntax, but mailctl runs passwordCommand without a shell; rewrite it as a list, e.g. [sh, -c, \"…\"], if you trust it" : null };
  }
  const variable = passwordEnv ?? imp.result.passwordVariable;
  if (variable) {
    entry.passwordEnv = variable;
    return { entry, note: `the password is not copied; mailctl reads it from the environment variable ${variable}, as the app does` };
  }
  if (password !== undefined && password !== "") {
    return { entry, note: `the password in ${imp.display} is not copied; set MAILCTL_PASSWORD, or add passwordEnv or passwordCommand to the profile (--from-config ${imp.display} reads it from the ${dialect} directly)` };
  }
  return { entry, note: null };
}

async function confirmReplace(name: string, file: string, ctx: Ctx): Promise<boolean> {
  const { confirm } = await import("@inquirer/prompts");
  try {
    return await confirm({ message: `${file} already has a profile "${name}". Replace it?`, default: false }, { input: ctx.io.stdin, output: ctx.io.stderr });
  } catch (err) {
    if (err instanceof Error && err.name === "ExitPromptError") throw new MailctlError("interrupted", "interrupted; nothing was written");
    throw err;
  }
}
