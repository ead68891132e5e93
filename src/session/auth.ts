import { createHmac } from "node:crypto";
import type { FailureKind } from "./failure.js";
import type { Reply } from "./reply.js";
import { MECHANISMS, PASSWORD_MECHANISMS, TOKEN_MECHANISMS } from "./sasl.js";

/** Credentials for AUTH. `passwordSource` names where the password was to come from, for a useful error when it is empty. */
export interface AuthCredentials {
  user: string;
  password?: string;
  /** OAuth2 access token for XOAUTH2 / OAUTHBEARER. */
  token?: string;
  /** Where OAuth2 access tokens come from when they are fetched on demand (and refreshed once when refused). */
  oauth?: TokenSource;
  /** Force one SASL mechanism. */
  method?: string;
  passwordSource?: string;
}

/**
 * A supplier of OAuth2 access tokens (src/credentials/oauth2.ts implements it). The session asks for a token only once
 * it knows the server offers a token mechanism, and asks for a fresh one once if the server refuses it.
 */
export interface TokenSource {
  /** A current access token. Throws a TokenFailure when there is none to be had. */
  token(): Promise<string>;
  /** A new token after the server refused the current one, or null when a new one cannot help (none can be fetched, or it was just fetched). */
  renew(): Promise<string | null>;
  /** What is known about the token in use, for the auth stage's detail and the diagnosis (never the token itself). */
  facts(): TokenFacts;
}

/** Why no token could be had: the failure kind to report, a one-line message without secrets, and facts for the diagnosis. */
export interface TokenFailure {
  failureKind: FailureKind;
  message: string;
  facts: TokenFacts;
}

/** The facts a TokenSource reports about the token in use (src/credentials/oauth2.ts facts()): the auth stage records them, diagnose reads them. */
export interface TokenFacts {
  source?: string;
  /** Issued by the token endpoint during this run: it cannot have expired. */
  fresh?: boolean;
  /** Renewed once after the server refused the first token. */
  renewed?: boolean;
  expiresAt?: string;
  grantedScope?: string;
  requiredScope?: string;
  missingScope?: string;
  tokenUrl?: string;
  /** The token endpoint's RFC 6749 §5.2 error ("unreachable" / "bad-response" when there was none to read). */
  endpointError?: { error: string; description?: string; httpStatus?: number; tokenUrl?: string };
  /** The server's reply to the first token, when a renewed one was tried too. */
  firstReply?: string;
}

/** True for an error a TokenSource throws to say why there is no token. */
export function isTokenFailure(err: unknown): err is TokenFailure {
  return typeof err === "object" && err !== null && typeof (err as TokenFailure).failureKind === "string" && typeof (err as TokenFailure).facts === "object";
}

/** Picks the SASL mechanism from what the server offers (RFC 4954 §3) and what the credentials allow. */
export function chooseMechanism(offered: string[], creds: AuthCredentials): { ok: true; mechanism: string } | { ok: false; kind: FailureKind; message: string } {
  if (offered.length === 0) return { ok: false, kind: "auth-not-offered", message: "the server does not offer AUTH on this connection" };
  if (creds.method) {
    const m = creds.method.toUpperCase();
    if (!offered.includes(m)) return { ok: false, kind: "auth-mechanism-not-offered", message: `AUTH ${m} was asked for, but the server offers only ${offered.join(", ")}` };
    if (!MECHANISMS.includes(m)) return { ok: false, kind: "auth-mechanism-not-offered", message: `mailctl cannot do AUTH ${m}` };
    return { ok: true, mechanism: m };
  }
  const hasToken = Boolean(creds.token || creds.oauth);
  // With OAuth2 credentials the token mechanisms come first; a password, when there is one too, is the fallback.
  const wanted = hasToken ? [...TOKEN_MECHANISMS, ...(creds.password ? PASSWORD_MECHANISMS : [])] : PASSWORD_MECHANISMS;
  const m = wanted.find((w) => offered.includes(w));
  if (!m) return { ok: false, kind: "auth-mechanism-not-offered", message: `the server offers AUTH ${offered.join(", ")}, none of which works with ${hasToken ? "an OAuth2 token" : "a password"} (mailctl can do ${wanted.join(", ")})` };
  return { ok: true, mechanism: m };
}

