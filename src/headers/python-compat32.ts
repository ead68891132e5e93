// What Python's email package writes for `msg["From"] = value` on a compat32 message: the email.mime classes
// (MIMEText, MIMEMultipart) and email.message.Message, which Dify (api/libs/smtp.py), RAGFlow
// (api/utils/web_utils.py) and most smtplib/aiosmtplib code build. A port of CPython 3.11 Lib/email:
// _policybase.py Compat32._fold → header.py Header(value, header_name=name).encode(maxlinelen, linesep)
// (its _ValueFormatter and _Accumulator), charset.py Charset("utf-8").header_encode_lines (SHORTEST of
// base64mime and quoprimime per value), base64mime/quoprimime header_encode. A str value is stored as it is;
// only serialising encodes it, and a value with any non-ASCII character becomes RFC 2047 encoded words as a
// whole — display name, angle brackets and address alike — which is the header strict servers refuse.
// test/unit/headers/python-email.test.ts runs python3 on the same values and compares the bytes.

/** Folding as the generator that serialises the message sets it: 0 = never (Message.as_string()), else the line length. */
export type MaxLineLength = 0 | 78;

const SPLITCHARS = ";, \t";
const CONTINUATION_WS = " ";

/** The folded value of `name: value` as compat32 writes it (without the "name: " prefix and the final line break). */
export function compat32Header(name: string, value: string, maxLineLength: MaxLineLength, linesep = "\r\n"): string {
  const ascii = /^[\x00-\x7f]*$/.test(value);
  // Header.encode: a maxlinelen of 0 means "don't wrap", done with a huge limit.
  const maxlen = maxLineLength === 0 ? 1_000_000 : maxLineLength;
  const f = new ValueFormatter(name.length + 2, maxlen);
  // A header value has one line (the caller refuses line breaks), so feed() runs once, then one transition.
  if (ascii) f.asciiSplit("", value);
  else f.feedEncoded("", value);
  f.addTransition();
  return f.str(linesep);
}

type Chunk = [fws: string, part: string];

/** header.py _Accumulator: the pieces of the line being built, and the header name's width on the first line. */
class Accumulator {
  parts: Chunk[] = [];
  constructor(public initialSize = 0) {}
  push(fws: string, part: string): void {
    this.parts.push([fws, part]);
  }
  pop(): Chunk {
    return this.parts.pop() ?? ["", ""];
  }
  popFrom(i: number): Chunk[] {
    return this.parts.splice(i);
  }
  get length(): number {
    return this.parts.reduce((n, [fws, part]) => n + fws.length + part.length, this.initialSize);
  }
  toString(): string {
    return this.parts.map(([fws, part]) => fws + part).join("");
  }
  reset(start: Chunk[] = []): void {
    this.parts = start;
    this.initialSize = 0;
  }
  isOnlyWs(): boolean {
    return this.initialSize === 0 && (this.parts.length === 0 || /^\s+$/.test(this.toString()));
  }
}

/** header.py _ValueFormatter, for one chunk in one charset (us-ascii or utf-8). */
class ValueFormatter {
  private lines: string[] = [];
  private current: Accumulator;
  constructor(headerLen: number, private readonly maxlen: number) {
    this.current = new Accumulator(headerLen);
  }

  str(linesep: string): string {
    this.newline();
    return this.lines.join(linesep);
  }

  newline(): void {
    const end = this.current.pop();
    if (end[0] !== " " || end[1] !== "") this.current.push(...end);
    if (this.current.length > 0) {
      if (this.current.isOnlyWs() && this.lines.length) this.lines[this.lines.length - 1] += this.current.toString();
      else this.lines.push(this.current.toString());
    }
    this.current.reset();
  }

  addTransition(): void {
    this.current.push(" ", "");
  }

  /** feed() for a charset with a header encoding: fit encoded words into the remaining widths. */
  feedEncoded(fws: string, text: string): void {
    const widths = this.maxlengths();
    const lines = headerEncodeLines(text, () => widths.next().value as number);
    const first = lines.shift();
    if (first === undefined) return;
    if (first !== null) this.appendChunk(fws, first);
    const last = lines.pop();
    if (last === undefined) return;
    this.newline();
    this.current.push(CONTINUATION_WS, last as string);
    for (const line of lines) this.lines.push(CONTINUATION_WS + (line as string));
  }

  private *maxlengths(): Generator<number> {
    yield this.maxlen - this.current.length;
    for (;;) yield this.maxlen - CONTINUATION_WS.length;
  }

