import type { Socket } from "node:net";
import { buildReply, decodeLine, parseLine, type Reply } from "./reply.js";
import type { Transcript } from "./transcript.js";

/** Why a wait for a reply ended without one. */
export class WireError extends Error {
  constructor(
    readonly kind: "timeout" | "closed" | "protocol" | "socket",
    message: string,
    override readonly cause?: NodeJS.ErrnoException,
  ) {
    super(message);
  }
}

/**
 * Bounds on what one reply may hold. RFC 5321 §4.5.3.1.5 limits a reply line to 512 octets; real servers send a
 * few lines (an EHLO reply is one per extension). Postfix's client keeps at most line_length_limit (2048) bytes
 * of a multi-line reply (smtp_chat.c); mailctl allows far more, but fails the reply as a protocol error at these
 * limits instead of buffering an endless one until memory runs out.
 */
export const REPLY_LIMITS = { lineBytes: 16 * 1024, lines: 256, bytes: 64 * 1024 } as const;

/**
 * Line-oriented SMTP reader/writer over one socket (plain or TLS). Replies are queued as they complete, so
 * pipelined commands (RFC 2920) can read theirs in order. The wire counts the replies it is owed — the greeting,
 * one per command line, one for the end of the message — and a reply beyond them is a protocol error, as in
 * nodemailer's smtp-connection ("Unexpected Response"): it would otherwise be taken as the answer to the next
 * command and put the dialogue out of step. The one exception is a 421, which a server may send at any time
 * before it closes the channel (RFC 5321 §3.8): it stays queued as the answer to whatever comes next.
 */
export class Wire {
  private socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: string[] = [];
  /** Bytes of the lines in `pending`. */
  private pendingBytes = 0;
  private pendingCharset: Reply["charset"];
  private replies: Reply[] = [];
  /** Replies the server still owes: the greeting at first, then one per command line sent. */
  private owed = 1;
  private waiter: { resolve: (r: Reply) => void; reject: (e: WireError) => void; timer: NodeJS.Timeout } | null = null;
  private ended: WireError | null = null;
  private endListeners = new Set<(err: WireError) => void>();
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onEnd = () => this.fail(new WireError("closed", "the server closed the connection"));
  private readonly onError = (err: NodeJS.ErrnoException) => this.fail(new WireError("socket", err.message, err));

  constructor(
    socket: Socket,
    private readonly transcript?: Transcript,
  ) {
    this.socket = socket;
    this.attach();
  }

  /** The socket currently in use (after STARTTLS, the TLS socket). */
  get current(): Socket {
    return this.socket;
  }

  /** Bytes received but not yet part of a complete reply. */
  get unread(): number {
    return this.buffer.length + this.pending.length + this.replies.length;
  }

  /** Sends one command line; `secret` keeps its payload out of the transcript. */
  send(line: string, secret = false): void {
    this.transcript?.client(line, secret);
    this.owed++;
    if (!this.ended) this.socket.write(line + "\r\n");
  }

  /**
   * Sends several command lines in one write: an RFC 2920 command group. Each line is recorded in the
   * transcript; the replies are read in order with read().
   */
  sendGroup(lines: string[]): void {
    for (const line of lines) this.transcript?.client(line);
    this.owed += lines.length;
    if (!this.ended) this.socket.write(lines.join("\r\n") + "\r\n");
  }

  /** Why the connection ended or failed; null while it is alive. */
  get error(): WireError | null {
    return this.ended;
  }

  /** False once the connection has ended or failed: nothing more can be read or written. */
  get alive(): boolean {
    return this.ended === null;
  }

  /** Writes raw bytes (message data); not recorded line by line. `endsMessage`: they end with the final ".", which the server answers. */
  write(data: Buffer | string, endsMessage = false): boolean {
    if (endsMessage) this.owed++;
    return this.ended ? false : this.socket.write(data);
  }

