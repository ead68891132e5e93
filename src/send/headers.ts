import { dataError, usageError } from "../errors.js";

/**
 * Header injection: a CR or LF inside a header value ends that header and starts one of the caller's choosing
 * (RFC 5322 §2.2 — a header field is one line, unfolded). nodemailer would fold or strip it; we refuse instead,
 * so a script that passes untrusted text learns about it rather than sending something else.
 */
export function assertOneLine(value: string, what: string): string {
  if (/[\r\n]/.test(value)) throw dataError(`header injection refused: ${what} contains a line break (CR or LF); nothing was sent`);
  // NUL is not allowed anywhere in a message (RFC 5322 §3.5 excludes it from text).
  if (value.includes("\0")) throw dataError(`${what} contains a NUL character; nothing was sent`);
  return value;
}

/** Headers the message builder owns: setting them with --header would contradict the flags that set them. */
const OWNED = new Map<string, string>([
  ["from", "--from"],
  ["to", "--to"],
  ["cc", "--cc"],
  ["bcc", "--bcc"],
  ["subject", "--subject"],
  ["reply-to", "--reply-to"],
  ["in-reply-to", "--in-reply-to"],
  ["references", "--references"],
  ["message-id", "--message-id"],
  ["date", ""],
  ["mime-version", ""],
  ["content-type", ""],
  ["content-transfer-encoding", ""],
  ["sender", ""],
]);

/** One --header "Key: Value", checked. */
export interface ExtraHeader {
  key: string;
  value: string;
}

/** Parses --header "K: V": the name is printable ASCII without ":" (RFC 5322 §3.6.8), the value one line. */
export function parseHeader(spec: string): ExtraHeader {
  assertOneLine(spec, `--header "${spec.replace(/[\r\n]+/g, "⏎")}"`);
  const colon = spec.indexOf(":");
  if (colon <= 0) throw usageError(`--header "${spec}" is not "Name: value"`);
  const key = spec.slice(0, colon).trim();
  const value = spec.slice(colon + 1).trim();
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(key)) throw dataError(`--header "${spec}": "${key}" is not a header name (printable ASCII, no spaces or colons)`);
  const owner = OWNED.get(key.toLowerCase());
  if (owner !== undefined) {
    throw usageError(`--header cannot set ${key}: ${owner ? `use ${owner}` : "mailctl writes it itself"}`);
  }
  return { key, value };
}

/**
 * Normalises a message id to "<left@right>" (RFC 5322 §3.6.4 msg-id). Accepts it with or without the angle
 * brackets, because that is how people copy them.
 */
export function parseMessageId(value: string, what: string): string {
  assertOneLine(value, what);
  const id = value.trim().replace(/^<(.*)>$/, "$1");
  if (!/^[^\s<>@"]+@[^\s<>@"]+$/.test(id) || /[^\x21-\x7e]/.test(id)) {
    throw dataError(`${what} "${value}" is not a message id (expected <left@right>)`);
  }
  return `<${id}>`;
}

/** Parses a References value: one or more message ids separated by spaces or commas. */
export function parseReferences(values: string[]): string[] {
  const ids: string[] = [];
  for (const v of values) {
    assertOneLine(v, "--references");
    for (const part of v.split(/[\s,]+/).filter(Boolean)) ids.push(parseMessageId(part, "--references"));
  }
  return ids;
}
