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

/** A reply longer than this is not SMTP; stop reading instead of buffering forever. */
const MAX_REPLY_BYTES = 1024 * 1024;

/**
 * Line-oriented SMTP reader/writer over one socket (plain or TLS). Replies are queued as they complete, so
 * pipelined commands (RFC 2920) can read theirs in order; a reply that arrives while nothing waits stays queued.
 */
export class Wire {
  private socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: string[] = [];
  private pendingCharset: Reply["charset"];
  private replies: Reply[] = [];
  private waiter: { resolve: (r: Reply) => void; reject: (e: WireError) => void; timer: NodeJS.Timeout } | null = null;
  private ended: WireError | null = null;
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
    if (!this.ended) this.socket.write(line + "\r\n");
  }

  /**
   * Sends several command lines in one write: an RFC 2920 command group. Each line is recorded in the
   * transcript; the replies are read in order with read().
   */
  sendGroup(lines: string[]): void {
    for (const line of lines) this.transcript?.client(line);
    if (!this.ended) this.socket.write(lines.join("\r\n") + "\r\n");
  }

  /** False once the connection has ended or failed: nothing more can be read or written. */
  get alive(): boolean {
    return this.ended === null;
  }

  /** Writes raw bytes (message data); not recorded line by line. */
  write(data: Buffer | string): boolean {
    return this.ended ? false : this.socket.write(data);
  }

  /** Waits for the next complete reply, at most `timeoutMs`. */
  read(timeoutMs: number): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new WireError("timeout", `no reply within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
    });
  }

  /** Detaches from the current socket so it can be handed to tls.connect (STARTTLS, RFC 3207 §4). */
  detach(): Socket {
    this.socket.off("data", this.onData).off("end", this.onEnd).off("close", this.onEnd).off("error", this.onError);
    return this.socket;
  }

  /** Continues on the upgraded socket. RFC 3207 §4.2: anything read before the upgrade is discarded. */
  attachTo(socket: Socket): void {
    this.buffer = Buffer.alloc(0);
    this.pending = [];
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
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf(0x0a)) >= 0) {
      const raw = this.buffer.subarray(0, nl > 0 && this.buffer[nl - 1] === 0x0d ? nl - 1 : nl);
      this.buffer = this.buffer.subarray(nl + 1);
      this.line(raw);
      if (this.ended) return;
    }
    if (this.buffer.length > MAX_REPLY_BYTES) this.fail(new WireError("protocol", "the server sent over 1 MiB without a line end"));
  }

  private line(raw: Buffer): void {
    const { text, charset } = decodeLine(raw);
    this.transcript?.server(text);
    const parsed = parseLine(text);
    // RFC 5321 §4.2.1: every line of a multiline reply carries the same code.
    if (!parsed || (this.pending.length > 0 && parseLine(this.pending[0]!)!.code !== parsed.code)) {
      this.fail(new WireError("protocol", `the server sent a line that is not an SMTP reply: ${JSON.stringify(text.slice(0, 120))}`));
      return;
    }
    this.pending.push(text);
    this.pendingCharset ??= charset;
    if (parsed.more) return;
    const reply = buildReply(this.pending, this.pendingCharset);
    this.pending = [];
    this.pendingCharset = undefined;
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
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      clearTimeout(w.timer);
      w.reject(err);
    }
  }
}
