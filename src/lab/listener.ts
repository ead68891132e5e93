import type { SMTPServerDataStream, SMTPServerOptions, SMTPServerSession } from "smtp-server";
import type { CaptureEntry, CaptureStore } from "./capture.js";
import type { DefaultPersona } from "./personas/default.js";
import { reply, replyText, type LabReply } from "./reply.js";
import { LabSmtpServer, answerWith, connOf, replyError, type LabConn, type PortKind } from "./smtp-hooks.js";
import { headerFields } from "../headers/from-header.js";

/** A negative reply the lab sent, for the live log. */
export interface LabRejection {
  time: string;
  port: PortKind;
  remote: string;
  /** The command it answered; null for a refused connection. */
  command: string | null;
  code: number;
  text: string;
  /** For a message refused after DATA: its From header field(s) exactly as received (8-bit bytes as latin1), so what was refused can be read. */
  from?: string[];
}

/** What a listener tells the lab about. */
export interface ListenerEvents {
  message(entry: CaptureEntry): void;
  rejected(r: LabRejection): void;
  warning(err: Error): void;
}

/** What every listener of one lab shares. */
export interface ListenerContext {
  persona: DefaultPersona;
  store: CaptureStore;
  tls: { key: string; cert: string };
  closeTimeoutMs: number;
  events: ListenerEvents;
}

/** One of the lab's three listeners: smtp-server set up for its port kind, every hook answered by the persona. */
export function createListener(kind: PortKind, ctx: ListenerContext): LabSmtpServer {
  const p = ctx.persona;
  const options: SMTPServerOptions = {
    ...ctx.tls,
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
    closeTimeout: ctx.closeTimeoutMs,
    // smtp-server's idle timeout (60 s) also runs while a slow greeting is pending.
    socketTimeout: (60 + (p.settings.greetingDelaySeconds ?? 0)) * 1000,
    onConnect: (session, cb) => {
      p.connect(connOf(session)).then((r) => cb(r ? replyError(session, r) : undefined), (err: Error) => cb(err));
    },
    onAuth: (auth, session, cb) => {
      const attempt = { method: auth.method, username: auth.username ?? "", password: auth.password ?? undefined, accessToken: auth.accessToken ?? undefined };
      p.auth(connOf(session), attempt).then(
        (r) => {
          if ("user" in r) return cb(null, { user: r.user });
          if (!("challenge" in r)) return cb(replyError(session, r));
          // smtp-server sends the 334 challenge inside this callback; the persona's reply then replaces its 535.
          cb(null, { data: r.challenge });
          answerWith(session, r.reply);
        },
        (err: Error) => cb(err),
      );
    },
    onMailFrom: (address, session, cb) => {
      const r = p.mailFrom(connOf(session), address.address);
      cb(r ? replyError(session, r) : undefined);
    },
    onRcptTo: (address, session, cb) => {
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
      const r = p.rcptTo(connOf(session), address.address, from);
      cb(r ? replyError(session, r) : undefined);
    },
    onData: (stream, session, cb) => receive(stream, session, cb, ctx),
  };
  const server = new LabSmtpServer(kind, options, {
    greeting: (c) => p.greeting(c),
    ehlo: (c, kw) => p.ehlo(c, kw),
    command: (c, verb, line) => p.command(c, verb, line),
    rejected: (c, code, text) => {
      const from = refusedFrom.get(c);
      refusedFrom.delete(c);
      ctx.events.rejected({ ...rejection(c, code, text), ...(from ? { from } : {}) });
    },
  });
  // An unhandled "error" event would end the process; a client that leaves during the TLS handshake emits one.
  // smtp-server marks the ones that are only a client going away with report: false.
  server.on("error", (err: NodeJS.ErrnoException & { report?: boolean; remoteAddress?: string }) => {
    if (err.syscall === "listen" || err.report === false) return;
    ctx.events.warning(new Error(`${kind} port${err.remoteAddress ? `, client ${err.remoteAddress}` : ""}: ${err.message}`));
  });
  return server;
}

/** The From fields of a message the persona refused after DATA, until the refusal is reported. */
const refusedFrom = new WeakMap<LabConn, string[]>();

/** Stores the message durably, then lets smtp-server send the 250: an acknowledged message is on disk. */
function receive(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void, ctx: ListenerContext): void {
  const conn = connOf(session);
  const p = ctx.persona;
  stream.on("error", () => {}); // the client went away; save() sees it as a failed read
  if (p.dropDuringData(conn)) {
    stream.once("data", () => conn.destroy());
    return;
  }
  const env = session.envelope;
  const envelope = { mailFrom: env.mailFrom ? env.mailFrom.address : "", rcptTo: env.rcptTo.map((r) => r.address), smtpUtf8: Boolean(env.smtpUtf8) };
  const cipher = session.tlsOptions || null;
  const meta = {
    persona: p.name,
    port: conn.port,
    remote: conn.remoteAddress,
    helo: conn.helo,
    user: conn.user,
    tls: { secure: conn.secure, protocol: cipher ? cipher.version : null, cipher: cipher ? cipher.name : null },
    envelope: { mailFrom: envelope.mailFrom, rcptTo: envelope.rcptTo },
  };
  const check = (head: Buffer) => {
    const refused = stream.sizeExceeded ? p.tooBig(conn) : p.message(conn, head, envelope);
    if (refused) refusedFrom.set(conn, headerFields(head, "from"));
    return refused;
  };
  ctx.store.save(stream, meta, check).then(
    (result) => {
      if ("refused" in result) return cb(replyError(session, result.refused as LabReply));
      ctx.events.message(result);
      const ok = p.accepted(conn, result.id);
      answerWith(session, ok);
      cb(null, replyText(ok));
    },
    (err: NodeJS.ErrnoException) => {
      if (err.code !== "ERR_STREAM_PREMATURE_CLOSE" && err.code !== "ECONNECTION") ctx.events.warning(err);
      cb(replyError(session, reply(451, "4.3.0 Error: queue file write error"))); // Postfix's words for a failed write
    },
  );
}

function rejection(c: LabConn, code: number, text: string): LabRejection {
  return { time: new Date().toISOString(), port: c.port, remote: c.remoteAddress, command: c.command, code, text };
}
