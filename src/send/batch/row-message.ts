import path from "node:path";
import type { Readable } from "node:stream";
import { dataError, MailctlError } from "../../errors.js";
import { parseMailboxes, type Mailbox } from "../address.js";
import { checkAttachments, parseAttachSpec, type AttachPolicy, type Attachment, type AttachSpec } from "../attachments.js";
import { buildInMemory, type Encoders } from "../build-sync.js";
import { assertOneLine, type ExtraHeader } from "../headers.js";
import { composeMessage, mailOptions, type MessageInput } from "../message.js";
import { substitute, type Vars } from "../template.js";
import { rowKey, rowMessageId } from "./keys.js";
import type { BatchRow } from "./rows.js";

/** The columns mailctl reads itself; every column (these too) is also a template variable. */
export const BATCH_COLUMNS = ["to", "name", "cc", "subject", "attachments", "key", "id"] as const;

/** What every row of a batch shares. */
export interface BatchSettings {
  /** The batch file as the user named it (in messages) and its directory (attachments are relative to it). */
  file: string;
  dir: string;
  batch: string;
  template: { name: string; body: string; html: boolean; subject?: string; /** The body's variables (placeholderNames). */ names: string[] };
  /** --subject: a template for the subject, used when a row has no subject column value. */
  subject?: string;
  /** --var / --vars: defaults for every row; a row's columns win. */
  vars: Vars;
  from: Mailbox;
  fromFormat?: "name-addr" | "address-only";
  replyTo: Mailbox[];
  headers: ExtraHeader[];
  priority?: "high" | "normal" | "low";
  /** --attach files, for every row (already checked). */
  attachments: Attachment[];
  policy: AttachPolicy;
}

/** A row turned into a message's input: checked, with its key and Message-ID. */
export interface PreparedRow {
  key: string;
  line: number;
  messageId: string;
  input: MessageInput;
  /** The row's own attachments, to check (and read) before it is built. */
  attach: AttachSpec[];
}

/** A message ready for the wire: a Buffer when it was built in memory, else a stream opened on demand. */
export interface RowMessage {
  key: string;
  line: number;
  messageId: string;
  from: string;
  to: string[];
  size: number;
  smtputf8: boolean;
  /** Addresses that need SMTPUTF8 (RFC 6531). */
  utf8Addresses: string[];
  data(): Buffer | Readable;
}

/**
 * Checks one row and fills the template with its fields — everything that can be wrong with a row is found here,
 * in the check pass before anything is sent, and named by line (exit 65). With `checkOnly` the body is not built,
 * only its variables looked up: the check pass reads every row and should not make a message's worth of garbage.
 */
export function prepareRow(row: BatchRow, s: BatchSettings, checkOnly = false): PreparedRow {
  const where = `${s.file} line ${row.line}`;
  const key = rowKey(row, s.file);
  const f = row.fields;
  if (!f.to?.trim()) throw dataError(`${where}: no recipient (the "to" column is empty)`);
  const to = parseMailboxes(f.to, `${where}: to`);
  const name = f.name?.trim();
  if (name && to.length === 1 && !to[0]!.name) to[0]!.name = assertOneLine(name, `${where}: name`);
  const cc = f.cc?.trim() ? parseMailboxes(f.cc, `${where}: cc`) : [];
  const vars: Vars = { ...s.vars, ...f };
  const complete = s.template.names.every((n) => Object.hasOwn(vars, n));
  // A missing variable: substitute() throws the error naming it (the same words as `mailctl send --template`).
  const body = checkOnly && complete ? "" : substitute(s.template.body, vars, `${where} (template ${s.template.name})`, s.template.html);
  let subject = f.subject?.trim() ? f.subject : undefined;
  const subjectTemplate = s.subject ?? s.template.subject;
  if (subject === undefined && subjectTemplate !== undefined) subject = substitute(subjectTemplate, vars, `${where} (subject)`, false);
  if (subject === undefined) throw dataError(`${where}: no subject: give the row a subject column value, or pass --subject, or put subject: in the template's front matter`);
  assertOneLine(subject, `${where}: subject`);
  const specs = (row.lists.attachments ?? (f.attachments ?? "").split("|")).map((a) => a.trim()).filter(Boolean);
  const messageId = rowMessageId(s.batch, key, s.from.address);
  const input: MessageInput = {
    from: s.from,
    to,
    cc,
    bcc: [],
    replyTo: s.replyTo,
    subject,
    attachments: s.attachments,
    headers: s.headers,
    references: [],
    messageId,
  };
  if (s.fromFormat) input.fromFormat = s.fromFormat;
  if (s.priority) input.priority = s.priority;
  if (s.template.html) input.html = body;
  else input.text = body;
  return { key, line: row.line, messageId, input, attach: specs.map((a) => parseAttachSpec(a)) };
}

