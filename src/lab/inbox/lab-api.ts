// The lab's own API, which the page uses: every entry (accepted and refused) with persona, reply and receiver
// verdict, one entry with its session and checks, deletion, and server-sent events for live updates.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Lab } from "../server.js";
import type { ReceiverVerdict } from "./auth-results.js";
import { checkMessage, type MessageChecks } from "./checks.js";
import { HttpError, json, readJson, text, type Route } from "./http.js";
import { search } from "./mailpit-api.js";
import type { InboxEntry, InboxStore } from "./store.js";

/** One row of the inbox list. */
export interface EntryRow {
  id: string;
  outcome: InboxEntry["outcome"];
  time: string;
  persona: string;
  port: string;
  user: string | null;
  /** The client's address. */
  remote: string;
  /** The From header ("Name <address>"), else the envelope sender. */
  from: string;
  /** The envelope recipients, else the To header's addresses. */
  to: string[];
  subject: string;
  size: number;
  snippet: string;
  attachments: number;
  reply: InboxEntry["reply"];
  verdict: { checked: boolean; spf: string | null; dkim: string | null; dmarc: string | null };
  read: boolean;
}

/** One entry in full. */
export interface EntryDetail extends EntryRow {
  envelope: InboxEntry["envelope"];
  message: (NonNullable<InboxEntry["message"]> & { html: boolean }) | null;
  headers: { name: string; value: string }[];
  text: string;
  parts: { partId: string; filename: string; contentType: string; size: number; inline: boolean }[];
  session: InboxEntry["session"];
  receiver: ReceiverVerdict | null;
  checks: MessageChecks | null;
}

/** How many browsers may follow the live updates at once. */
const MAX_STREAMS = 32;

/** The lab API's routes. */
export function labRoutes(store: InboxStore, lab: Lab): Route[] {
  const streams = new Set<ServerResponse>();
  return [
    {
      method: "GET",
      path: /^\/api\/lab\/v1\/entries$/,
      handle: async (_q, res, url) => {
        const all = store.list();
        const query = url.searchParams.get("query")?.trim();
        const found = query ? await search(store, all, query, url.searchParams.get("tz") ?? undefined) : all;
        const start = Math.max(0, Number.parseInt(url.searchParams.get("start") ?? "0", 10) || 0);
        const limit = Math.min(1000, Math.max(0, Number.parseInt(url.searchParams.get("limit") ?? "200", 10) || 200));
        const refused = all.filter((e) => e.outcome === "refused").length;
        json(res, { total: all.length, accepted: all.length - refused, refused, count: found.length, start, entries: await Promise.all(found.slice(start, start + limit).map((e) => row(store, e))) });
      },
    },
    {
      method: "DELETE",
      path: /^\/api\/lab\/v1\/entries$/,
      handle: async (req, res) => {
        const body = (await readJson(req)) as { ids?: unknown } | undefined;
        const ids = Array.isArray(body?.ids) ? body.ids.filter((x): x is string => typeof x === "string") : [];
        await store.remove(ids.length ? new Set(ids) : "all");
        text(res, "ok");
      },
    },
    {
      method: "GET",
      path: /^\/api\/lab\/v1\/entry\/([^/]+)$/,
      handle: async (_q, res, _u, [id]) => {
        const e = store.get(id!);
        if (!e) throw new HttpError(404, "no such entry");
        json(res, await detail(store, e, lab));
      },
    },
    {
      method: "GET",
      path: /^\/api\/lab\/v1\/info$/,
      handle: (_q, res) => json(res, { persona: lab.persona, sizeLimit: lab.sizeLimit, listen: lab.listen, endpoints: lab.endpoints, account: lab.account.user }),
    },
    { method: "GET", path: /^\/api\/lab\/v1\/events$/, handle: (req, res) => follow(req, res, store, streams) },
  ];
}

/** The list row of an entry. */
export async function row(store: InboxStore, e: InboxEntry): Promise<EntryRow> {
  const s = await store.summary(e);
  const from = s.from ? (s.from.Name ? `${s.from.Name} <${s.from.Address}>` : s.from.Address) : (e.envelope.mailFrom ?? "");
  const worst = (results: string[]) => (results.length ? (results.find((r) => r !== "pass") ?? "pass") : null);
  return {
    id: e.id,
    outcome: e.outcome,
    time: e.time,
    persona: e.persona,
    port: e.port,
    user: e.user,
    remote: e.remote,
    from,
    to: e.envelope.rcptTo.length ? e.envelope.rcptTo : s.to.map((a) => a.Address),
    subject: s.subject,
    size: e.message?.size ?? 0,
    snippet: s.snippet,
    attachments: s.attachments,
    reply: e.reply,
    verdict: { checked: s.verdict.checked, spf: s.verdict.spf?.result ?? null, dkim: worst(s.verdict.dkim.map((d) => d.result)), dmarc: s.verdict.dmarc?.result ?? null },
    read: store.read.has(e.id),
  };
}

async function detail(store: InboxStore, e: InboxEntry, lab: Lab): Promise<EntryDetail> {
  const base = await row(store, e);
  const m = e.message ? await store.parsed(e).catch(() => null) : null;
  if (m) store.read.add(e.id);
  const summary = await store.summary(e);
  return {
    ...base,
    read: store.read.has(e.id),
    envelope: e.envelope,
    message: e.message && m ? { ...e.message, html: Boolean(m.parsed.html) } : null,
    headers: m?.parsed.headers ?? [],
    text: m?.parsed.text ?? "",
    parts: m?.parsed.parts.map((p) => ({ partId: p.partId, filename: p.filename, contentType: p.contentType, size: p.content.length, inline: p.inline })) ?? [],
    session: e.session,
    receiver: m ? summary.verdict : null,
    checks: m ? checkMessage(m.parsed, m.raw, e.message!.size, summary.verdict, { persona: lab.persona, limit: lab.sizeLimit }) : null,
  };
}

/** Server-sent events (WHATWG HTML §9.2): "entry" with a row for each new entry, "deleted" with the ids (or "all"). */
function follow(req: IncomingMessage, res: ServerResponse, store: InboxStore, streams: Set<ServerResponse>): void {
  if (streams.size >= MAX_STREAMS) throw new HttpError(503, `at most ${MAX_STREAMS} pages may follow the inbox at once`);
  res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "X-Accel-Buffering": "no" });
  res.write("retry: 1000\n\n");
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const onEntry = (e: InboxEntry) => void row(store, e).then((r) => send("entry", r), () => {});
  const onDeleted = (ids: string[] | "all") => send("deleted", { ids });
  // A comment line now and then keeps proxies and the browser from closing an idle stream.
  const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
  store.on("entry", onEntry).on("deleted", onDeleted);
  streams.add(res);
  const stop = () => {
    clearInterval(ping);
    store.off("entry", onEntry).off("deleted", onDeleted);
    streams.delete(res);
  };
  req.on("close", stop);
  res.on("close", stop);
}
