import { setTimeout as sleep } from "node:timers/promises";
import { because, reply, type LabReply } from "../reply.js";
import type { LabConn } from "../smtp-hooks.js";
import { DefaultPersona, type AuthAttempt, type TokenRefusal } from "./default.js";

// Fault personas: the default server plus one failure a client has to survive. Reply texts are the ones real
// servers send: Postfix/postgrey (greylisting, size), RFC 5321 §3.8 (421), Gmail (454 and 421, reference section B).

/** Defaults of the fault knobs, shown in `mailctl lab --help`. */
export const FAULT_DEFAULTS = { greylistSeconds: 60, greetingDelaySeconds: 10, sizeLimit: 102400, windowSeconds: 60, rateLimit: 3, loginLimit: 0 };

/** 450 on the first try of each (client, sender, recipient), accepted on a retry once the wait is over (RFC 6647). */
export class GreylistPersona extends DefaultPersona {
  override readonly name: string = "greylist";
  private readonly firstSeen = new Map<string, number>();

  override rcptTo(conn: LabConn, to: string, from: string): LabReply | undefined {
    const policy = super.rcptTo(conn, to, from);
    if (policy) return policy;
    const wait = (this.settings.greylistSeconds ?? FAULT_DEFAULTS.greylistSeconds) * 1000;
    const key = [conn.remoteAddress, from.toLowerCase(), to.toLowerCase()].join("\0");
    const now = Date.now();
    const first = this.firstSeen.get(key);
    if (first === undefined) this.firstSeen.set(key, now);
    const left = first === undefined ? wait : first + wait - now;
    if (first !== undefined && left <= 0) return undefined;
    const why = first === undefined ? `the first try from this client, sender and recipient: greylisting wants a retry after ${wait / 1000} s (RFC 6647)` : `a retry ${Math.ceil(left / 1000)} s too early for the greylist`;
    return because(reply(450, `4.7.1 <${to}>: Recipient address rejected: Greylisted, try again in ${Math.ceil(left / 1000)} seconds`), why);
  }
}

/** 421 instead of the greeting, as a server that is shutting down or overloaded sends (RFC 5321 §3.8). */
export class UnavailablePersona extends DefaultPersona {
  override readonly name: string = "unavailable";

  override async connect(_conn: LabConn): Promise<LabReply | undefined> {
    return because(reply(421, "4.3.2 Service not available, closing transmission channel"), "the unavailable persona turns every connection away, as a server that is down or full does (RFC 5321 §3.8)");
  }
}

/** Closes the TCP connection once the first bytes of the message arrive: no reply, nothing captured. */
export class DropDataPersona extends DefaultPersona {
  override readonly name: string = "drop-data";

  override dropDuringData(_conn: LabConn): boolean {
    return true;
  }
}

/** Sends the greeting only after a delay. */
export class SlowGreetingPersona extends DefaultPersona {
  override readonly name: string = "slow-greeting";
  private readonly abort = new AbortController();

  override async connect(conn: LabConn): Promise<LabReply | undefined> {
    const seconds = this.settings.greetingDelaySeconds ?? FAULT_DEFAULTS.greetingDelaySeconds;
    await sleep(seconds * 1000, undefined, { signal: this.abort.signal }).catch(() => {});
    return super.connect(conn);
  }

  override close(): void {
    this.abort.abort();
  }
}

/** Advertises a small SIZE; a bigger message gets 552 5.3.4 at MAIL FROM (declared size) or after DATA. */
export class SizeLimitPersona extends DefaultPersona {
  override readonly name: string = "size-limit";
  override readonly size: number = this.settings.sizeLimit ?? FAULT_DEFAULTS.sizeLimit;
}

/** Counts events in a sliding window. */
class Window {
  private times: number[] = [];
  constructor(readonly seconds: number) {}
  /** How many events the window holds now. */
  count(now = Date.now()): number {
    this.times = this.times.filter((t) => now - t < this.seconds * 1000);
    return this.times.length;
  }
  add(now = Date.now()): void {
    this.times.push(now);
  }
}

/** AUTH beyond `limit` attempts per window gets 454 4.7.0, Gmail's throttle (nodemailer#1388). */
export class LoginThrottlePersona extends DefaultPersona {
  override readonly name: string = "login-throttle";
  private readonly window = new Window(this.settings.windowSeconds ?? FAULT_DEFAULTS.windowSeconds);

  override async auth(conn: LabConn, a: AuthAttempt): Promise<{ user: string } | LabReply | TokenRefusal> {
    const limit = this.settings.limit ?? FAULT_DEFAULTS.loginLimit;
    if (this.window.count() >= limit) {
      return because(reply(454, "4.7.0 Too many login attempts, please try again later."), `more than ${limit} logins within ${this.window.seconds} s`);
    }
    this.window.add();
    return super.auth(conn, a);
  }
}

/** MAIL FROM beyond `limit` messages per window gets Gmail's 421 4.7.0 and the connection is closed; later ones pass again. */
export class RateLimitPersona extends DefaultPersona {
  override readonly name: string = "rate-limit";
  private readonly window = new Window(this.settings.windowSeconds ?? FAULT_DEFAULTS.windowSeconds);

  override mailFrom(conn: LabConn, from: string): LabReply | undefined {
    const policy = super.mailFrom(conn, from);
    if (policy) return policy;
    const limit = this.settings.limit ?? FAULT_DEFAULTS.rateLimit;
    if (this.window.count() >= limit) return because(reply(421, "4.7.0 Try again later, closing connection."), `more than ${limit} messages within ${this.window.seconds} s`);
    this.window.add();
    return undefined;
  }
}
