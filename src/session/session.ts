import os from "node:os";
import type { Readable } from "node:stream";
import { connectAny, lookup, speaksImplicitTls, type Resolved } from "./connect.js";
import { parseExtensions, type Extensions } from "./extensions.js";
import type { Failure, FailureKind, StageName } from "./failure.js";
import { chooseMechanism, isTokenFailure, isTokenMechanism, mayBeStaleToken, saslExchange, type AuthCredentials, type TokenSource } from "./auth.js";
import { DotStuffer } from "./dot-stuff.js";
import { Redactor } from "./redact.js";
import { formatReply, type Reply } from "./reply.js";
import { handshake, LEGACY_TLS, type HandshakeResult, type TlsFacts, type TlsOptions } from "./tls-facts.js";
import { Transcript } from "./transcript.js";
import { seconds, Wire, WireError } from "./wire.js";
import type { TlsMode } from "./tls-mode.js";
import { findStage, type StageDetail, type StageDetails, type StageResult, type StageResultOf } from "./stage-result.js";

/** How long a plaintext client waits in silence before it checks for implicit TLS. Plaintext servers greet within milliseconds. */
export const SNIFF_AFTER_MS = 500;

/** Per-wait timeouts in milliseconds. RFC 5321 §4.5.3.2 gives servers minutes; a diagnostic tool should answer sooner. */
export interface Timeouts {
  connect: number;
  greeting: number;
  command: number;
  /** Wait for the reply to the final "." of DATA (RFC 5321 §4.5.3.2.6 suggests 10 minutes). */
  dataEnd: number;
}

/** Everything one conversation needs. Secrets are registered with the redactor before anything is sent. */
export interface SessionOptions {
  host: string;
  port: number;
  tls: TlsMode;
  /** With tls "none": upgrade with STARTTLS when the server offers it. */
  opportunisticTls?: boolean;
  family?: 4 | 6;
  servername?: string;
  ca?: string[];
  insecure?: boolean;
  /** EHLO name; default: this host's name when it is fully qualified, else our address literal (RFC 5321 §4.1.4). */
  name?: string;
  timeouts: Timeouts;
  /** In plaintext, after this many ms without a greeting, check whether the port speaks implicit TLS; false to never check. */
  sniffAfterMs?: number | false;
  /** Resolve with this DNS server instead of the system resolver. */
  resolver?: string;
  auth?: AuthCredentials;
  transcript?: boolean;
  redactor?: Redactor;
  /** Told before credentials go out on a connection without TLS (the command shows it as a warning). */
  warn?: (message: string) => void;
  /** Handshake allowing TLS 1.0 and OpenSSL's weakest ciphers, unverified: only to learn why a modern handshake was refused. */
  legacyTls?: boolean;
}

/** A message to send: envelope and the RFC 5322 bytes (a stream is sent as it is read). */
export interface Outgoing {
  from: string;
  to: string[];
  data: Buffer | Readable;
  /** Known size in bytes, for the RFC 1870 SIZE parameter. */
  size?: number;
  /** The message needs 8BITMIME (RFC 6152) or SMTPUTF8 (RFC 6531). */
  eightBit?: boolean;
  smtputf8?: boolean;
}

/** How one message is sent. */
export interface SendMode {
  /** RFC 2920: when the server offers PIPELINING, MAIL, every RCPT and DATA go out in one write. */
  pipelining?: boolean;
  /** A 4xx/5xx reply other than 421 ends the transaction but not the connection (for a caller that sends many messages on it). */
  keepConnection?: boolean;
}

/** One message's share of a long-lived session: its stages and failure, and what the connection can do next. */
export interface Transaction {
  delivery: Delivery | null;
  failure: Failure | null;
  stages: StageResult[];
  /** The connection can take another message. */
  usable: boolean;
  /** MAIL was accepted but the transaction did not complete: RSET before the next MAIL (RFC 5321 §4.1.1.5). */
  midway: boolean;
  /** The whole message and its final "." were written but no reply came: the server may have accepted it. */
  unconfirmed: boolean;
}

/** What the server said about one message. */
export interface Delivery {
  accepted: string[];
  rejected: { address: string; reply: Reply }[];
  reply: Reply | null;
  ms: number;
}

