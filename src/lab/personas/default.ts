import { createHash, timingSafeEqual } from "node:crypto";
import { because, reply, type LabReply } from "../reply.js";
import type { LabConn } from "../smtp-hooks.js";

/** The lab's one account. */
export const LAB_USER = "lab@mailctl.test";
/** The domain the lab receives mail for; anything else is relaying. */
export const LAB_DOMAIN = "mailctl.test";

/** Knobs of the fault personas; each persona reads the ones it uses. */
export interface PersonaSettings {
  account: { user: string; password: string };
  /** greylist: how long a retry must wait. */
  greylistSeconds?: number;
  /** slow-greeting: how long the greeting waits. */
  greetingDelaySeconds?: number;
  /** size-limit: the advertised SIZE, in bytes. */
  sizeLimit?: number;
  /** rate-limit (messages) and login-throttle (AUTH attempts): how many are allowed per window. */
  limit?: number;
  windowSeconds?: number;
}

/** One AUTH attempt as smtp-server hands it over. */
export interface AuthAttempt {
  method: string;
  username: string;
  password?: string;
  accessToken?: string;
}

/** A refused XOAUTH2 token answered the way Gmail does: a 334 error challenge (base64 JSON), then `reply`. */
export interface TokenRefusal {
  challenge: Record<string, string>;
  reply: LabReply;
}

/** The envelope of the message being judged at the end of DATA. */
export interface MessageEnvelope {
  mailFrom: string;
  rcptTo: string[];
  smtpUtf8: boolean;
}

/** An extra account a persona adds, documented in `mailctl lab --help` and README. */
export interface ExtraAccount {
  user: string;
  note: string;
}

/**
 * The default persona: a correct, strict submission server, as Postfix is usually set up. Port 587-style
 * requires STARTTLS before AUTH or mail (RFC 3207 §4, RFC 8314 §3.3); 465 and 587 require AUTH to send
 * (RFC 6409 §4.3); the 25-style port takes unauthenticated mail only for the lab's own domain. Every other
 * persona extends it and changes only what its provider does differently.
 */
export class DefaultPersona {
  readonly name: string = "default";
  readonly serverName: string = "lab.mailctl.test";
  /** RFC 2034 ENHANCEDSTATUSCODES: advertised, and smtp-server's own replies carry the codes. */
  readonly enhancedCodes: boolean = true;
  readonly authMethods: string[] = ["PLAIN", "LOGIN"];
  /** First line of the EHLO reply, smtp-server's format ("%s" = server name, then client address literal). */
  readonly heloResponse: string = "%s Hello %s";
  /** The SIZE advertised (RFC 1870); Postfix's default message_size_limit. */
  readonly size: number = 10240000;
  readonly extraAccounts: ExtraAccount[] = [];
  protected readonly passwords = new Map<string, string>();

  constructor(readonly settings: PersonaSettings) {
    this.passwords.set(settings.account.user.toLowerCase(), settings.account.password);
  }

  /** Text of the 220 greeting. */
  greeting(_conn: LabConn): string {
    return `${this.serverName} ESMTP mailctl lab`;
  }

  /** EHLO keywords. Before STARTTLS on the submission port AUTH is not offered (Postfix smtpd_tls_auth_only). */
  ehlo(conn: LabConn, keywords: string[]): string[] {
    return this.tlsRequired(conn) ? keywords.filter((k) => !k.startsWith("AUTH")) : keywords;
  }

  /** Answers a command before smtp-server does; undefined lets it through. */
  command(conn: LabConn, verb: string, line: string): LabReply | undefined {
    if (verb === "AUTH" && conn.helo && this.tlsRequired(conn)) return because(this.starttlsRequired(conn), "the submission port takes AUTH only after STARTTLS (RFC 3207 §4; Postfix smtpd_tls_auth_only)");
    if (verb === "MAIL") {
      // RFC 1870 §6.2: a declared size over the limit is refused at MAIL FROM.
      const size = /\sSIZE=(\d+)/i.exec(line);
      if (size && conn.helo && Number(size[1]) > this.size) return because(this.tooBig(conn), `the declared SIZE=${size[1]} is over the ${this.size} bytes the server advertised (RFC 1870 §6.2)`);
    }
    return undefined;
  }

