// The settings registry: every setting as data (npm-check-updates' options-as-data, carried through to config).
// A row says how the setting is written on the command line, in a MAILCTL_* variable and in a profile; how a text
// is parsed and a profile value checked; its help, default and place in `config show`; and where the resolved
// value goes. Commander's options (commands/options.ts), the variables (config/flags.ts), profile validation
// (config/validate.ts), the layers and the Target (config/layers.ts, config/resolve.ts), `config show`'s and a saved
// profile's key order, what `init` saves, and README's option and environment tables (scripts/gen-docs.mjs) are all
// derived from the rows — so a flag and its variable accept exactly the same values, with the same reason.
// It imports nothing but other vocabulary: what needs config (the preset and dialect lookups, the --dialect
// choices) is supplied by config and the commands.

import { MECHANISMS } from "./session/sasl.js";
import { TLS_MODES, type TlsMode } from "./session/tls-mode.js";

/** One profile's settings, as written in a config file or produced by an importer. Every field is optional here; resolution fills defaults. */
export interface ProfileSettings {
  preset?: string;
  host?: string;
  port?: number;
  tls?: TlsMode;
  /** STARTTLS when offered, plaintext otherwise (nodemailer's default, Dify's OPPORTUNISTIC_TLS). Only meaningful with tls "none". */
  opportunisticTls?: boolean;
  user?: string;
  password?: string;
  passwordEnv?: string;
  passwordCommand?: string | string[];
  from?: string;
  fromName?: string;
  fromFormat?: "name-addr" | "address-only";
  ca?: string;
  insecure?: boolean;
  /** EHLO name (RFC 5321 §4.1.1.1). */
  name?: string;
  timeoutSeconds?: number;
  family?: 4 | 6;
  /** SNI / certificate name when it differs from host. */
  servername?: string;
  authMethod?: string;
  /** OAuth2 (XOAUTH2 / OAUTHBEARER): a ready access token from this environment variable, or printed by this command. */
  oauthTokenEnv?: string;
  oauthTokenCommand?: string | string[];
  /** OAuth2 refresh setup (RFC 6749 §6): the app registration's client id, its secret, the refresh token, the token endpoint. */
  clientId?: string;
  clientSecret?: string;
  clientSecretEnv?: string;
  clientSecretCommand?: string | string[];
  refreshToken?: string;
  refreshTokenEnv?: string;
  refreshTokenCommand?: string | string[];
  tokenUrl?: string;
  /** Scopes to name when refreshing (default: the preset's). */
  scope?: string;
  /** A file that keeps access tokens between runs (written with mode 0600). */
  tokenFile?: string;
  /** The app sends STARTTLS even on an implicit-TLS connection (e.g. smtplib.SMTP_SSL followed by starttls()); doctor then tries it to see what the server says. */
  starttlsOnImplicit?: boolean;
}

/** Every key a profile in a config file may hold: the settings, and for an imported profile the app's dialect and file. */
export interface ProfileKeys extends ProfileSettings {
  /** The app's config dialect, for profiles written by `mailctl config import` (fixes are written in it). */
  dialect?: string;
  /** The app's config file that was imported. */
  sourceFile?: string;
}

/** Where one setting came from, for `config show` and for writing fixes in the user's own terms. */
export interface SettingOrigin {
  /** e.g. "file", "env", "flag", "preset", "default", "import" */
  source: string;
  /** file path, env var name, flag name or preset name */
  where?: string;
  /** the key as the user wrote it in their dialect, e.g. "SMTP_USE_TLS" or "mail_use_ssl" */
  key?: string;
}

/**
 * Something wrong or odd in the settings, found without connecting. `id` is a diagnosis id from the catalog when one
 * fits (e.g. "tls-to-plaintext-port"); `keys` are the setting names as the user wrote them (mailctl fields, or the
 * app's own keys for an imported config); `fixes` are alternative changes, each renderable in the dialect
 * with renderSettings().
 */
export interface Finding {
  id?: string;
  severity: "error" | "warning" | "info";
  message: string;
  keys: string[];
  fixes?: ProfileSettings[];
}

/** A text that is not a value of the setting: the reason, worded to follow the text ("is not a port number (1–65535)"). */
export class SettingError extends Error {
  override readonly name = "SettingError";
}

