import { readFile } from "node:fs/promises";
import { configError, dataError, noInputError, usageError } from "../errors.js";
import type { SessionOptions } from "../session/session.js";
import { portForTls, tlsForPort, type Target } from "./target.js";
import type { TlsMode } from "./types.js";

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
}

const DEFAULT_TIMEOUT_SECONDS = 15;

/** Reads the MAILCTL_* variables that stand in for flags, checking them as flags are checked. */
export function flagsFromEnv(env: NodeJS.ProcessEnv): ConnectionFlags {
  const f: ConnectionFlags = {};
  if (env.MAILCTL_HOST) f.host = env.MAILCTL_HOST;
  if (env.MAILCTL_PORT) {
    const n = Number(env.MAILCTL_PORT);
    if (!/^\d+$/.test(env.MAILCTL_PORT) || n < 1 || n > 65535) throw configError(`MAILCTL_PORT="${env.MAILCTL_PORT}" is not a port number (1–65535)`);
    f.port = n;
  }
  if (env.MAILCTL_TLS) {
    if (!["auto", "implicit", "starttls", "none"].includes(env.MAILCTL_TLS)) throw configError(`MAILCTL_TLS="${env.MAILCTL_TLS}" must be implicit, starttls or none`);
    f.tls = env.MAILCTL_TLS as ConnectionFlags["tls"];
  }
  if (env.MAILCTL_USER) f.user = env.MAILCTL_USER;
  if (env.MAILCTL_CA) f.ca = env.MAILCTL_CA;
  if (env.MAILCTL_TIMEOUT) {
    const n = Number(env.MAILCTL_TIMEOUT);
    if (!Number.isFinite(n) || n <= 0) throw configError(`MAILCTL_TIMEOUT="${env.MAILCTL_TIMEOUT}" is not a number of seconds`);
    f.timeout = n;
  }
  return f;
}

/**
 * Resolves a Target from flags over MAILCTL_* variables. `tls` may stay "auto" only when the caller can detect it
 * (probe); a missing port is inferred from the TLS mode and the reverse.
 */
export async function resolveFromFlags(flags: ConnectionFlags, env: NodeJS.ProcessEnv, opts: { needPort: boolean }): Promise<Target & { tlsAuto: boolean }> {
  const fromEnv = flagsFromEnv(env);
  const merged: ConnectionFlags = { ...fromEnv, ...definedOnly(flags) };
  if (!merged.host) throw usageError("no server given: pass --host <host> (or set MAILCTL_HOST)");
  if (merged.ipv4 && merged.ipv6) throw usageError("-4 and -6 cannot be used together");
  const tlsAuto = !merged.tls || merged.tls === "auto";
  let tls: TlsMode | undefined = tlsAuto ? undefined : (merged.tls as TlsMode);
  let port = merged.port;
  if (!port && tls) port = portForTls(tls);
  if (!port && opts.needPort) throw usageError("no port given: pass --port <port> or --tls <mode>");
  tls ??= port ? (tlsForPort(port) ?? "none") : "none";
  const passwordEnv = flags.passwordEnv ?? "MAILCTL_PASSWORD";
  const password = env[passwordEnv];
  const target: Target & { tlsAuto: boolean } = {
    host: merged.host,
    port: port ?? 0,
    tls,
    tlsAuto,
    opportunisticTls: false,
    insecure: Boolean(merged.insecure),
    timeoutSeconds: merged.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    origins: {},
    dialect: "mailctl",
    passwordSource: `environment variable ${passwordEnv}`,
  };
  if (merged.user) target.user = merged.user;
  if (password !== undefined) target.password = password;
  if (merged.servername) target.servername = merged.servername;
  if (merged.name) target.name = merged.name;
  if (merged.resolver) target.resolver = merged.resolver;
  if (merged.ipv4) target.family = 4;
  if (merged.ipv6) target.family = 6;
  if (merged.ca) {
    target.ca = merged.ca;
    target.caPem = await readCa(merged.ca);
  }
  return target;
}

/** Reads a CA file: one or more PEM certificates. */
export async function readCa(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw noInputError(path, err as NodeJS.ErrnoException);
  }
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!certs) throw dataError(`${path}: no PEM certificate in this file (expected "-----BEGIN CERTIFICATE-----")`);
  return certs;
}

/** Session options for a target. */
export function sessionOptions(t: Target, extra: Partial<SessionOptions> = {}): SessionOptions {
  const ms = t.timeoutSeconds * 1000;
  const o: SessionOptions = {
    host: t.host,
    port: t.port,
    tls: t.tls,
    opportunisticTls: t.opportunisticTls,
    timeouts: { connect: ms, greeting: ms, command: ms, dataEnd: Math.max(ms * 4, 60_000) },
    ...extra,
  };
  if (t.insecure) o.insecure = true;
  if (t.caPem) o.ca = t.caPem;
  if (t.servername) o.servername = t.servername;
  if (t.name) o.name = t.name;
  if (t.family) o.family = t.family;
  if (t.resolver) o.resolver = t.resolver;
  if (t.user) o.auth = { user: t.user, ...(t.password !== undefined ? { password: t.password } : {}), ...(t.passwordSource ? { passwordSource: t.passwordSource } : {}), ...(t.authMethod ? { method: t.authMethod } : {}) };
  return o;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
