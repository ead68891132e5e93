import { createHash } from "node:crypto";
import { simpleParser, type AddressObject, type Attachment } from "mailparser";

/** One mailbox as Mailpit shows it (Go's net/mail.Address: Name, Address). */
export interface Mailbox {
  Name: string;
  Address: string;
}

/** A part of a message that is a file: an attachment, or an inline one (an image the HTML shows). */
export interface Part {
  /** The part's position in the MIME tree ("2", "1.2"), as mailparser and Mailpit number parts. */
  partId: string;
  filename: string;
  contentType: string;
  /** Content-ID without the angle brackets, or "". */
  contentId: string;
  inline: boolean;
  content: Buffer;
}

/** A message taken apart for the inbox. */
export interface ParsedMessage {
  /** Header fields in order: the name as written, and the value unfolded (RFC 5322 §2.2.3) and not decoded. */
  headers: { name: string; value: string }[];
  from: Mailbox | null;
  /** How many mailboxes the From header names (RFC 5322 §3.6.2: more than one needs a Sender). */
  fromCount: number;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  replyTo: Mailbox[];
  subject: string;
  /** Message-ID without the angle brackets, or "". */
  messageId: string;
  /** The Date header, when it parses. */
  date: Date | null;
  text: string;
  html: string;
  parts: Part[];
  /** False when the bytes given were only the first part of the message. */
  complete: boolean;
}

/** Bigger messages are taken apart from their first PARSE_LIMIT bytes only (the lab's personas advertise up to 70 MB). */
export const PARSE_LIMIT = 32 * 1024 * 1024;

/** Takes a message apart with mailparser; cid: links stay as they are written (the HTML view resolves them). */
export async function parseMessage(raw: Buffer, complete = true): Promise<ParsedMessage> {
  const cut = raw.length > PARSE_LIMIT;
  const mail = await simpleParser(cut ? raw.subarray(0, PARSE_LIMIT) : raw, { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const html = typeof mail.html === "string" ? mail.html : "";
  return {
    headers: mail.headerLines.map((h) => {
      const colon = h.line.indexOf(":");
      return { name: colon >= 0 ? h.line.slice(0, colon).trim() : h.key, value: unfold(colon >= 0 ? h.line.slice(colon + 1) : "") };
    }),
    from: mailboxes(mail.from)[0] ?? null,
    fromCount: mailboxes(mail.from).length,
    to: mailboxes(mail.to),
    cc: mailboxes(mail.cc),
    bcc: mailboxes(mail.bcc),
    replyTo: mailboxes(mail.replyTo),
    subject: mail.subject ?? "",
    messageId: (mail.messageId ?? "").replace(/^<|>$/g, ""),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    text: mail.text ?? "",
    html,
    parts: mail.attachments.map(part),
    complete: complete && !cut,
  };
}

/** The value of the first header called `name` (case-insensitive), or "". */
export function header(m: Pick<ParsedMessage, "headers">, name: string): string {
  const want = name.toLowerCase();
  return m.headers.find((h) => h.name.toLowerCase() === want)?.value ?? "";
}

/** MD5, SHA1 and SHA256 of a part, as Mailpit reports them (Checksums). */
export function checksums(content: Buffer): { MD5: string; SHA1: string; SHA256: string } {
  const h = (algo: string) => createHash(algo).update(content).digest("hex");
  return { MD5: h("md5"), SHA1: h("sha1"), SHA256: h("sha256") };
}

function part(a: Attachment, i: number): Part {
  const contentId = (a.contentId ?? "").replace(/^<|>$/g, "");
  return {
    partId: a.partId ?? String(i + 1),
    filename: a.filename ?? "",
    contentType: a.contentType,
    contentId,
    // enmime (Mailpit's parser) counts a part as inline when its disposition says so or it belongs to multipart/related.
    inline: a.related || (a.contentDisposition === "inline" && contentId !== ""),
    content: a.content,
  };
}

function mailboxes(field: AddressObject | AddressObject[] | undefined): Mailbox[] {
  if (!field) return [];
  const out: Mailbox[] = [];
  const walk = (list: AddressObject["value"]) => {
    for (const a of list) {
      if (a.group) walk(a.group);
      else if (a.address || a.name) out.push({ Name: a.name ?? "", Address: a.address ?? "" });
    }
  };
  for (const f of Array.isArray(field) ? field : [field]) walk(f.value);
  return out;
}

/** Unfolds a header value (RFC 5322 §2.2.3), each fold's whitespace becoming one space as Go's textproto (Mailpit) does. */
function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, " ").trim();
}