/** The sources a secret may come from; a profile keeps one of each group. */
export type SecretGroup = "password" | "oauthToken" | "clientSecret" | "refreshToken";

/** One setting. Only `check` is needed for a profile key; a row with `flag` is on the command line too. */
export interface Setting<V = unknown> {
  /** The long flag with its argument, e.g. "--port <port>" (a switch has none: "--insecure"). */
  flag?: string;
  short?: string;
  /** The MAILCTL_* variable that stands in for the flag. */
  env?: string;
  /** A flag's argument or a variable's value → the value; throws SettingError. Without it the text is the value, checked against `choices` when there are some. */
  parse?(text: string): V;
  /** The values help lists (commander checks a flag against them when there is no parse). */
  choices?: readonly string[];
  /** What is wrong with a profile value (typed by YAML/JSON), worded to follow the key; undefined when fine. Absent: not a profile key. */
  check?(value: unknown): string | undefined;
  /** The config layer checks this too: the preset must exist, the dialect must be an importer's (config/validate.ts). */
  lookup?: "preset" | "dialect";
  /** One line for --help. */
  help?: string;
  /** README's wording, when it says more than the help. */
  docs?: string;
  /** The value when no layer sets one (`value`), and what help shows as the default (`text`). */
  default?: { value?: V; text?: string };
  /** Position in `config show`, smallest first; absent: not shown there. */
  showOrder?: number;
  /** Part of a secret's sources; `value` is the secret itself, which never goes into a message. */
  secret?: { group: SecretGroup; source: "value" | "env" | "command" };
  /** Copied into the Target as resolved. */
  target?: true;
  /** Copied from the Target into the session's options under the same name (config/resolve.ts sessionOptions). */
  session?: true;
  /** `mailctl init` saves it into the profile when its flag is given. */
  init?: true;
  /** A file path: one from a flag is taken relative to the working directory. */
  path?: true;
  /** Its flag chooses where settings come from (a preset, a dialect): it is not a value of the flag layer. */
  selects?: true;
}

// ---- checks and parsers shared by the rows -----------------------------------------------------------------

type Check = (v: unknown) => string | undefined;
const str: Check = (v) => (typeof v === "string" && v !== "" ? undefined : "must be a non-empty string");
const bool: Check = (v) => (typeof v === "boolean" ? undefined : "must be true or false");
const oneOf = (values: readonly string[]): Check => (v) => (typeof v === "string" && values.includes(v) ? undefined : `must be one of ${values.map((x) => `"${x}"`).join(", ")}`);
const matches = (re: RegExp, what: string): Check => (v) => str(v) ?? (re.test(v as string) ? undefined : `must be ${what}`);
const command: Check = (v) =>
  (typeof v === "string" && v.trim() !== "") || (Array.isArray(v) && v.length > 0 && v.every((w) => typeof w === "string" && w !== ""))
    ? undefined
    : "must be a command line (a string) or a list of its words";
const secretValue: Check = (v) => (typeof v === "string" && v !== "" ? undefined : "must be a non-empty string (quote it in YAML)");

