/**
 * Transparency for DATA (RFC 5321 §4.5.2): a line that starts with "." gets a second ".", bare LF becomes
 * CRLF (§2.3.8 forbids bare LF), and the message ends with CRLF "." CRLF. Works across chunk boundaries,
 * so a message can be streamed without holding it in memory.
 */
export class DotStuffer {
  /** Bytes of the message as given (before stuffing). */
  bytes = 0;
  private atLineStart = true;
  private prevCR = false;

  /** Returns the chunk with dots doubled and line ends made CRLF. */
  push(chunk: Buffer): Buffer {
    this.bytes += chunk.length;
    const out = Buffer.allocUnsafe(chunk.length * 2);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === 0x0a && !this.prevCR) out[o++] = 0x0d;
      if (c === 0x2e && this.atLineStart) out[o++] = 0x2e;
      out[o++] = c;
      this.prevCR = c === 0x0d;
      this.atLineStart = c === 0x0a;
    }
    return out.subarray(0, o);
  }

  /** The terminator: CRLF first if the message did not end with one. */
  end(): Buffer {
    if (this.atLineStart) return Buffer.from(".\r\n");
    return Buffer.from(this.prevCR ? "\n.\r\n" : "\r\n.\r\n");
  }
}