/**
 * One SMTP conversation as explicit stages, in protocol order (RFC 5321 §3, RFC 3207, RFC 4954), the way
 * nodemailer's smtp-connection chains its actions — but each stage is a method that records its own
 * result, so a caller can stop after any stage and a reader can point at the one that failed.
 *
 * Written on raw sockets rather than on nodemailer's SMTPConnection because diagnosis needs what that class
 * does not expose: timing per stage, the certificate of a server we do not trust, STARTTLS on a port that is
 * already encrypted (the QQ case), the raw bytes of non-UTF-8 replies, and a silent port tested for TLS.
 */
export class Session {
  readonly stages: StageResult[] = [];
  readonly redactor: Redactor;
  readonly transcript: Transcript | null;
  failure: Failure | null = null;
  address: Resolved | null = null;
  tlsFacts: TlsFacts | null = null;
  extensions: Extensions | null = null;
  greeting: Reply | null = null;
  secure = false;
  authenticated = false;
  private wire: Wire | null = null;
  /** Set by abort(): whatever was under way fails as "aborted". */
  private aborted = false;
  /** Set while send() runs in a mode that keeps the connection after a refusal. */
  private keepConnection = false;
  private addresses: Resolved[] = [];
  private readonly t0 = performance.now();

  constructor(readonly opts: SessionOptions) {
    this.redactor = opts.redactor ?? new Redactor();
    if (opts.auth?.password) this.redactor.add(opts.auth.password, opts.auth.user);
    if (opts.auth?.token) this.redactor.add(opts.auth.token, opts.auth.user);
    this.transcript = opts.transcript ? new Transcript(this.t0) : null;
  }

  /** dns → tcp → tls (implicit only) → greeting. */
  async open(): Promise<boolean> {
    return (await this.dns()) && (await this.tcp()) && (await this.implicitTls()) && (await this.readGreeting());
  }

  /** ehlo → starttls → ehlo-tls, as the TLS mode asks. */
  async hello(): Promise<boolean> {
    if (!(await this.ehlo("ehlo"))) return false;
    const offered = this.extensions?.starttls ?? false;
    const wanted = this.opts.tls === "starttls" || (this.opts.tls === "none" && this.opts.opportunisticTls && offered);
    if (!wanted) {
      this.skip("starttls", this.opts.tls === "implicit" ? "already encrypted (implicit TLS)" : offered ? "STARTTLS offered but not used (tls none)" : "not offered");
      this.skip("ehlo-tls", "no TLS upgrade");
      return true;
    }
    if (!(await this.starttls())) return false;
    return this.ehlo("ehlo-tls");
  }

  /** Sends STARTTLS and upgrades (RFC 3207 §4). Public so diagnosis can send it on an implicit-TLS session too. */
  async starttls(): Promise<boolean> {
    return this.stage("starttls", async (detail) => {
      if (!this.extensions?.starttls && !this.secure && this.opts.tls === "starttls") {
        return this.fail("starttls-not-offered", "the server does not offer STARTTLS, but the settings require it");
      }
      const reply = await this.command("STARTTLS");
      if (reply.code !== 220) return this.failReply(reply, "STARTTLS");
      const wire = this.wire!;
      // Bytes after the 220 (a reply nobody asked for fails the wire at once) were sent before TLS could protect them.
      if (wire.unread > 0 || wire.error?.kind === "protocol") return this.fail("protocol", "the server sent data after its 220 to STARTTLS (RFC 3207 §5: possible command injection)");
      const r = await handshake(wire.detach(), this.tlsOptions(), this.opts.timeouts.command);
      this.tlsFacts = r.ok ? r.facts : (r.facts ?? null);
      if (this.tlsFacts) Object.assign(detail, { tls: this.tlsFacts });
      if (!r.ok) return this.tlsFailed(r, detail);
      wire.attachTo(r.socket, 0);
      this.secure = true;
      // RFC 3207 §4.2: the client must discard what it learned before TLS and ask again.
      this.extensions = null;
      this.transcript?.event(`TLS started: ${r.facts.protocol} ${r.facts.cipher}`);
      return true;
    });
  }