/** The two operations a SASL exchange needs from the connection. */
export interface SaslIo {
  send(line: string, secret: boolean): void;
  read(): Promise<Reply>;
}

/** Runs one SASL exchange and returns the server's final reply (235 on success). Every line carrying a secret is sent as secret. */
export async function saslExchange(mechanism: string, c: AuthCredentials, io: SaslIo, detail: { oauthChallenge?: unknown }): Promise<Reply> {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  switch (mechanism) {
    case "PLAIN": {
      // RFC 4616 §2: [authzid] NUL authcid NUL passwd, sent as the initial response (RFC 4954 §4).
      io.send(`AUTH PLAIN ${b64(`\u0000${c.user}\u0000${c.password}`)}`, true);
      let r = await io.read();
      if (r.code === 334) {
        io.send(b64(`\u0000${c.user}\u0000${c.password}`), true);
        r = await io.read();
      }
      return r;
    }
    case "LOGIN": {
      io.send("AUTH LOGIN", false);
      let r = await io.read();
      if (r.code !== 334) return r;
      io.send(b64(c.user), true);
      r = await io.read();
      if (r.code !== 334) return r;
      io.send(b64(c.password ?? ""), true);
      return io.read();
    }
    case "CRAM-MD5": {
      io.send("AUTH CRAM-MD5", false);
      const r = await io.read();
      if (r.code !== 334) return r;
      // RFC 2195 §2: user SP hex(HMAC-MD5(password, challenge)).
      const challenge = Buffer.from(r.text, "base64").toString("utf8");
      const digest = createHmac("md5", c.password ?? "").update(challenge).digest("hex");
      io.send(b64(`${c.user} ${digest}`), true);
      return io.read();
    }
    case "XOAUTH2":
    case "OAUTHBEARER": {
      const payload =
        mechanism === "XOAUTH2"
          ? `user=${c.user}\u0001auth=Bearer ${c.token ?? c.password}\u0001\u0001`
          : `n,a=${c.user},\u0001auth=Bearer ${c.token ?? c.password}\u0001\u0001`; // RFC 7628 §3.1
      io.send(`AUTH ${mechanism} ${b64(payload)}`, true);
      let r = await io.read();
      if (r.code === 334) {
        // The server's error comes as a base64 JSON challenge; the client answers with an empty line (RFC 7628 §3.2.3).
        detail.oauthChallenge = decodeChallenge(r.text);
        io.send(mechanism === "XOAUTH2" ? "" : "AQ==", false);
        r = await io.read();
      }
      return r;
    }
    default:
      throw new Error(`unsupported SASL mechanism ${mechanism}`);
  }
}

/** True for the token mechanisms, XOAUTH2 and OAUTHBEARER. */
export function isTokenMechanism(mechanism: string): boolean {
  return TOKEN_MECHANISMS.includes(mechanism);
}

/**
 * Whether a refused token mechanism is worth one more try with a fresh token: the server sent an error challenge
 * (Google, RFC 7628 §3.2.2) or 535 (Microsoft: "535 5.7.3 Authentication unsuccessful", no challenge). Not 5.7.139
 * (SMTP AUTH switched off for the mailbox or tenant) or 5.7.30: no token gets past those.
 */
export function mayBeStaleToken(reply: Reply, challenge: unknown): boolean {
  if (reply.enhanced === "5.7.139" || reply.enhanced === "5.7.30") return false;
  return challenge !== undefined || reply.code === 535;
}

/** Decodes an OAuth2 error challenge ({"status":"400","schemes":"Bearer","scope":"…"}), or returns the raw text. */
export function decodeChallenge(text: string): unknown {
  const raw = Buffer.from(text.trim(), "base64").toString("utf8");
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
