// Settings from every source, in precedence order: flags > MAILCTL_* environment > project file (or
// --config, or an imported app config) > user file > preset > defaults. Each field takes the first layer
// that sets it, and remembers where that was. Port and TLS mode are decided as a pair, so that a port
// given on the command line is not joined to the TLS mode a preset prefers for another port.

import path from "node:path";
import { configError, usageError } from "../errors.js";
import { appWords, portTlsFinding, presetFindings } from "./checks.js";
import { flagsFromEnv, type TargetFlags } from "./flags.js";
import { displayPath, loadConfig, type LoadedFile } from "./load.js";
import { loadPreset, presetEndpoint, PresetError, type ResolvedPreset } from "./presets.js";
import type { SecretRef } from "../credentials/oauth2.js";
import type { SecretSpec } from "../credentials/secrets.js";
import { DEFAULTS, flagName, optionKey, OPTIONS, setting, SETTING_FIELDS, type Finding, type OptionRow, type ProfileKeys, type ProfileSettings, type SecretGroup, type SettingOrigin } from "../settings.js";
import type { AppFrom, ImportResult } from "./types.js";
import type { Dialect } from "./importers/registry.js";
import { portForTls, tlsForPort, type TlsMode } from "../session/tls-mode.js";
import type { ProfileEntry } from "./validate.js";

/** One source of settings. */
interface Layer {
  settings: ProfileEntry;
  origin(field: string): SettingOrigin;
  /** The file a `password` in this layer was read from (for the permissions check). */
  file?: string;
  /** A project file found by searching (not named by the user): its settings may not run commands or write files. */
  searched?: boolean;
}

/** Everything known before secrets are read and sockets opened. */
export interface Resolution {
  settings: ProfileSettings;
  origins: Partial<Record<keyof ProfileSettings, SettingOrigin>>;
  findings: Finding[];
  /** True when no source fixed the TLS mode (or --tls auto): a caller that can detect it may. */
  tlsAuto: boolean;
  profile?: string;
  preset?: ResolvedPreset;
  dialect: Dialect;
  importKeys?: ImportResult["keys"];
  sourceFile?: string;
  /** How the imported app writes its From header. */
  appFrom?: AppFrom;
  secret: SecretSpec;
  /** The OAuth2 secrets' sources (each from the highest layer that names one), when any is set. */
  oauth: OAuthRefs;
  /** Config files in effect (none with --from-config), and the user file's path. */
  files: LoadedFile[];
  userPath?: string;
  /** The project file found by searching, as messages show it, when one is in effect: its settings are data only. */
  searched?: string;
}

/** Where each OAuth2 secret comes from; `file` is the config file holding a literal one (for the permissions check). */
export type OAuthRefs = Partial<Record<"token" | "clientSecret" | "refreshToken", SecretRef & { file?: string; origin: SettingOrigin; searched?: boolean }>>;

/** The switches that set a field (-4 / -6 set family). */
const SWITCHES = (Object.values(OPTIONS) as OptionRow[]).filter((o) => o.sets);

/** How the command line names the flag behind a field: "--timeout", or "-4/-6" for the switches that set family. */
function flagNameOf(field: string): string {
  const row = SETTING_FIELDS.includes(field as keyof ProfileKeys) ? setting(field as keyof ProfileKeys) : undefined;
  if (row?.flag) return flagName(row);
  const switches = SWITCHES.filter((o) => o.sets!.field === field);
  return switches.length ? switches.map((o) => o.short ?? flagName(o)).join("/") : `--${field.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}`;
}

/**
 * The fields a layer's first value decides alone. Not: the preset (it is a layer of its own), port and TLS mode
 * (decided as a pair, with opportunisticTls), a secret's sources (one setting per group, see secretSpec and
 * oauthRefs), and where an imported profile came from.
 */
const PLAIN_FIELDS = SETTING_FIELDS.filter((f): f is keyof ProfileSettings => !["preset", "port", "tls", "opportunisticTls", "dialect", "sourceFile"].includes(f) && !setting(f).secret);

/** The fields a flag layer holds: every row with a flag that is a value (not a choice of where settings come from), and those a switch sets. */
const FLAG_FIELDS = SETTING_FIELDS.filter((f) => (setting(f).flag && !setting(f).selects) || SWITCHES.some((o) => o.sets!.field === f));

/** The OAuth2 secrets, each with its alternative sources (the literal value last), from the rows' secret groups. */
const OAUTH_GROUPS = { token: sourcesOf("oauthToken"), clientSecret: sourcesOf("clientSecret"), refreshToken: sourcesOf("refreshToken") };

