import { runSession, type SessionReport } from "./run.js";
import { SNIFF_AFTER_MS, type SessionOptions } from "./session.js";
import { findStage } from "./stage-result.js";
import { connectAny, lookup } from "./connect.js";
import { handshake, LEGACY_TLS } from "./tls-facts.js";
import type { TlsMode } from "./tls-mode.js";

/** A port's detected TLS mode and the session that found it. */
export interface EndpointProbe {
  port: number;
  /** implicit: TLS from the first byte; starttls: plaintext offering STARTTLS; none: plaintext only; null: unknown (no SMTP reached). */
  mode: TlsMode | null;
  /** How the mode was learned. */
  detectedBy: "asked" | "greeting" | "tls-handshake" | null;
  report: SessionReport;
  /** Total time, detection included. */
  ms: number;
  /** When a modern handshake failed on the protocol version: the old version the server does speak. */
  legacyTls?: string | null;
}

/**
 * Finds out what a port speaks and runs the stages up to EHLO in that mode. With "auto", it connects in
 * plaintext first (a server that greets is plaintext; its EHLO tells whether STARTTLS is offered); a port
 * that stays silent is tried with a TLS handshake after SNIFF_AFTER_MS, and a success means implicit TLS —
 * so an implicit-TLS port is recognised in about half a second, never by waiting out a greeting timeout.
 * Plaintext goes first because a ClientHello sent before the greeting counts as a "pregreet" protocol
 * violation on servers such as Postfix's postscreen.
 */
export async function probeEndpoint(base: SessionOptions, tls: TlsMode | "auto"): Promise<EndpointProbe> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  if (tls !== "auto") {
    const report = await runSession({ ...base, tls, opportunisticTls: false }, "ehlo");
    return withLegacy({ port: base.port, mode: modeOf(report, tls), detectedBy: "asked", report, ms: ms() }, base);
  }
  const plain = await runSession({ ...base, tls: "none", opportunisticTls: true, sniffAfterMs: SNIFF_AFTER_MS }, "ehlo");
  if (plain.failure?.kind === "implicit-tls-port") {
    const report = await runSession({ ...base, tls: "implicit" }, "ehlo");
    return withLegacy({ port: base.port, mode: "implicit", detectedBy: "tls-handshake", report, ms: ms() }, base);
  }
  const mode = modeOf(plain, null);
  return withLegacy({ port: base.port, mode, detectedBy: mode ? "greeting" : null, report: plain, ms: ms() }, base);
}

/** The mode a finished session shows: implicit if asked and TLS came up; starttls if the plaintext EHLO offered it. */
function modeOf(r: SessionReport, asked: TlsMode | null): TlsMode | null {
  if (r.failure?.kind === "implicit-tls-port") return "implicit";
  if (asked === "implicit") return r.stages.some((s) => s.stage === "tls" && s.status === "ok") ? "implicit" : null;
  const ehlo = findStage(r.stages, "ehlo", "ok");
  if (!ehlo) return asked;
  return ehlo.detail.extensions?.starttls ? "starttls" : "none";
}

/** After a protocol-version failure, learns which old TLS version the server speaks (for the "TLS below 1.2" finding). */
async function withLegacy(p: EndpointProbe, base: SessionOptions): Promise<EndpointProbe> {
  if (p.report.failure?.kind !== "tls-protocol-version") return p;
  p.legacyTls = await legacyTlsVersion(base, p.report.failure.stage === "tls");
  return p;
}

/**
 * Connects once more allowing TLS 1.0/1.1 only to name the version the server offers; nothing is sent over it.
 * Only for implicit TLS: over STARTTLS the same would need a second SMTP dialogue, and the finding is the same.
 */
async function legacyTlsVersion(base: SessionOptions, implicit: boolean): Promise<string | null> {
  if (!implicit) return null;
  const dns = await lookup(base.host, base.family, base.timeouts.connect, base.resolver);
  if (!dns.ok) return null;
  const c = await connectAny(dns.addresses, base.port, base.timeouts.connect);
  if (!c.ok) return null;
  const r = await handshake(c.socket, { host: base.host, insecure: true, ...LEGACY_TLS }, base.timeouts.connect);
  if (!r.ok) return null;
  r.socket.destroy();
  return r.facts.protocol;
}
