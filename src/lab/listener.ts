import { randomBytes } from "node:crypto";
import type { SMTPServerDataStream, SMTPServerOptions, SMTPServerSession } from "smtp-server";
import type { AttemptJournal } from "./attempt-journal.js";
import type { CaptureEntry, CaptureStore } from "./capture.js";
import type { DefaultPersona } from "./personas/default.js";
import { because, reply, replyText, type LabReply } from "./reply.js";
import { SessionRecorder, type ConnFacts, type LabAttempt } from "./session-record.js";
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
  /** An attempt is settled: a message accepted, or a try the persona refused (told once, with its session). */
  attempt(a: LabAttempt): void;
  warning(err: Error): void;
}

/** What every listener of one lab shares. */
export interface ListenerContext {
  persona: DefaultPersona;
  store: CaptureStore;
  journal: AttemptJournal;
  tls: { key: string; cert: string };
  closeTimeoutMs: number;
  events: ListenerEvents;
}

/** One of the lab's three listeners: smtp-server set up for its port kind, every hook answered by the persona. */
export function createListener(kind: PortKind, ctx: ListenerContext): LabSmtpServer {
  const p = ctx.persona;
  const recorders = new WeakMap<LabConn, SessionRecorder>();
  const rec = (c: LabConn): SessionRecorder => {
    let r = recorders.get(c);
    if (!r) {
      r = new SessionRecorder({ persona: p.name, port: kind, remote: c.remoteAddress });
      r.line("*", `connection from ${c.remoteAddress} to the ${PORT_WORDS[kind]} port`);
      recorders.set(c, r);
    }
    return r;
  };
  const settle = (a: LabAttempt | null, head?: Buffer) => {
    if (!a) return;
    // Told once its files are written, so whoever hears of it can read them.
    ctx.journal.record(a, head).then(
      () => ctx.events.attempt(a),
      (err: Error) => {
        ctx.events.warning(new Error(`attempt journal: ${err.message}`));
        ctx.events.attempt(a);
      },
    );
  };
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
      const c = connOf(session);
      p.connect(c).then(
        (r) => {
          if (r) rec(c).decide("connect", r, `the ${p.name} persona refuses connections`);
          cb(r ? replyError(session, r) : undefined);
        },
        (err: Error) => cb(err),
      );
    },
    onAuth: (auth, session, cb) => {
      const c = connOf(session);
      const attempt = { method: auth.method, username: auth.username ?? "", password: auth.password ?? undefined, accessToken: auth.accessToken ?? undefined };
      p.auth(c, attempt).then(
        (r) => {
          if ("user" in r) {
            rec(c).decide("AUTH", undefined, `signed in as ${r.user} with ${auth.method}`);
            return cb(null, { user: r.user });
          }
          if (!("challenge" in r)) {
            rec(c).decide("AUTH", r, `the ${p.name} persona refuses these credentials`);
            return cb(replyError(session, r));
          }
          // smtp-server sends the 334 challenge inside this callback; the persona's reply then replaces its 535.
          rec(c).decide("AUTH", because(r.reply, "the token is refused: first the 334 error challenge, then the refusal after the client's empty line"), "");
          cb(null, { data: r.challenge });
          answerWith(session, r.reply);
        },
        (err: Error) => cb(err),
      );
    },
    onMailFrom: (address, session, cb) => {
      const c = connOf(session);
      settle(rec(c).mail(address.address, facts(c)));
      const r = p.mailFrom(c, address.address);
      rec(c).decide("MAIL", r, r ? `the ${p.name} persona's rule for MAIL FROM` : `sender <${address.address}> accepted`);
      cb(r ? replyError(session, r) : undefined);
    },
    onRcptTo: (address, session, cb) => {
      const c = connOf(session);
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
      rec(c).rcpt(address.address);
      const r = p.rcptTo(c, address.address, from);
      rec(c).decide("RCPT", r, r ? `the ${p.name} persona's rule for RCPT TO` : `recipient <${address.address}> accepted`);
      cb(r ? replyError(session, r) : undefined);
    },
    onData: (stream, session, cb) => receive(stream, session, cb, ctx, rec(connOf(session)), settle),
    onClose: (session) => {
      const c = connOf(session);
      settle(rec(c).refused(facts(c)));
    },
  };
  const server = new LabSmtpServer(kind, options, {
    greeting: (c) => p.greeting(c),
    ehlo: (c, kw) => p.ehlo(c, kw),
    command: (c, verb, line) => {
      const r = p.command(c, verb, line);
      if (r) rec(c).decide(verb, r, `the ${p.name} persona answers ${verb} itself`);
      return r;
    },
    rejected: (c, code, text) => {
      rec(c).rejected(c.command, code, text);
      const from = refusedFrom.get(c);
      refusedFrom.delete(c);
      ctx.events.rejected({ ...rejection(c, code, text), ...(from ? { from } : {}) });
    },
    wire: (c, dir, line) => {
      if (dir === "C" && c.secure) rec(c).secured();
      rec(c).line(dir, line);
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
function receive(
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  cb: (err?: Error | null, message?: string) => void,
  ctx: ListenerContext,
  rec: SessionRecorder,
  settle: (a: LabAttempt | null, head?: Buffer) => void,
): void {
  const conn = connOf(session);
  const p = ctx.persona;
  stream.on("error", () => {}); // the client went away; save() sees it as a failed read
  if (p.dropDuringData(conn)) {
    stream.once("data", () => {
      rec.dropped("DATA", `the ${p.name} persona closes the connection as soon as the message starts, without a reply`);
      conn.destroy();
    });
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
    const refused = stream.sizeExceeded
      ? because(p.tooBig(conn), `the message is bigger than the ${p.size} bytes the server advertised (SIZE, RFC 1870)`)
      : p.message(conn, head, envelope);
    if (refused) refusedFrom.set(conn, headerFields(head, "from"));
    return refused;
  };
  ctx.store.save(stream, meta, check).then(
    (result) => {
      if ("refused" in result) {
        const r = result.refused as LabReply;
        rec.decide("DATA", r, `the ${p.name} persona's rule for the message`);
        rec.refusedAfterData({ file: `refused/${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(8).toString("hex")}.eml`, size: result.size, complete: result.head.length >= result.size });
        cb(replyError(session, r));
        return settle(rec.refused(facts(conn)), result.head);
      }
      ctx.events.message(result);
      const ok = p.accepted(conn, result.id);
      rec.decide("DATA", ok, `stored as ${result.file}`);
      answerWith(session, ok);
      cb(null, replyText(ok));
      // smtp-server has written the 250 by now (the stream had ended), so the record ends with it.
      settle(rec.accepted(result.id, result.time, facts(conn), ok, { file: result.file, size: result.size, complete: true }));
    },
    (err: NodeJS.ErrnoException) => {
      const failed = reply(451, "4.3.0 Error: queue file write error"); // Postfix's words for a failed write
      if (err.code !== "ERR_STREAM_PREMATURE_CLOSE" && err.code !== "ECONNECTION") {
        ctx.events.warning(err);
        rec.decide("DATA", failed, `the lab could not store the message (${err.message})`);
      }
      cb(replyError(session, failed));
    },
  );
}

const PORT_WORDS: Record<PortKind, string> = { implicit: "implicit-TLS", starttls: "STARTTLS submission", plain: "plaintext" };

function facts(c: LabConn): ConnFacts {
  return { helo: c.helo, user: c.user, secure: c.secure };
}

function rejection(c: LabConn, code: number, text: string): LabRejection {
  return { time: new Date().toISOString(), port: c.port, remote: c.remoteAddress, command: c.command, code, text };
}