  /**
   * AUTH with the configured credentials (RFC 4954); skipped when there are none. An OAuth2 token is fetched only
   * once the server is known to offer a token mechanism; when the server refuses it, a fresh token is fetched and
   * AUTH tried once more on the same connection (RFC 4954 §4 allows another AUTH after a failed one; nodemailer's
   * XOAUTH2 does the same).
   */
  async authenticate(): Promise<boolean> {
    const creds = this.opts.auth;
    if (!creds) {
      this.skip("auth", "no credentials configured");
      return true;
    }
    return this.stage("auth", async (detail) => {
      const offered = this.extensions?.auth ?? [];
      detail.offered = offered;
      detail.user = creds.user;
      if (!creds.password && !creds.token && !creds.oauth) {
        return this.fail("credentials-missing", creds.passwordSource ? `no password: ${creds.passwordSource} is empty or unset` : "no password was given");
      }
      const mech = chooseMechanism(offered, creds);
      if (!mech.ok) return this.fail(mech.kind, mech.message);
      detail.mechanism = mech.mechanism;
      const tokenMech = isTokenMechanism(mech.mechanism);
      if (!tokenMech && !creds.password) return this.fail("credentials-missing", `AUTH ${mech.mechanism} needs a password, and ${creds.passwordSource ? `${creds.passwordSource} is empty or unset` : "none was given"}`);
      let token = creds.token;
      if (tokenMech && creds.oauth) {
        const got = await this.oauthToken(creds.oauth, "token", detail);
        if (!got.ok) return false;
        token = got.token!;
      }
      if (!this.secure) {
        // RFC 4954 §4: credentials without TLS can be read by anyone on the path. Said before they go out.
        detail.cleartext = true;
        const why = this.opts.tls === "none" ? (this.opts.opportunisticTls ? "the server did not offer STARTTLS" : "--tls none") : "no TLS";
        this.opts.warn?.(`sending the credentials of ${creds.user} to ${this.opts.host}:${this.opts.port} without TLS (${why}): anyone on the network path can read them`);
      }
      const io = { send: (line: string, secret: boolean) => this.wire!.send(line, secret), read: () => this.wire!.read(this.opts.timeouts.command) };
      let reply = await saslExchange(mech.mechanism, { ...creds, ...(token !== undefined ? { token } : {}) }, io, detail);
      if (reply.code !== 235 && tokenMech && creds.oauth && mayBeStaleToken(reply, detail.oauthChallenge)) {
        const fresh = await this.oauthToken(creds.oauth, "renew", detail);
        if (!fresh.ok) return false;
        if (fresh.token !== null) {
          const first = reply;
          detail.firstAttempt = { reply: formatReply(first), ...(detail.oauthChallenge !== undefined ? { oauthChallenge: detail.oauthChallenge } : {}) };
          delete detail.oauthChallenge;
          try {
            reply = await saslExchange(mech.mechanism, { ...creds, token: fresh.token }, io, detail);
          } catch (err) {
            // A server that hangs up after a refused AUTH leaves the refusal as the evidence, not the hang-up.
            if (!(err instanceof WireError)) throw err;
            detail.retry = "the server closed the connection before the second AUTH";
            reply = first;
          }
        }
      }
      if (tokenMech && creds.oauth) detail.oauth = creds.oauth.facts();
      if (reply.code !== 235) return this.failReply(reply, `AUTH ${mech.mechanism}`);
      this.authenticated = true;
      return true;
    });
  }

  /** A token from the source (registered for redaction at once), or the failure recorded; renew() may have none to give (null). */
  private async oauthToken(source: TokenSource, which: "token" | "renew", detail: StageDetails["auth"]): Promise<{ ok: true; token: string | null } | { ok: false }> {
    try {
      const token = which === "token" ? await source.token() : await source.renew();
      if (token !== null) this.redactor.add(token, this.opts.auth!.user);
      return { ok: true, token };
    } catch (err) {
      if (!isTokenFailure(err)) throw err;
      detail.oauth = { ...source.facts(), ...err.facts };
      return { ok: this.fail(err.failureKind, err.message) };
    }
  }

  /**
   * MAIL → RCPT… → DATA for one message (RFC 5321 §3.3). Recipients refused one by one are reported, not fatal.
   * With `pipelining` and a server that offers it, the commands go out as one RFC 2920 group; the stages,
   * their results and the failure are recorded exactly as when each command waits for its reply.
   */
  async send(msg: Outgoing, mode: SendMode = {}): Promise<Delivery | null> {
    this.keepConnection = Boolean(mode.keepConnection);
    try {
      return mode.pipelining && this.extensions?.pipelining ? await this.sendGroup(msg) : await this.sendInTurn(msg);
    } finally {
      this.keepConnection = false;
    }
  }

