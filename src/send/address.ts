import net from "node:net";
import { domainToASCII } from "node:url";
import addressparser from "nodemailer/lib/addressparser";
import { dataError } from "../errors.js";
import { assertOneLine } from "./headers.js";

/** One validated mailbox: the display name as the user wrote it and the address to put in the envelope. */
export interface Mailbox {
  name: string;
  /** local@domain, the domain in A-labels (RFC 5891), so only a non-ASCII local part needs SMTPUTF8. */
  address: string;
  /** The local part is not ASCII: the server must offer SMTPUTF8 (RFC 6531) to take it. */
  utf8: boolean;
}

// RFC 5322 §3.2.3 atext, widened by RFC 6532 §3.2 to any non-ASCII UTF-8.
const ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\u{10FFFF}-]+$/u;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
/** RFC 5321 §4.1.3 address literals: an IPv4 address, or "IPv6:" and an IPv6 address; each checked as an address. */
const LITERAL = /^\[(.*)\]$/;

function literalProblem(literal: string): string | null {
  const inner = LITERAL.exec(literal)![1]!;
  if (/^IPv6:/i.test(inner)) return net.isIPv6(inner.slice(5)) ? null : `"${literal}" is not an IPv6 address literal`;
  return net.isIPv4(inner) ? null : `"${literal}" is not an address literal (RFC 5321 §4.1.3: [IPv4] or [IPv6:…], each octet 0–255)`;
}

/**
 * Checks one address (RFC 5321 §4.1.2 Mailbox): a dot-atom local part, a domain of LDH labels or an address
 * literal, and the length limits of §4.5.3.1. Returns the address with its domain in A-labels, or why not.
 */
export function checkAddress(address: string): { ok: true; address: string; utf8: boolean } | { ok: false; why: string } {
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return { ok: false, why: "it is not local@domain" };
  const local = address.slice(0, at);
  const domainIn = address.slice(at + 1);
  if (local.split(".").some((part) => !ATOM.test(part))) return { ok: false, why: `"${local}" is not a valid local part` };
  if (Buffer.byteLength(local) > 64) return { ok: false, why: "the local part is longer than 64 octets (RFC 5321 §4.5.3.1.1)" };
  let domain = domainIn;
  if (LITERAL.test(domainIn)) {
    const problem = literalProblem(domainIn);
    if (problem) return { ok: false, why: problem };
  } else {
    // An internationalised domain travels as A-labels, which every server understands (RFC 5891 §4.4).
    domain = /[^\x00-\x7f]/.test(domainIn) ? domainToASCII(domainIn) : domainIn;
    const labels = domain.replace(/\.$/, "").split(".");
    if (!domain || labels.some((l) => !LABEL.test(l))) return { ok: false, why: `"${domainIn}" is not a valid domain` };
  }
  const result = `${local}@${domain}`;
  if (Buffer.byteLength(result) > 254) return { ok: false, why: "it is longer than 254 octets (RFC 5321 §4.5.3.1)" };
  return { ok: true, address: result, utf8: /[^\x00-\x7f]/.test(local) };
}

/**
 * Parses the value of an address flag: one or more `addr`, `<addr>`, `Name <addr>` or `"Last, First" <addr>`,
 * separated by commas. Anything addressparser would have to guess at is refused, naming the flag and the text.
 */
export function parseMailboxes(raw: string, field: string): Mailbox[] {
  assertOneLine(raw, `${field} "${raw.replace(/[\r\n]+/g, "⏎")}"`);
  const bad = (why: string) => dataError(`${field}: invalid address "${raw}": ${why}`);
  const shape = shapeProblem(raw);
  if (shape) throw bad(shape);
  const entries = addressparser(raw, { flatten: true });
  if (entries.length === 0) throw dataError(`${field}: "${raw}" contains no address`);
  return entries.map((e) => {
    if (!e.address) throw bad("no address in it");
    // addressparser reads `foo bar@x.com` as name "foo" and `a@b.com (c)` as name "c": a name is only a name
    // when the address is in angle brackets.
    if (e.name && !raw.includes(`<${e.address}>`)) throw bad(`expected "Name <address>" or a bare address`);
    if (e.name && /[<>]/.test(e.name)) throw bad("more than one address in angle brackets");
    if (/=\?[^?]+\?[bqBQ]\?[^?]*\?=/.test(e.name)) throw bad("the display name is already RFC 2047-encoded; give the name as plain text and mailctl encodes it");
    const checked = checkAddress(e.address);
    if (!checked.ok) throw bad(checked.why);
    return { name: e.name, address: checked.address, utf8: checked.utf8 };
  });
}

/**
 * What addressparser would have to guess at, read from the raw text (outside quoted strings): a "<" never
 * closed, a ">" never opened, two <…> in one entry ("Bob <a@x> <b@x>" became name "Bob b@x", address a@x),
 * or text after the <address> (RFC 5322 §3.4: name-addr is [display-name] angle-addr). Null when none.
 */
function shapeProblem(raw: string): string | null {
  let quoted = false;
  let escaped = false;
  let open = false;
  let angles = 0;
  let afterClose = "";
  for (const c of raw) {
    if (quoted) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') quoted = false;
      if (angles && !open) afterClose += c;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === "<") {
      if (open) return 'a "<" inside <…>';
      if (angles) return "more than one address in angle brackets";
      open = true;
      angles++;
      continue;
    } else if (c === ">") {
      if (!open) return 'a ">" without its "<"';
      open = false;
      continue;
    } else if (c === "," && !open) {
      if (afterClose.trim()) return `text after the <address>: "${afterClose.trim()}"`;
      angles = 0;
      afterClose = "";
      continue;
    }
    if (angles && !open) afterClose += c;
  }
  if (quoted) return "a quote that is never closed";
  if (open) return 'the "<" is never closed by ">"';
  if (afterClose.trim()) return `text after the <address>: "${afterClose.trim()}"`;
  return null;
}

/** Parses a flag that takes exactly one mailbox (--from, --reply-to with one value). */
export function parseMailbox(raw: string, field: string): Mailbox {
  const list = parseMailboxes(raw, field);
  if (list.length !== 1) throw dataError(`${field}: expected one address, got ${list.length} in "${raw}"`);
  return list[0]!;
}

/** Parses every value of a repeatable address flag (--to a --to "b, c"). */
export function parseMailboxList(values: string[] | undefined, field: string): Mailbox[] {
  return (values ?? []).flatMap((v) => parseMailboxes(v, field));
}

/** The domain of an address: where Message-IDs are made (RFC 5322 §3.6.4 asks for a unique right-hand side). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1);
}
