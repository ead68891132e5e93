import { TextDecoder } from "node:util";

// One judge of a From header for everything that needs one: the lab's strict personas (QQ, Outlook) refuse with
// it, and doctor's static check predicts their verdict with it, on the same bytes.

/** The From header judged strictly, the way QQ Mail and Exchange judge it: one mailbox, its address, its display name. */
export type FromHeader = { ok: true; address: string; name: string | null } | { ok: false; reason: string };

/** The unfolded values of header `name` (RFC 5322 §2.2.3) in a message head, bytes kept as latin1 so 8-bit bytes stay visible. */
export function headerValues(head: Buffer, name: string): string[] {
  const text = head.toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  const lines = (end >= 0 ? text.slice(0, end) : text).split(/\r?\n/);
  const fields: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += line;
    else fields.push(line);
  }
  const prefix = name.toLowerCase() + ":";
  return fields.filter((f) => f.toLowerCase().startsWith(prefix)).map((f) => f.slice(prefix.length).trim());
}

/** The header fields called `name` in a message head as they were sent — name, value and any folding — bytes as latin1. */
export function headerFields(head: Buffer, name: string): string[] {
  const text = head.toString("latin1");
  const end = text.search(/\r?\n\r?\n/);
  const block = end >= 0 ? text.slice(0, end) : text;
  const re = new RegExp(`(?:^|\\r?\\n)(${name.replace(/[^A-Za-z0-9-]/g, "")}:[^\\r\\n]*(?:\\r?\\n[ \\t][^\\r\\n]*)*)`, "gi");
  return [...block.matchAll(re)].map((m) => m[1]!);
}

// RFC 5322 §3.2.3 atext, plus "." as obsolete phrases allow (§4.1), plus non-ASCII as RFC 6532 §3.2 allows
// (raw non-ASCII only gets this far in a message sent with SMTPUTF8).
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.\u0080-\u{10FFFF}]+$/u;
// RFC 5322 §3.4.1 addr-spec in its dot-atom form, which is what providers accept.
const ADDRESS = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
// RFC 2047 §2: =?charset?encoding?encoded-text?= (RFC 2231 §5 allows a *language suffix on the charset).
const ENCODED_WORD = /^=\?([^?*\s]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=$/;

/** Checks the message's From header: exactly one, one mailbox, a valid address, a display name that is a valid phrase. */
export function parseFromHeader(head: Buffer, utf8Allowed = false): FromHeader {
  const values = headerValues(head, "from");
  if (values.length === 0) return bad("the message has no From header");
  if (values.length > 1) return bad("the message has more than one From header");
  return judge(values[0]!, utf8Allowed);
}

/** The same judgement on a header value as it would be sent (folding included), e.g. the value an app writes. */
export function judgeFromValue(value: string, utf8Allowed = false): FromHeader {
  // Unfold (RFC 5322 §2.2.3) and look at the bytes as latin1, as parseFromHeader does with a received head.
  return judge(Buffer.from(value.replace(/\r?\n(?=[ \t])/g, ""), "utf8").toString("latin1").trim(), utf8Allowed);
}

function judge(raw: string, utf8Allowed: boolean): FromHeader {
  let value = raw;
  if (/[\x80-\xff]/.test(value)) {
    // RFC 2047 §1: non-ASCII text in a header must be encoded, unless the message was sent with SMTPUTF8 (RFC 6532).
    const decoded = utf8Allowed ? decodeStrict("utf-8", Buffer.from(value, "latin1")) : null;
    if (decoded === null) return bad("the From header has raw 8-bit bytes; the display name must be RFC 2047-encoded");
    value = decoded;
  }
  const angle = /^(.*)<([^<>]*)>$/s.exec(value);
  if (!angle) {
    if (/[<>]/.test(value)) return bad("the From header's angle brackets are unbalanced or nested");
    return address(value.trim(), null);
  }
  const display = angle[1]!.trim();
  if (/[<>]/.test(display)) return bad("the From header has a mailbox inside another mailbox");
  if (!display) return address(angle[2]!.trim(), null);
  const name = phrase(display);
  if (typeof name !== "string") return name;
  return address(angle[2]!.trim(), name);
}

function address(addr: string, name: string | null): FromHeader {
  if (addr.includes("=?")) return bad("the From address is RFC 2047-encoded; only the display name may be");
  if (!ADDRESS.test(addr)) return bad(`the From address "${addr}" is not a valid address`);
  return { ok: true, address: addr, name };
}

/** Decodes an RFC 5322 §3.2.5 phrase (atoms, quoted strings, RFC 2047 encoded words) or says why it is not one. */
function phrase(text: string): string | FromHeader {
  const words: string[] = [];
  const token = /\s*("(?:[^"\\]|\\.)*"|[^\s"]+)/y;
  let pos = 0;
  while (pos < text.length) {
    token.lastIndex = pos;
    const m = token.exec(text);
    if (!m) return bad("the From display name has an unterminated quoted string");
    pos = token.lastIndex;
    const word = m[1]!;
    if (word.startsWith('"')) {
      // RFC 2047 §5 (3): an encoded-word must not appear within a quoted-string (readers show it undecoded).
      if (/=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=/.test(word)) return bad(`the From display name has an RFC 2047 encoded word inside quotes, which is not decoded: ${word}`);
      words.push(word.slice(1, -1).replace(/\\(.)/g, "$1"));
    } else if (word.includes("=?")) {
      const decoded = encodedWord(word);
      if (decoded === null) return bad(`the From display name has a malformed RFC 2047 encoded word: ${word}`);
      words.push(decoded);
    } else if (ATOM.test(word)) {
      words.push(word);
    } else {
      return bad(`the From display name has special characters that must be quoted: ${word}`);
    }
  }
  return words.join(" ");
}

/** Decodes one RFC 2047 encoded word; null when it is malformed, its charset is unknown or its bytes are not valid in that charset. */
export function encodedWord(word: string): string | null {
  const m = ENCODED_WORD.exec(word);
  if (!m) return null;
  const [, charset, encoding, payload] = m as unknown as [string, string, string, string];
  let bytes: Buffer;
  if (encoding.toUpperCase() === "B") {
    if (payload.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) return null;
    bytes = Buffer.from(payload, "base64");
  } else {
    // RFC 2047 §4.2: "_" is a space, "=XX" a byte; anything else must be printable ASCII other than "?" and "=".
    if (/=(?![0-9A-Fa-f]{2})/.test(payload)) return null;
    bytes = Buffer.from(payload.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1");
  }
  return decodeStrict(charset, bytes);
}

function decodeStrict(charset: string, bytes: Buffer): string | null {
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return null; // unknown charset, or bytes that are not valid in it
  }
}

function bad(reason: string): FromHeader {
  return { ok: false, reason };
}

/**
 * The display name and address a From value means, read as loosely as a person would: encoded words decoded
 * wherever they are (also one that wraps the address), quotes removed. For fix steps that write it correctly.
 */
export function mailboxOfValue(value: string): { name: string; address: string } | null {
  const text = value.replace(/\r?\n(?=[ \t])/g, "").replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (w) => encodedWord(w) ?? w);
  const angle = /^(.*)<([^<>]+)>\s*>*\s*$/s.exec(text.trim());
  const address = (angle ? angle[2]! : text).trim();
  if (!ADDRESS.test(address)) return null;
  const name = (angle ? angle[1]! : "").replace(/<.*$/s, "").trim().replace(/^"(.*)"$/s, "$1").replace(/\\(.)/g, "$1");
  return { name, address };
}