  /**
   * Sends one message of many on this connection (a pool's use) and hands back its own stages and failure:
   * the session forgets them, so a long-lived connection does not pile up history, and a refused message
   * leaves the connection open for the next one.
   */
  async transact(msg: Outgoing, mode: Omit<SendMode, "keepConnection"> = {}): Promise<Transaction> {
    const mark = this.stages.length;
    const delivery = await this.send(msg, { ...mode, keepConnection: true });
    const stages = this.stages.splice(mark);
    const failure = this.failure;
    const usable = this.connected;
    if (failure && usable) this.failure = null;
    const bodySent = findStage(stages, "data")?.detail.bytes !== undefined;
    return {
      delivery,
      failure,
      stages,
      usable,
      // MAIL was accepted and the transaction neither completed nor was ended by the server's final reply.
      midway: Boolean(failure && (failure.stage === "rcpt" || (failure.stage === "data" && !bodySent))),
      unconfirmed: Boolean(failure?.unconfirmed),
    };
  }

  /** True while the connection is open and in step with the server. */
  get connected(): boolean {
    return this.wire?.alive ?? false;
  }

  private async sendInTurn(msg: Outgoing): Promise<Delivery | null> {
    const started = performance.now();
    const ok = await this.stage("mail", async (detail) => {
      detail.from = msg.from;
      if (!this.fitsSize(msg)) return false;
      const reply = await this.command(this.mailCommand(msg));
      return reply.code === 250 ? true : this.failReply(reply, "MAIL FROM");
    });
    if (!ok) return null;
    const accepted: string[] = [];
    const rejected: { address: string; reply: Reply }[] = [];
    const rcptOk = await this.stage("rcpt", async (detail) => {
      for (const to of msg.to) this.recipient(to, await this.command(`RCPT TO:<${to}>`), accepted, rejected);
      return this.recipientsDone(detail, accepted, rejected);
    });
    if (!rcptOk) return null;
    let final: Reply | null = null;
    const dataOk = await this.stage("data", async (detail) => {
      const go = await this.command("DATA");
      return this.dataAfter(go, msg, detail, (r) => (final = r));
    });
    if (!dataOk) return null;
    return { accepted, rejected, reply: final, ms: Math.round(performance.now() - started) };
  }

  /**
   * RFC 2920 §3.1: MAIL, every RCPT and DATA in one write (DATA ends the group), then every reply read in
   * order. When a stage fails on a connection that stays open, the replies still owed are read, and a 354
   * the server gave DATA anyway is answered with a lone "." so the server ends the empty message.
   */
  private async sendGroup(msg: Outgoing): Promise<Delivery | null> {
    const started = performance.now();
    let owed = 0;
    const next = () => {
      owed--;
      return this.wire!.read(this.opts.timeouts.command);
    };
    const ok = await this.stage("mail", async (detail) => {
      detail.from = msg.from;
      detail.pipelined = true;
      if (!this.fitsSize(msg)) return false;
      const group = [this.mailCommand(msg), ...msg.to.map((to) => `RCPT TO:<${to}>`), "DATA"];
      this.wire!.sendGroup(group);
      owed = group.length;
      const reply = await next();
      return reply.code === 250 ? true : this.failReply(reply, "MAIL FROM");
    });
    if (!ok) return this.drain(owed);
    const accepted: string[] = [];
    const rejected: { address: string; reply: Reply }[] = [];
    const rcptOk = await this.stage("rcpt", async (detail) => {
      for (const to of msg.to) this.recipient(to, await next(), accepted, rejected);
      return this.recipientsDone(detail, accepted, rejected);
    });
    if (!rcptOk) return this.drain(owed);
    let final: Reply | null = null;
    const dataOk = await this.stage("data", async (detail) => this.dataAfter(await next(), msg, detail, (r) => (final = r)));
    if (!dataOk) return null;
    return { accepted, rejected, reply: final, ms: Math.round(performance.now() - started) };
  }

  /** Reads the replies a failed group still owes, so a kept connection stays in step; null, as the failed send returns. */
  private async drain(owed: number): Promise<null> {
    try {
      for (let i = 0; i < owed && this.connected; i++) {
        const reply = await this.wire!.read(this.opts.timeouts.command);
        if (reply.code === 354) {
          this.wire!.write(".\r\n", true);
          await this.wire!.read(this.opts.timeouts.dataEnd);
        }
      }
    } catch {
      this.wire?.destroy();
    }
    return null;
  }

