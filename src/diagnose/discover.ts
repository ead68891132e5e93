import { IMPLICIT_PORTS, USUAL_PORTS, type TlsMode } from "../session/tls-mode.js";
import { probeEndpoint, type EndpointProbe } from "../session/detect.js";
import type { SessionOptions } from "../session/session.js";
import type { Preset } from "../config/presets.js";

/** A verified {port, tls}, and every probe made to find it. */
export interface Discovery {
  suggestion: { port: number; tls: TlsMode } | null;
  tried: { port: number; tls: TlsMode | null; ok: boolean; note: string }[];
}

/**
 * The modes to check a port in. The failing port is tried in the other mode at once, and the implicit-TLS ports in
 * implicit TLS: no half-second of plaintext silence before the handshake (see probeEndpoint), so discovery costs
 * about one handshake. Other ports are detected.
 */
function modesToTry(port: number, current: { port: number; tls: TlsMode }): (TlsMode | "auto")[] {
  if (port === current.port) return current.tls === "implicit" ? ["auto"] : current.tls === "none" ? ["implicit", "starttls"] : ["implicit"];
  return [IMPLICIT_PORTS.has(port) ? "implicit" : "auto"];
}

/**
 * Tries the same host's other ports and modes at once (the current port, the provider's, 465, 587, 25) and
 * returns one that was verified to reach EHLO with a trusted certificate. Preference: the same port in the
 * right mode (the smallest change), then implicit TLS (RFC 8314 §3.3 recommends it), then STARTTLS; plaintext
 * only for a target without a password to protect.
 */
export async function discover(base: SessionOptions, current: { port: number; tls: TlsMode }, provider: Preset | null, hasCredentials: boolean): Promise<Discovery> {
  const ports = [...new Set([current.port, ...(provider?.endpoints.map((e) => e.port) ?? []), ...USUAL_PORTS])];
  const timeoutMs = Math.min(base.timeouts.connect, 5000);
  const timeouts = { connect: timeoutMs, greeting: timeoutMs, command: timeoutMs, dataEnd: timeoutMs };
  const tries = ports.flatMap((port) => modesToTry(port, current).map((mode) => ({ port, mode })));
  const probes: EndpointProbe[] = await Promise.all(tries.map(({ port, mode }) => probeEndpoint({ ...base, port, timeouts, auth: undefined, transcript: false }, mode)));
  const tried = probes.map((p) => ({ port: p.port, tls: p.mode, ok: p.report.ok, note: p.report.failure?.message ?? "reaches EHLO" }));
  const working = probes.filter((p) => p.report.ok && p.mode && !(p.port === current.port && p.mode === current.tls));
  const usable = working.filter((p) => p.mode !== "none" || !hasCredentials);
  const rank = (p: EndpointProbe) => (p.port === current.port ? 0 : p.mode === "implicit" ? 1 : p.mode === "starttls" ? 2 : 3);
  const best = usable.sort((a, b) => rank(a) - rank(b))[0];
  return { suggestion: best ? { port: best.port, tls: best.mode! } : null, tried };
}
