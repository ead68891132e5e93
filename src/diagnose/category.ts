import type { Category } from "../exit-codes.js";
import type { Failure } from "../session/failure.js";
import type { Reply } from "../session/reply.js";

/** Auth-related reply codes: 530 auth required, 534 mechanism too weak, 535 credentials invalid, 538 encryption required (RFC 4954 §6). */
const AUTH_CODES = new Set([530, 534, 535, 538]);

/**
 * The exit category of a stage failure when no catalog entry is more specific: sysexits by the nature of
 * the failure (design.md's table). The catalog uses this too, so both agree.
 */
export function categoryOf(f: Pick<Failure, "kind" | "stage"> & { reply?: Pick<Reply, "code" | "enhanced"> }): Category {
  switch (f.kind) {
    case "dns-not-found":
      return "nohost";
    case "dns-temporary":
    case "connect-timeout":
    case "greeting-timeout":
    case "reply-timeout":
    case "tls-timeout":
    case "closed":
    case "reset":
      return "tempfail";
    case "refused":
    case "unreachable":
      return "unavailable";
    case "tls-handshake":
    case "tls-protocol-version":
    case "tls-no-shared-cipher":
    case "cert-untrusted":
    case "cert-self-signed":
    case "cert-expired":
    case "cert-not-yet-valid":
    case "cert-hostname":
      return "ioerr";
    case "tls-wrong-version":
    case "implicit-tls-port":
    case "protocol":
    case "starttls-not-offered":
      return "protocol";
    case "auth-not-offered":
    case "auth-mechanism-not-offered":
    case "oauth-refresh-failed":
      return "noperm";
    case "credentials-missing":
      return "config";
    case "aborted":
      return "interrupted";
    case "size-exceeded":
      return "unavailable";
    case "negative-reply": {
      const code = f.reply?.code ?? 500;
      if (code < 500) return "tempfail";
      if (f.stage === "auth" || AUTH_CODES.has(code)) return "noperm";
      // 553 5.7.1 "Sender address rejected: not owned by user" and the like: a policy on who may send.
      if (f.stage === "mail" && f.reply?.enhanced?.startsWith("5.7.")) return "noperm";
      if (f.stage === "starttls" || f.stage === "ehlo" || f.stage === "ehlo-tls") return "protocol";
      return "unavailable";
    }
  }
}
