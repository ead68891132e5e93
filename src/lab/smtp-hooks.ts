// The one place the lab reaches into smtp-server's internals. Written against smtp-server 3.21.6.
//
// Why: smtp-server's documented hooks (onConnect, onAuth, onMailFrom, onRcptTo, onData) can refuse with one
// line of text, but a persona must send exactly what a provider sends: multi-line replies from a hook (Gmail's
// 535-5.7.8 …), raw GBK bytes (QQ), a 220 greeting in the provider's own words, an EHLO list that hides AUTH
// before STARTTLS or advertises STARTTLS on an implicit-TLS port, and an answer of its own to a command that
// smtp-server would answer differently (AUTH before STARTTLS, STARTTLS on port 465). So connect() is extended to
// find each new SMTPConnection, and two of its methods are overridden on the instance: send() (what goes out)
// and _onCommand() (what comes in). Nothing else of smtp-server is touched.
import type net from "node:net";
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from "smtp-server";
import type { SMTPConnection } from "smtp-server/lib/smtp-connection.js";
import { REDACTED } from "../session/redact.js";
import { redactCommand } from "../session/transcript.js";
import { encodeReply, replyLines, replyText, type LabReply } from "./reply.js";

/** Which of the lab's three listeners a connection came in on. */
export type PortKind = "implicit" | "starttls" | "plain";

/** What the lab's code sees of one connection. */
export interface LabConn {
  readonly id: string;
  readonly port: PortKind;
  readonly secure: boolean;
  /** The authenticated user name, or null. */
  readonly user: string | null;
  readonly remoteAddress: string;
  /** The EHLO/HELO name, or null before the client sent one. */
  readonly helo: string | null;
  /** The command being answered (upper case, e.g. "MAIL"); null before the first command. */
  readonly command: string | null;
  /** Closes the TCP connection at once, without a reply. */
  destroy(): void;
}

/** How the lab shapes the wire beyond smtp-server's hooks. */
export interface WireHooks {
  /** Text of the 220 greeting (after "220 "). */
  greeting?(conn: LabConn): string;
  /** The EHLO keywords to advertise, given the ones smtp-server would. */
  ehlo?(conn: LabConn, keywords: string[]): string[];
  /** A reply that answers a command before smtp-server handles it; undefined lets smtp-server handle it. */
  command?(conn: LabConn, verb: string, line: string): LabReply | undefined;
  /** Told about every negative reply (4xx/5xx) sent, whoever made it. */
  rejected?(conn: LabConn, code: number, text: string): void;
  /**
   * Told about every line on the wire: "C" a client line, with the payload of AUTH and every SASL response
   * already replaced (the way smtp-server's own log redacts them), "S" a reply line as written. Message content
   * (between DATA and the final dot) never passes here.
   */
  wire?(conn: LabConn, dir: "C" | "S", line: string): void;
}

interface ConnState extends LabConn {
  command: string | null;
  /** A reply a hook asked for; it replaces smtp-server's next reply with the same code. */
  pending: LabReply | null;
}

const STATE = Symbol("mailctl.lab");
type Tagged = SMTPServerSession & { [STATE]?: ConnState };

/** The lab's view of the connection a session belongs to (hooks get the session, not the connection). */
export function connOf(session: SMTPServerSession): LabConn {
  const s = (session as Tagged)[STATE];
  if (!s) throw new Error("session of a connection the lab does not know");
  return s;
}

/**
 * Makes the connection's next reply `r`, verbatim: a hook calls this, then its callback, and smtp-server's
 * send() of the same code is replaced by `r` (any other reply drops it).
 */
export function answerWith(session: SMTPServerSession, r: LabReply): void {
  (session as Tagged)[STATE]!.pending = r;
}

/** An error for a hook's callback that makes smtp-server refuse with `r` verbatim. */
export function replyError(session: SMTPServerSession, r: LabReply): Error {
  answerWith(session, r);
  return Object.assign(new Error(replyText(r)), { responseCode: r.code });
}

/** smtp-server with the lab's wire hooks installed on every connection. */
export class LabSmtpServer extends SMTPServer {
  /** Every accepted socket, so close() can end the ones smtp-server leaves half-closed. */
  readonly sockets = new Set<net.Socket>();

