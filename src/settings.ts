// The settings vocabulary every layer speaks: one profile's settings, where a setting came from, and what was
// found wrong with them before connecting.

import type { TlsMode } from "./session/tls-mode.js";

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
