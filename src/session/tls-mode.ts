// The TLS modes of an SMTP endpoint and the ports they usually go with: vocabulary that config, the session,
// diagnose, probe and the lab all speak. Plain data and pure functions; it imports nothing.

/** TLS mode of an SMTP endpoint: implicit TLS from the first byte (RFC 8314 §3.3), STARTTLS upgrade (RFC 3207), or none. */
export type TlsMode = "implicit" | "starttls" | "none";

/** Every TLS mode, in the order help and messages list them. */
export const TLS_MODES: readonly TlsMode[] = ["implicit", "starttls", "none"];

// The mode each well-known port is used with: 465 implicit TLS (RFC 8314 §3.3), 587 submission with STARTTLS
// (RFC 6409), 25 relay in plaintext (RFC 5321); 994, 2465, 2587 and 2525 are the alternatives providers publish.
// Used for defaults only: a server may break a convention (config/checks.ts judges only STANDARD_MODE).
const PORT_MODE: Readonly<Record<number, TlsMode>> = { 465: "implicit", 994: "implicit", 2465: "implicit", 587: "starttls", 2587: "starttls", 25: "none", 2525: "none" };

/** The TLS mode a well-known port implies (RFC 8314 §3.3 for 465, RFC 6409 for 587, RFC 5321 for 25). */
export function tlsForPort(port: number): TlsMode | undefined {
  return PORT_MODE[port];
}

/** The usual port for a TLS mode. */
export function portForTls(tls: TlsMode): number {
  return tls === "implicit" ? 465 : tls === "starttls" ? 587 : 25;
}

/**
 * Only the standard ports, for judging a port/mode pair that cannot work: 465 is implicit TLS (RFC 8314 §3.3),
 * 587 submission with STARTTLS (RFC 6409, RFC 3207), 25 relay in plaintext upgraded with STARTTLS (RFC 5321).
 * Other ports (2525, 2465, 994…) are conventions a server may break, so they are not judged.
 */
export const STANDARD_MODE: Readonly<Record<number, TlsMode>> = { 465: "implicit", 587: "starttls", 25: "none" };

/** Ports that speak implicit TLS (RFC 8314 §3.3 for 465; 994 and 2465 by convention). */
export const IMPLICIT_PORTS: ReadonlySet<number> = new Set(Object.keys(PORT_MODE).map(Number).filter((p) => PORT_MODE[p] === "implicit"));

/** Message submission ports (RFC 6409; 2587 by convention): they should offer STARTTLS (RFC 8314 §3.3). */
export const SUBMISSION_PORTS: ReadonlySet<number> = new Set(Object.keys(PORT_MODE).map(Number).filter((p) => PORT_MODE[p] === "starttls"));

/** The ports worth trying on any host, most secure first: what probe tries at once and discovery falls back to. */
export const USUAL_PORTS: readonly number[] = [465, 587, 25];