  constructor(
    readonly kind: PortKind,
    options: SMTPServerOptions,
    private readonly hooks: WireHooks,
  ) {
    super(options);
    this.server.on("connection", (s: net.Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  override connect(socket: net.Socket, socketOptions?: Parameters<SMTPServer["connect"]>[1]): void {
    super.connect(socket, socketOptions);
    // super.connect() has just added the new connection; a Set iterates in insertion order.
    let last: SMTPConnection | undefined;
    for (const c of this.connections) last = c;
    if (last && !(last.session as Tagged)[STATE]) this.instrument(last);
  }

  private instrument(conn: SMTPConnection): void {
    const hooks = this.hooks;
    const state: ConnState = {
      id: conn.id,
      port: this.kind,
      get secure() {
        return conn.secure;
      },
      get user() {
        const u = conn.session.user as unknown;
        return typeof u === "string" ? u : null;
      },
      get remoteAddress() {
        return conn.remoteAddress;
      },
      get helo() {
        return conn.hostNameAppearsAs || null;
      },
      command: null,
      pending: null,
      destroy: () => conn._socket.destroy(),
    };
    (conn.session as Tagged)[STATE] = state;

    const send = conn.send;
    conn.send = function (code, data, context) {
      const pending = state.pending;
      state.pending = null;
      let custom: LabReply | undefined = pending && pending.code === code ? pending : undefined;
      if (!custom && code === 220 && state.command === null && hooks.greeting) custom = { code, lines: [hooks.greeting(state)] };
      if (!custom && code === 250 && state.command === "EHLO" && Array.isArray(data) && hooks.ehlo) {
        data = [data[0]!, ...hooks.ehlo(state, data.slice(1))];
      }
      if (!custom) {
        const text = written(this._socket, () => send.call(this, code, data, context));
        for (const line of text.split("\r\n").filter(Boolean)) hooks.wire?.(state, "S", line);
        if (code >= 400) hooks.rejected?.(state, code, this.session.error ?? String(code));
        return;
      }
      writeReply(this, custom, (lines) => lines.forEach((l) => hooks.wire?.(state, "S", l)));
      if (code >= 400) hooks.rejected?.(state, code, replyText(custom));
    };

    const onCommand = conn._onCommand;
    conn._onCommand = function (command, callback) {
      const line = (command || "").toString();
      // Inside an AUTH exchange the line is a SASL response, not a command.
      if (!this._nextHandler) state.command = line.split(" ")[0]!.toUpperCase();
      hooks.wire?.(state, "C", this._nextHandler ? REDACTED : state.command === "AUTH" ? redactCommand(line) : line);
      // The same conditions under which smtp-server itself would dispatch the command.
      if (!this._nextHandler && hooks.command && this._ready && !this._upgrading && !this._server._closeTimeout) {
        const answer = hooks.command(state, state.command!, line);
        if (answer) {
          writeReply(this, answer, (lines) => lines.forEach((l) => hooks.wire?.(state, "S", l)));
          if (answer.code >= 400) hooks.rejected?.(state, answer.code, replyText(answer));
          setImmediate(() => callback?.());
          return;
        }
      }
      onCommand.call(this, command, callback);
    };
  }
}

/** Writes a reply as smtp-server's send() would: never during a TLS handshake, and 421 closes the connection. */
function writeReply(conn: SMTPConnection, r: LabReply, onWritten: (lines: string[]) => void): void {
  if (r.code >= 400) conn.session.error = replyText(r);
  const socket = conn._socket;
  if (!conn._upgrading && socket && !socket.destroyed && socket.readyState === "open") {
    socket.write(encodeReply(r));
    onWritten(replyLines(r));
  }
  if (r.code === 421) conn.close();
}

/** What `fn` writes to the socket: smtp-server's send() formats replies itself (enhanced codes, multi-line), so its bytes are read as they go out. */
function written(socket: net.Socket | undefined, fn: () => void): string {
  if (!socket) {
    fn();
    return "";
  }
  const write = socket.write;
  let text = "";
  socket.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    text += String(chunk);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof socket.write;
  try {
    fn();
  } finally {
    socket.write = write;
  }
  return text;
}
