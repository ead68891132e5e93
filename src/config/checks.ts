// Checks on settings that need no connection: a port and a TLS mode that cannot work together, and
// combinations that work but deserve a warning, and settings a preset contradicts. Shared by the validator (where an
// impossible pair is an error, exit 78) and resolution (where it becomes a finding for doctor).

import type { ResolvedPreset } from "./presets.js";
import type { Finding, ProfileSettings } from "../settings.js";
import { portForTls, STANDARD_MODE, type TlsMode } from "../session/tls-mode.js";

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
  const expected = STANDARD_MODE[port];
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

const TLS_WORDS: Record<TlsMode, string> = { implicit: "implicit TLS", starttls: "STARTTLS", none: "plaintext" };

/** A port/TLS finding worded with the app's own keys: `implicit TLS on port 587 (SMTP_PORT, SMTP_USE_TLS, …) cannot work — …`. */
export function appWords(f: Finding, s: ProfileSettings): string {
  const why = f.message.replace(/^port \d+ with tls "\w+" /, "").replace(/ \(tls: \w+\)$/, "");
  return `${TLS_WORDS[s.tls!]} on port ${s.port} (${f.keys.join(", ")}) ${why}`;
}

/** What a preset knows that the settings contradict: a port it does not list, a host that is not its own. */
export function presetFindings(p: ResolvedPreset, s: ProfileSettings): Finding[] {
  const out: Finding[] = [];
  const list = p.endpoints.map((e) => `${e.port} ${e.tls}`).join(", ");
  if (s.port !== undefined && !p.endpoints.some((e) => e.port === s.port)) {
    out.push({ severity: "warning", message: `port ${s.port} is not one ${p.title} offers (${list})`, keys: ["port"], fixes: p.endpoints.slice(0, 1) });
  } else if (s.port !== undefined && s.tls !== undefined && !p.endpoints.some((e) => e.port === s.port && e.tls === s.tls)) {
    out.push({ severity: "warning", message: `${p.title} speaks ${p.endpoints.find((e) => e.port === s.port)!.tls} on port ${s.port}, not ${s.tls}`, keys: ["tls"], fixes: [p.endpoints.find((e) => e.port === s.port)!] });
  }
  const host = s.host?.toLowerCase();
  if (host && host !== p.host && !p.match.hosts.includes(host) && !p.match.hostSuffixes?.some((x) => host.endsWith(x))) {
    out.push({ severity: "warning", message: `host ${s.host} is not ${p.title}'s (${p.host}); the preset's advice may not apply`, keys: ["host", "preset"] });
  }
  return out;
}
