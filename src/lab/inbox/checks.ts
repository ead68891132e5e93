import { Parser } from "htmlparser2";
import { listPresets } from "../../config/presets.js";
import { encodedWord, parseFromHeader } from "../../headers/from-header.js";
import type { ReceiverVerdict } from "./auth-results.js";
import { header, type ParsedMessage } from "./parse.js";

/** A link in the message. */
export interface Link {
  url: string;
  /** The link's text (HTML), or "" for a URL in the plain text. */
  text: string;
  source: "html" | "text";
}

/** What a receiver will make of the unsubscribe headers (RFC 2369 List-Unsubscribe, RFC 8058 one-click). */
export interface UnsubscribeCheck {
  present: boolean;
  header: string;
  /** The List-Unsubscribe-Post value, or "". */
  post: string;
  /** The URIs in List-Unsubscribe. */
  links: string[];
  /** What is wrong with them, in Mailpit's words where Mailpit has words for it. */
  errors: string[];
  /** RFC 8058 §3.1: List-Unsubscribe-Post is "List-Unsubscribe=One-Click" and List-Unsubscribe has an https URI. */
  oneClick: boolean;
  /** RFC 8058 §4: a DKIM-Signature covers both headers (its h= lists them); the d= of that signature, or null (receivers then ignore one-click). */
  signedBy: string | null;
  /** Whether the receiver found that signature valid; null when the message was not checked. */
  verified: boolean | null;
}

/** A header a receiver will object to, with the receiver's own words or the rule, and where they come from. */
export interface HeaderProblem {
  level: "error" | "warning";
  header: string;
  text: string;
  source: string;
}

/** The message's size against each limit known: the lab persona's SIZE and the providers' presets. */
export interface SizeCheck {
  bytes: number;
  limits: { name: string; limit: number; fits: boolean }[];
}

/** Every check on a message. */
export interface MessageChecks {
  links: Link[];
  /** Remote resources the HTML would load: images (the preview loads them when asked) and stylesheets (never loaded). */
  remote: { url: string; kind: "image" | "style" }[];
  unsubscribe: UnsubscribeCheck;
  headers: HeaderProblem[];
  size: SizeCheck;
}

const MAX_LINKS = 500;

/** Runs every check on a message; `raw` is the message's bytes (the head at least), `size` its whole size. */
export function checkMessage(m: ParsedMessage, raw: Buffer, size: number, verdict: ReceiverVerdict, labSize: { persona: string; limit: number }): MessageChecks {
  const { links, remote } = htmlLinks(m.html);
  for (const url of textLinks(m.text)) if (!links.some((l) => l.url === url) && links.length < MAX_LINKS) links.push({ url, text: "", source: "text" });
  return { links, remote, unsubscribe: unsubscribeCheck(m, verdict), headers: headerProblems(m, raw), size: sizeCheck(size, labSize) };
}

/** Links and remote resources of an HTML body. */
export function htmlLinks(html: string): { links: Link[]; remote: MessageChecks["remote"] } {
  const links: Link[] = [];
  const remote = new Map<string, "image" | "style">();
  if (!html) return { links, remote: [] };
  let open: Link | null = null;
  const addRemote = (u: string | undefined, kind: "image" | "style" = "image") => {
    const url = (u ?? "").trim();
    if (/^(https?:)?\/\//i.test(url) && remote.size < MAX_LINKS && !remote.has(url)) remote.set(url, kind);
  };
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if ((name === "a" || name === "area") && attrs.href && links.length < MAX_LINKS) {
          open = { url: attrs.href.trim(), text: "", source: "html" };
          links.push(open);
          if (name === "area") open = null;
        }
        if (name === "img" || (name === "input" && attrs.type?.toLowerCase() === "image")) addRemote(attrs.src);
        if (attrs.srcset) for (const c of attrs.srcset.split(",")) addRemote(c.trim().split(/\s+/)[0]);
        if (attrs.background) addRemote(attrs.background);
        if (name === "video" && attrs.poster) addRemote(attrs.poster);
        if (name === "link" && /stylesheet/i.test(attrs.rel ?? "")) addRemote(attrs.href, "style");
        if (attrs.style) for (const u of cssUrls(attrs.style)) addRemote(u);
      },
      ontext(text) {
        if (open) open.text = (open.text + text).replace(/\s+/g, " ").slice(0, 200);
      },
      onclosetag(name) {
        if (name === "a") open = null;
      },
    },
    { decodeEntities: true },
  );
  // <style> blocks: url() and @import reach the network too.
  const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((s) => s[1]!);
  parser.write(html);
  parser.end();
  for (const s of styles) for (const u of cssImports(s)) addRemote(u, "style");
  for (const s of styles) for (const u of cssUrls(s.replace(/@import[^;]*;?/gi, ""))) addRemote(u);
  for (const l of links) l.text = l.text.trim();
  return { links, remote: [...remote].map(([url, kind]) => ({ url, kind })) };
}

