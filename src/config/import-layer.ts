// `--from-config <file>`: an app's own settings (the dialects of importers/registry.ts) read through the importers
// into a settings layer, with the app's keys behind each setting and the importer's problems and warnings as
// findings for doctor.

import path from "node:path";
import { configError, usageError } from "../errors.js";
import { INPUT_LIMITS, readInput } from "../fs/read-input.js";
import { detectDialect, ImportError, importConfig } from "./importers/index.js";
import { presetForService } from "./presets.js";
import type { Finding } from "../settings.js";
import type { ImportResult } from "./types.js";
import { dialectLabel, IMPORT_DIALECTS, type Dialect } from "./importers/registry.js";

/** An app config read into mailctl terms. */
export interface ImportedConfig {
  file: string;
  display: string;
  result: ImportResult;
  findings: Finding[];
}

/** Reads and imports an app's config file; the dialect is detected unless given. */
export async function importFile(file: string, opts: { cwd: string; display: (p: string) => string; dialect?: Dialect; account?: string }): Promise<ImportedConfig> {
  const abs = path.resolve(opts.cwd, file);
  const display = opts.display(abs);
  const text = await readInput(abs, { label: display, max: INPUT_LIMITS.config, what: "a config file" });
  const dialect = opts.dialect ?? detectDialect(text, abs);
  if (!dialect) {
    throw usageError(`${display}: cannot tell which app this config is for`, `Pass --dialect with one of: ${IMPORT_DIALECTS.join(", ")}.`);
  }
  let result: ImportResult;
  try {
    // The full path: importers read meaning from it (a Dify .env under docker/ gets docker-compose's defaults).
    result = importConfig(text, { fileName: abs, dialect, ...(opts.account ? { account: opts.account } : {}) });
  } catch (err) {
    if (err instanceof ImportError) throw configError(err.message, `Read as ${dialectLabel(dialect)}${opts.dialect ? "" : " (detected); pass --dialect if that is wrong"}.`);
    throw err;
  }
  const findings: Finding[] = [];
  const service = result.settings.preset;
  if (service !== undefined) {
    const ref = presetForService(service);
    if (ref) result.settings.preset = ref;
    else {
      delete result.settings.preset;
      findings.push({ severity: "info", message: `service "${service}" has no mailctl preset; its host and port are used as they are`, keys: result.keys.preset ?? [] });
    }
  }
  const idFor = (message: string) => (result.ids?.[message] ? { id: result.ids[message] } : {});
  for (const p of result.problems) findings.push({ ...idFor(p.message), severity: "error", message: p.message, keys: p.keys });
  for (const w of result.warnings) findings.push({ ...idFor(w), severity: "warning", message: w, keys: keysIn(w, result) });
  return { file: abs, display, result, findings };
}

/** The app keys a warning mentions, so doctor can point at them. */
function keysIn(message: string, r: ImportResult): string[] {
  const all = new Set(Object.values(r.keys).flat());
  return [...all].filter((k) => new RegExp(`(^|[^\\w.])${k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\w.]|$)`).test(message));
}