const HOST = /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?)$/;
/** RFC 5321 §4.1.1.1: a domain or an address literal, no spaces or line breaks. */
const EHLO_NAME = /^(\[[0-9A-Fa-f:.IPv]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const isPort = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;

/** The range of --timeout, MAILCTL_TIMEOUT and timeoutSeconds: below a tenth of a second no server could answer. */
export const TIMEOUT_SECONDS = { min: 0.1, max: 3600 } as const;
const isSeconds = (n: unknown): n is number => typeof n === "number" && n >= TIMEOUT_SECONDS.min && n <= TIMEOUT_SECONDS.max;

const envNameCheck = matches(ENV_NAME, "an environment variable name");

/** Parses the name of an environment variable. */
export function parseEnvName(text: string): string {
  if (!ENV_NAME.test(text)) throw new SettingError("is not an environment variable name");
  return text;
}

/** Why a token endpoint address is not usable (worded to follow it), or null: https, or http to this machine (RFC 6749 §3.2 requires TLS). */
function tokenUrlReason(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (u.protocol === "https:") return null;
  if (u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) return null;
  return "must be an https:// URL (a token endpoint carries the client secret and refresh token; RFC 6749 §3.2 requires TLS)";
}

// ---- the rows ------------------------------------------------------------------------------------------------

/**
 * The profile settings, one row per profile key. The order of the rows is the order a saved profile's keys are
 * written in (config/write.ts): where, who, what identity, the connection's details, then the OAuth2 setup.
 * The type makes a field without a row, or a row without a field, a compile error.
 */
const PROFILE_ROWS = {
  preset: {
    flag: "--preset <name[:region]>",
    env: "MAILCTL_PRESET",
    help: "provider preset, e.g. gmail, qq, ses:eu-west-1 (see mailctl presets)",
    docs: "provider preset, e.g. `gmail`, `qq`, `ses:eu-west-1`",
    check: str,
    lookup: "preset",
    selects: true,
  },
  host: {
    flag: "--host <host>",
    env: "MAILCTL_HOST",
    parse(text: string): string {
      if (!HOST.test(text)) throw new SettingError("is not a host name or IP address");
      return text;
    },
    check: matches(HOST, "a host name or IP address"),
    help: "SMTP server host name or IP address",
    docs: "server host name or IP address",
    showOrder: 10,
  },
  port: {
    flag: "--port <port>",
    short: "-p",
    env: "MAILCTL_PORT",
    parse(text: string): number {
      const n = Number(text);
      if (!/^\d+$/.test(text) || !isPort(n)) throw new SettingError("is not a port number (1–65535)");
      return n;
    },
    check: (v: unknown) => (isPort(v) ? undefined : "must be a whole number from 1 to 65535"),
    help: "TCP port",
    showOrder: 20,
  },
  tls: {
    flag: "--tls <mode>",
    env: "MAILCTL_TLS",
    // `auto` only on the command line and in the variable: a profile says what it is (probe detects it).
    choices: ["auto", ...TLS_MODES],
    check: oneOf(TLS_MODES),
    help: "TLS mode: implicit (465), starttls (587), none; probe also takes auto",
    docs: "`implicit` (465), `starttls` (587), `none`; probe also takes `auto`",
    showOrder: 30,
  },
  opportunisticTls: { check: bool, showOrder: 40 },
  user: {
    flag: "--user <user>",
    short: "-u",
    env: "MAILCTL_USER",
    check: str,
    help: "user name for AUTH",
    showOrder: 50,
    target: true,
  },
  password: { check: (v: unknown) => (typeof v === "string" ? undefined : "must be a string (quote it in YAML)"), secret: { group: "password", source: "value" } },
  passwordEnv: {
    flag: "--password-env <VAR>",
    parse: parseEnvName,
    check: envNameCheck,
    help: "read the password from this environment variable (never from a flag)",
    docs: "read the password from this variable",
    default: { text: "MAILCTL_PASSWORD" },
    secret: { group: "password", source: "env" },
  },
  passwordCommand: {
    flag: "--password-command <cmd>",
    check: command,
    help: "store this command; it prints the password (run without a shell)",
    secret: { group: "password", source: "command" },
  },
  authMethod: {
    flag: "--auth <mechanism>",
    env: "MAILCTL_AUTH",
    choices: MECHANISMS,
    parse(text: string): string {
      const m = text.toUpperCase();
      if (!MECHANISMS.includes(m)) throw new SettingError(`is not a mechanism mailctl can use (${MECHANISMS.join(", ")})`);
      return m;
    },
    check: (v: unknown) => (typeof v === "string" && MECHANISMS.includes(v.toUpperCase()) ? undefined : `must be ${MECHANISMS.slice(0, -1).join(", ")} or ${MECHANISMS.at(-1)}`),
    help: "use this SASL mechanism only, and fail if the server does not offer it",
    docs: `use only this SASL mechanism — ${MECHANISMS.map((m) => `\`${m}\``).join(", ")} — and fail (exit 77, \`auth-not-offered\`) if the server does not offer it`,
    showOrder: 90,
    target: true,
  },
  from: {
    flag: "--from <address>",
    env: "MAILCTL_FROM",
    check: matches(/^[^\s@<>"]+@[^\s@<>"]+$/, "an address like name@example.com"),
    help: 'sender: "address" or "Name <address>"',
    showOrder: 60,
    target: true,
  },
  fromName: { flag: "--from-name <name>", check: str, help: "display name for From", showOrder: 70, target: true, init: true },
  fromFormat: { check: oneOf(["name-addr", "address-only"]), showOrder: 80, target: true },
  ca: {
    flag: "--ca <file>",
    env: "MAILCTL_CA",
    check: str,
    help: "also trust the CA certificate(s) in this PEM file",
    showOrder: 140,
    init: true,
    path: true,
  },
  insecure: {
    flag: "--insecure",
    check: bool,
    help: "do not verify the server's certificate (the output says so)",
    docs: "do not verify the certificate (the output says so)",
    default: { value: false },
    showOrder: 150,
    init: true,
  },
  servername: {
    flag: "--servername <name>",
    check: str,
    help: "name to verify the certificate against (and send as SNI), when it differs from --host",
    docs: "name to verify the certificate against, when it differs from the host",
    showOrder: 160,
    target: true,
    session: true,
    init: true,
  },
  name: {
    flag: "--name <ehlo-name>",
    parse(text: string): string {
      if (!EHLO_NAME.test(text)) throw new SettingError("is not a host name or address literal");
      return text;
    },
    check: matches(EHLO_NAME, "a host name or address literal (the EHLO name)"),
    help: "name to send with EHLO (default: this host's FQDN, else its address literal)",
    docs: "name sent with EHLO (default: this host's FQDN, else its address literal)",
    showOrder: 170,
    target: true,
    session: true,
    init: true,
  },
  // Set by -4 / -6 on the command line (OPTIONS below).
  family: { check: (v: unknown) => (v === 4 || v === 6 ? undefined : "must be 4 or 6"), showOrder: 180, target: true, session: true, init: true },
  timeoutSeconds: {
    flag: "--timeout <seconds>",
    env: "MAILCTL_TIMEOUT",
    parse(text: string): number {
      const n = Number(text);
      // A plain decimal number (not 1e-9), within TIMEOUT_SECONDS.
      if (!/^\d+(\.\d+)?$/.test(text.trim()) || !isSeconds(n)) throw new SettingError(`is not a number of seconds from ${TIMEOUT_SECONDS.min} to ${TIMEOUT_SECONDS.max}`);
      return n;
    },
    check: (v: unknown) => (isSeconds(v) ? undefined : `must be a number of seconds from ${TIMEOUT_SECONDS.min} to ${TIMEOUT_SECONDS.max}`),
    help: "limit for each wait: connect, greeting, each command",
    docs:
      `${TIMEOUT_SECONDS.min}–${TIMEOUT_SECONDS.max}; limit for each wait: connect, greeting, each command, and each stall while the message is written ` +
      '(a server that takes no bytes for this long is dropped before the final "."); default 15; the reply to the end of DATA gets 4× this, at least 60',
    default: { value: 15, text: "15" },
    showOrder: 190,
    init: true,
  },
  dialect: {
    flag: "--dialect <dialect>",
    // Which names are dialects is the importer registry's to say (config/importers/registry.ts).
    check: () => undefined,
    lookup: "dialect",
    help: "the app config's dialect, when it is not detected",
    docs: "the app config's dialect when it is not detected",
    selects: true,
  },
  sourceFile: { check: str },
  starttlsOnImplicit: { check: bool, target: true },
  oauthTokenEnv: {
    flag: "--oauth-token-env <VAR>",
    parse: parseEnvName,
    check: envNameCheck,
    help: "sign in with OAuth2 (XOAUTH2/OAUTHBEARER) using the access token in this environment variable",
    docs: "sign in with OAuth2 (XOAUTH2/OAUTHBEARER) using the access token in this variable (see [OAuth2](#oauth2-gmail-outlookcom-microsoft-365))",
    secret: { group: "oauthToken", source: "env" },
  },
  oauthTokenCommand: { check: command, secret: { group: "oauthToken", source: "command" } },
  clientId: { flag: "--client-id <id>", check: str, help: "OAuth2: the app registration's client id (with --refresh-token-env)", showOrder: 100 },
  clientSecret: { check: secretValue, secret: { group: "clientSecret", source: "value" } },
  clientSecretEnv: {
    flag: "--client-secret-env <VAR>",
    parse: parseEnvName,
    check: envNameCheck,
    help: "OAuth2: read the client secret from this environment variable (none for a public client)",
    secret: { group: "clientSecret", source: "env" },
  },
  clientSecretCommand: { check: command, secret: { group: "clientSecret", source: "command" } },
  refreshToken: { check: secretValue, secret: { group: "refreshToken", source: "value" } },
  refreshTokenEnv: {
    flag: "--refresh-token-env <VAR>",
    parse: parseEnvName,
    check: envNameCheck,
    help: "OAuth2: read the refresh token from this environment variable",
    secret: { group: "refreshToken", source: "env" },
  },
  refreshTokenCommand: { check: command, secret: { group: "refreshToken", source: "command" } },
  tokenUrl: {
    flag: "--token-url <url>",
    parse(text: string): string {
      const reason = tokenUrlReason(text);
      if (reason) throw new SettingError(reason);
      return text;
    },
    check: (v: unknown) => str(v) ?? tokenUrlReason(v as string) ?? undefined,
    help: "OAuth2: the token endpoint (default: the preset's, for gmail, outlook, office365)",
    showOrder: 110,
    init: true,
  },
  scope: { check: str, showOrder: 120 },
  tokenFile: { flag: "--token-file <file>", check: str, help: "OAuth2: keep access tokens between runs in this file (written with mode 0600)", showOrder: 130, init: true, path: true },
} satisfies { [K in keyof ProfileKeys]-?: Setting };

/** The profile settings by field, in a saved profile's key order (each row keeps its own types: SETTINGS.port.parse gives a number). */
export const SETTINGS = PROFILE_ROWS;

/** The row of a profile field, for code that goes over all of them. */
export function setting(field: keyof ProfileKeys): Setting {
  return PROFILE_ROWS[field];
}

/** An option row that is not a profile key: it chooses where settings come from, or how a command connects and prints. */
export interface OptionRow extends Setting {
  flag: string;
  /** The profile field the switch sets, and to what (-4 → family 4). */
  sets?: { field: keyof ProfileSettings; value: unknown };
}

/** The shared options that are not profile keys. */
export const OPTIONS = {
  profile: { flag: "--profile <name>", env: "MAILCTL_PROFILE", help: "use this profile from the config files" },
  config: { flag: "--config <file>", env: "MAILCTL_CONFIG", help: "read this config file only (instead of searching)", docs: "read this config file only, instead of searching" },
  fromConfig: {
    flag: "--from-config <file>",
    // The command line lists the apps after it (commands/options.ts, from the importer registry).
    help: "use an app's own settings",
    docs: "use an app's own settings file (see [Importers](#importers-diagnose-the-app-you-actually-run))",
  },
  account: {
    flag: "--account <name>",
    help: "msmtp account to read with --from-config (default: the account named default)",
    docs: "the msmtp account to read with `--from-config`",
  },
  resolver: {
    flag: "--resolver <ip[:port]>",
    parse(text: string): string {
      if (!/^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[[0-9A-Fa-f:]+\](:\d{1,5})?|[0-9A-Fa-f:]+)$/.test(text)) throw new SettingError("is not a DNS server address (ip or ip:port)");
      return text;
    },
    help: "resolve the host with this DNS server instead of the system resolver",
  },
  ipv4: { flag: "--ipv4", short: "-4", help: "connect over IPv4 only", docs: "IPv4 only", sets: { field: "family", value: 4 } },
  ipv6: { flag: "--ipv6", short: "-6", help: "connect over IPv6 only", docs: "IPv6 only", sets: { field: "family", value: 6 } },
  json: { flag: "--json", help: "print one JSON document on stdout and nothing else", docs: "one JSON document on stdout, nothing else" },
  transcript: { flag: "--transcript", help: "print the SMTP dialogue (credentials redacted)", docs: "the SMTP dialogue, credentials redacted" },
} satisfies Record<string, OptionRow>;

