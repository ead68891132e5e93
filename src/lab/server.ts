import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { isIP } from "node:net";
import { join } from "node:path";
import type { SMTPServerDataStream, SMTPServerOptions, SMTPServerSession } from "smtp-server";
import type { TlsMode } from "../config/types.js";
import { MailctlError, usageError } from "../errors.js";
import { CaptureStore, type CaptureEntry } from "./capture.js";
import { defaultLabDir, ensureLabCerts, LAB_HOSTS } from "./lab-dir.js";
import { createPersona, type PersonaName } from "./personas/index.js";
import { LAB_USER, type DefaultPersona, type ExtraAccount, type PersonaSettings } from "./personas/default.js";
import { replyText, type LabReply } from "./reply.js";
import { LabSmtpServer, answerWith, connOf, replyError, type LabConn, type PortKind } from "./smtp-hooks.js";

/** How to start a lab. Everything is optional. */
export interface LabOptions {
  /** Lab directory (certificates, captures); default defaultLabDir(). */
  dir?: string;
  persona?: PersonaName;
  /** Ports are base+465, base+587, base+25; 0 means three ephemeral ports. Default 1000. */
  portBase?: number;
  /** Listen address; default 127.0.0.1. */
  listen?: string;
  /** The lab account's password; generated when absent. */
  password?: string;
  greylistSeconds?: number;
  greetingDelaySeconds?: number;
  sizeLimit?: number;
  limit?: number;
  windowSeconds?: number;
  /** How long close() lets open sessions finish before it ends them. Default 1000 ms. */
  closeTimeoutMs?: number;
}

/** One listening port. */
export interface LabEndpoint {
  host: string;
  port: number;
  tls: TlsMode;
}

/** A negative reply the lab sent, for the live log. */
export interface LabRejection {
  time: string;
  port: PortKind;
  remote: string;
  command: string | null;
  code: number;
  text: string;
}

/** A running lab. Events: "message" (CaptureEntry), "rejected" (LabRejection), "warning" (Error). */
export interface Lab extends EventEmitter {
  persona: PersonaName;
  dir: string;
  listen: string;
  caPath: string;
  caPem: string;
  account: { user: string; password: string; generated: boolean };
  /** Accounts the persona adds (gmail's 2-step account). */
  extraAccounts: ExtraAccount[];
  endpoints: Record<PortKind, LabEndpoint>;
  captureDir: string;
  indexPath: string;
  /** What the certificate step created on this start. */
  created: { ca: boolean; server: boolean };
  /** The capture index, oldest first. */
  captures(): Promise<CaptureEntry[]>;
  close(): Promise<void>;
}

const OFFSETS: Record<PortKind, number> = { implicit: 465, starttls: 587, plain: 25 };
const TLS_OF: Record<PortKind, TlsMode> = { implicit: "implicit", starttls: "starttls", plain: "none" };
const KINDS: PortKind[] = ["implicit", "starttls", "plain"];

