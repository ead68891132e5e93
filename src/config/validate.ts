// The shape of a mailctl config file, checked field by field. Messages name the file, the profile and the
// field, and say why: `mailctl.config.yaml: profiles.work: port 465 with tls "starttls" cannot work — …`.
// Unknown keys are warnings (ignored); everything else that is wrong is an error (exit 78).

import { portTlsProblem } from "./checks.js";
import { loadPreset, PresetError } from "./presets.js";
import { setting, SETTING_FIELDS, type Finding, type ProfileSettings, type SecretGroup, type Setting } from "../settings.js";
import { DIALECT_NAMES, type Dialect } from "./importers/registry.js";

/** One profile as a config file holds it: connection settings, plus where an imported profile came from. */
export interface ProfileEntry extends ProfileSettings {
  /** The app's config dialect, for profiles written by `mailctl config import` (fixes are written in it). */
  dialect?: Dialect;
  /** The app's config file that was imported. */
  sourceFile?: string;
}

/** A config file's content once checked. */
export interface ConfigFile {
  defaultProfile?: string;
  profiles: Record<string, ProfileEntry>;
}

/** The outcome of validating one file: the clean config, errors (fatal), warnings (printed) and per-profile notes for doctor. */
export interface Validated {
  config: ConfigFile;
  errors: string[];
  warnings: string[];
  notes: Record<string, Finding[]>;
}

type Check = (v: unknown) => string | undefined;

/** What the registry's rows ask the config layer to look up: a preset that exists, an importer's dialect. */
const LOOKUPS: Record<NonNullable<Setting["lookup"]>, Check> = {
  preset: (v) => {
    try {
      loadPreset(v as string);
      return undefined;
    } catch (err) {
      if (err instanceof PresetError) return `names ${err.message}`;
      throw err;
    }
  },
  dialect: (v) => (DIALECT_NAMES.includes(v as Dialect) ? undefined : `must be one of ${DIALECT_NAMES.map((x) => `"${x}"`).join(", ")}`),
};

/** Every key a profile may hold, with its check: the row's, then the lookup it names. */
const FIELDS: Record<string, Check> = Object.fromEntries(
  SETTING_FIELDS.map((f) => {
    const row = setting(f);
    return [f, (v: unknown) => row.check!(v) ?? (row.lookup ? LOOKUPS[row.lookup](v) : undefined)];
  }),
);

/** The secret settings: their values never go into a message, not even a wrong one. */
const SECRET_FIELDS = new Set<string>(SETTING_FIELDS.filter((f) => setting(f).secret?.source === "value"));

/** Each secret's alternative sources: a profile keeps one of each group. */
const SECRET_GROUPS: (keyof ProfileEntry)[][] = [...new Set(SETTING_FIELDS.flatMap((f) => setting(f).secret?.group ?? []))].map((g: SecretGroup) =>
  SETTING_FIELDS.filter((f) => setting(f).secret?.group === g),
);

const TOP_KEYS = ["defaultProfile", "profiles", "$schema"];

/** Checks a loaded config object; `file` is the name used in messages. */
export function validateConfig(raw: unknown, file: string): Validated {
  const out: Validated = { config: { profiles: {} }, errors: [], warnings: [], notes: {} };
  if (!isObject(raw)) {
    out.errors.push(`${file}: must hold an object with "profiles" (got ${describe(raw)})`);
    return out;
  }
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.includes(key)) out.warnings.push(`${file}: unknown key "${key}" is ignored${suggest(key, TOP_KEYS)}`);
  }
  if (raw.defaultProfile !== undefined) {
    if (typeof raw.defaultProfile === "string" && raw.defaultProfile !== "") out.config.defaultProfile = raw.defaultProfile;
    else out.errors.push(`${file}: defaultProfile must be the name of a profile (got ${describe(raw.defaultProfile)})`);
  }
  if (raw.profiles === undefined) return out;
  if (!isObject(raw.profiles)) {
    out.errors.push(`${file}: profiles must be a map of profile names to settings (got ${describe(raw.profiles)})`);
    return out;
  }
  for (const [name, value] of Object.entries(raw.profiles)) {
    const where = `${file}: profiles.${name}`;
    if (!isObject(value)) {
      out.errors.push(`${where}: must be a map of settings (got ${describe(value)})`);
      continue;
    }
    out.config.profiles[name] = checkProfile(value, where, out, (n) => (out.notes[name] ??= []).push(n));
  }
  return out;
}

function checkProfile(value: Record<string, unknown>, where: string, out: Validated, note: (f: Finding) => void): ProfileEntry {
  const entry: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const check = FIELDS[key as keyof ProfileEntry];
    if (!check) {
      out.warnings.push(`${where}: unknown key "${key}" is ignored${suggest(key, Object.keys(FIELDS))}`);
      continue;
    }
    const why = check(v);
    if (why) out.errors.push(`${where}: ${key} ${why}${SECRET_FIELDS.has(key) ? "" : ` (got ${describe(v)})`}`);
    else entry[key] = v;
  }
  const p = entry as ProfileEntry;
  for (const group of SECRET_GROUPS) {
    const set = group.filter((k) => p[k] !== undefined);
    if (set.length > 1) out.errors.push(`${where}: ${set.join(" and ")} are alternatives; keep one`);
  }
  if (p.port !== undefined && p.tls !== undefined) {
    const problem = portTlsProblem(p.port, p.tls, p.opportunisticTls);
    if (problem?.severity === "error") out.errors.push(`${where}: ${problem.message}`);
    else if (problem) note({ severity: "warning", message: problem.message, keys: ["port", "tls"], fixes: problem.fixes });
  }
  if (p.opportunisticTls !== undefined && p.tls !== undefined && p.tls !== "none") {
    out.warnings.push(`${where}: opportunisticTls only matters with tls "none"; it is ignored with tls "${p.tls}"`);
  }
  return p;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value as a message may show it, briefly. */
function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  if (typeof v === "string") return v.length > 40 ? `a ${v.length}-character string` : JSON.stringify(v);
  return String(v);
}

/** ` (did you mean "port"?)` for a near miss (edit distance ≤ 2), else "". */
function suggest(key: string, known: string[]): string {
  const best = known.map((k) => [k, distance(key.toLowerCase(), k.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= 2 ? ` (did you mean "${best[0]}"?)` : "";
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}
