// The part of Mailpit's API (axllent/mailpit server/apiv1, its swagger.json) that test tooling uses, with
// Mailpit's JSON shapes, so Mailpit clients and CI scripts work against the lab. Differences: docs/inbox.md.
import type { ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { parseListUnsubscribe } from "./checks.js";
import { HttpError, json, readJson, text, type Route } from "./http.js";
import { checksums, header, type Mailbox, type ParsedMessage } from "./parse.js";
import { matches, parseQuery } from "./search.js";
import type { InboxEntry, InboxStore } from "./store.js";
import { viewCsp, viewHtml } from "./view.js";

/** Mailpit's MessageSummary (storage.MessageSummary). */
export interface MailpitSummary {
  ID: string;
  MessageID: string;
  Read: boolean;
  From: Mailbox | null;
  To: Mailbox[];
  Cc: Mailbox[];
  Bcc: Mailbox[];
  ReplyTo: Mailbox[];
  Subject: string;
  Created: string;
  Username: string;
  Tags: string[];
  Size: number;
  Attachments: number;
  Snippet: string;
}

/** Mailpit's Attachment. */
export interface MailpitAttachment {
  PartID: string;
  FileName: string;
  ContentType: string;
  ContentID: string;
  Size: number;
  Checksums: { MD5: string; SHA1: string; SHA256: string };
}

/** Mailpit's Message (storage.Message). */
export interface MailpitMessage {
  ID: string;
  MessageID: string;
  From: Mailbox | null;
  To: Mailbox[];
  Cc: Mailbox[];
  Bcc: Mailbox[];
  ReplyTo: Mailbox[];
  ReturnPath: string;
  Subject: string;
  ListUnsubscribe: { Header: string; Links: string[]; Errors: string; HeaderPost: string };
  Date: string;
  Tags: string[];
  Username: string;
  Text: string;
  HTML: string;
  Size: number;
  Inline: MailpitAttachment[];
  Attachments: MailpitAttachment[];
}

/** Mailpit's routes, served from the inbox store. Only accepted messages are in Mailpit's mailbox; a refused one's files are reachable by id too. */
export function mailpitRoutes(store: InboxStore): Route[] {
  const mailbox = () => store.list().filter((e) => e.outcome === "accepted");
  const byId = async (id: string, url: URL): Promise<InboxEntry> => {
    if (id === "latest") {
      // Mailpit's LatestID: the newest message, or the newest one matching ?query=.
      const query = url.searchParams.get("query")?.trim();
      const list = query ? await search(store, mailbox(), query, url.searchParams.get("tz") ?? undefined) : mailbox();
      if (!list.length) throw new HttpError(404, "Message not found");
      return list[0]!;
    }
    const e = store.get(id);
    if (!e?.message) throw new HttpError(404, "404 page not found");
    return e;
  };
  const listing = async (res: ServerResponse, url: URL, all: InboxEntry[], matched: InboxEntry[]) => {
    const { start, limit } = startLimit(url);
    const page = matched.slice(start, start + limit);
    const unread = (l: InboxEntry[]) => l.filter((e) => !store.read.has(e.id)).length;
    json(res, {
      total: all.length,
      unread: unread(all),
      count: page.length,
      messages_count: matched.length,
      messages_unread: unread(matched),
      start,
      tags: [],
      messages: await Promise.all(page.map((e) => summary(store, e))),
    });
  };
  return [
    { method: "GET", path: /^\/api\/v1\/messages$/, handle: (_q, res, url) => listing(res, url, mailbox(), beforeFilter(mailbox(), url)) },
    {
      method: "GET",
      path: /^\/api\/v1\/search$/,
      handle: async (_q, res, url) => {
        const query = url.searchParams.get("query")?.trim();
        if (!query) throw new HttpError(400, "Error: no search query");
        await listing(res, url, mailbox(), beforeFilter(await search(store, mailbox(), query, url.searchParams.get("tz") ?? undefined), url));
      },
    },
    {
      method: "DELETE",
      path: /^\/api\/v1\/search$/,
      handle: async (_q, res, url) => {
        const query = url.searchParams.get("query")?.trim();
        if (!query) throw new HttpError(400, "Error: no search query");
        const found = await search(store, mailbox(), query, url.searchParams.get("tz") ?? undefined);
        if (found.length) await store.remove(new Set(found.map((e) => e.id)));
        text(res, "ok");
      },
    },
    {
      method: "DELETE",
      path: /^\/api\/v1\/messages$/,
      handle: async (req, res) => {
        // Mailpit: no body, or no IDs, deletes every message. (Mailpit also deletes everything when the body does
        // not parse; here that is a 400, so a garbled request never empties the inbox.)
        const ids = idsOf(await readJson(req));
        await store.remove(ids.length ? new Set(ids) : "all");
        text(res, "ok");
      },
    },
    {
      method: "PUT",
      path: /^\/api\/v1\/messages$/,
      handle: async (req, res, url) => {
        const body = ((await readJson(req)) ?? {}) as { Read?: unknown; IDs?: unknown; Search?: unknown };
        const ids = idsOf(body);
        const search_ = typeof body.Search === "string" ? body.Search : "";
        if (ids.length && search_) throw new HttpError(400, "You may specify either IDs or a search query, not both");
        const targets = search_ ? (await search(store, mailbox(), search_, url.searchParams.get("tz") ?? undefined)).map((e) => e.id) : ids.length ? ids : mailbox().map((e) => e.id);
        for (const id of targets) {
          if (body.Read === true) store.read.add(id);
          else store.read.delete(id);
        }
        text(res, "ok");
      },
    },
    { method: "GET", path: /^\/api\/v1\/message\/([^/]+)$/, handle: async (_q, res, url, [id]) => json(res, await message(store, await byId(id!, url))) },
    {
      method: "GET",
      path: /^\/api\/v1\/message\/([^/]+)\/headers$/,
      handle: async (_q, res, url, [id]) => json(res, goHeaders((await store.parsed(await byId(id!, url))).parsed)),
    },
    {
      method: "GET",
      path: /^\/api\/v1\/message\/([^/]+)\/raw$/,
      handle: async (_q, res, url, [id]) => {
        const e = await byId(id!, url);
        const raw = await store.raw(e);
        const headers: Record<string, string | number> = { "Content-Type": "text/plain; charset=utf-8", "Content-Length": raw.length };
        if (url.searchParams.get("dl") === "1") headers["Content-Disposition"] = `attachment; filename="${e.id}.eml"`;
        res.writeHead(200, headers);
        res.end(raw);
      },
    },
    {
      method: "GET",
      path: /^\/api\/v1\/message\/([^/]+)\/part\/([^/]+)$/,
      handle: async (_q, res, url, [id, partId]) => {
        const { parsed } = await store.parsed(await byId(id!, url));
        const part = parsed.parts.find((p) => p.partId === partId);
        if (!part) throw new HttpError(404, "404 page not found");
        const name = part.filename || part.contentId || `part-${part.partId}`;
        res.writeHead(200, {
          "Content-Type": safeType(part.contentType),
          "Content-Length": part.content.length,
          "Content-Disposition": `${url.searchParams.get("dl") === "1" ? "attachment" : "inline"}; filename="${encodeURIComponent(name)}"`,
        });
        res.end(part.content);
      },
    },
    { method: "GET", path: /^\/view\/([^/]+)\.html$/, handle: async (_q, res, url, [id]) => viewHtmlRoute(store, res, await byId(id!, url), url.searchParams.get("remote") === "1") },
    {
      method: "GET",
      path: /^\/view\/([^/]+)\.txt$/,
      handle: async (_q, res, url, [id]) => text(res, (await store.parsed(await byId(id!, url))).parsed.text),
    },
    { method: "GET", path: /^\/api\/v1\/tags$/, handle: (_q, res) => json(res, []) },
    {
      method: "GET",
      path: /^\/api\/v1\/info$/,
      handle: (_q, res) => {
        const all = mailbox();
        json(res, { Version: `mailctl ${version()}`, LatestVersion: "", Database: "", DatabaseSize: 0, Messages: all.length, Unread: all.filter((e) => !store.read.has(e.id)).length, Tags: {}, RuntimeStats: { Uptime: Math.round(process.uptime()) } });
      },
    },
    { method: "GET", path: /^\/(livez|readyz)$/, handle: (_q, res) => text(res, "ok") },
  ];
}

/** The entries matching a Mailpit query, newest first. */
export async function search(store: InboxStore, list: InboxEntry[], query: string, tz?: string): Promise<InboxEntry[]> {
  const terms = parseQuery(query, tz);
  const out: InboxEntry[] = [];
  for (const e of list) if (matches(await store.searchable(e), terms)) out.push(e);
  return out;
}

/** Mailpit's summary of an entry. */
export async function summary(store: InboxStore, e: InboxEntry): Promise<MailpitSummary> {
  const s = await store.summary(e);
  return {
    ID: e.id,
    MessageID: s.messageId,
    Read: store.read.has(e.id),
    From: s.from,
    To: s.to,
    Cc: s.cc,
    Bcc: s.bcc,
    ReplyTo: s.replyTo,
    Subject: s.subject,
    Created: e.time,
    Username: e.user ?? "",
    Tags: [],
    Size: e.message?.size ?? 0,
    Attachments: s.attachments,
    Snippet: s.snippet,
  };
}

/** Mailpit's message; like Mailpit, reading it marks it read. */
async function message(store: InboxStore, e: InboxEntry): Promise<MailpitMessage> {
  const { parsed: m } = await store.parsed(e);
  store.read.add(e.id);
  const unsub = header(m, "list-unsubscribe");
  const { links, errors } = unsub ? parseListUnsubscribe(unsub) : { links: [], errors: [] };
  const attachment = (p: ParsedMessage["parts"][number]): MailpitAttachment => ({
    PartID: p.partId,
    FileName: p.filename,
    ContentType: p.contentType,
    ContentID: p.contentId,
    Size: p.content.length,
    Checksums: checksums(p.content),
  });
  // Mailpit lists a part only when it has a file name or a Content-ID.
  const named = m.parts.filter((p) => p.filename || p.contentId);
  return {
    ID: e.id,
    MessageID: m.messageId,
    From: m.from,
    To: m.to,
    Cc: m.cc,
    Bcc: m.bcc,
    ReplyTo: m.replyTo,
    ReturnPath: header(m, "return-path").replace(/^<|>$/g, "") || m.from?.Address || "",
    Subject: m.subject,
    ListUnsubscribe: { Header: unsub, Links: links, Errors: errors.join(", "), HeaderPost: unsub ? header(m, "list-unsubscribe-post") : "" },
    Date: (m.date ?? new Date(e.time)).toISOString(),
    Tags: [],
    Username: e.user ?? "",
    Text: m.text,
    HTML: m.html,
    Size: e.message?.size ?? 0,
    Inline: named.filter((p) => p.inline).map(attachment),
    Attachments: named.filter((p) => !p.inline).map(attachment),
  };
}

/** Headers as Go's net/mail.Header (Mailpit's /headers): canonical keys (textproto.CanonicalMIMEHeaderKey), every value in order. */
export function goHeaders(m: ParsedMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const h of m.headers) (out[canonicalKey(h.name)] ??= []).push(h.value);
  return out;
}

