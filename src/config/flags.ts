import { configError } from "../errors.js";
import { optionKey, parseSetting, ROWS, SettingError, type Setting } from "../settings.js";
import type { Dialect } from "./importers/registry.js";
import type { TlsMode } from "../session/tls-mode.js";

/** The connection flags as commander parses them (see CONNECTION_OPTIONS). */
export interface ConnectionFlags {
  host?: string;
  port?: number;
  tls?: TlsMode | "auto";
  user?: string;
  passwordEnv?: string;
  ca?: string;
  insecure?: boolean;
  servername?: string;
  timeout?: number;
  name?: string;
  ipv4?: boolean;
  ipv6?: boolean;
  resolver?: string;
  /** Force one SASL mechanism (--auth). */
  auth?: string;
  /** A ready OAuth2 access token from this environment variable. */
  oauthTokenEnv?: string;
}

/** The flags that choose where settings come from (see PROFILE_OPTIONS), plus `from` for commands that send. */
export interface ProfileFlags {
  profile?: string;
  preset?: string;
  config?: string;
  fromConfig?: string;
  dialect?: Dialect;
  account?: string;
  from?: string;
}

/** Everything resolveTarget reads from the command line. */
export type TargetFlags = ConnectionFlags & ProfileFlags;

/** The rows a MAILCTL_* variable stands in for, with the key commander gives their flag. */
const ENV_ROWS: { key: keyof TargetFlags; row: Setting }[] = ROWS.filter((row) => row.env && row.flag)
  .map((row) => ({ key: optionKey(row) as keyof TargetFlags, row }));

/**
 * Reads the MAILCTL_* variables that stand in for flags, each parsed by its flag's own parse (settings.ts), so a
 * variable accepts exactly what its flag accepts, for the same reason; a bad one is a configuration error (exit 78).
 */
export function flagsFromEnv(env: NodeJS.ProcessEnv): TargetFlags {
  const f: Record<string, unknown> = {};
  for (const { key, row } of ENV_ROWS) {
    const text = env[row.env!];
    if (!text) continue;
    try {
      f[key] = parseSetting(row, text);
    } catch (err) {
      if (err instanceof SettingError) throw configError(`${row.env}="${text}" ${err.message}`);
      throw err;
    }
  }
  return f as TargetFlags;
}

/** The MAILCTL_* variable behind each flag that has one. */
export const ENV_NAMES: Partial<Record<keyof TargetFlags, string>> = Object.fromEntries(ENV_ROWS.map(({ key, row }) => [key, row.env]));
