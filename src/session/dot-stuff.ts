const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * Transparency for DATA (RFC 5321 §4.5.2): a line that starts with "." gets a second ".", and the message ends
 * with CRLF "." CRLF. Before that, every bare CR and every bare LF becomes CRLF: RFC 5321 §2.3.8 allows CR and
 * LF only together, and a bare CR left as it is lets a body smuggle an end of data past servers that read
 * "<CR>.<CR><LF>" as one (SMTP smuggling: "line1\r.\r\nMAIL FROM:…" in a --text, a template or a CSV cell).
 * Works across chunk boundaries, so a message can be streamed without holding it in memory.
 *
 * With `transparency: false` only the line ends are normalised, and no terminator is added: the message as the
 * server will store it (what --dry-run prints).
 */
export class DotStuffer {
  /** Bytes of the message as given (before stuffing). */
  bytes = 0;
  private atLineStart = true;
  /** The last byte was a CR (already written): an LF that follows completes it, anything else gets one added. */
  private afterCR = false;

  constructor(private readonly opts: { transparency: boolean } = { transparency: true }) {}

  /** Returns the chunk with line ends made CRLF and dots doubled (the chunk itself when nothing needs changing). */
  push(chunk: Buffer): Buffer {
    this.bytes += chunk.length;
    if (chunk.length > 0 && this.clean(chunk)) {
      const last = chunk[chunk.length - 1];
      this.afterCR = last === CR;
      this.atLineStart = last === LF;
      return chunk;
    }
    const out = Buffer.allocUnsafe(chunk.length * 2 + 1);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.afterCR) {
        this.afterCR = false;
        out[o++] = LF;
        this.atLineStart = true;
        if (c === LF) continue; // the CR's own LF
      }
      if (c === CR) {
        out[o++] = CR;
        this.afterCR = true;
        continue;
      }
      if (c === LF) {
        out[o++] = CR;
        out[o++] = LF;
        this.atLineStart = true;
        continue;
      }
      if (c === DOT && this.atLineStart && this.opts.transparency) out[o++] = DOT;
      out[o++] = c;
      this.atLineStart = false;
    }
    return out.subarray(0, o);
  }

  /**
   * True when the chunk goes out unchanged: every CR is followed by an LF (or ends the chunk), every LF follows
   * a CR, and no line starts with ".". Messages built by nodemailer (CRLF throughout) almost always are, and
   * indexOf finds the line ends in native code.
   */
  private clean(chunk: Buffer): boolean {
    if (this.afterCR && chunk[0] !== LF) return false;
    if (this.atLineStart && chunk[0] === DOT && this.opts.transparency) return false;
    for (let i = chunk.indexOf(CR); i >= 0; i = chunk.indexOf(CR, i + 1)) {
      if (i + 1 < chunk.length && chunk[i + 1] !== LF) return false;
    }
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      if (!(i > 0 ? chunk[i - 1] === CR : this.afterCR)) return false;
      if (chunk[i + 1] === DOT && this.opts.transparency) return false;
    }
    return true;
  }

  /** The end: the last line's CRLF when it has none, then (with transparency) the terminating "." CRLF. */
  end(): Buffer {
    const eol = this.afterCR ? "\n" : this.atLineStart ? "" : "\r\n";
    return Buffer.from(eol + (this.opts.transparency ? ".\r\n" : ""));
  }
}