  /** The message fits the server's SIZE (RFC 1870); checked before MAIL, so nothing is sent otherwise. */
  private fitsSize(msg: Outgoing): boolean {
    const max = this.extensions?.size;
    if (msg.size !== undefined && max && msg.size > max) {
      return this.fail("size-exceeded", `the message is ${msg.size} bytes; the server accepts at most ${max} (SIZE)`);
    }
    return true;
  }

  private mailCommand(msg: Outgoing): string {
    const ext = this.extensions;
    const params: string[] = [];
    if (msg.size !== undefined && ext?.size !== null && ext?.size !== undefined) params.push(`SIZE=${msg.size}`);
    if (msg.eightBit && ext?.eightBitMime) params.push("BODY=8BITMIME");
    if (msg.smtputf8 && ext?.smtputf8) params.push("SMTPUTF8");
    return `MAIL FROM:<${msg.from}>${params.length ? " " + params.join(" ") : ""}`;
  }

  private recipient(to: string, reply: Reply, accepted: string[], rejected: { address: string; reply: Reply }[]): void {
    if (reply.code === 250 || reply.code === 251) accepted.push(to);
    else rejected.push({ address: to, reply });
  }

  private recipientsDone(detail: StageDetails["rcpt"], accepted: string[], rejected: { address: string; reply: Reply }[]): boolean {
    Object.assign(detail, { accepted, rejected: rejected.map((r) => ({ address: r.address, reply: formatReply(r.reply) })) });
    if (accepted.length === 0) return this.failReply(rejected[0]!.reply, "RCPT TO");
    return true;
  }

  /** After the reply to DATA: the body (dot-stuffed, RFC 5321 §4.5.2) and the final reply. */
  private async dataAfter(go: Reply, msg: Outgoing, detail: StageDetails["data"], final: (r: Reply) => void): Promise<boolean> {
    if (go.code !== 354) {
      if (!Buffer.isBuffer(msg.data)) msg.data.destroy();
      return this.failReply(go, "DATA");
    }
    const bytes = await this.streamBody(msg.data);
    detail.bytes = bytes;
    this.transcript?.event(`message sent (${bytes} bytes)`);
    const reply = await this.wire!.read(this.opts.timeouts.dataEnd);
    final(reply);
    return reply.code === 250 ? true : this.failReply(reply, "DATA (end of message)");
  }

  /** RSET between messages on one connection (RFC 5321 §4.1.1.5). */
  async reset(): Promise<boolean> {
    try {
      const reply = await this.command("RSET");
      return reply.code === 250;
    } catch {
      return false;
    }
  }

  /** QUIT and close. Never fails the session: the work is done by then. */
  async close(): Promise<void> {
    const wire = this.wire;
    if (!wire) return;
    if (!this.failure) {
      const started = performance.now();
      try {
        wire.send("QUIT");
        const reply = await wire.read(Math.min(this.opts.timeouts.command, 2000));
        this.stages.push({ stage: "quit", status: "ok", ms: Math.round(performance.now() - started), detail: {} as StageDetail<"quit">, reply });
      } catch {
        this.stages.push({ stage: "quit", status: "skipped", ms: Math.round(performance.now() - started), detail: { note: "no reply to QUIT" } as StageDetail<"quit"> });
      }
    }
    wire.destroy();
    this.wire = null;
  }

  /**
   * Ends the connection at once, whatever is under way (an orderly stop that ran out of time). A message whose
   * final "." was not written is discarded by the server (RFC 5321 §4.1.1.4); one whose "." was written is unconfirmed.
   */
  abort(): void {
    this.aborted = true;
    this.wire?.destroy();
  }

  /** Milliseconds since the session began. */
  get elapsed(): number {
    return Math.round(performance.now() - this.t0);
  }

  /** Records a stage as not run, with the reason. */
  skip(stage: StageName, why: string): void {
    this.stages.push({ stage, status: "skipped", ms: 0, detail: { note: why } } as StageResult);
  }

  // --- stages -------------------------------------------------------------