/** Checks a row's own attachments (exist, readable, allowed, inside --attach-root, within the size limit). */
export async function rowAttachments(p: PreparedRow, s: BatchSettings): Promise<MessageInput> {
  if (!p.attach.length) return p.input;
  try {
    const own = await checkAttachments(p.attach, s.policy, s.dir);
    return { ...p.input, attachments: [...s.attachments, ...own] };
  } catch (err) {
    if (err instanceof MailctlError) throw new MailctlError(err.category, `${s.file} line ${p.line}: ${err.message}`, err.hint);
    throw err;
  }
}

/** nodemailer's composer and encoders, loaded once per batch. */
export interface Composer {
  MailComposer: typeof import("nodemailer/lib/mail-composer").default;
  encoders: Encoders;
  /** A random part for multipart boundaries, drawn once: nodemailer would draw 8 random bytes for every message. */
  boundary: string;
  built: number;
}

/** Loads nodemailer's MIME code (heavy: only when a batch runs). */
export async function loadComposer(): Promise<Composer> {
  const [{ default: MailComposer }, qp, base64] = await Promise.all([import("nodemailer/lib/mail-composer"), import("nodemailer/lib/qp"), import("nodemailer/lib/base64")]);
  const { randomBytes } = await import("node:crypto");
  return { MailComposer, encoders: { qp: qp.Encoder, base64: base64.Encoder } as unknown as Encoders, boundary: randomBytes(8).toString("hex"), built: 0 };
}

/**
 * Builds a row's message with nodemailer: in memory when every part is (buildInMemory, byte-identical to
 * nodemailer's build()), else streamed from disk as `mailctl send` does (attachments are never held in memory).
 */
export async function buildRow(p: PreparedRow, input: MessageInput, c: Composer): Promise<RowMessage> {
  const recipients = [...input.to, ...input.cc];
  const utf8Addresses = [...new Set([input.from, ...recipients].filter((m) => m.utf8).map((m) => m.address))];
  const base = { key: p.key, line: p.line, messageId: p.messageId, from: input.from.address, to: [...new Set(recipients.map((m) => m.address))], utf8Addresses, smtputf8: utf8Addresses.length > 0 };
  if (input.attachments.length === 0) {
    // Unique in the message and unguessable from outside it, as nodemailer's own are (RFC 2046 §5.1.1).
    const options = { ...mailOptions(input, p.messageId), disableFileAccess: true, baseBoundary: `${c.boundary}-${(c.built++).toString(36)}` };
    const bytes = buildInMemory(new c.MailComposer(options).compile(), c.encoders);
    if (bytes) return { ...base, size: bytes.length, data: () => bytes };
  }
  const m = await composeMessage(input);
  return { ...base, size: m.size, data: () => m.stream() };
}

/** The directory of a batch file, for its relative attachment paths. */
export function batchDir(file: string, cwd: string): string {
  return path.dirname(path.resolve(cwd, file));
}