function sourcesOf(group: SecretGroup): { env: keyof ProfileSettings; command: keyof ProfileSettings; value?: keyof ProfileSettings } {
  const of = (source: "env" | "command" | "value") => SETTING_FIELDS.find((f) => setting(f).secret?.group === group && setting(f).secret!.source === source) as keyof ProfileSettings | undefined;
  return { env: of("env")!, command: of("command")!, ...(of("value") ? { value: of("value")! } : {}) };
}

/** Collects every layer and resolves each setting with its origin. `warn` receives unknown-key warnings from config files. */
export async function resolveSettings(flags: TargetFlags, ctx: { cwd: string; env: NodeJS.ProcessEnv; warn: (m: string) => void }): Promise<Resolution> {
  const env = flagsFromEnv(ctx.env);
  const display = (p: string) => displayPath(p, ctx.cwd, ctx.env);
  const layers: Layer[] = [
    { settings: fromFlags(flags, ctx.cwd), origin: (f) => ({ source: "flag", where: flagNameOf(f) }) },
    { settings: fromFlags({ ...env, passwordEnv: undefined }, ctx.cwd), origin: (f) => ({ source: "env", where: setting(f as keyof ProfileKeys).env ?? f }) },
  ];
  const r: Resolution = { settings: {}, origins: {}, findings: [], tlsAuto: false, dialect: "mailctl", secret: {}, oauth: {}, files: [] };

  if (flags.fromConfig) {
    const { importFile } = await import("./import-layer.js"); // the importers (and yaml) load only for --from-config
    const imp = await importFile(flags.fromConfig, { cwd: ctx.cwd, display, ...(flags.dialect ? { dialect: flags.dialect } : {}), ...(flags.account ? { account: flags.account } : {}) });
    const keys = imp.result.keys;
    layers.push({ settings: imp.result.settings, file: imp.file, origin: (f) => ({ source: "import", where: imp.display, ...(keys[f as keyof ProfileSettings] ? { key: keys[f as keyof ProfileSettings]!.join(", ") } : {}) }) });
    Object.assign(r, { dialect: imp.result.dialect, importKeys: keys, sourceFile: imp.file, ...(imp.result.fromHeader ? { appFrom: imp.result.fromHeader } : {}) });
    r.findings.push(...imp.findings);
  } else {
    const loaded = await loadConfig({ cwd: ctx.cwd, env: ctx.env, ...(flags.config ?? env.config ? { explicit: flags.config ?? env.config } : {}) }, ctx.warn);
    r.files = loaded.files;
    r.userPath = loaded.userPath;
    // A server named on the command line (or in MAILCTL_HOST / MAILCTL_PRESET) is not joined to the default
    // profile's port, user and password: only a profile named with --profile combines with it.
    const serverNamed = Boolean(flags.host ?? flags.preset ?? env.host ?? env.preset);
    const name = chooseProfile(flags.profile, env.profile, loaded.files, loaded.userPath, serverNamed);
    if (name) {
      r.profile = name;
      for (const f of loaded.files) {
        const p = f.config.profiles[name];
        if (!p) continue;
        layers.push({ settings: p, file: f.path, ...(f.scope === "project" ? { searched: true } : {}), origin: (field) => ({ source: "file", where: f.display, key: `profiles.${name}.${field}` }) });
        if (f.scope === "project") r.searched = f.display;
        for (const n of f.notes[name] ?? []) r.findings.push({ ...n, message: `${f.display}: profiles.${name}: ${n.message}` });
        if (p.dialect && r.dialect === "mailctl") Object.assign(r, { dialect: p.dialect, ...(p.sourceFile ? { sourceFile: p.sourceFile } : {}) });
      }
    }
  }

  const presetLayer = presetFrom(flags.preset, env.preset, layers);
  if (presetLayer) {
    r.preset = presetLayer.preset;
    layers.push(presetLayer.layer);
  }
  layers.push({ settings: { ...DEFAULTS }, origin: () => ({ source: "default" }) });

  for (const field of PLAIN_FIELDS) {
    const layer = layers.find((l) => l.settings[field] !== undefined);
    if (!layer) continue;
    (r.settings as Record<string, unknown>)[field] = layer.settings[field];
    r.origins[field] = layer.origin(field);
  }
  decidePortAndTls(r, layers, flags.tls === "auto" || (!flags.tls && env.tls === "auto"));
  r.secret = secretSpec(layers);
  r.oauth = oauthRefs(layers);
  if (r.settings.port !== undefined && r.settings.tls !== undefined) {
    // The user's own names for the fields: the app's keys for an imported config, mailctl's field names otherwise.
    const keysOf = (f: keyof ProfileSettings) => (r.origins[f]?.source === "import" && r.origins[f]?.key ? r.origins[f]!.key!.split(", ") : [f]);
    const pair = portTlsFinding(r.settings, keysOf);
    // An importer may have said the same in the app's words; then its finding gets the id and the fixes.
    const same = pair && r.findings.find((f) => !f.id && f.keys.some((k) => keysOf("port").includes(k)) && f.keys.some((k) => keysOf("tls").includes(k)));
    if (same && pair) Object.assign(same, { id: pair.id, fixes: pair.fixes });
    else if (pair) r.findings.push(r.importKeys ? { ...pair, message: appWords(pair, r.settings) } : pair);
  }
  if (r.preset) r.findings.push(...presetFindings(r.preset, r.settings));
  return r;
}

