import type { TokenProvider } from "../credentials/oauth2.js";
import type { AppFrom, ImportResult } from "./types.js";
import type { Dialect } from "./importers/registry.js";
import type { TlsMode } from "../session/tls-mode.js";
import type { Finding, ProfileSettings, SettingOrigin, TargetSettings } from "../settings.js";

/**
 * Everything a command needs to reach one server, resolved from flags, environment, files and presets. The settings
 * the registry marks `target` (user, from, servername, name…) come as resolved (TargetSettings).
 */
export interface Target extends TargetSettings {
  host: string;
  port: number;
  tls: TlsMode;
  opportunisticTls: boolean;
  /** The secret itself; registered with the redactor as soon as it is read. */
  password?: string;
  /** Where the password was to come from, e.g. "environment variable SMTP_PASSWORD" (for the credentials-missing diagnosis). */
  passwordSource?: string;
  /** A From header value to send verbatim, as the app writes it (doctor --header-from, or the app's own writer's output). */
  rawFromHeader?: string;
  /** How the app whose config this is writes its From header (--from-config). */
  appFrom?: AppFrom;
  /** Why that app writes no From header at all from these settings (its writer raises, or finds no address). */
  appFromError?: string;
  /** Path of the extra CA file, and its PEM text. */
  ca?: string;
  caPem?: string[];
  insecure: boolean;
  /** A DNS server to ask instead of the system resolver. */
  resolver?: string;
  timeoutSeconds: number;
  /** Supplies OAuth2 access tokens (fetched when AUTH needs one), when OAuth2 settings are made. */
  oauth?: TokenProvider;
  preset?: string;
  profile?: string;
  /** Where each setting came from. */
  origins: Partial<Record<keyof ProfileSettings, SettingOrigin>>;
  /** The config dialect the settings were read from, so fixes can be written in it. */
  dialect: Dialect;
  /** For imported app configs: the app's own keys behind each setting. */
  importKeys?: ImportResult["keys"];
  /** The file the settings came from, when there was one. */
  sourceFile?: string;
  /** What resolution noticed before connecting: importer problems, contradictions, unsafe files. Doctor turns them into diagnoses. Always set by resolveTarget. */
  findings?: Finding[];
}
