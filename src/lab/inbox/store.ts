import { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CaptureEntry } from "../capture.js";
import type { Lab, LabAttempt, LabSession } from "../server.js";
import { receiverVerdict, type ReceiverVerdict } from "./auth-results.js";
import { header, parseMessage, type Mailbox, type ParsedMessage } from "./parse.js";
import { cleanString, type Searchable } from "./search.js";

/** One line of the inbox: a message the lab accepted, or an attempt a persona refused. */
export interface InboxEntry {
  id: string;
  outcome: "accepted" | "refused";
  time: string;
  persona: string;
  port: string;
  remote: string;
  user: string | null;
  envelope: { mailFrom: string | null; rcptTo: string[] };
  reply: LabAttempt["reply"];
  /** The message file (relative to the capture dir) with its size; null when no message was sent. */
  message: LabAttempt["message"];
  /** The SMTP session; null for a capture made before the lab kept session records. */
  session: LabSession | null;
}

/** What the list and the search need of a message, computed once. */
export interface Summary {
  from: Mailbox | null;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  replyTo: Mailbox[];
  subject: string;
  messageId: string;
  date: Date | null;
  snippet: string;
  attachments: number;
  inline: number;
  /** The search text (cleaned), cut at SEARCH_TEXT characters. */
  text: string;
  verdict: ReceiverVerdict;
}

/** The inbox keeps the newest MAX_ENTRIES entries in memory; older ones stay on disk. */
const MAX_ENTRIES = 10_000;
const SEARCH_TEXT = 16 * 1024;
const PARSED_CACHE = 8;

const EMPTY: Summary = { from: null, to: [], cc: [], bcc: [], replyTo: [], subject: "", messageId: "", date: null, snippet: "", attachments: 0, inline: 0, text: "", verdict: receiverVerdict({ headers: [] }) };

/** The lab's captures and attempts as one list, newest first, with parsed summaries. Events: "entry" (InboxEntry), "deleted" (ids or "all"). */
export class InboxStore extends EventEmitter {
  private readonly entries = new Map<string, InboxEntry>();
  private readonly summaries = new Map<string, Summary>();
  private readonly parsedCache = new Map<string, Promise<{ raw: Buffer; parsed: ParsedMessage }>>();
  /** Mailpit's read flag, kept while the lab runs. */
  readonly read = new Set<string>();
  // A capture is known (and on disk) before its 250 goes out, so a client that got the 250 finds it here, as in
  // Mailpit; its session record follows once the reply is written.
  private readonly onMessage = (c: CaptureEntry) => this.add(fromCapture(c), true);
  private readonly onAttempt = (a: LabAttempt) => this.add(fromAttempt(a), true);

  constructor(private readonly lab: Lab) {
    super();
  }

  /** Loads what is on disk and follows the lab from now on. */
  async load(): Promise<void> {
    this.lab.on("message", this.onMessage).on("attempt", this.onAttempt);
    const [captures, attempts] = await Promise.all([this.lab.captures(), this.lab.attempts()]);
    const byId = new Map(attempts.map((a) => [a.id, a]));
    const all: InboxEntry[] = captures.map((c) => (byId.has(c.id) ? fromAttempt(byId.get(c.id)!) : fromCapture(c)));
    for (const a of attempts) if (a.outcome === "refused") all.push(fromAttempt(a));
    all.sort((a, b) => a.time.localeCompare(b.time));
    for (const e of all.slice(-MAX_ENTRIES)) this.add(e, false);
  }

  /** Stops following the lab. */
  close(): void {
    this.lab.off("message", this.onMessage).off("attempt", this.onAttempt);
  }

  /** Every entry, newest first. */
  list(): InboxEntry[] {
    return [...this.entries.values()].reverse();
  }

  get(id: string): InboxEntry | undefined {
    return this.entries.get(id);
  }

  /** The entry's message summary (empty for an attempt without a message). */
  async summary(e: InboxEntry): Promise<Summary> {
    const known = this.summaries.get(e.id);
    if (known) return known;
    let s = EMPTY;
    const m = e.message ? await this.parsed(e).catch(() => null) : null;
    if (m) s = summarize(m.parsed);
    if (this.entries.has(e.id)) this.summaries.set(e.id, s);
    return s;
  }

  /** What a search looks at. */
  async searchable(e: InboxEntry): Promise<Searchable> {
    const s = await this.summary(e);
    return { ...s, outcome: e.outcome, persona: e.persona, port: e.port, created: new Date(e.time), size: e.message?.size ?? 0, read: this.read.has(e.id), code: e.reply?.code ?? null };
  }