/** True for addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address);
}

/** Starts the lab: three SMTP listeners sharing one persona, one capture store and one certificate. */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const listen = opts.listen ?? "127.0.0.1";
  if (!isIP(listen)) throw usageError(`--listen "${listen}" is not an IP address`);
  const portBase = opts.portBase ?? 1000;
  if (!Number.isInteger(portBase) || portBase < 0 || portBase + 587 > 65535) throw usageError(`--port-base ${portBase} is out of range (0–${65535 - 587})`);
  const dir = opts.dir ?? defaultLabDir();
  const name = opts.persona ?? "default";
  const generated = opts.password === undefined;
  const account = { user: LAB_USER, password: opts.password ?? randomBytes(12).toString("base64url"), generated };
  const wildcard = listen === "0.0.0.0" || listen === "::";
  const hosts = wildcard || LAB_HOSTS.includes(listen) ? LAB_HOSTS : [...LAB_HOSTS, listen];
  const certs = await ensureLabCerts(dir, hosts);
  const store = new CaptureStore(join(dir, "captures"));
  await store.open();
  const settings: PersonaSettings = { account, ...pick(opts, ["greylistSeconds", "greetingDelaySeconds", "sizeLimit", "limit", "windowSeconds"]) };
  const persona = createPersona(name, settings);
  const lab = new RunningLab(name, persona, store, opts.closeTimeoutMs ?? 1000);
  Object.assign(lab, {
    dir,
    listen,
    caPath: certs.caPath,
    caPem: certs.caPem,
    account,
    extraAccounts: persona.extraAccounts,
    captureDir: store.dir,
    indexPath: store.indexPath,
    created: certs.created,
  });
  const host = listen === "0.0.0.0" ? "127.0.0.1" : listen === "::" ? "::1" : listen;
  try {
    for (const kind of KINDS) {
      const port = await lab.listenOn(kind, portBase === 0 ? 0 : portBase + OFFSETS[kind], listen, { key: certs.key, cert: certs.cert });
      lab.endpoints[kind] = { host, port, tls: TLS_OF[kind] };
    }
  } catch (err) {
    await lab.close();
    throw err;
  }
  return lab;
}

class RunningLab extends EventEmitter implements Lab {
  dir = "";
  listen = "";
  caPath = "";
  caPem = "";
  account = { user: "", password: "", generated: false };
  extraAccounts: ExtraAccount[] = [];
  endpoints = {} as Record<PortKind, LabEndpoint>;
  captureDir = "";
  indexPath = "";
  created = { ca: false, server: false };
  private readonly servers: LabSmtpServer[] = [];
  private closing: Promise<void> | null = null;

  constructor(
    readonly persona: PersonaName,
    private readonly behaviour: DefaultPersona,
    private readonly store: CaptureStore,
    private readonly closeTimeoutMs: number,
  ) {
    super();
  }

  captures(): Promise<CaptureEntry[]> {
    return this.store.entries();
  }

  /** Stops listening, lets open sessions finish for closeTimeoutMs, ends the rest, and waits for captures in progress. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.behaviour.close();
      await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => (s.server.listening ? s.close(() => resolve()) : resolve()))));
      for (const s of this.servers) for (const socket of s.sockets) socket.destroy();
      await this.store.close();
    })();
    return this.closing;
  }

  /** Starts one listener; a port in use is a MailctlError naming the port (exit 69). */
  async listenOn(kind: PortKind, port: number, address: string, tls: { key: string; cert: string }): Promise<number> {
    const server = new LabSmtpServer(kind, this.options(kind, tls), {
      greeting: (c) => this.behaviour.greeting(c),
      ehlo: (c, kw) => this.behaviour.ehlo(c, kw),
      command: (c, verb, line) => this.behaviour.command(c, verb, line),
      rejected: (c, code, text) => this.emit("rejected", rejection(c, code, text)),
    });
    // An unhandled "error" event would end the process; a client that leaves during the TLS handshake emits one.
    server.on("error", (err: NodeJS.ErrnoException) => {
      if (err.syscall !== "listen") this.emit("warning", err);
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.server.once("error", (err: NodeJS.ErrnoException) => reject(listenError(err, address, port)));
      server.listen(port, address, () => resolve());
    });
    return (server.server.address() as { port: number }).port;
  }