/** The connection options every command that connects takes, in help's order. */
export const CONNECTION: readonly Setting[] = [
  PROFILE_ROWS.host,
  PROFILE_ROWS.port,
  PROFILE_ROWS.tls,
  PROFILE_ROWS.user,
  PROFILE_ROWS.passwordEnv,
  PROFILE_ROWS.oauthTokenEnv,
  PROFILE_ROWS.authMethod,
  PROFILE_ROWS.ca,
  PROFILE_ROWS.insecure,
  PROFILE_ROWS.servername,
  PROFILE_ROWS.timeoutSeconds,
  PROFILE_ROWS.name,
  OPTIONS.resolver,
  OPTIONS.ipv4,
  OPTIONS.ipv6,
];

/** The options that choose where settings come from, in help's order. */
export const SOURCES: readonly Setting[] = [OPTIONS.profile, PROFILE_ROWS.preset, OPTIONS.config, OPTIONS.fromConfig, PROFILE_ROWS.dialect, OPTIONS.account];

/** The output options every command that connects takes. */
export const OUTPUT: readonly Setting[] = [OPTIONS.json, OPTIONS.transcript];

/** Environment variables mailctl reads that are not a flag's stand-in (README's environment table lists them after the settings'). */
export const ENVIRONMENT: readonly { names: string[]; meaning: string }[] = [
  { names: ["MAILCTL_PASSWORD"], meaning: "the password, unless `--password-env` names another variable or the profile has `passwordCommand` / `passwordEnv`" },
  { names: ["MAILCTL_LAB_PASSWORD"], meaning: "the lab account's password for `mailctl lab` (else one is generated)" },
  { names: ["MAILCTL_LAB_UI_TOKEN"], meaning: "the token `mailctl lab --ui` requires (else one is generated when the inbox listens beyond loopback)" },
  { names: ["XDG_CONFIG_HOME"], meaning: "where the user config file lives: `$XDG_CONFIG_HOME/mailctl/config.yaml` (an absolute path; default `~/.config`)" },
  { names: ["XDG_CACHE_HOME"], meaning: "the lab directory is `$XDG_CACHE_HOME/mailctl/lab` (default `~/.cache/mailctl/lab`)" },
  { names: ["HOME"], meaning: "the home directory, for `~/.config` and `~` in paths" },
  { names: ["NO_COLOR", "FORCE_COLOR"], meaning: "switch colour off / on" },
  { names: ["CI"], meaning: "no spinners" },
  { names: ["MAILCTL_DEBUG"], meaning: "print the stack trace of an internal error" },
];