/** Go's CanonicalMIMEHeaderKey: "message-id" → "Message-Id"; a key with other characters stays as it is. */
export function canonicalKey(k: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(k)) return k;
  return k
    .split("-")
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1).toLowerCase() : w))
    .join("-");
}

function viewHtmlRoute(store: InboxStore, res: ServerResponse, e: InboxEntry, remote: boolean): Promise<void> {
  return store.parsed(e).then(({ parsed }) => {
    if (!parsed.html) throw new HttpError(404, "This message does not contain a HTML part");
    const body = Buffer.from(viewHtml(parsed));
    res.setHeader("Content-Security-Policy", viewCsp(remote));
    res.setHeader("X-Frame-Options", "SAMEORIGIN");
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": body.length });
    res.end(body);
  });
}

/** mailctl's version (package.json, the same two levels above src/ and dist/). */
function version(): string {
  return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

/** Mailpit's getStartLimit: start ≥ 0 (default 0), limit ≥ 0 (default 50). */
function startLimit(url: URL): { start: number; limit: number } {
  const start = Number.parseInt(url.searchParams.get("start") ?? "", 10);
  const limit = Number.parseInt(url.searchParams.get("limit") ?? "", 10);
  return { start: start > 0 ? start : 0, limit: limit > -1 ? limit : 50 };
}

/** Mailpit's before= parameter: messages received before that time. */
function beforeFilter(list: InboxEntry[], url: URL): InboxEntry[] {
  const b = url.searchParams.get("before");
  const t = b ? Date.parse(b) : NaN;
  return Number.isNaN(t) ? list : list.filter((e) => new Date(e.time).getTime() < t);
}

function idsOf(body: unknown): string[] {
  const ids = (body as { IDs?: unknown } | undefined)?.IDs;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
}

/** A part's Content-Type as a header value: mailparser's value, limited to the characters a MIME type has. */
function safeType(t: string): string {
  return /^[\w.+-]+\/[\w.+-]+$/.test(t) ? t : "application/octet-stream";
}
