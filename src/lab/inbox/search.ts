// Mailpit's search syntax (mailpit.axllent.org/docs/usage/search-filters/), read from Mailpit's own
// internal/storage/search.go and internal/tools/argsparser.go, plus the lab's own terms (is:refused…).
import type { Mailbox } from "./parse.js";

/** What a search looks at in one inbox entry. */
export interface Searchable {
  outcome: "accepted" | "refused";
  persona: string;
  port: string;
  created: Date;
  size: number;
  read: boolean;
  from: Mailbox | null;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  replyTo: Mailbox[];
  subject: string;
  messageId: string;
  /** Headers, body text and attachment names, already cleaned (cleanString). */
  text: string;
  attachments: number;
  inline: number;
  /** The code of the reply that settled the attempt, or null. */
  code: number | null;
}

/** One term of a query: "-" or "!" in front excludes. */
export interface Term {
  exclude: boolean;
  test: (s: Searchable) => boolean;
}

/** Splits a query into words, a "quoted phrase" being one word (Mailpit's ArgsParser). */
export function splitQuery(q: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  const flush = () => {
    const v = cur.replace(/"/g, "").trim();
    if (v) out.push(v);
    cur = "";
  };
  for (const c of q) {
    if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (!quoted && c === " ") flush();
    else cur += c;
  }
  flush();
  return out;
}

/** Mailpit's cleanString: separators to spaces, whitespace collapsed, lower case. */
export function cleanString(s: string): string {
  return s
    .replace(/\uFEFF/g, " ")
    .replace(/(\r?\n|\t|>|<|"|,|;|\(|\))/g, " ")
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
}

/** Parses a query into terms that all must hold; `tz` is an IANA zone for dates without one (Mailpit's tz parameter). */
export function parseQuery(q: string, tz?: string): Term[] {
  const terms: Term[] = [];
  for (let w of splitQuery(q)) {
    if (!cleanString(w)) continue;
    let exclude = false;
    if (w.length > 1 && (w.startsWith("-") || w.startsWith("!"))) {
      exclude = true;
      w = w.slice(1);
    }
    const lw = w.toLowerCase();
    const add = (test: (s: Searchable) => boolean) => terms.push({ exclude, test });
    const prefix = (p: string) => (lw.startsWith(p) ? cleanString(w.slice(p.length)) : null);
    const addresses = (pick: (s: Searchable) => Mailbox[], v: string) => add((s) => pick(s).some((a) => `${a.Name} ${a.Address}`.toLowerCase().includes(v)));
    let v: string | null;
    if ((v = prefix("to:")) !== null) v && addresses((s) => s.to, v);
    else if ((v = prefix("from:")) !== null) v && addresses((s) => (s.from ? [s.from] : []), v);
    else if ((v = prefix("cc:")) !== null) v && addresses((s) => s.cc, v);
    else if ((v = prefix("bcc:")) !== null) v && addresses((s) => s.bcc, v);
    else if ((v = prefix("reply-to:")) !== null) v && addresses((s) => s.replyTo, v);
    else if ((v = prefix("addressed:")) !== null) v && addresses((s) => [...(s.from ? [s.from] : []), ...s.to, ...s.cc, ...s.bcc, ...s.replyTo], v);
    else if (lw.startsWith("subject:")) {
      const sub = w.slice(8).toLowerCase();
      if (sub) add((s) => s.subject.toLowerCase().includes(sub));
    } else if ((v = prefix("message-id:")) !== null) v && add((s) => s.messageId.toLowerCase().includes(v!));
    else if ((v = prefix("tag:")) !== null) v && add(() => false); // the lab has no tags
    else if (lw === "is:read") add((s) => s.read);
    else if (lw === "is:unread") add((s) => !s.read);
    else if (lw === "is:tagged") add(() => false);
    else if (lw === "has:inline" || lw === "has:inlines") add((s) => s.inline > 0);
    else if (lw === "has:attachment" || lw === "has:attachments") add((s) => s.attachments > 0);
    else if ((v = prefix("after:")) !== null || (v = prefix("before:")) !== null) {
      const t = v ? parseDate(v, tz) : null;
      // Mailpit ignores a date it cannot parse (and logs it).
      if (t !== null) add(lw.startsWith("after:") ? (s) => s.created.getTime() >= t : (s) => s.created.getTime() <= t);
    } else if (lw.startsWith("larger:") && sizeToBytes(cleanString(w.slice(7))) > 0) {
      const n = sizeToBytes(cleanString(w.slice(7)));
      add((s) => s.size > n);
    } else if (lw.startsWith("smaller:") && sizeToBytes(cleanString(w.slice(8))) > 0) {
      const n = sizeToBytes(cleanString(w.slice(8)));
      add((s) => s.size < n);
    } else if (lw === "is:refused") add((s) => s.outcome === "refused");
    else if (lw === "is:accepted") add((s) => s.outcome === "accepted");
    else if ((v = prefix("persona:")) !== null) v && add((s) => s.persona === v);
    else if ((v = prefix("port:")) !== null) v && add((s) => s.port === v);
    else if ((v = prefix("code:")) !== null) v && add((s) => s.code !== null && String(s.code).startsWith(v!));
    else {
      const text = cleanString(w);
      add((s) => s.text.includes(text));
    }
  }
  return terms;
}

/** True when every term holds (an excluded term must not). */
export function matches(s: Searchable, terms: Term[]): boolean {
  return terms.every((t) => t.test(s) !== t.exclude);
}

/** Mailpit's sizeToBytes: "2kb", "4MB", "1.5m", or plain bytes; 0 when it is none of these. */
export function sizeToBytes(v: string): number {
  const m = /^(\d+)(\.\d+)?\s?([a-z]{1,2})?$/.exec(v.toLowerCase());
  if (!m) return 0;
  const n = Number(m[1]! + (m[2] ?? ""));
  const unit = m[3];
  if (!unit) return Math.floor(n);
  if (unit === "k" || unit === "kb") return Math.floor(n * 1024);
  if (unit === "m" || unit === "mb") return Math.floor(n * 1024 * 1024);
  return 0;
}

/** A date as Mailpit's dateparse reads the common forms: a day (2024-01-31, 2024/01/31), a time, or an RFC 3339/2822 date. */
export function parseDate(v: string, tz?: string): number | null {
  const day = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ t](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/i.exec(v);
  if (day) {
    const [y, mo, d, h = "0", mi = "0", s = "0"] = day.slice(1).map((x) => x ?? "0") as string[];
    const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    return utc - offsetMs(utc, tz);
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/** The zone's offset from UTC at that moment (local time when no zone is named or it is unknown, as Mailpit falls back). */
function offsetMs(utc: number, tz?: string): number {
  if (tz) {
    try {
      const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(utc)).map((p) => [p.type, p.value]));
      const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
      return asUtc - utc;
    } catch {
      // an unknown zone: Mailpit warns and uses local time
    }
  }
  return -new Date(utc).getTimezoneOffset() * 60_000;
}
