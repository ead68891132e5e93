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

  /** Returns the chunk with dots doubled and line ends made CRLF (the chunk itself when nothing needs changing). */
  push(chunk: Buffer): Buffer {
    this.bytes += chunk.length;
    if (chunk.length > 0 && this.clean(chunk)) {
      const last = chunk[chunk.length - 1];
      this.prevCR = last === 0x0d;
      this.atLineStart = last === 0x0a;
      return chunk;
    }
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

  /**
   * True when the chunk goes out unchanged: no line starts with "." and every LF follows a CR. Messages built
   * by nodemailer (CRLF throughout) almost always are, and indexOf finds the line ends in native code.
   */
  private clean(chunk: Buffer): boolean {
    if (this.atLineStart && chunk[0] === 0x2e) return false;
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) {
      if (!(i > 0 ? chunk[i - 1] === 0x0d : this.prevCR) || chunk[i + 1] === 0x2e) return false;
    }
    return true;
  }

  /** The terminator: CRLF first if the message did not end with one. */
  end(): Buffer {
    if (this.atLineStart) return Buffer.from(".\r\n");
    return Buffer.from(this.prevCR ? "\n.\r\n" : "\r\n.\r\n");
  }
}
