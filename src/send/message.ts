import { randomBytes } from "node:crypto";
import { Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { MailComposerOptions } from "nodemailer/lib/mail-composer";
import type MimeNode from "nodemailer/lib/mime-node";
import { noInputError } from "../errors.js";
import { domainOf, type Mailbox } from "./address.js";
import type { Attachment } from "./attachments.js";
import type { ExtraHeader } from "./headers.js";

/** Everything a message is made of, already validated (addresses parsed, no line breaks in header values). */
export interface MessageInput {
  from: Mailbox;
  /** "address-only": From carries the bare address, for providers that reject display names. */
  fromFormat?: "name-addr" | "address-only";
  /** A From header value sent verbatim, as an app wrote it (doctor --header-from); `from` stays the envelope sender. */
  rawFromHeader?: string;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  replyTo: Mailbox[];
  subject: string;
  text?: string;
  html?: string;
  attachments: Attachment[];
  headers: ExtraHeader[];
  inReplyTo?: string;
  references: string[];
  priority?: "high" | "normal" | "low";
  /** "<id@domain>"; generated on the From domain when absent. */
  messageId?: string;
  date?: Date;
}

/** A built message: its envelope, id and size, and a way to stream its bytes (the same bytes each time). */
export interface ComposedMessage {
  messageId: string;
  subject: string;
  envelope: { from: string; to: string[] };
  /** Addresses with a non-ASCII local part: the server must offer SMTPUTF8 (RFC 6531). */
  utf8Addresses: string[];
  /** Exact size in bytes, CRLF line ends, before dot-stuffing (RFC 1870 §3's definition of SIZE). */
  size: number;
  /** The header block as sent (unfolded lines), for the dry-run summary. */
  headerLines: string[];
  attachments: { filename: string; contentType: string; size: number }[];
  stream(): Readable;
}

/** RFC 5322 §3.6.4: a unique left side and the sender's domain on the right. */
export function makeMessageId(fromAddress: string): string {
  return `<${randomBytes(12).toString("hex")}.${Date.now().toString(36)}@${domainOf(fromAddress)}>`;
}

/** "Re: " once (RFC 5322 §3.6.5), not "Re: Re: ". */
export function replySubject(subject: string): string {
  return /^\s*re\s*:/i.test(subject) ? subject : `Re: ${subject}`;
}

/** The headers nodemailer's mailer writes for `priority` (MailComposer leaves them to the mailer). */
function priorityHeaders(p: MessageInput["priority"]): ExtraHeader[] {
  if (p === "high") return [{ key: "X-Priority", value: "1 (Highest)" }, { key: "X-MSMail-Priority", value: "High" }, { key: "Importance", value: "High" }];
  if (p === "low") return [{ key: "X-Priority", value: "5 (Lowest)" }, { key: "X-MSMail-Priority", value: "Low" }, { key: "Importance", value: "Low" }];
  return [];
}

/** The nodemailer mail options for a message: nodemailer does every bit of MIME (RFC 2045–2047, 2231, 5322 quoting). */
export function mailOptions(input: MessageInput, messageId: string): MailComposerOptions {
  const box = (m: Mailbox) => ({ name: m.name, address: m.address });
  const from = input.fromFormat === "address-only" ? input.from.address : box(input.from);
  const subject = input.inReplyTo ? replySubject(input.subject) : input.subject;
  const references = [...input.references];
  // RFC 5322 §3.6.4: References is the parent's References followed by the parent's Message-ID.
  if (input.inReplyTo && !references.includes(input.inReplyTo)) references.push(input.inReplyTo);
  const opts: MailComposerOptions = {
    // A verbatim From is written by composeMessage itself (see withRawFrom): nodemailer has no way to take one.
    ...(input.rawFromHeader === undefined ? { from } : {}),
    subject,
    messageId,
    headers: [...priorityHeaders(input.priority), ...input.headers],
    attachments: input.attachments.map((a) => ({ path: a.path, filename: a.filename, contentType: a.contentType })),
    // CRLF everywhere, so the bytes counted for SIZE are the bytes sent (RFC 5321 §2.3.8).
    newline: "win",
    disableUrlAccess: true,
  };
  if (input.to.length) opts.to = input.to.map(box);
  if (input.cc.length) opts.cc = input.cc.map(box);
  if (input.bcc.length) opts.bcc = input.bcc.map(box); // listed for the envelope; nodemailer leaves Bcc out of the headers
  if (input.replyTo.length) opts.replyTo = input.replyTo.map(box);
  if (input.inReplyTo) opts.inReplyTo = input.inReplyTo;
  if (references.length) opts.references = references;
  if (input.text !== undefined) opts.text = input.text;
  if (input.html !== undefined) opts.html = input.html;
  if (input.text === undefined && input.html === undefined) opts.text = "";
  if (input.date) opts.date = input.date;
  return opts;
}

/**
 * Builds the message with nodemailer's MailComposer and measures it by streaming it once through a byte
 * counter: the exact size for SIZE (RFC 1870) without holding a 25 MiB attachment in memory, and any file
 * that cannot be read fails here, before anything connects.
 */
export async function composeMessage(input: MessageInput): Promise<ComposedMessage> {
  const { default: MailComposer } = await import("nodemailer/lib/mail-composer");
  const messageId = input.messageId ?? makeMessageId(input.from.address);
  const options = mailOptions(input, messageId);
  const node = new MailComposer(options).compile();
  if (input.rawFromHeader !== undefined) withRawFrom(node, input.rawFromHeader);
  const recipients = [...input.to, ...input.cc, ...input.bcc];
  const envelopeTo = [...new Set(recipients.map((m) => m.address))];
  const utf8Addresses = [...new Set([input.from, ...recipients].filter((m) => m.utf8).map((m) => m.address))];
  const { size, head } = await measure(() => node.createReadStream());
  return {
    messageId,
    subject: options.subject ?? "",
    envelope: { from: input.from.address, to: envelopeTo },
    utf8Addresses,
    size,
    headerLines: head.split("\r\n").reduce<string[]>((lines, l) => {
      if (/^[ \t]/.test(l) && lines.length) lines[lines.length - 1] += l.replace(/^[ \t]+/, " ");
      else if (l) lines.push(l);
      return lines;
    }, []),
    attachments: input.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
    stream: () => node.createReadStream(),
  };
}

/**
 * Puts `From: <value>` at the top of the root node's header block, byte for byte. nodemailer cannot do it: a
 * `prepared` header value is honoured only for fields outside its FORMATTED_HEADERS list, and From is on it, so
 * a prepared From is parsed as an address list, finds no address and is dropped (nodemailer 10.6
 * dist/esm/mime-node/index.js buildHeaders). The value is the point of doctor --header-from and --from-config:
 * the server must see exactly the header the app writes, so nothing here folds, encodes or checks it.
 */
function withRawFrom(node: MimeNode, value: string): void {
  const build = node.buildHeaders.bind(node);
  node.buildHeaders = () => `From: ${value}\r\n${build()}`;
}

/** Streams the message once: counts the bytes and keeps the header block. */
async function measure(open: () => Readable): Promise<{ size: number; head: string }> {
  let size = 0;
  let head: Buffer | null = Buffer.alloc(0);
  let headText = "";
  const counter = new Writable({
    write(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (head) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end >= 0 || head.length > 256 * 1024) {
          headText = head.subarray(0, end >= 0 ? end : head.length).toString("utf8");
          head = null;
        }
      }
      done();
    },
  });
  try {
    await pipeline(open(), counter);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { path?: string };
    if (e.code && e.path) throw noInputError(e.path, e);
    throw err;
  }
  if (head) headText = head.toString("utf8");
  return { size, head: headText };
}