  private async dns(): Promise<boolean> {
    return this.stage("dns", async (detail) => {
      const r = await lookup(this.opts.host, this.opts.family, this.opts.timeouts.connect, this.opts.resolver);
      if (this.opts.resolver) detail.resolver = this.opts.resolver;
      if (!r.ok) return this.fail(r.kind, r.message, r.code);
      const preferred = r.addresses.filter((a) => !this.opts.family || a.family === this.opts.family);
      this.addresses = preferred;
      Object.assign(detail, { addresses: preferred.map((a) => a.address), literal: r.literal });
      return true;
    });
  }

  private async tcp(): Promise<boolean> {
    return this.stage("tcp", async (detail) => {
      const r = await connectAny(this.addresses, this.opts.port, this.opts.timeouts.connect);
      if (r.attempts.length) detail.attempts = r.attempts;
      if (!r.ok) return this.fail(r.kind, r.message, r.code);
      this.address = r.address;
      Object.assign(detail, { address: r.address.address, family: r.address.family, port: this.opts.port, local: r.socket.localAddress });
      this.wire = new Wire(r.socket, this.transcript ?? undefined);
      this.transcript?.event(`connected to ${r.address.address} port ${this.opts.port}`);
      return true;
    });
  }

  private async implicitTls(): Promise<boolean> {
    if (this.opts.tls !== "implicit") {
      this.skip("tls", this.opts.tls === "starttls" ? "TLS comes later, with STARTTLS" : "plaintext");
      return true;
    }
    return this.stage("tls", async (detail) => {
      const r = await handshake(this.wire!.detach(), this.tlsOptions(), this.opts.timeouts.connect);
      this.tlsFacts = r.ok ? r.facts : (r.facts ?? null);
      if (this.tlsFacts) Object.assign(detail, this.tlsFacts);
      if (!r.ok) return this.tlsFailed(r, detail);
      this.wire!.attachTo(r.socket, 1);
      this.secure = true;
      this.transcript?.event(`TLS established: ${r.facts.protocol} ${r.facts.cipher}`);
      return true;
    });
  }

  private async readGreeting(): Promise<boolean> {
    return this.stage("greeting", async (detail) => {
      const reply = await this.greetingOrTlsHint(detail);
      if (!reply) return false;
      this.greeting = reply;
      detail.banner = reply.text;
      // RFC 5321 §3.1: 554 (or 421) instead of 220 means "no service here".
      return reply.code === 220 ? true : this.failReply(reply, "greeting");
    });
  }

  /**
   * Waits for the greeting. A plaintext client on an implicit-TLS port hears nothing, because that server waits
   * for a ClientHello: instead of waiting out the whole greeting timeout, after a short silence we try a TLS
   * handshake on a second connection, and a success names the real problem in well under two seconds.
   */
  private async greetingOrTlsHint(detail: StageDetails["greeting"]): Promise<Reply | null> {
    const sniff = this.opts.sniffAfterMs;
    const wait = this.wire!.read(this.opts.timeouts.greeting);
    if (this.opts.tls === "implicit" || sniff === false) return wait;
    let hintTimer: NodeJS.Timeout | undefined;
    const hint = new Promise<{ protocol: string | null; ms: number } | null>((resolve) => {
      hintTimer = setTimeout(() => {
        speaksImplicitTls(this.address!, this.opts.port, this.tlsOptions(), Math.min(this.opts.timeouts.connect, 3000)).then(resolve, () => resolve(null));
      }, sniff ?? SNIFF_AFTER_MS);
    });
    let winner: { reply: Reply } | { tls: { protocol: string | null; ms: number } };
    try {
      winner = await Promise.race([
        wait.then((r) => ({ reply: r })),
        hint.then((h): Promise<typeof winner> | typeof winner => (h ? { tls: h } : wait.then((r) => ({ reply: r })))),
      ]);
    } finally {
      clearTimeout(hintTimer);
    }
    if ("reply" in winner) return winner.reply;
    wait.catch(() => {});
    detail.silentMs = sniff ?? SNIFF_AFTER_MS;
    detail.tlsHandshake = winner.tls.protocol;
    this.fail("implicit-tls-port", `no greeting after ${sniff ?? SNIFF_AFTER_MS} ms in plaintext, but a TLS handshake on the same port succeeded (${winner.tls.protocol}): the port speaks implicit TLS`);
    return null;
  }

