// Writing a profile into a config file: YAML through yaml's Document API, so other profiles, comments and
// key order survive; JSON files stay JSON. The file is replaced atomically (a temporary file in the same
// directory, then rename), so an interruption leaves either the old file or the new one, never half of one.

import { stat } from "node:fs/promises";
import path from "node:path";
import { isMap, parseDocument } from "yaml";
import { configError, usageError } from "../errors.js";
import { writeFileAtomic } from "../fs/durable.js";
import { INPUT_LIMITS, readInput, statInput } from "../fs/read-input.js";
import { SETTING_FIELDS } from "../settings.js";
import type { ProfileEntry } from "./validate.js";

/** The profiles and default profile a file already holds (for asking before overwriting). */
export async function readProfiles(file: string): Promise<{ exists: boolean; names: string[]; defaultProfile?: string }> {
  const text = await readIfExists(file);
  if (text === undefined) return { exists: false, names: [] };
  const js = (isJson(file) ? parseJson(file, text) : parse(file, text).toJS()) as { profiles?: Record<string, unknown>; defaultProfile?: string } | null;
  return { exists: true, names: Object.keys(js?.profiles ?? {}), ...(js?.defaultProfile ? { defaultProfile: js.defaultProfile } : {}) };
}

/**
 * Puts `profile` under profiles.<name>, keeping everything else, and sets defaultProfile when the file has none.
 * Refuses to replace an existing profile unless `overwrite`. With `secret`, the file ends up mode 0600.
 */
export async function saveProfile(file: string, name: string, profile: ProfileEntry, opts: { overwrite: boolean; secret: boolean }): Promise<{ created: boolean; replaced: boolean; madeDefault: boolean }> {
  if (/\.(c|m)?js$/.test(file) || path.basename(file) === "package.json") {
    throw usageError(`${file}: mailctl writes YAML or JSON config files, not ${path.basename(file) === "package.json" ? "package.json" : "JavaScript"}`, "Pass --config with a .yaml file.");
  }
  profile = canonical(profile);
  const text = await readIfExists(file);
  const before = text === undefined ? undefined : await stat(file);
  let out: string;
  let replaced = false;
  let madeDefault = false;
  if (isJson(file)) {
    const js = parseJson(file, text ?? "") as { profiles?: Record<string, unknown>; defaultProfile?: string };
    js.profiles ??= {};
    replaced = name in js.profiles;
    if (replaced && !opts.overwrite) throw configError(`${file} already has a profile "${name}"`);
    js.profiles[name] = profile;
    if (!js.defaultProfile) [js.defaultProfile, madeDefault] = [name, true];
    out = JSON.stringify(js, null, 2) + "\n";
  } else {
    const doc = parse(file, text ?? "");
    if (doc.contents === null) doc.contents = doc.createNode({}) as never;
    if (!isMap(doc.contents)) throw configError(`${file}: must hold a map with "profiles"; not changed`);
    replaced = doc.hasIn(["profiles", name]);
    if (replaced && !opts.overwrite) throw configError(`${file} already has a profile "${name}"`);
    if (!doc.has("profiles") || !isMap(doc.get("profiles"))) doc.set("profiles", doc.createNode({}));
    doc.setIn(["profiles", name], doc.createNode(profile));
    if (!doc.get("defaultProfile")) {
      // Before profiles, where a reader looks first.
      doc.contents.items.unshift(doc.createPair("defaultProfile", name) as never);
      madeDefault = true;
    }
    out = doc.toString({ lineWidth: 0 });
  }
  const mode = opts.secret ? 0o600 : before ? before.mode & 0o777 : 0o644;
  await writeFileAtomic(file, out, { mode });
  return { created: text === undefined, replaced, madeDefault };
}


/** The profile's keys in the order a reader expects, the registry's row order: where, who, what identity, then the rest. */
function canonical(p: ProfileEntry): ProfileEntry {
  const keys = Object.keys(p) as (keyof ProfileEntry)[];
  const rank = (k: keyof ProfileEntry) => (SETTING_FIELDS.includes(k) ? SETTING_FIELDS.indexOf(k) : SETTING_FIELDS.length);
  return Object.fromEntries(keys.sort((a, b) => rank(a) - rank(b)).map((k) => [k, p[k]])) as ProfileEntry;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw configError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  // Bounded like every config file, and never a pipe or a device: it is about to be rewritten.
  if (!(await statInput(file, file)).isFile()) throw configError(`${file}: is a pipe, not a config file; not changed`);
  return readInput(file, { label: file, max: INPUT_LIMITS.config, what: "a config file" });
}

function isJson(file: string): boolean {
  return file.endsWith(".json");
}

function parseJson(file: string, text: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch {
    throw configError(`${file}: not valid JSON; not changed`);
  }
}

function parse(file: string, text: string) {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw configError(`${file}: not valid YAML (line ${doc.errors[0]!.linePos?.[0].line ?? "?"}); not changed`);
  return doc;
}
