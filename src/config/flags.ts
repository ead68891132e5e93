import { configError } from "../errors.js";
import { MECHANISMS } from "../session/sasl.js";
import { timeoutProblem } from "./target.js";
import type { Dialect } from "./types.js";
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

const MAILCTL_TLS = ["auto", "implicit", "starttls", "none"];


/** Reads the MAILCTL_* variables that stand in for flags, checking them as flags are checked (a bad one is exit 78). */
export function flagsFromEnv(env: NodeJS.ProcessEnv): TargetFlags {
  const f: TargetFlags = {};
  if (env.MAILCTL_HOST) f.host = env.MAILCTL_HOST;
  if (env.MAILCTL_PORT) {
    const n = Number(env.MAILCTL_PORT);
    if (!/^\d+$/.test(env.MAILCTL_PORT) || n < 1 || n > 65535) throw configError(`MAILCTL_PORT="${env.MAILCTL_PORT}" is not a port number (1–65535)`);
    f.port = n;
  }
  if (env.MAILCTL_TLS) {
    if (!MAILCTL_TLS.includes(env.MAILCTL_TLS)) throw configError(`MAILCTL_TLS="${env.MAILCTL_TLS}" must be implicit, starttls or none`);
    f.tls = env.MAILCTL_TLS as TargetFlags["tls"];
  }
  if (env.MAILCTL_USER) f.user = env.MAILCTL_USER;
  if (env.MAILCTL_AUTH) {
    if (!MECHANISMS.includes(env.MAILCTL_AUTH.toUpperCase())) throw configError(`MAILCTL_AUTH="${env.MAILCTL_AUTH}" must be one of ${MECHANISMS.join(", ")}`);
    f.auth = env.MAILCTL_AUTH;
  }
  if (env.MAILCTL_CA) f.ca = env.MAILCTL_CA;
  if (env.MAILCTL_TIMEOUT) {
    const problem = timeoutProblem(env.MAILCTL_TIMEOUT);
    if (problem) throw configError(`MAILCTL_TIMEOUT: ${problem}`);
    f.timeout = Number(env.MAILCTL_TIMEOUT);
  }
  if (env.MAILCTL_FROM) f.from = env.MAILCTL_FROM;
  if (env.MAILCTL_PROFILE) f.profile = env.MAILCTL_PROFILE;
  if (env.MAILCTL_PRESET) f.preset = env.MAILCTL_PRESET;
  if (env.MAILCTL_CONFIG) f.config = env.MAILCTL_CONFIG;
  return f;
}

/** The MAILCTL_* variable behind each flag that has one. */
export const ENV_NAMES: Partial<Record<keyof TargetFlags, string>> = {
  host: "MAILCTL_HOST", port: "MAILCTL_PORT", tls: "MAILCTL_TLS", user: "MAILCTL_USER", auth: "MAILCTL_AUTH", ca: "MAILCTL_CA", timeout: "MAILCTL_TIMEOUT",
  from: "MAILCTL_FROM", profile: "MAILCTL_PROFILE", preset: "MAILCTL_PRESET", config: "MAILCTL_CONFIG",
};
