import type { TlsMode } from "../session/tls-mode.js";

/** The config dialects mailctl can read and write fixes in. */
export type Dialect = "mailctl" | "dify" | "ragflow" | "msmtp" | "nodemailer" | "smtp-url" | "aiosmtplib";

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
  /** The app sends STARTTLS even on an implicit-TLS connection (e.g. smtplib.SMTP_SSL followed by starttls()). */
  starttlsOnImplicit?: boolean;
}

/**
 * How an app turns its sender setting into the From header, read from the app's own source: nodemailer's
 * composer (a `from` string through its addressparser, or {name, address}); Python's email package on a
 * compat32 message (email.mime: the value is stored as given and encoded as a whole when serialised; `fold` is
 * the line length of the generator that writes it, 0 for Message.as_string()) or on an EmailMessage
 * (policy.default: parsed as an address when set); or msmtp, which passes the message's own From through and
 * writes `From: from_full_name <from>` itself only when told to (set_from_header on, or auto and none there).
 */
export type FromWriter = { kind: "nodemailer" } | { kind: "python-compat32"; fold: 0 | 78 } | { kind: "python-default" } | { kind: "msmtp"; set: "auto" | "on" };

/** The From header as an app writes it: the value it assigns, the writer, where in the app that happens, and the app's keys behind the value. */
export interface AppFrom {
  value: string | { name: string; address: string };
  writer: FromWriter;
  /** e.g. `api/libs/smtp.py: msg["From"] = MAIL_DEFAULT_SEND_FROM on a MIMEMultipart, sent as msg.as_string()`. */
  how: string;
  keys: string[];
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

/** What an importer returns: settings in mailctl's terms, plus for each setting the key(s) it came from in the app's own dialect. */
export interface ImportResult {
  dialect: Dialect;
  settings: ProfileSettings;
  /** mailctl field name → the app's key(s) that produced it, e.g. { tls: ["SMTP_USE_TLS", "SMTP_OPPORTUNISTIC_TLS"] } */
  keys: Partial<Record<keyof ProfileSettings, string[]>>;
  /** Problems found while reading that are not fatal (unknown keys, values that look wrong). One line each. */
  warnings: string[];
  /** Settings that the app cannot express or that are contradictory, each with the app's keys involved. */
  problems: { message: string; keys: string[] }[];
  /** How the app writes its From header from these settings, when it builds messages itself. */
  fromHeader?: AppFrom;
}