  /** _ascii_split: split at runs of FWS, then let appendChunk break lines at the best split character. */
  asciiSplit(fws: string, text: string): void {
    const parts = (fws + text).split(/([ \t]+)/);
    if (parts[0]) parts.unshift("");
    else parts.shift();
    for (let i = 0; i + 1 < parts.length; i += 2) this.appendChunk(parts[i]!, parts[i + 1]!);
  }

  private appendChunk(fws: string, text: string): void {
    this.current.push(fws, text);
    if (this.current.length <= this.maxlen) return;
    // Find the best split point, working backward from the end; there may be none on a long first line.
    for (const ch of SPLITCHARS) {
      for (let i = this.current.parts.length - 1; i > 0; i--) {
        if (/\s/.test(ch)) {
          const f = this.current.parts[i]![0];
          if (f && f[0] === ch) return this.splitAt(i);
        }
        const prev = this.current.parts[i - 1]![1];
        if (prev && prev[prev.length - 1] === ch) return this.splitAt(i);
      }
    }
    let [f, part] = this.current.pop();
    if (this.current.initialSize > 0) {
      // There will be a header name, so leave the part on a line by itself.
      this.newline();
      if (!f) f = " ";
    }
    this.current.push(f, part);
  }

  private splitAt(i: number): void {
    const remainder = this.current.popFrom(i);
    this.lines.push(this.current.toString());
    this.current.reset(remainder);
  }
}

/**
 * charset.py header_encode_lines for utf-8: the shorter of base64 and Q for the whole value (base64 only when
 * strictly shorter), then as many characters per encoded word as fit the width of each line.
 */
function headerEncodeLines(text: string, nextWidth: () => number): (string | null)[] {
  const useB64 = b64Length(Buffer.from(text, "utf8")) < qLength(Buffer.from(text, "utf8"));
  const length = (s: string) => (useB64 ? b64Length : qLength)(Buffer.from(s, "utf8"));
  const encode = (s: string) => (useB64 ? `=?utf-8?b?${Buffer.from(s, "utf8").toString("base64")}?=` : `=?utf-8?q?${qEncode(Buffer.from(s, "utf8"))}?=`);
  const extra = "utf-8".length + 7; // RFC2047_CHROME_LEN: =? ? b ? ?=
  const lines: (string | null)[] = [];
  let current: string[] = [];
  let maxlen = nextWidth() - extra;
  // Python iterates code points, so a character outside the BMP is never split.
  for (const ch of text) {
    current.push(ch);
    if (length(current.join("")) > maxlen) {
      current.pop();
      if (!lines.length && !current.length) lines.push(null);
      else lines.push(encode(current.join("")));
      current = [ch];
      maxlen = nextWidth() - extra;
    }
  }
  lines.push(encode(current.join("")));
  return lines;
}

function b64Length(bytes: Buffer): number {
  return Math.ceil(bytes.length / 3) * 4;
}

// quoprimime._QUOPRI_HEADER_MAP: letters, digits and -!*+/ stay; a space is "_"; every other byte is =XX.
const Q_SAFE = /^[-!*+/A-Za-z0-9]$/;
function qChar(byte: number): string {
  const c = String.fromCharCode(byte);
  if (Q_SAFE.test(c)) return c;
  if (c === " ") return "_";
  return `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}
function qLength(bytes: Buffer): number {
  let n = 0;
  for (const b of bytes) n += qChar(b).length;
  return n;
}
function qEncode(bytes: Buffer): string {
  let s = "";
  for (const b of bytes) s += qChar(b);
  return s;
}

/**
 * email.utils.formataddr((name, address)): the From value that is correct under either policy, because it is
 * ASCII already (a non-ASCII name becomes one encoded word, a name with specials is quoted). Null when the
 * address is not ASCII (Python raises UnicodeError).
 */
export function formataddr(name: string, address: string): string | null {
  if (!/^[\x00-\x7f]*$/.test(address)) return null;
  if (!name) return address;
  if (!/^[\x00-\x7f]*$/.test(name)) {
    // Charset("utf-8").header_encode: one word, the shorter of base64 and Q (base64 only when strictly shorter).
    const bytes = Buffer.from(name, "utf8");
    const word = b64Length(bytes) < qLength(bytes) ? `=?utf-8?b?${bytes.toString("base64")}?=` : `=?utf-8?q?${qEncode(bytes)}?=`;
    return `${word} <${address}>`;
  }
  const quotes = /[\][\\()<>@,:;".]/.test(name) ? '"' : "";
  return `${quotes}${name.replace(/[\\"]/g, "\\$&")}${quotes} <${address}>`;
}
