import { X509Certificate } from "node:crypto";
import tls, { type PeerCertificate, type TLSSocket } from "node:tls";
import type { Socket } from "node:net";
import { certKind, classifyError, type FailureKind } from "./failure.js";

/** What a TLS handshake showed about the server: protocol, cipher and certificate, and whether we trust it. */
export interface TlsFacts {
  protocol: string | null;
  cipher: string | null;
  subject: string | null;
  subjectAltNames: string[];
  issuer: string | null;
  validFrom: string | null;
  validTo: string | null;
  daysLeft: number | null;
  fingerprint256: string | null;
  /** Length of the chain the server sent, leaf included. */
  chainLength: number;
  /** Chain verified against the trusted CAs and the name matched. */
  verified: boolean;
  /** Why verification failed: an OpenSSL code such as CERT_HAS_EXPIRED, or ERR_TLS_CERT_ALTNAME_INVALID. */
  verifyError: string | null;
  verifyKind: FailureKind | null;
  /** The name the certificate was checked against. */
  checkedName: string;
}

/** How to set up TLS: the name to verify, extra trusted CAs, and whether the user switched verification off. */
export interface TlsOptions {
  host: string;
  servername?: string;
  /** PEM text of extra CAs to trust besides the system roots. */
  ca?: string[];
  insecure?: boolean;
  minVersion?: tls.SecureVersion;
  /** OpenSSL cipher list; only the legacy-version check lowers the security level. */
  ciphers?: string;
}

/** What a handshake that only wants to learn about an outdated server allows: TLS 1.0 and OpenSSL's weakest security level. */
export const LEGACY_TLS = { minVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" } as const satisfies Pick<TlsOptions, "minVersion" | "ciphers">;

/** Result of one handshake: the socket and facts, or the handshake error. */
export type HandshakeResult =
  | { ok: true; socket: TLSSocket; facts: TlsFacts }
  | { ok: false; kind: FailureKind; code?: string; message: string; facts?: TlsFacts };

/**
 * Performs a TLS handshake on a connected socket (implicit TLS, RFC 8314 §3.3) or on one that just got
 * "220" to STARTTLS (RFC 3207 §4). Verification is done by us after the handshake rather than by OpenSSL
 * during it, so that an untrusted certificate can still be shown to the user; nothing is written to the
 * socket before `verified` is decided, and only --insecure lets an unverified session continue.
 */
export function handshake(socket: Socket, opts: TlsOptions, timeoutMs: number): Promise<HandshakeResult> {
  const checkedName = opts.servername ?? opts.host;
  const sni = opts.servername ?? (isIpLiteral(opts.host) ? undefined : opts.host);
  return new Promise((resolve) => {
    let settled = false;
    const tlsSocket = tls.connect({
      socket,
      ...(sni ? { servername: sni } : {}),
      ...(opts.ca?.length ? { ca: [...tls.rootCertificates, ...opts.ca] } : {}),
      ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
      ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
      rejectUnauthorized: false, // verified below (see verifyOutcome); only --insecure lets an unverified session go on
      checkServerIdentity: (_name, cert) => tls.checkServerIdentity(checkedName, cert),
    });
    const timer = setTimeout(() => done({ ok: false, kind: "tls-timeout", message: `TLS handshake did not finish within ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
    function done(r: HandshakeResult) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      tlsSocket.off("error", onError);
      if (!r.ok) {
        tlsSocket.on("error", () => {});
        tlsSocket.destroy();
      }
      resolve(r);
    }
    const onError = (err: NodeJS.ErrnoException & { reason?: string }) =>
      done({ ok: false, kind: classifyError(err, "tls"), ...(err.code ? { code: err.code } : {}), message: tlsMessage(err) });
    tlsSocket.once("error", onError);
    tlsSocket.once("close", () => done({ ok: false, kind: "reset", code: "ECONNRESET", message: "the server closed the connection during the TLS handshake" }));
    tlsSocket.once("secureConnect", () => {
      const facts = collectFacts(tlsSocket, checkedName);
      if (facts.verified || opts.insecure) done({ ok: true, socket: tlsSocket, facts });
      else done({ ok: false, kind: facts.verifyKind ?? "cert-untrusted", code: facts.verifyError ?? "UNKNOWN", message: certMessage(facts), facts });
    });
  });
}

/** Reads protocol, cipher and certificate facts from a connected TLS socket. */
export function collectFacts(s: TLSSocket, checkedName: string): TlsFacts {
  const cert = s.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
  const has = cert && Object.keys(cert).length > 0;
  const verifyError = s.authorized ? null : String(s.authorizationError ?? "UNKNOWN");
  const validTo = has ? new Date(cert.valid_to) : null;
  return {
    protocol: s.getProtocol() ?? null,
    cipher: s.getCipher()?.standardName ?? s.getCipher()?.name ?? null,
    subject: has ? dn(cert.subject) : null,
    subjectAltNames: has && cert.subjectaltname ? cert.subjectaltname.split(/,\s*/) : [],
    issuer: has ? dn(cert.issuer) : null,
    validFrom: has ? new Date(cert.valid_from).toISOString() : null,
    validTo: validTo ? validTo.toISOString() : null,
    daysLeft: validTo ? Math.floor((validTo.getTime() - Date.now()) / 86_400_000) : null,
    fingerprint256: has ? cert.fingerprint256 : null,
    chainLength: has ? chainLength(cert) : 0,
    verified: s.authorized,
    verifyError,
    verifyKind: verifyError ? (certKind(verifyError) ?? "cert-untrusted") : null,
    checkedName,
  };
}

/** One line that says why the certificate was not trusted. */
export function certMessage(f: TlsFacts): string {
  switch (f.verifyKind) {
    case "cert-expired":
      return `the server's certificate expired on ${f.validTo?.slice(0, 10)} (${f.verifyError})`;
    case "cert-not-yet-valid":
      return `the server's certificate is not valid before ${f.validFrom?.slice(0, 10)} (${f.verifyError})`;
    case "cert-hostname":
      return `the certificate is for ${f.subjectAltNames.join(", ") || f.subject}, not for ${f.checkedName} (${f.verifyError})`;
    case "cert-self-signed":
      return `the server's certificate is self-signed (${f.verifyError})`;
    default:
      return `the server's certificate is not signed by a trusted CA: issuer ${f.issuer ?? "unknown"} (${f.verifyError})`;
  }
}

function tlsMessage(err: NodeJS.ErrnoException & { reason?: string }): string {
  // OpenSSL messages carry a changing hex prefix and a source path; the reason is the stable part.
  if (err.reason) return `TLS handshake failed: ${err.reason}`;
  return `TLS handshake failed: ${err.message.split("\n")[0]}`;
}

function dn(d: object | undefined): string | null {
  if (!d) return null;
  return Object.entries(d as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`)
    .join(", ");
}

function chainLength(cert: PeerCertificate & { issuerCertificate?: PeerCertificate }): number {
  let n = 1;
  let c = cert;
  const seen = new Set([c.fingerprint256]);
  while (c.issuerCertificate && !seen.has(c.issuerCertificate.fingerprint256)) {
    c = c.issuerCertificate as typeof cert;
    seen.add(c.fingerprint256);
    n++;
  }
  return n;
}

/** True for IPv4/IPv6 literals, which must not be sent as SNI (RFC 6066 §3). */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

/** Parses PEM text into its certificates' subjects (used to check a --ca file before connecting). */
export function pemSubjects(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b).subject.replace(/\n/g, ", "));
}
