// A bare SMTP client for tests where the exact bytes of a reply matter (multi-line shape, GBK text).
import net from "node:net";
import tls from "node:tls";

/** One SMTP connection that returns each reply as the raw bytes received. */
export class RawSmtp {
  private buffer = Buffer.alloc(0);
  private waiting: ((b: Buffer | null) => void) | null = null;
  private closed = false;

  private constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  /** Connects to 127.0.0.1:port, in TLS from the first byte when `ca` is given with implicit. */
  static async connect(port: number, opts: { implicit?: boolean; ca?: string } = {}): Promise<RawSmtp> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = opts.implicit
        ? tls.connect({ host: "127.0.0.1", port, ca: opts.ca, servername: "localhost" }, () => resolve(s))
        : net.connect({ host: "127.0.0.1", port }, () => resolve(s));
      s.once("error", reject);
    });
    return new RawSmtp(socket);
  }

  /** The next complete reply (all its lines, CRLFs included); null when the server closed the connection first. */
  read(timeoutMs = 10_000): Promise<Buffer | null> {
    const ready = this.take();
    if (ready || this.closed) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`no reply within ${timeoutMs} ms; buffered: ${JSON.stringify(this.buffer.toString("latin1"))}`));
      }, timeoutMs);
      this.waiting = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
    });
  }

  /** Sends one command line and returns the reply as text (UTF-8). */
  async cmd(line: string): Promise<string> {
    this.socket.write(line + "\r\n");
    return ((await this.read()) ?? Buffer.alloc(0)).toString("utf8");
  }

  /** Sends raw bytes without waiting. */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Upgrades after a 220 to STARTTLS (RFC 3207). */
  async upgrade(ca: string): Promise<void> {
    this.socket.removeAllListeners("data");
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: this.socket, ca, servername: "localhost" }, () => resolve(s));
      s.once("error", reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  /** Logs in with AUTH PLAIN and returns the reply text. */
  authPlain(user: string, password: string): Promise<string> {
    return this.cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString("base64")}`);
  }

  /** True once the server has closed the connection. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Waits until the server closes the connection. */
  async closedByServer(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => this.socket.once("close", () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: net.Socket): void {
    socket.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    if (!this.waiting) return;
    const r = this.take();
    if (r || this.closed) {
      const w = this.waiting;
      this.waiting = null;
      w(r);
    }
  }

  /** Cuts one complete reply off the buffer: lines up to one whose 4th byte is a space (RFC 5321 §4.2.1). */
  private take(): Buffer | null {
    let start = 0;
    for (;;) {
      const nl = this.buffer.indexOf("\r\n", start);
      if (nl < 0) return null;
      const last = this.buffer[start + 3] !== 0x2d; // not "-"
      start = nl + 2;
      if (last) {
        const reply = this.buffer.subarray(0, start);
        this.buffer = this.buffer.subarray(start);
        return reply;
      }
    }
  }
}

/** A connection to one of a lab's ports, greeted, EHLO sent, and upgraded with STARTTLS on the submission port. */
export async function openLab(
  lab: { endpoints: Record<"implicit" | "starttls" | "plain", { port: number }>; caPem: string },
  kind: "implicit" | "starttls" | "plain",
): Promise<{ c: RawSmtp; greeting: Buffer; ehlo: string }> {
  const c = await RawSmtp.connect(lab.endpoints[kind].port, { implicit: kind === "implicit", ca: lab.caPem });
  const greeting = (await c.read())!;
  let ehlo = await c.cmd("EHLO client.test");
  if (kind === "starttls") {
    await c.cmd("STARTTLS");
    await c.upgrade(lab.caPem);
    ehlo = await c.cmd("EHLO client.test");
  }
  return { c, greeting, ehlo };
}

/** Sends MAIL, RCPT, DATA and the message; returns the reply to the final dot (or the first refusal). */
export async function sendRaw(c: RawSmtp, from: string, to: string, message: string): Promise<string> {
  const mail = await c.cmd(`MAIL FROM:<${from}>`);
  if (!mail.startsWith("250")) return mail;
  const rcpt = await c.cmd(`RCPT TO:<${to}>`);
  if (!rcpt.startsWith("250")) return rcpt;
  const data = await c.cmd("DATA");
  if (!data.startsWith("354")) return data;
  return c.cmd(message.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..") + "\r\n.");
}
