import path from "node:path";
import { dataError, usageError } from "../errors.js";
import { INPUT_LIMITS, readInput } from "../fs/read-input.js";

/** A template after substitution: the body, whether it is HTML, and the subject from its front matter. */
export interface RenderedTemplate {
  body: string;
  html: boolean;
  subject?: string;
}

/** Variables for a template: --vars file first, then each --var over it. */
export type Vars = Record<string, string>;

// {{name}} is replaced by the value; in an HTML template {{{name}}} inserts it without escaping (mustache's rule).
const PLACEHOLDER = /\{\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}\}|\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/** Parses `--var k=v` values. */
export function parseVarFlags(values: string[] | undefined): Vars {
  const vars: Vars = {};
  for (const v of values ?? []) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw usageError(`--var "${v}" is not name=value`);
    vars[v.slice(0, eq).trim()] = v.slice(eq + 1);
  }
  return vars;
}

/** Reads --vars: a JSON object whose values are strings, numbers or booleans. */
export async function readVarsFile(file: string, cwd: string): Promise<Vars> {
  const text = await readInput(path.resolve(cwd, file), { label: `--vars ${file}`, max: INPUT_LIMITS.vars, what: "a variables file" });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw dataError(`--vars ${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw dataError(`--vars ${file}: expected a JSON object of name: value`);
  const vars: Vars = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw dataError(`--vars ${file}: "${k}" must be a string, number or boolean`);
    vars[k] = String(v);
  }
  return vars;
}

/**
 * Splits optional front matter: a first line "---", `key: value` lines, and a closing "---". Only `subject`
 * is read; any other key is an error rather than silently ignored.
 */
export function splitFrontMatter(text: string, file: string): { subject?: string; body: string } {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) return { body: text.replace(/^\uFEFF/, "") };
  const out: { subject?: string; body: string } = { body: text.slice(m[0].length) };
  for (const line of m[1]!.split(/\r?\n/)) {
    if (!line.trim() || line.trim().startsWith("#")) continue;
    const kv = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!kv) throw dataError(`${file}: front matter line "${line}" is not "key: value"`);
    if (kv[1]!.toLowerCase() !== "subject") throw dataError(`${file}: unknown front matter key "${kv[1]}" (only subject is read)`);
    out.subject = unquote(kv[2]!.trim());
  }
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return v.slice(1, -1);
    }
  }
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  return v;
}

/** The names of the variables a template uses, each once. */
export function placeholderNames(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? m[2])!))];
}

/** Replaces every placeholder; every missing variable is an error naming it (exit 65), never a blank. */
export function substitute(text: string, vars: Vars, where: string, html: boolean): string {
  const missing = new Set<string>();
  const out = text.replace(PLACEHOLDER, (_all, raw: string | undefined, plain: string | undefined) => {
    const name = (raw ?? plain)!;
    if (!Object.hasOwn(vars, name)) {
      missing.add(name);
      return "";
    }
    const value = vars[name]!;
    return html && plain ? escapeHtml(value) : value;
  });
  if (missing.size) {
    const names = [...missing];
    throw dataError(`${where}: missing template variable${names.length > 1 ? "s" : ""} ${names.map((n) => `{{${n}}}`).join(", ")}; nothing was sent`, `Pass ${names.map((n) => `--var ${n}=…`).join(" ")} or put ${names.length > 1 ? "them" : "it"} in --vars <file.json>.`);
  }
  return out;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Reads a template file's text (bounded, see INPUT_LIMITS). */
export function readTemplate(file: string, cwd: string): Promise<string> {
  return readInput(path.resolve(cwd, file), { label: `--template ${file}`, max: INPUT_LIMITS.template, what: "a template" });
}

/** Reads and renders a template file; .html/.htm files are HTML bodies, anything else plain text. */
export async function renderTemplate(file: string, vars: Vars, cwd: string): Promise<RenderedTemplate> {
  const text = await readTemplate(file, cwd);
  const html = /\.html?$/i.test(file);
  const { subject, body } = splitFrontMatter(text, file);
  const rendered: RenderedTemplate = { body: substitute(body, vars, file, html), html };
  if (subject !== undefined) rendered.subject = substitute(subject, vars, `${file} (subject)`, false);
  return rendered;
}