/** A profile field copied into the Target as resolved. */
export type TargetField = { [K in keyof typeof PROFILE_ROWS]: (typeof PROFILE_ROWS)[K] extends { target: true } ? K : never }[keyof typeof PROFILE_ROWS];

/** A profile field the session takes under the same name. */
export type SessionField = { [K in keyof typeof PROFILE_ROWS]: (typeof PROFILE_ROWS)[K] extends { session: true } ? K : never }[keyof typeof PROFILE_ROWS];

/** The settings a Target carries as they were resolved. */
export type TargetSettings = Pick<ProfileSettings, TargetField>;

// ---- what the rest derives from the rows ---------------------------------------------------------------------

/** Every profile field with its row, in the rows' order. */
export const SETTING_FIELDS = Object.keys(PROFILE_ROWS) as (keyof ProfileKeys)[];

/** The rows of the fields marked `mark`, in the rows' order. */
export function fieldsWhere(mark: "target" | "session" | "init" | "path" | "selects"): (keyof ProfileKeys)[] {
  return SETTING_FIELDS.filter((f) => setting(f)[mark]);
}

/** Every row: the profile settings, then the other shared options. */
export const ROWS: readonly Setting[] = [...SETTING_FIELDS.map(setting), ...(Object.values(OPTIONS) as OptionRow[])];

/** The values no layer has to set: the default layer. */
export const DEFAULTS: Readonly<ProfileSettings> = Object.fromEntries(
  SETTING_FIELDS.flatMap((f) => (setting(f).default?.value !== undefined ? [[f, setting(f).default!.value]] : [])),
) as ProfileSettings;

/** How the setting is named on the command line: "-p, --port <port>". */
export function flagsOf(s: Setting): string {
  return s.short ? `${s.short}, ${s.flag}` : s.flag!;
}

/** The long flag's name alone: "--port". */
export function flagName(s: Setting): string {
  return s.flag!.split(" ")[0]!;
}

/** The key commander gives a flag's value: "--password-env <VAR>" → "passwordEnv". */
export function optionKey(s: Setting): string {
  return flagName(s).replace(/^--/, "").replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A text as the setting takes it on the command line or in its variable: the row's parse, else the text itself (one of `choices`). */
export function parseSetting(s: Setting, text: string): unknown {
  if (s.parse) return s.parse(text);
  if (s.choices && !s.choices.includes(text)) throw new SettingError(`is not one of ${s.choices.join(", ")}`);
  return text;
}