function fromFlags(f: TargetFlags, cwd: string): ProfileEntry {
  if (f.ipv4 && f.ipv6) throw usageError("-4 and -6 cannot be used together");
  const s = flagSettings(f, cwd, FLAG_FIELDS);
  // --tls auto asks for the mode to be detected: it is not a mode (decidePortAndTls reads the flag itself).
  if ((s.tls as string) === "auto") delete s.tls;
  // SASL mechanism names are case-insensitive (RFC 4422 §3.1); the rows' parse upper-cases, a caller's value may not be.
  if (s.authMethod) s.authMethod = s.authMethod.toUpperCase();
  return s;
}

/**
 * The given flags among `fields` as profile settings: each row's flag by the key commander gives it, a path
 * taken relative to `cwd`, and the switches that set a field (-4 / -6: family). A flag given empty sets nothing.
 */
export function flagSettings(flags: object, cwd: string, fields: readonly (keyof ProfileKeys)[]): ProfileEntry {
  const given = flags as Record<string, unknown>;
  const s: Record<string, unknown> = {};
  for (const field of fields) {
    const row = setting(field);
    const v = row.flag ? given[optionKey(row)] : undefined;
    if (v) s[field] = row.path ? path.resolve(cwd, v as string) : v;
  }
  for (const o of SWITCHES) if (fields.includes(o.sets!.field) && given[optionKey(o)]) s[o.sets!.field] = o.sets!.value;
  return s as ProfileEntry;
}

/** The profile to use: --profile, MAILCTL_PROFILE, else (unless a server was named) defaultProfile (project over user) or a profile named "default". */
function chooseProfile(flag: string | undefined, fromEnv: string | undefined, files: LoadedFile[], userPath: string, serverNamed: boolean): string | undefined {
  const named = flag ?? fromEnv;
  const all = [...new Set(files.flatMap((f) => Object.keys(f.config.profiles)))];
  if (named !== undefined) {
    if (all.includes(named)) return named;
    const where = files.length ? files.map((f) => f.display).join(" and ") : `any config file (searched upward from here, and ${userPath})`;
    throw usageError(`no profile "${named}" in ${where}`, all.length ? `Profiles: ${all.join(", ")}.` : "Create one with: mailctl init");
  }
  if (serverNamed) return undefined;
  const withDefault = files.find((f) => f.config.defaultProfile !== undefined);
  if (withDefault) {
    const d = withDefault.config.defaultProfile!;
    if (!all.includes(d)) throw configError(`${withDefault.display}: defaultProfile "${d}" is not a profile${all.length ? ` (profiles: ${all.join(", ")})` : ""}`);
    return d;
  }
  return all.includes("default") ? "default" : undefined;
}

function presetFrom(flag: string | undefined, fromEnv: string | undefined, layers: Layer[]): { preset: ResolvedPreset; layer: Layer } | undefined {
  const fileLayer = layers.find((l) => l.settings.preset !== undefined);
  const ref = flag ?? fromEnv ?? fileLayer?.settings.preset;
  if (!ref) return undefined;
  let preset: ResolvedPreset;
  try {
    preset = loadPreset(ref);
  } catch (err) {
    if (!(err instanceof PresetError)) throw err;
    if (flag ?? fromEnv) throw usageError(`${flag ? "--preset" : "MAILCTL_PRESET"}: ${err.message}`);
    throw configError(`${fileLayer!.origin("preset").where}: ${err.message}`);
  }
  const settings: ProfileEntry = { host: preset.host, preset: preset.ref };
  if (preset.credential.fixedUser) settings.user = preset.credential.fixedUser;
  return { preset, layer: { settings, origin: () => ({ source: "preset", where: preset.ref }) } };
}

/**
 * Port and TLS mode as a pair. Each comes from the highest layer that sets it; when the other half comes from a
 * lower layer that set both, that layer's pair is stale and the half is derived instead (a profile's
 * `port: 587, tls: starttls` under `--port 465` gives 465 implicit, not 465 starttls). A missing half follows
 * from the preset's endpoint list, else from the port's usual mode (RFC 8314 §3.3, RFC 6409).
 */
