import type { Reply } from "./reply.js";

/** The stages of one SMTP conversation, in protocol order. "ehlo-tls" is the EHLO repeated after STARTTLS (RFC 3207 §4.2). */
export const STAGES = [
  "dns",
  "tcp",
  "tls",
  "greeting",
  "ehlo",
  "starttls",
  "ehlo-tls",
  "auth",
  "mail",
  "rcpt",
  "data",
  "quit",
] as const;
export type StageName = (typeof STAGES)[number];

/** What went wrong, independent of wording: the catalog turns a kind (plus reply and stage) into a diagnosis. */
export type FailureKind =
  | "dns-not-found"
  | "dns-temporary"
  | "refused"
  | "unreachable"
  | "connect-timeout"
  | "reset"
  /** The peer answered our TLS ClientHello with plaintext (OpenSSL "wrong version number"). */
  | "tls-wrong-version"
  /** The peer accepts only TLS versions we refuse, or the reverse. */
  | "tls-protocol-version"
  /** The peer refused every cipher, even with TLS 1.0 and the weakest cipher level allowed (a NULL-only server). */
  | "tls-no-shared-cipher"
  | "tls-handshake"
  | "tls-timeout"
  | "cert-untrusted"
  | "cert-self-signed"
  | "cert-expired"
  | "cert-not-yet-valid"
  | "cert-hostname"
  | "greeting-timeout"
  /** The port stayed silent in plaintext and a TLS handshake on it succeeded: it speaks implicit TLS. */
  | "implicit-tls-port"
  | "closed"
  | "reply-timeout"
  /** A 4xx/5xx reply (the reply carries the details). */
  | "negative-reply"
  /** A reply that is not SMTP, or one nobody asked for. */
  | "protocol"
  | "starttls-not-offered"
  | "auth-not-offered"
  | "auth-mechanism-not-offered"
  | "credentials-missing"
  | "size-exceeded"
  /** The OAuth2 token endpoint refused to issue an access token, or could not be reached (RFC 6749 §5.2). */
  | "oauth-refresh-failed"
  /** mailctl ended the session itself: an orderly stop (Ctrl-C, SIGTERM) ran out of time. */
  | "aborted";

/** A stage failure: where, what kind, the evidence. */
export interface Failure {
  stage: StageName;
  kind: FailureKind;
  /** One line, for humans; never contains secrets. */
  message: string;
  /** The system or OpenSSL error code behind it, e.g. ECONNREFUSED, CERT_HAS_EXPIRED, ERR_SSL_WRONG_VERSION_NUMBER. */
  code?: string;
  reply?: Reply;
  /** The command that got the reply, secrets redacted (e.g. "AUTH PLAIN <redacted>"). */
  command?: string;
  /** The whole message and its final "." were written, and no 4xx/5xx came back: the server may have accepted it. */
  unconfirmed?: true;
}

const SYSTEM_KINDS: Record<string, FailureKind> = {
  ENOTFOUND: "dns-not-found",
  ENODATA: "dns-not-found",
  EAI_NONAME: "dns-not-found",
  EAI_AGAIN: "dns-temporary",
  ECONNREFUSED: "refused",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EADDRNOTAVAIL: "unreachable",
  ETIMEDOUT: "connect-timeout",
  ECONNRESET: "reset",
  EPIPE: "reset",
};

/** OpenSSL verification codes (X509_V_ERR_* names as Node reports them) → kind. */
const CERT_KINDS: Record<string, FailureKind> = {
  CERT_HAS_EXPIRED: "cert-expired",
  CERT_NOT_YET_VALID: "cert-not-yet-valid",
  DEPTH_ZERO_SELF_SIGNED_CERT: "cert-self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "cert-untrusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "cert-untrusted",
  UNABLE_TO_GET_ISSUER_CERT: "cert-untrusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "cert-untrusted",
  CERT_UNTRUSTED: "cert-untrusted",
  CERT_SIGNATURE_FAILURE: "cert-untrusted",
  CERT_REVOKED: "cert-untrusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "cert-hostname",
  HOSTNAME_MISMATCH: "cert-hostname",
};

/** Maps a certificate verification error code to its kind (undefined when it is not one). */
export function certKind(code: string | undefined): FailureKind | undefined {
  return code ? CERT_KINDS[code] : undefined;
}

/** Maps a socket, DNS or TLS error from Node to a kind; TLS errors are recognised by their OpenSSL codes. */
export function classifyError(err: NodeJS.ErrnoException & { reason?: string }, during: "dns" | "tcp" | "tls"): FailureKind {
  const code = err.code ?? "";
  if (certKind(code)) return certKind(code)!;
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number|packet length too long|unknown protocol/i.test(err.message))
    return "tls-wrong-version";
  if (/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_LOW/i.test(code)) return "tls-protocol-version";
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return "tls-handshake";
  if (SYSTEM_KINDS[code]) return SYSTEM_KINDS[code]!;
  if (during === "dns") return "dns-not-found";
  return during === "tls" ? "tls-handshake" : "reset";
}