/** url() references in CSS: images (backgrounds, list markers). */
function cssUrls(css: string): string[] {
  return [...css.matchAll(/url\(\s*['"]?([^'")\s]+)['"]?\s*\)/gi)].map((m) => m[1]!);
}

/** @import targets: stylesheets. */
function cssImports(css: string): string[] {
  return [...css.matchAll(/@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)/gi)].map((m) => m[1]!);
}

/** URLs in plain text. */
export function textLinks(text: string): string[] {
  return [...new Set([...text.matchAll(/\bhttps?:\/\/[^\s<>"'()[\]]+/gi)].map((m) => m[0].replace(/[.,;:!?]+$/, "")))].slice(0, MAX_LINKS);
}

/** The URIs of a List-Unsubscribe value and what is wrong with it (the rules of Mailpit's ListUnsubscribeParser). */
export function parseListUnsubscribe(value: string): { links: string[]; errors: string[] } {
  const v = value.replace(/\([^)]*\)/g, "").trim();
  const links: string[] = [];
  const errors: string[] = [];
  const items = [...v.matchAll(/<([^>]*)>/g)].map((m) => m[1]!);
  if (!items.length) return { links, errors: [`"${v}" no valid unsubscribe links found`] };
  if (!/^<.*>$/s.test(v)) return { links, errors: [`"${v}" should be enclosed in <>`] };
  if (items.length > 2) return { links, errors: [`"${v}" should include a maximum of one email and one HTTP link`] };
  if ([...v.matchAll(/>([^<]*)</g)].some((j) => !/^\s*,\s*$/.test(j[1]!))) return { links, errors: [`"${v}" <> should be split with a comma and optional spaces`] };
  let mailto = false;
  let http = false;
  for (const r of items) {
    if (/\s/.test(r)) errors.push(`"${r}" should not contain spaces`);
    else if (/^mailto:[a-zA-Z0-9]/.test(r)) {
      if (mailto) errors.push(`"${r}" should only contain one mailto:`);
      else (mailto = true), links.push(r);
    } else if (/^https?:\/\/[a-zA-Z0-9]/i.test(r)) {
      if (http) errors.push(`"${r}" should only contain one HTTP link`);
      else (http = true), links.push(r);
    } else errors.push(`"${r}" should start with either http(s):// or mailto:`);
  }
  return { links, errors };
}

function unsubscribeCheck(m: ParsedMessage, verdict: ReceiverVerdict): UnsubscribeCheck {
  const value = header(m, "list-unsubscribe");
  const post = header(m, "list-unsubscribe-post");
  const { links, errors } = value ? parseListUnsubscribe(value) : { links: [], errors: [] };
  const oneClick = /^List-Unsubscribe=One-Click$/i.test(post) && links.some((l) => /^https:/i.test(l));
  if (post && !oneClick) errors.push(/^List-Unsubscribe=One-Click$/i.test(post) ? "List-Unsubscribe-Post needs an https URI in List-Unsubscribe (RFC 8058 §3.1)" : `List-Unsubscribe-Post must be exactly "List-Unsubscribe=One-Click" (RFC 8058 §3.1), not "${post}"`);
  let signedBy: string | null = null;
  for (const h of m.headers.filter((x) => x.name.toLowerCase() === "dkim-signature")) {
    const tags = dkimTags(h.value);
    const covered = (tags.h ?? "").toLowerCase().split(":").map((s) => s.trim());
    if (covered.includes("list-unsubscribe") && covered.includes("list-unsubscribe-post")) {
      signedBy = tags.d ?? "";
      break;
    }
  }
  let verified: boolean | null = null;
  if (signedBy !== null && verdict.checked) verified = verdict.dkim.some((d) => d.result === "pass" && (d.props["header.d"] ?? "").toLowerCase() === signedBy!.toLowerCase());
  return { present: Boolean(value), header: value, post, links, errors, oneClick, signedBy, verified };
}

function dkimTags(value: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) tags[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).replace(/\s+/g, "");
  }
  return tags;
}

// RFC 5322 §3.6: fields that may appear at most once.
const SINGLE = ["from", "sender", "reply-to", "to", "cc", "bcc", "message-id", "in-reply-to", "references", "subject", "date"];
const GMAIL_RFC = "Gmail, 550-5.7.1 … not RFC 5322 compliant (support.google.com/mail/?p=RfcMessageNonCompliant)";

/** Headers a receiver will object to. */
export function headerProblems(m: ParsedMessage, raw: Buffer): HeaderProblem[] {
  const out: HeaderProblem[] = [];
  const add = (level: HeaderProblem["level"], h: string, text: string, source: string) => out.push({ level, header: h, text, source });
  const count = (name: string) => m.headers.filter((h) => h.name.toLowerCase() === name).length;

  if (count("from") === 0) add("error", "From", "there is no From header: Gmail refuses the message (\"'From' header is missing\")", `${GMAIL_RFC}; thunderbird/thunderbird-android#3616; RFC 5322 §3.6`);
  for (const name of SINGLE) {
    const n = count(name);
    if (n > 1) add("error", display(name), `${n} ${display(name)} headers; RFC 5322 allows one: Gmail refuses the message ("There are multiple ${display(name)} headers")`, `${GMAIL_RFC}; sisimai/p5-sisimai#499, Chaste/Chaste#268; RFC 5322 §3.6`);
  }
  if (count("from") === 1) {
    const from = parseFromHeader(raw);
    if (m.fromCount > 1 && !count("sender")) {
      add("error", "From", "the From header has more than one address and there is no Sender header: Gmail refuses it (\"Messages with multiple addresses in From: header are not accepted\")", "sisimai/p5-sisimai#502; RFC 5322 §3.6.2");
    } else if (!from.ok) add("warning", "From", `${from.reason}: strict receivers (QQ Mail, Exchange) refuse such a From`, "QQ Mail 550 The \"From\" header is missing or invalid (https://service.mail.qq.com/detail/124/995)");
  }
  if (count("message-id") === 0) add("error", "Message-ID", "there is no Message-ID header: Gmail refuses the message (\"Messages missing a valid Message-ID header are not accepted\")", "element-hq/matrix-authentication-service#4747, ergochat/ergo#2108; RFC 5322 §3.6.4");
  else if (!/^<[^<>@\s]+@[^<>@\s]+>$/.test(header(m, "message-id").trim())) add("error", "Message-ID", `the Message-ID "${header(m, "message-id")}" is not <left@right> (RFC 5322 §3.6.4): Gmail counts it as missing`, "element-hq/matrix-authentication-service#4747; RFC 5322 §3.6.4");
  if (count("date") === 0) add("warning", "Date", "there is no Date header, which RFC 5322 requires: SpamAssassin scores MISSING_DATE, amavis flags \"Missing required header field: Date\"", "letscontrolit/ESPEasy#3865, nylas/nylas-mail#1246; RFC 5322 §3.6.1");
  else if (!m.date) add("warning", "Date", `the Date "${header(m, "date")}" does not parse as an RFC 5322 date`, "RFC 5322 §3.3");

  for (const h of m.headers) {
    for (const word of h.value.match(/=\?[^\s]*?\?=/g) ?? []) {
      if (encodedWord(word) === null) add("error", h.name, `malformed RFC 2047 encoded word ${word.length > 80 ? word.slice(0, 80) + "…" : word} (unknown charset, or bytes invalid in it)`, "RFC 2047 §2, §4");
      else if (word.length > 75) add("warning", h.name, `an encoded word of ${word.length} characters; RFC 2047 allows 75`, "RFC 2047 §2");
    }
  }
  const head = rawHeader(raw);
  for (const line of head.split(/\r?\n/)) {
    const name = /^([^:\s]+):/.exec(line)?.[1] ?? "(continuation)";
    if (Buffer.byteLength(line, "latin1") > 998) add("error", name, `a header line of ${line.length} bytes; the limit is 998 (amavis truncates it, others refuse)`, "modoboa/modoboa-amavis#112; RFC 5322 §2.1.1");
    if (/[\x80-\xff]/.test(line)) add("warning", name, "raw 8-bit bytes in a header: only valid with SMTPUTF8 and UTF-8 (RFC 6532); amavis flags \"Non-encoded 8-bit data\"", "tine20/tine20#4485, docker-mailserver/docker-mailserver#1925");
    if (/^[ \t]+$/.test(line)) add("warning", name, "a folded header line made up entirely of whitespace: amavis bounces it as BAD HEADER", "docker-mailserver/docker-mailserver#3501; RFC 5322 §3.2.2");
  }
  return dedupe(out);
}

/** The header section of a raw message, as latin1 (bytes kept one to one). */
function rawHeader(raw: Buffer): string {
  const text = raw.toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  return end >= 0 ? text.slice(0, end) : text;
}

function display(name: string): string {
  return name === "message-id" ? "Message-ID" : name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}

function dedupe(list: HeaderProblem[]): HeaderProblem[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = `${p.header}\0${p.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The size against the lab persona's SIZE and every provider preset's message limit. */
export function sizeCheck(bytes: number, lab: { persona: string; limit: number }): SizeCheck {
  const limits = [{ name: `lab (${lab.persona})`, limit: lab.limit }];
  for (const p of listPresets()) if (p.limits?.maxMessageBytes) limits.push({ name: p.title, limit: p.limits.maxMessageBytes });
  return { bytes, limits: limits.map((l) => ({ ...l, fits: bytes <= l.limit })) };
}
