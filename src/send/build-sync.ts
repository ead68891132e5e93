// The bytes of a message nodemailer has compiled, produced in one synchronous step when every part is in memory.
//
// Why: MailComposer's build() runs each message through a chain of streams (a PassThrough per part, encoder
// streams, pipeline() with its abort signals, the newline transform), which costs about 200 µs per message —
// more than everything else a batch does per row together. This walks the same MimeNode tree and calls the
// same nodemailer code for every decision that shapes the bytes (buildHeaders() for the header block and its
// RFC 2047 encoding and folding, getTransferEncoding() for the choice of encoding, nodemailer's own QP and
// base64 encoders for the content), so only the plumbing is ours. test/unit/send/build-sync.test.ts checks
// it against build() byte for byte. A part read from a file, a URL or a stream is left to build().
import type MimeNode from "nodemailer/lib/mime-node";
import type { Transform } from "node:stream";

/** nodemailer's encoder classes, loaded with MailComposer by the caller. */
export interface Encoders {
  qp: new (options?: { binary?: boolean }) => Transform;
  base64: new () => Transform;
}

/** The parts of a MimeNode this module reads that its type declarations keep private. */
interface NodeInternals {
  _raw?: unknown;
  _transforms: unknown[];
  _processFuncs: unknown[];
  content?: unknown;
}

const CRLF = Buffer.from("\r\n");

/** The message as build() would give it, or null when some part is not in memory (a file, a URL, a stream). */
export function buildInMemory(root: MimeNode, enc: Encoders): Buffer | null {
  const out: Buffer[] = [];
  if (!serialize(root, enc, out)) return null;
  let bytes = Buffer.concat(out);
  // nodemailer's LastNewline: the message ends with a line break.
  const last = bytes[bytes.length - 1];
  if (last !== 0x0a) bytes = Buffer.concat([bytes, Buffer.from(last === 0x0d ? "\n" : "\r\n")]);
  return toCrlf(bytes);
}

/** MimeNode.stream() without streams: headers, encoded content, then the children between boundaries. */
function serialize(node: MimeNode, enc: Encoders, out: Buffer[]): boolean {
  const n = node as unknown as NodeInternals;
  if (n._raw || n._transforms.length || n._processFuncs.length) return false;
  const content = n.content;
  if (content && typeof content !== "string" && !Buffer.isBuffer(content)) return false;
  const body = content as string | Buffer | undefined;
  const encoding = node.getTransferEncoding();
  out.push(Buffer.from(node.buildHeaders() + "\r\n\r\n"));
  if (body) {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    if (encoding === "base64") encode(new enc.base64(), bytes, out);
    // Outside text a lone CR or LF is data (nodemailer's rule), so the encoder keeps it.
    else if (encoding === "quoted-printable") encode(new enc.qp({ binary: !/^text\//i.test(node.contentType ?? "") }), bytes, out);
    else out.push(bytes);
  }
  if (node.multipart) {
    for (let i = 0; i < node.childNodes.length; i++) {
      out.push(Buffer.from(`${i > 0 ? "\r\n" : ""}--${String(node.boundary)}\r\n`));
      if (!serialize(node.childNodes[i]!, enc, out)) return false;
    }
    out.push(Buffer.from(`\r\n--${String(node.boundary)}--\r\n`));
  }
  return true;
}

/**
 * Runs one of nodemailer's encoder transforms over the whole content at once. Both encoders finish their work
 * synchronously inside _transform and _flush, so calling them directly gives exactly the bytes the stream gives.
 */
function encode(encoder: Transform, bytes: Buffer, out: Buffer[]): void {
  const t = encoder as unknown as { push(chunk: unknown): boolean; _transform(chunk: Buffer, encoding: string, cb: () => void): void; _flush(cb: () => void): void };
  t.push = (chunk: unknown) => {
    if (chunk !== null) out.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), "latin1"));
    return true;
  };
  t._transform(bytes, "buffer", () => {});
  t._flush(() => {});
}

/** nodemailer's LeWindows: every bare LF becomes CRLF (RFC 5322 §2.3: lines end in CRLF). */
function toCrlf(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (i > 0 && buf[i - 1] === 0x0d) continue;
    parts.push(buf.subarray(from, i), CRLF);
    from = i + 1;
  }
  if (parts.length === 0) return buf;
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}
