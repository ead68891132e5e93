// Provider presets: the data files in presets/*.json (shape: presets/schema.json), looked up by name or
// alias. A preset with a region parameter is named `<preset>:<region>` wherever a preset can be named
// (--preset, MAILCTL_PRESET, a profile's `preset:`), e.g. `ses:eu-west-1`; without `:<region>` the
// preset's default region applies.

import { readdirSync, readFileSync } from "node:fs";
import type { TlsMode } from "../session/tls-mode.js";

/** A credential kind, as presets name it. */
export type CredentialKind = "password" | "app-password" | "authorization-code" | "oauth2" | "api-key";

/** One provider preset as stored in presets/<name>.json. */
export interface Preset {
  name: string;
  title: string;
  aliases?: string[];
  /**
   * How a server is recognised as this provider; `byNameOnly`: only when the user names the preset. `text`: regular
   * expressions that place a pasted log line (explain), tried in ascending `textOrder` across the presets.
   */
  match: { hosts: string[]; hostSuffixes?: string[]; banner?: string[]; byNameOnly?: boolean; text?: string[]; textOrder?: number };
  host: string;
  params?: { region?: { default: string; values: string[]; description: string; hosts?: Record<string, string> } };
  endpoints: { port: number; tls: TlsMode }[];
  credential: { kind: CredentialKind; alternatives?: CredentialKind[]; user: string; fixedUser?: string; steps: string[]; docs?: string };
  /** OAuth2 endpoints and scopes; `refreshScope`: the token endpoint wants the scopes again on a refresh (Microsoft). */
  oauth2?: { tokenUrl: string; scope: string; authUrl: string; refreshScope?: boolean; register?: string[] };
  from: { rule: "must-equal-login" | "own-or-alias" | "verified-identity" | "rewritten-to-login" | "any"; format: "name-addr" | "address-only"; note?: string };
  limits?: { perDay?: number; perMinute?: number; maxMessageBytes?: number; maxRecipients?: number; note?: string };
  docs: string[];
  signatures: { id: string; stage: string; code?: number; enhanced?: string; match: string; source: string }[];
  notes: string[];
}

/** A preset with its parameters filled in: `host` is the effective host, `ref` the name to write back (e.g. "ses:eu-west-1"). */
export interface ResolvedPreset extends Preset {
  ref: string;
  region?: string;
}

/** A preset name, alias or region that does not exist (one line, with the names that do). */
export class PresetError extends Error {
  override readonly name = "PresetError";
}

/** Where the preset files live: the package's top-level presets/ (from src/config or dist/config). */
export const PRESETS_DIR = new URL("../../presets/", import.meta.url);

let cache: Map<string, Preset> | undefined;

/** Every preset, by name, read once. */
function all(): Map<string, Preset> {
  if (!cache) {
    cache = new Map();
    for (const f of readdirSync(PRESETS_DIR).filter((f) => f.endsWith(".json") && f !== "schema.json").sort()) {
      const p = JSON.parse(readFileSync(new URL(f, PRESETS_DIR), "utf8")) as Preset;
      cache.set(p.name, p);
    }
  }
  return cache;
}

/** All presets, sorted by name. */
export function listPresets(): Preset[] {
  return [...all().values()];
}

/** The preset a name or alias designates (case-insensitive), without parameters; undefined when none. */
export function findPreset(name: string): Preset | undefined {
  const want = name.trim().toLowerCase();
  const presets = all();
  return presets.get(want) ?? [...presets.values()].find((p) => p.aliases?.includes(want));
}

/** Resolves `name` or `name:region` to a preset with its host filled in; throws PresetError naming what exists. */
export function loadPreset(ref: string): ResolvedPreset {
  const [name = "", region, ...rest] = ref.split(":");
  const preset = findPreset(name);
  if (!preset) throw new PresetError(`unknown preset "${name}" (presets: ${[...all().keys()].join(", ")})`);
  const param = preset.params?.region;
  if (rest.length > 0) throw new PresetError(`"${ref}" has more than one ":"; write <preset>:<region>`);
  if (region !== undefined && !param) throw new PresetError(`preset ${preset.name} has no regions; write just "${preset.name}"`);
  if (!param) return { ...preset, ref: preset.name };
  const value = (region ?? param.default).toLowerCase();
  if (!param.values.includes(value)) {
    throw new PresetError(`preset ${preset.name} has no region "${value}" (regions: ${param.values.join(", ")})`);
  }
  const host = param.hosts?.[value] ?? preset.host.replace("{region}", value);
  return { ...preset, host, region: value, ref: region === undefined ? preset.name : `${preset.name}:${value}` };
}

// nodemailer well-known service keys (lower-cased by the importers) whose names differ from ours.
// Keys equal to a preset name or alias (gmail, qq, qqex, outlook365, hotmail, qiye.aliyun…) need no entry.
// GmailWorkspace (smtp-relay.gmail.com) and Aliyun (personal smtp.aliyun.com) are other services: no preset.
const SERVICE_ALIASES: Record<string, string> = {
  aliyunqiye: "aliyun-enterprise",
};

/** Our preset ref for a nodemailer service key (e.g. "outlook365" → "office365", "ses-eu-west-1" → "ses:eu-west-1"); undefined when we have none. */
export function presetForService(service: string): string | undefined {
  const key = service.toLowerCase();
  const ses = /^ses-([a-z0-9-]+)$/.exec(key);
  if (ses) return `ses:${ses[1]}`;
  const name = SERVICE_ALIASES[key] ?? findPreset(key)?.name;
  return name;
}

/** The endpoint a preset lists for a port, or for a TLS mode (its preferred one). */
export function presetEndpoint(p: Preset, want: { port?: number; tls?: TlsMode }): { port: number; tls: TlsMode } | undefined {
  if (want.port !== undefined) return p.endpoints.find((e) => e.port === want.port);
  if (want.tls !== undefined) return p.endpoints.find((e) => e.tls === want.tls);
  return p.endpoints[0];
}

/** Human name of a credential kind. */
export function credentialLabel(kind: CredentialKind): string {
  return { password: "account password", "app-password": "app password", "authorization-code": "authorization code", oauth2: "OAuth2 token", "api-key": "API key" }[kind];
}