  private async ehlo(stage: "ehlo" | "ehlo-tls"): Promise<boolean> {
    return this.stage(stage, async (detail) => {
      const name = this.ehloName();
      detail.name = name;
      let reply = await this.command(`EHLO ${name}`);
      // RFC 5321 §4.1.4 / §3.2: a server that does not know EHLO (500/502) gets HELO.
      if (reply.code === 500 || reply.code === 502) {
        detail.ehloReply = formatReply(reply);
        reply = await this.command(`HELO ${name}`);
        detail.helo = true;
      }
      if (reply.code !== 250) return this.failReply(reply, detail.helo ? "HELO" : "EHLO");
      this.extensions = detail.helo ? parseExtensions({ ...reply, lines: reply.lines.slice(0, 1) }) : parseExtensions(reply);
      Object.assign(detail, { server: reply.lines[0]!.slice(4), extensions: this.extensions });
      return true;
    });
  }

  // --- plumbing -------------------------------------------------------------

  private ehloName(): string {
    if (this.opts.name) return this.opts.name;
    const host = os.hostname();
    if (host.includes(".") && !host.endsWith(".local")) return host;
    const local = this.wire?.current.localAddress ?? "127.0.0.1";
    // RFC 5321 §4.1.3: an address literal, with the IPv6 tag for IPv6.
    return local.includes(":") ? `[IPv6:${local}]` : `[${local.replace(/^::ffff:/, "")}]`;
  }

  private tlsOptions(): TlsOptions {
    if (this.opts.legacyTls) return { host: this.opts.host, insecure: true, ...LEGACY_TLS };
    return {
      host: this.opts.host,
      ...(this.opts.servername ? { servername: this.opts.servername } : {}),
      ...(this.opts.ca ? { ca: this.opts.ca } : {}),
      ...(this.opts.insecure ? { insecure: true } : {}),
    };
  }

  /**
   * A failed handshake. The server's "handshake failure" alert (SSL alert 40, OpenSSL "sslv3 alert handshake
   * failure") says only that it found nothing it would accept: either it speaks only outdated TLS, or it shares no
   * cipher with any current client (NULL or export ciphers, a mistyped list). A second session that allows
   * TLS 1.0 and OpenSSL's weakest cipher level tells which: it completes a handshake only with an outdated server.
   */
  private async tlsFailed(r: Extract<HandshakeResult, { ok: false }>, detail: { legacyTls?: string | null }): Promise<false> {
    if (r.code !== "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" || this.opts.legacyTls) return this.fail(r.kind, r.message, r.code);
    const { auth: _auth, warn: _warn, ...opts } = this.opts;
    const legacy = new Session({ ...opts, legacyTls: true, transcript: false, redactor: this.redactor, sniffAfterMs: false });
    await legacy.open();
    if (this.opts.tls === "starttls" && !legacy.failure) await legacy.hello();
    await legacy.close();
    detail.legacyTls = legacy.secure ? legacy.tlsFacts?.protocol ?? "ok" : legacy.failure?.message ?? null;
    if (legacy.secure) return this.fail("tls-protocol-version", `${r.message}; a handshake allowing TLS 1.0 and weak ciphers succeeded (${legacy.tlsFacts?.protocol ?? "?"} ${legacy.tlsFacts?.cipher ?? ""}): the server speaks only outdated TLS`.trimEnd(), r.code);
    if (legacy.failure?.code === r.code) return this.fail("tls-no-shared-cipher", `${r.message}; it refused a second handshake allowing TLS 1.0 and every cipher down to OpenSSL's weakest level too: the server shares no cipher with mailctl`, r.code);
    return this.fail(r.kind, r.message, r.code);
  }

  private async command(line: string): Promise<Reply> {
    this.wire!.send(line);
    return this.wire!.read(this.opts.timeouts.command);
  }