  /** Runs before the greeting; a reply refuses the connection instead. */
  async connect(_conn: LabConn): Promise<LabReply | undefined> {
    return undefined;
  }

  /** Checks credentials: the user name if they are right, else the reply that refuses them. */
  async auth(conn: LabConn, a: AuthAttempt): Promise<{ user: string } | LabReply | TokenRefusal> {
    const expected = this.passwords.get(a.username.toLowerCase());
    const given = a.method === "XOAUTH2" ? a.accessToken : a.password;
    if (expected !== undefined && given !== undefined && samePassword(given, expected)) return { user: a.username };
    const what = a.method === "XOAUTH2" ? "token" : "password";
    return because(this.authFailed(conn, a), expected === undefined ? `there is no account "${a.username}" on this server` : `the ${what} is not the one of ${a.username}`);
  }

  /** MAIL FROM policy. */
  mailFrom(conn: LabConn, _from: string): LabReply | undefined {
    if (this.tlsRequired(conn)) return because(this.starttlsRequired(conn), "the submission port takes mail only after STARTTLS (RFC 3207 §4, RFC 8314 §3.3)");
    if (conn.port !== "plain" && !conn.user) return because(this.authRequired(conn), "this port sends mail only for clients that signed in with AUTH (RFC 6409 §4.3)");
    return undefined;
  }

  /** RCPT TO policy: unknown local users, then relaying (RFC 5321 §3.6.2: no open relay). */
  rcptTo(conn: LabConn, to: string, _from: string): LabReply | undefined {
    const [local, domain] = splitAddress(to);
    if (domain === LAB_DOMAIN && (local === "unknown" || local === "nobody")) {
      return because(this.policy(550, "5.1.1", `<${to}>: Recipient address rejected: User unknown in local recipient table`), `there is no mailbox "${local}" at ${LAB_DOMAIN}`);
    }
    if (!conn.user && domain !== LAB_DOMAIN) return because(this.policy(554, "5.7.1", `<${to}>: Relay access denied`), `a client that did not sign in may send only to ${LAB_DOMAIN}: the server is no open relay (RFC 5321 §3.6.2)`);
    return undefined;
  }

  /** drop-data closes the connection in the middle of DATA. */
  dropDuringData(_conn: LabConn): boolean {
    return false;
  }

  /** Judges the message once it is received (its head: the header and the start of the body). */
  message(_conn: LabConn, _head: Buffer, _envelope: MessageEnvelope): LabReply | undefined {
    return undefined;
  }

  /** The 250 after DATA. */
  accepted(_conn: LabConn, id: string): LabReply {
    return this.policy(250, "2.0.0", `Ok: queued as ${id}`);
  }

  starttlsRequired(_conn: LabConn): LabReply {
    return this.policy(530, "5.7.0", "Must issue a STARTTLS command first");
  }

  authRequired(_conn: LabConn): LabReply {
    return this.policy(530, "5.7.0", "Authentication required");
  }

  authFailed(_conn: LabConn, _a: AuthAttempt): LabReply {
    return this.policy(535, "5.7.8", "Error: Authentication credentials invalid");
  }

  tooBig(_conn: LabConn): LabReply {
    return this.policy(552, "5.3.4", "Message size exceeds fixed limit");
  }

  /** Cancels timers the persona holds (the lab is closing). */
  close(): void {}

  /** One of the default's replies, with its RFC 3463 code only when the persona advertises ENHANCEDSTATUSCODES (RFC 2034 §3). */
  protected policy(code: number, enhanced: string, text: string): LabReply {
    return reply(code, this.enhancedCodes ? `${enhanced} ${text}` : text);
  }

  /** True on the submission port before STARTTLS. */
  protected tlsRequired(conn: LabConn): boolean {
    return conn.port === "starttls" && !conn.secure;
  }
}

/** Compares passwords in constant time (hashes first, so the lengths match). */
export function samePassword(a: string, b: string): boolean {
  const h = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(h(a), h(b));
}

/** Local part and lower-cased domain of an address. */
export function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf("@");
  return at < 0 ? [address.toLowerCase(), ""] : [address.slice(0, at).toLowerCase(), address.slice(at + 1).toLowerCase()];
}

/** True when two addresses name the same mailbox (domains are case-insensitive, RFC 5321 §2.4; local parts compared as providers do, ignoring case). */
export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