  /** The message's bytes and its parse (a few are kept for the pages that ask for the same message in turn). */
  parsed(e: InboxEntry): Promise<{ raw: Buffer; parsed: ParsedMessage }> {
    let p = this.parsedCache.get(e.id);
    if (!p) {
      p = this.raw(e).then(async (raw) => ({ raw, parsed: await parseMessage(raw, e.message?.complete ?? true) }));
      this.parsedCache.set(e.id, p);
      p.catch(() => this.parsedCache.delete(e.id));
      while (this.parsedCache.size > PARSED_CACHE) this.parsedCache.delete(this.parsedCache.keys().next().value!);
    }
    return p;
  }

  /** The message's bytes as stored. */
  async raw(e: InboxEntry): Promise<Buffer> {
    const file = e.message?.file;
    // The name comes from the lab's own index, but the index is a file a user can edit: stay inside the capture dir.
    if (!file || !/^(refused\/)?[\w.-]+\.eml$/.test(file) || file.includes("..")) throw new Error(`entry ${e.id} has no message file`);
    return readFile(join(this.lab.captureDir, file));
  }

  /** Deletes entries (every one with "all"), files included. */
  async remove(ids: ReadonlySet<string> | "all"): Promise<void> {
    await this.lab.remove(ids);
    for (const id of ids === "all" ? [...this.entries.keys()] : ids) this.forget(id);
    this.emit("deleted", ids === "all" ? "all" : [...ids]);
  }

  private add(e: InboxEntry, live: boolean): void {
    // The session record of a capture replaces its first entry in place (same id, same time, same position).
    if (!this.entries.has(e.id) || !live) this.entries.delete(e.id);
    this.entries.set(e.id, e);
    while (this.entries.size > MAX_ENTRIES) this.forget(this.entries.keys().next().value!);
    if (live) this.emit("entry", e);
  }

  private forget(id: string): void {
    this.entries.delete(id);
    this.summaries.delete(id);
    this.parsedCache.delete(id);
    this.read.delete(id);
  }
}

function fromAttempt(a: LabAttempt): InboxEntry {
  return { id: a.id, outcome: a.outcome, time: a.time, persona: a.persona, port: a.port, remote: a.remote, user: a.user, envelope: a.envelope, reply: a.reply, message: a.message, session: a.session };
}

function fromCapture(c: CaptureEntry): InboxEntry {
  return {
    id: c.id,
    outcome: "accepted",
    time: c.time,
    persona: c.persona,
    port: c.port,
    remote: c.remote,
    user: c.user,
    envelope: { mailFrom: c.envelope.mailFrom, rcptTo: c.envelope.rcptTo },
    reply: null,
    message: { file: c.file, size: c.size, complete: true },
    session: null,
  };
}

/** Mailpit's snippet: the text (or the HTML's text), whitespace collapsed, 200 characters then "...". */
function snippet(m: ParsedMessage): string {
  const source = m.html ? htmlText(m.html) : m.text;
  const t = source.replace(/\uFEFF/g, " ").replace(/\s+/g, " ").trim();
  return t.length <= 200 ? t : `${t.slice(0, 200)}...`;
}

function htmlText(html: string): string {
  return html
    .replace(/<(style|script|head)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

function summarize(m: ParsedMessage): Summary {
  // Mailpit's search text: From, Subject, To, Cc, Bcc, Reply-To, Return-Path, the body's text, attachment names.
  const fields = ["from", "subject", "to", "cc", "bcc", "reply-to", "return-path"].map((h) => (h === "subject" ? m.subject : header(m, h)));
  const body = m.html ? htmlText(m.html) : m.text;
  const names = m.parts.filter((p) => !p.inline).map((p) => p.filename);
  return {
    from: m.from,
    to: m.to,
    cc: m.cc,
    bcc: m.bcc,
    replyTo: m.replyTo,
    subject: m.subject,
    messageId: m.messageId,
    date: m.date,
    snippet: snippet(m),
    attachments: m.parts.filter((p) => !p.inline).length,
    inline: m.parts.filter((p) => p.inline).length,
    text: cleanString([...fields, body.slice(0, SEARCH_TEXT), ...names].join(" ")).slice(0, SEARCH_TEXT),
    verdict: receiverVerdict(m),
  };
}