  /** Calls `listener` once when the connection ends or fails (at once if it already has); returns the way to stop listening. */
  onceEnded(listener: (err: WireError) => void): () => void {
    if (this.ended) {
      listener(this.ended);
      return () => {};
    }
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Waits for the next complete reply, at most `timeoutMs`. */
  read(timeoutMs: number): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new WireError("timeout", `no reply within ${seconds(timeoutMs)}`));
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
    });
  }

  /** Detaches from the current socket so it can be handed to tls.connect (STARTTLS, RFC 3207 §4). */
  detach(): Socket {
    this.socket.off("data", this.onData).off("end", this.onEnd).off("close", this.onEnd).off("error", this.onError);
    return this.socket;
  }

  /**
   * Continues on the upgraded socket. RFC 3207 §4.2: anything read before the upgrade is discarded. `owed` is
   * what the server owes on it: nothing after STARTTLS (it waits for EHLO), the greeting after implicit TLS.
   */
  attachTo(socket: Socket, owed: 0 | 1): void {
    this.owed = owed;
    this.buffer = Buffer.alloc(0);
    this.pending = [];
    this.pendingBytes = 0;
    this.replies = [];
    this.socket = socket;
    this.attach();
  }

  /** Closes the connection without waiting. */
  destroy(): void {
    this.detach();
    this.socket.on("error", () => {});
    this.socket.destroy();
    this.fail(new WireError("closed", "the connection was closed"));
  }

  private attach(): void {
    this.socket.on("data", this.onData).on("end", this.onEnd).on("close", this.onEnd).on("error", this.onError);
  }

  private receive(chunk: Buffer): void {
    // After a failure nothing more is read: a hostile server must not keep filling the buffer or the transcript.
    if (this.ended) return;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf(0x0a)) >= 0) {
      const raw = this.buffer.subarray(0, nl > 0 && this.buffer[nl - 1] === 0x0d ? nl - 1 : nl);
      this.buffer = this.buffer.subarray(nl + 1);
      this.line(raw);
      if (this.ended) return;
    }
    if (this.buffer.length > REPLY_LIMITS.lineBytes) this.line(this.buffer);
  }

  private line(raw: Buffer): void {
    if (raw.length > REPLY_LIMITS.lineBytes) {
      this.fail(new WireError("protocol", `the server sent a reply line longer than ${REPLY_LIMITS.lineBytes / 1024} KiB (RFC 5321 §4.5.3.1.5 allows 512 octets)`));
      return;
    }
    const { text, charset } = decodeLine(raw);
    this.transcript?.server(text);
    const parsed = parseLine(text);
    // RFC 5321 §4.2.1: every line of a multiline reply carries the same code.
    if (!parsed || (this.pending.length > 0 && parseLine(this.pending[0]!)!.code !== parsed.code)) {
      this.fail(new WireError("protocol", `the server sent a line that is not an SMTP reply: ${JSON.stringify(text.slice(0, 120))}`));
      return;
    }
    this.pending.push(text);
    this.pendingBytes += raw.length + 2;
    this.pendingCharset ??= charset;
    if (parsed.more) {
      if (this.pending.length >= REPLY_LIMITS.lines) {
        this.fail(new WireError("protocol", `the server's reply went on for more than ${REPLY_LIMITS.lines} lines without an end (a multi-line reply ends with a "${parsed.code} " line, RFC 5321 §4.2.1)`));
      } else if (this.pendingBytes > REPLY_LIMITS.bytes) {
        this.fail(new WireError("protocol", `the server's reply went on for more than ${REPLY_LIMITS.bytes / 1024} KiB without an end (a multi-line reply ends with a "${parsed.code} " line, RFC 5321 §4.2.1)`));
      }
      return;
    }
    const reply = buildReply(this.pending, this.pendingCharset);
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingCharset = undefined;
    if (this.owed <= 0 && reply.code !== 421) {
      this.fail(new WireError("protocol", `the server sent a reply nobody asked for: ${JSON.stringify(reply.lines[0]!.slice(0, 120))} (it would have been taken as the answer to the next command)`));
      return;
    }
    if (this.owed > 0) this.owed--;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      clearTimeout(w.timer);
      w.resolve(reply);
    } else {
      this.replies.push(reply);
    }
  }

  private fail(err: WireError): void {
    if (this.ended) return;
    this.ended = err;
    for (const l of [...this.endListeners]) l(err);
    this.endListeners.clear();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      clearTimeout(w.timer);
      w.reject(err);
    }
  }
}

/** "15 s", "0.5 s": a wait as messages show it. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 || Number.isInteger(s) ? Math.round(s) : Number(s.toFixed(1))} s`;
}