  private options(kind: PortKind, tls: { key: string; cert: string }): SMTPServerOptions {
    const p = this.behaviour;
    return {
      ...tls,
      secure: kind === "implicit",
      name: p.serverName,
      heloResponse: p.heloResponse,
      logger: false,
      // Reverse DNS of a client could wait on an unreachable resolver, and the lab has no use for the name.
      disableReverseLookup: true,
      authMethods: p.authMethods,
      // The persona decides who must authenticate (at MAIL FROM), so smtp-server's own check stays off.
      authOptional: true,
      // The 25-style port takes AUTH in plaintext; on 587 the persona answers AUTH before STARTTLS itself.
      allowInsecureAuth: kind === "plain",
      hideENHANCEDSTATUSCODES: !p.enhancedCodes,
      hideDSN: true,
      size: p.size,
      closeTimeout: this.closeTimeoutMs,
      // smtp-server's idle timeout (60 s) also runs while a slow greeting is pending.
      socketTimeout: (60 + (p.settings.greetingDelaySeconds ?? 0)) * 1000,
      onConnect: (session, cb) => {
        p.connect(connOf(session)).then((r) => cb(r ? replyError(session, r) : undefined), (err: Error) => cb(err));
      },
      onAuth: (auth, session, cb) => {
        const attempt = { method: auth.method, username: auth.username ?? "", password: auth.password ?? undefined, accessToken: auth.accessToken ?? undefined };
        p.auth(connOf(session), attempt).then(
          (r) => ("user" in r ? cb(null, { user: r.user }) : cb(replyError(session, r))),
          (err: Error) => cb(err),
        );
      },
      onMailFrom: (address, session, cb) => {
        const r = p.mailFrom(connOf(session), address.address);
        cb(r ? replyError(session, r) : undefined);
      },
      onRcptTo: (address, session, cb) => {
        const envelope = session.envelope;
        const from = envelope.mailFrom ? envelope.mailFrom.address : "";
        const r = p.rcptTo(connOf(session), address.address, from);
        cb(r ? replyError(session, r) : undefined);
      },
      onData: (stream, session, cb) => this.onData(stream, session, cb),
    };
  }

  /** Stores the message durably, then lets smtp-server send the 250: an acknowledged message is on disk. */
  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void): void {
    const conn = connOf(session);
    const p = this.behaviour;
    stream.on("error", () => {}); // the client went away; save() sees it as a failed read
    if (p.dropDuringData(conn)) {
      stream.once("data", () => conn.destroy());
      return;
    }
    const env = session.envelope;
    const envelope = { mailFrom: env.mailFrom ? env.mailFrom.address : "", rcptTo: env.rcptTo.map((r) => r.address), smtpUtf8: Boolean(env.smtpUtf8) };
    const cipher = session.tlsOptions || null;
    const meta = {
      persona: this.persona,
      port: conn.port,
      remote: conn.remoteAddress,
      helo: conn.helo,
      user: conn.user,
      tls: { secure: conn.secure, protocol: cipher ? cipher.version : null, cipher: cipher ? cipher.name : null },
      envelope: { mailFrom: envelope.mailFrom, rcptTo: envelope.rcptTo },
    };
    this.store
      .save(stream, meta, (head) => (stream.sizeExceeded ? p.tooBig(conn) : p.message(conn, head, envelope)))
      .then(
        (result) => {
          if ("refused" in result) return cb(replyError(session, result.refused as LabReply));
          this.emit("message", result);
          const ok = p.accepted(conn, result.id);
          answerWith(session, ok);
          cb(null, replyText(ok));
        },
        (err: NodeJS.ErrnoException) => {
          if (err.code !== "ERR_STREAM_PREMATURE_CLOSE" && err.code !== "ECONNECTION") this.emit("warning", err);
          cb(Object.assign(new Error("4.3.0 Error: the message could not be stored"), { responseCode: 451 }));
        },
      );
  }
}

function rejection(c: LabConn, code: number, text: string): LabRejection {
  return { time: new Date().toISOString(), port: c.port, remote: c.remoteAddress, command: c.command, code, text };
}

function listenError(err: NodeJS.ErrnoException, address: string, port: number): Error {
  if (err.code === "EADDRINUSE") return new MailctlError("unavailable", `port ${port} is already in use (${address}:${port})`, "Stop the program that uses it (another mailctl lab?) or move the lab's ports with --port-base.");
  if (err.code === "EACCES") return new MailctlError("unavailable", `no permission to listen on port ${port}`, "Ports below 1024 need privileges; use --port-base to move the lab's ports.");
  if (err.code === "EADDRNOTAVAIL") return usageError(`--listen ${address}: not an address of this machine`);
  return new MailctlError("unavailable", `cannot listen on ${address}:${port}: ${err.message}`);
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
