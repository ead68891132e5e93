import type { ImportResult } from "../types.js";
import type { Dialect } from "./registry.js";
import type { ProfileSettings } from "../../settings.js";

/** Options every importer's parse() accepts. */
export interface ParseOptions {
  fileName?: string;
  /** msmtp account name; ignored by dialects without accounts. */
  account?: string;
}

/** What a dialect module exports; index.ts dispatches over these. */
export interface DialectModule {
  detect(text: string, fileName: string): number;
  parse(text: string, opts: ParseOptions): ImportResult;
  render(change: ProfileSettings, ctx?: RenderContext): string[];
}

/** What a render may know besides the change: the app keys the settings came from (smtplib vs aiosmtplib terms), and the settings in force (an SMTP URL is one value, written whole). */
export interface RenderContext {
  keys?: ImportResult["keys"];
  base?: ProfileSettings;
}

/** Written where a fix step needs a password: render output never carries the real one. */
export const PASSWORD_PLACEHOLDER = "<your SMTP password or app password>";

/** Accumulates one ImportResult: settings, the app keys behind each, warnings and problems. */
export class ResultBuilder {
  readonly result: ImportResult;

  constructor(dialect: Dialect) {
    this.result = { dialect, settings: {}, keys: {}, warnings: [], problems: [] };
  }

  /** Record a setting and the app key(s) that decided it. */
  set<K extends keyof ProfileSettings>(field: K, value: ProfileSettings[K] | undefined, keys: string[]): void {
    if (value === undefined) return;
    this.result.settings[field] = value;
    if (keys.length > 0) this.result.keys[field] = [...new Set(keys)];
  }

  /** A warning, one line; `id` when it is a cause the diagnosis catalog names. */
  warn(message: string, id?: string): void {
    this.result.warnings.push(message);
    if (id) this.known(message, id);
  }

  /** A setting the app cannot express or that contradicts another, with the app's keys; `id` when the catalog names the cause. */
  problem(message: string, keys: string[], id?: string): void {
    this.result.problems.push({ message, keys });
    if (id) this.known(message, id);
  }

  private known(message: string, id: string): void {
    (this.result.ids ??= {})[message] = id;
  }
}

/** Split `Name <addr@host>` (RFC 5322 name-addr) or a bare address into its parts. */
export function splitMailbox(raw: string): { from: string; fromName?: string } {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<]*?))\s*<([^<>]+)>\s*$/.exec(raw);
  if (!m) return { from: raw.trim() };
  const name = (m[1] ?? m[2] ?? "").replace(/\\(.)/g, "$1").trim();
  return name ? { from: m[3]!.trim(), fromName: name } : { from: m[3]!.trim() };
}

/** Python truthiness of a config value, as `if value:` sees it (RAGFlow and Dify pass values straight through). */
export function pythonTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** Parse a port value; undefined when it is not a usable TCP port. */
export function toPort(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

/** Quote a value for a dotenv line only when the shell-ish parsers would otherwise mangle it. */
export function envValue(v: string): string {
  return /^[A-Za-z0-9_@.:/+,=-]*$/.test(v) ? v : `"${v.replace(/(["\\$`])/g, "\\$1")}"`;
}