  /**
   * Writes the message, dot-stuffed, and its final ".". A server that stops reading (its TCP window stays full)
   * gets `timeouts.command` without progress, then the connection is dropped: without the final "." the server
   * discards what it got (RFC 5321 §4.1.1.4), so nothing is half-delivered. A connection that fails or closes
   * meanwhile ends the transfer at once, and the message stream is destroyed either way (its files close).
   */
  private streamBody(data: Buffer | Readable): Promise<number> {
    const wire = this.wire!;
    const stuffer = new DotStuffer();
    if (Buffer.isBuffer(data)) {
      // One write for the body and its terminator: one system call, one segment for a small message.
      wire.write(Buffer.concat([stuffer.push(data), stuffer.end()]), true);
      return Promise.resolve(stuffer.bytes);
    }
    const stallMs = this.opts.timeouts.command;
    return new Promise((resolve, reject) => {
      if (wire.error) {
        data.destroy();
        return reject(wire.error);
      }
      let stall: NodeJS.Timeout | undefined;
      const settle = (err: Error | null) => {
        clearTimeout(stall);
        offEnd();
        wire.current.off("drain", onDrain);
        data.off("data", onData).off("end", onEnd).off("error", settle);
        if (!err) return resolve(stuffer.bytes);
        data.destroy();
        // A message cut short must never be completed by what follows: drop the connection without the final ".".
        wire.destroy();
        reject(err);
      };
      let waiting = false;
      const onDrain = () => {
        waiting = false;
        clearTimeout(stall);
        data.resume();
      };
      const onData = (chunk: Buffer) => {
        if (wire.write(stuffer.push(chunk)) || waiting) return;
        waiting = true;
        data.pause();
        wire.current.once("drain", onDrain);
        stall = setTimeout(() => settle(new WireError("timeout", `the server stopped reading the message: nothing could be written for ${seconds(stallMs)}`)), stallMs);
      };
      const onEnd = () => {
        wire.write(stuffer.end(), true);
        settle(null);
      };
      const offEnd = wire.onceEnded((err) => settle(err));
      data.on("data", onData).once("end", onEnd).once("error", settle);
    });
  }

  /** Runs one stage: times it, records its result, and turns thrown wire errors into failures. */
  private async stage<S extends StageName>(stage: S, body: (detail: StageDetail<S>) => Promise<boolean>): Promise<boolean> {
    const started = performance.now();
    const detail = {} as StageDetail<S>;
    const before = this.failure;
    let ok: boolean;
    try {
      ok = await body(detail);
    } catch (err) {
      ok = this.fromWireError(err, stage);
    }
    const result = { stage, status: ok ? "ok" : "fail", ms: Math.round(performance.now() - started), detail } as StageResultOf<S>;
    if (!ok && this.failure && this.failure !== before) {
      this.failure.stage = stage;
      // After the final "." only a 4xx/5xx says the message was not taken; silence, a hang-up or nonsense leaves it unknown.
      if (stage === "data" && (detail as StageDetails["data"]).bytes !== undefined && !(this.failure.reply && this.failure.reply.code >= 400)) this.failure.unconfirmed = true;
      result.failure = this.failure;
      if (this.failure.reply) result.reply = this.failure.reply;
      if (!this.keeps(this.failure)) this.wire?.destroy();
    }
    this.stages.push(result as StageResult);
    return ok;
  }

  /**
   * A refusal during MAIL/RCPT/DATA ends only the transaction when the caller asked to keep the connection;
   * 421 does not (RFC 5321 §3.8: the server is closing the channel), nor does any failure of the wire.
   */
  private keeps(f: Failure): boolean {
    if (!this.keepConnection || !(f.stage === "mail" || f.stage === "rcpt" || f.stage === "data")) return false;
    return f.kind === "size-exceeded" || (f.kind === "negative-reply" && f.reply?.code !== 421);
  }

  private fromWireError(err: unknown, stage: StageName): false {
    if (!(err instanceof WireError)) throw err;
    if (this.aborted) return this.fail("aborted", `mailctl ended the connection during ${stage}: the orderly stop ran out of time`);
    if (err.kind === "timeout") return this.fail(stage === "greeting" ? "greeting-timeout" : "reply-timeout", stage === "greeting" ? `no greeting ${err.message}` : `${err.message} (${stage})`);
    if (err.kind === "protocol") return this.fail("protocol", err.message);
    if (err.kind === "socket" && err.cause?.code === "ECONNRESET") return this.fail("reset", "the server reset the connection", "ECONNRESET");
    return this.fail("closed", stage === "greeting" ? "the server closed the connection before sending a greeting" : `the server closed the connection during ${stage}`, err.cause?.code);
  }

  private fail(kind: FailureKind, message: string, code?: string): false {
    this.failure = { stage: "dns", kind, message: this.redactor.scrub(message), ...(code ? { code } : {}) };
    return false;
  }

  private failReply(reply: Reply, command: string): false {
    const kind: FailureKind = reply.code >= 400 ? "negative-reply" : "protocol";
    this.fail(kind, `${command}: ${formatReply(reply)}`);
    this.failure!.reply = reply;
    this.failure!.command = command;
    return false;
  }
}
