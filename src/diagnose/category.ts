import type { Category } from "../exit-codes.js";
import type { Failure, FailureKind } from "../session/failure.js";
import type { Reply } from "../session/reply.js";

/** Auth-related reply codes: 530 auth required, 534 mechanism too weak, 535 credentials invalid, 538 encryption required (RFC 4954 §6). */
const AUTH_CODES = new Set([530, 534, 535, 538]);

/**
 * The exit category of each failure kind by its nature (design.md's table). Exhaustive: a kind added to
 * session/failure.ts does not compile until it has a row here — the session states the fact, diagnose classifies it.
 */
const KIND_CATEGORY: Record<Exclude<FailureKind, "negative-reply">, Category> = {
  "dns-not-found": "nohost",
  "dns-temporary": "tempfail",
  "connect-timeout": "tempfail",
  "greeting-timeout": "tempfail",
  "reply-timeout": "tempfail",
  "tls-timeout": "tempfail",
  closed: "tempfail",
  reset: "tempfail",
  refused: "unavailable",
  unreachable: "unavailable",
  "tls-handshake": "ioerr",
  "tls-protocol-version": "ioerr",
  "tls-no-shared-cipher": "ioerr",
  "cert-untrusted": "ioerr",
  "cert-self-signed": "ioerr",
  "cert-expired": "ioerr",
  "cert-not-yet-valid": "ioerr",
  "cert-hostname": "ioerr",
  "tls-wrong-version": "protocol",
  "implicit-tls-port": "protocol",
  protocol: "protocol",
  "starttls-not-offered": "protocol",
  "auth-not-offered": "noperm",
  "auth-mechanism-not-offered": "noperm",
  "oauth-refresh-failed": "noperm",
  "credentials-missing": "config",
  aborted: "interrupted",
  "size-exceeded": "unavailable",
};

/** A 4xx/5xx reply: temporary for 4xx; for 5xx, by the stage and the codes (RFC 4954 §6, RFC 3463). */
function replyCategory(f: Pick<Failure, "stage"> & { reply?: Pick<Reply, "code" | "enhanced"> }): Category {
  const code = f.reply?.code ?? 500;
  if (code < 500) return "tempfail";
  if (f.stage === "auth" || AUTH_CODES.has(code)) return "noperm";
  // 553 5.7.1 "Sender address rejected: not owned by user" and the like: a policy on who may send.
  if (f.stage === "mail" && f.reply?.enhanced?.startsWith("5.7.")) return "noperm";
  if (f.stage === "starttls" || f.stage === "ehlo" || f.stage === "ehlo-tls") return "protocol";
  return "unavailable";
}

/**
 * The exit category of a stage failure when no catalog entry is more specific: sysexits by the nature of
 * the failure (design.md's table). The catalog uses this too, so both agree.
 */
export function categoryOf(f: Pick<Failure, "kind" | "stage"> & { reply?: Pick<Reply, "code" | "enhanced"> }): Category {
  return f.kind === "negative-reply" ? replyCategory(f) : KIND_CATEGORY[f.kind];
}
