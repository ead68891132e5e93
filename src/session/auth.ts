import { createHmac } from "node:crypto";
import type { FailureKind } from "./failure.js";
import type { Reply } from "./reply.js";

/** Credentials for AUTH. `passwordSource` names where the password was to come from, for a useful error when it is empty. */
export interface AuthCredentials {
  user: string;
  password?: string;
  /** OAuth2 access token for XOAUTH2 / OAUTHBEARER. */
  token?: string;
  /** Force one SASL mechanism. */
  method?: string;
  passwordSource?: string;
}

/** Mechanisms we can run, in order of preference when the user has a password. CRAM-MD5 last: it needs the password in clear on the server. */
const PASSWORD_MECHANISMS = ["PLAIN", "LOGIN", "CRAM-MD5"];
const TOKEN_MECHANISMS = ["XOAUTH2", "OAUTHBEARER"];

/** Picks the SASL mechanism from what the server offers (RFC 4954 §3) and what the credentials allow. */
export function chooseMechanism(offered: string[], creds: AuthCredentials): { ok: true; mechanism: string } | { ok: false; kind: FailureKind; message: string } {
  if (offered.length === 0) return { ok: false, kind: "auth-not-offered", message: "the server does not offer AUTH on this connection" };
  if (creds.method) {
    const m = creds.method.toUpperCase();
    if (!offered.includes(m)) return { ok: false, kind: "auth-mechanism-not-offered", message: `AUTH ${m} was asked for, but the server offers only ${offered.join(", ")}` };
    if (![...PASSWORD_MECHANISMS, ...TOKEN_MECHANISMS].includes(m)) return { ok: false, kind: "auth-mechanism-not-offered", message: `mailctl cannot do AUTH ${m}` };
    return { ok: true, mechanism: m };
  }
  const wanted = creds.token ? TOKEN_MECHANISMS : PASSWORD_MECHANISMS;
  const m = wanted.find((w) => offered.includes(w));
  if (!m) return { ok: false, kind: "auth-mechanism-not-offered", message: `the server offers AUTH ${offered.join(", ")}, none of which works with ${creds.token ? "an OAuth2 token" : "a password"} (mailctl can do ${wanted.join(", ")})` };
  return { ok: true, mechanism: m };
}

/** The two operations a SASL exchange needs from the connection. */
export interface SaslIo {
  send(line: string, secret: boolean): void;
  read(): Promise<Reply>;
}

/** Runs one SASL exchange and returns the server's final reply (235 on success). Every line carrying a secret is sent as secret. */
export async function saslExchange(mechanism: string, c: AuthCredentials, io: SaslIo, detail: Record<string, unknown>): Promise<Reply> {
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

/** Decodes an OAuth2 error challenge ({"status":"400","schemes":"Bearer","scope":"…"}), or returns the raw text. */
export function decodeChallenge(text: string): unknown {
  const raw = Buffer.from(text.trim(), "base64").toString("utf8");
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
