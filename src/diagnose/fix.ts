import { renderSettings } from "../config/importers/index.js";
import { dialectLabel } from "../config/importers/registry.js";
import type { ImportResult } from "../config/types.js";
import type { Dialect } from "../config/importers/registry.js";
import type { ProfileSettings } from "../settings.js";
import type { FixStep } from "./catalog/index.js";

/** How to write a settings change for the user: their config's dialect and, when known, the file. */
export interface FixDialect {
  dialect: Dialect;
  file?: string;
  /** The app's keys behind each setting, when imported. */
  keys?: ImportResult["keys"];
  /** The settings in force (no secrets), for a dialect whose value is written whole (an SMTP URL). */
  base?: ProfileSettings;
}

/** mailctl's own flags for a settings change, e.g. "--port 465 --tls implicit". */
export function flagsFor(change: ProfileSettings): string {
  const parts: string[] = [];
  if (change.host) parts.push(`--host ${change.host}`);
  if (change.port) parts.push(`--port ${change.port}`);
  if (change.tls) parts.push(`--tls ${change.tls}`);
  if (change.name) parts.push(`--name ${change.name}`);
  if (change.from) parts.push(`--from ${change.from}`);
  return parts.join(" ");
}

/**
 * Renders fix steps as text: each step, and for a step that changes settings, the change in mailctl's flags
 * and — when the settings came from an app's config — in that app's own keys, so the user can paste it.
 */
export function renderFix(steps: FixStep[], where?: FixDialect): string[] {
  return steps.map((s) => {
    if (!s.change || Object.keys(s.change).length === 0) return s.text;
    const lines = [s.text];
    if (where && where.dialect !== "mailctl") {
      const rendered = renderSettings(where.dialect, s.change, { ...(where.keys ? { keys: where.keys } : {}), ...(where.base ? { base: where.base } : {}) });
      if (rendered.length) lines.push(`in your ${dialectLabel(where.dialect)}${where.file ? ` (${where.file})` : ""}: ${rendered.join("  ")}`);
    }
    const flags = flagsFor(s.change);
    if (flags) lines.push(`with mailctl: ${flags}`);
    return lines.join("\n");
  });
}