function decidePortAndTls(r: Resolution, layers: Layer[], autoAsked: boolean): void {
  const preset = r.preset;
  const portAt = layers.findIndex((l) => l.settings.port !== undefined);
  const tlsAt = autoAsked ? -1 : layers.findIndex((l) => l.settings.tls !== undefined);
  const set = (field: "port" | "tls", value: number | TlsMode, origin: SettingOrigin) => {
    (r.settings as Record<string, unknown>)[field] = value;
    r.origins[field] = origin;
  };
  const stale = (at: number, other: "port" | "tls", otherAt: number) => otherAt >= 0 && at > otherAt && layers[at]!.settings[other] !== undefined;
  if (portAt >= 0 && !stale(portAt, "tls", tlsAt)) set("port", layers[portAt]!.settings.port!, layers[portAt]!.origin("port"));
  if (tlsAt >= 0 && !stale(tlsAt, "port", portAt)) set("tls", layers[tlsAt]!.settings.tls!, layers[tlsAt]!.origin("tls"));
  const { port, tls } = r.settings;
  if (port !== undefined && tls === undefined) {
    const ep = preset && !autoAsked ? presetEndpoint(preset, { port }) : undefined;
    const fallback = tlsAt >= 0 ? layers[tlsAt]! : undefined; // a stale mode still beats a guess for an unusual port
    if (ep) set("tls", ep.tls, { source: "preset", where: preset!.ref });
    else if (tlsForPort(port)) set("tls", tlsForPort(port)!, { source: "default", where: `port ${port}` });
    else if (fallback) set("tls", fallback.settings.tls!, fallback.origin("tls"));
    else set("tls", "none", { source: "default", where: `port ${port}` });
    r.tlsAuto = autoAsked || (!ep && tlsAt < 0);
  } else if (port === undefined && tls !== undefined) {
    const ep = preset && presetEndpoint(preset, { tls });
    set("port", ep?.port ?? portForTls(tls), ep ? { source: "preset", where: preset!.ref } : { source: "default", where: `tls ${tls}` });
  } else if (port === undefined) {
    const ep = preset && !autoAsked ? presetEndpoint(preset, {}) : undefined;
    if (ep) {
      set("port", ep.port, { source: "preset", where: preset!.ref });
      set("tls", ep.tls, { source: "preset", where: preset!.ref });
    } else {
      r.tlsAuto = true;
      r.settings.tls = "none";
    }
  }
  const opp = layers.find((l) => l.settings.opportunisticTls !== undefined);
  // tls "none" means plaintext; "STARTTLS when offered" is said explicitly (an importer does, for apps that default to it).
  r.settings.opportunisticTls = opp ? opp.settings.opportunisticTls! : false;
  if (opp) r.origins.opportunisticTls = opp.origin("opportunisticTls");
}

/** Each OAuth2 secret from the highest layer that names a source for it (its sources are one setting, like the password's). */
function oauthRefs(layers: Layer[]): OAuthRefs {
  const refs: OAuthRefs = {};
  for (const [name, g] of Object.entries(OAUTH_GROUPS) as [keyof OAuthRefs, { env: keyof ProfileSettings; command: keyof ProfileSettings; value?: keyof ProfileSettings }][]) {
    const l = layers.find((x) => [g.env, g.command, g.value].some((k) => k !== undefined && x.settings[k] !== undefined));
    if (!l) continue;
    const s = l.settings as Record<string, unknown>;
    const field = s[g.command] !== undefined ? g.command : s[g.env] !== undefined ? g.env : g.value!;
    const origin = l.origin(field);
    const where = `${origin.where ?? origin.source}${origin.key ? `: ${origin.key}` : ""}`;
    if (field === g.command) refs[name] = { command: s[field] as string | string[], where, origin, ...(l.searched ? { searched: true } : {}) };
    else if (field === g.env) refs[name] = { env: s[field] as string, where, origin };
    else refs[name] = { value: s[field] as string, where, origin, ...(l.file ? { file: l.file } : {}) };
  }
  return refs;
}

/** The password settings of the highest layer that has any: they are one setting, not three. */
function secretSpec(layers: Layer[]): SecretSpec {
  const l = layers.find((x) => x.settings.password !== undefined || x.settings.passwordEnv !== undefined || x.settings.passwordCommand !== undefined);
  if (!l) return {};
  const s = l.settings;
  const field = s.passwordCommand !== undefined ? "passwordCommand" : s.passwordEnv !== undefined ? "passwordEnv" : "password";
  const origin = l.origin(field);
  const spec: SecretSpec = { origin, fromFlag: origin.source === "flag", ...(l.searched ? { searched: true } : {}) };
  if (s.passwordCommand !== undefined) spec.passwordCommand = s.passwordCommand;
  else if (s.passwordEnv !== undefined) spec.passwordEnv = s.passwordEnv;
  else {
    spec.password = s.password!;
    if (l.file) spec.file = l.file;
  }
  return spec;
}
