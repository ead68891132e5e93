// Checks on settings that need no connection: a port and a TLS mode that cannot work together, and
// combinations that work but deserve a warning. Shared by the config-file validator (where an
// impossible pair is an error, exit 78) and resolution (where it becomes a finding for doctor).

import { portForTls, tlsForPort, type Finding } from "./target.js";
import type { ProfileSettings, TlsMode } from "./types.js";

const EXPECTS: Record<TlsMode, string> = {
  implicit: "implicit TLS",
  starttls: "STARTTLS",
  none: "plaintext (upgraded with STARTTLS when offered)",
};

/** A port/TLS problem: `error` when the pair cannot work at all, `warning` when it works but is unsafe or odd. */
export interface PortTlsProblem {
  severity: "error" | "warning";
  /** Diagnosis id from the catalog, when one fits. */
  id?: string;
  /** Worded in mailctl's terms, without a file prefix: `port 465 with tls "starttls" cannot work — 465 expects implicit TLS`. */
  message: string;
  fixes: ProfileSettings[];
}

/**
 * Judges a port with a TLS mode. Implicit TLS on a plaintext port, or plaintext on an implicit-TLS port, cannot work:
 * one side waits for a greeting while the other waits for a TLS handshake (RFC 8314 §3.3, RFC 3207).
 */
export function portTlsProblem(port: number, tls: TlsMode, opportunisticTls = false): PortTlsProblem | undefined {
  const expected = tlsForPort(port);
  if (!expected) return undefined;
  if ((expected === "implicit") !== (tls === "implicit")) {
    return {
      severity: "error",
      id: tls === "implicit" ? "tls-to-plaintext-port" : "plaintext-to-implicit-tls",
      message: `port ${port} with tls "${tls}" cannot work — ${port} expects ${EXPECTS[expected]}`,
      fixes: [{ port, tls: expected === "none" ? "starttls" : expected }, { port: portForTls(tls), tls }],
    };
  }
  // RFC 8314 §3.3 / RFC 6409: a submission port carries passwords, so it should be encrypted.
  if (expected === "starttls" && tls === "none" && !opportunisticTls) {
    return {
      severity: "warning",
      message: `port ${port} with tls "none" sends the password unencrypted; submission ports offer STARTTLS (tls: starttls)`,
      fixes: [{ port, tls: "starttls" }],
    };
  }
  return undefined;
}

/** The port/TLS finding for settings, with the keys the user wrote (their own app's keys when imported). */
export function portTlsFinding(s: ProfileSettings, keysOf: (field: keyof ProfileSettings) => string[]): Finding | undefined {
  if (s.port === undefined || s.tls === undefined) return undefined;
  const p = portTlsProblem(s.port, s.tls, s.opportunisticTls);
  if (!p) return undefined;
  const keys = [...new Set([...keysOf("port"), ...keysOf("tls")])];
  return { ...(p.id ? { id: p.id } : {}), severity: p.severity, message: p.message, keys, fixes: p.fixes };
}
