import { header, type ParsedMessage } from "./parse.js";

/** One method's result in an Authentication-Results header ("dkim=pass header.d=example.com"). */
export interface MethodResult {
  method: string;
  result: string;
  reason: string | null;
  /** ptype.property=value pairs, e.g. {"header.d": "example.com", "smtp.mailfrom": "a@example.com"}. */
  props: Record<string, string>;
}

/** How a receiver judged the message: SPF, DKIM and DMARC, read from the message's Authentication-Results header. */
export interface ReceiverVerdict {
  /** False when the message carries no Authentication-Results header: nobody checked it. */
  checked: boolean;
  /** Who checked (the header's authserv-id). */
  authservId: string | null;
  spf: MethodResult | null;
  /** Every DKIM signature's result. */
  dkim: MethodResult[];
  dmarc: MethodResult | null;
  /** Other methods (arc, auth, iprev…). */
  other: MethodResult[];
  /** The header the verdict was read from. */
  header: string | null;
}

/** The verdict of the newest Authentication-Results header (RFC 8601 §5: each receiver adds its own on top). */
export function receiverVerdict(m: Pick<ParsedMessage, "headers">): ReceiverVerdict {
  const value = header(m, "authentication-results");
  if (!value) return { checked: false, authservId: null, spf: null, dkim: [], dmarc: null, other: [], header: null };
  const { authservId, results } = parseAuthenticationResults(value);
  const first = (method: string) => results.find((r) => r.method === method) ?? null;
  return {
    checked: true,
    authservId,
    spf: first("spf"),
    dkim: results.filter((r) => r.method === "dkim"),
    dmarc: first("dmarc"),
    other: results.filter((r) => !["spf", "dkim", "dmarc"].includes(r.method)),
    header: value,
  };
}

/** Parses an Authentication-Results value (RFC 8601 §2.2): authserv-id, then "; method=result reason=… ptype.prop=value". */
export function parseAuthenticationResults(value: string): { authservId: string | null; results: MethodResult[] } {
  const [id = "", ...infos] = splitOutsideQuotes(stripComments(value), ";");
  const results: MethodResult[] = [];
  for (const info of infos) {
    const tokens = tokenize(info);
    const spec = tokens.shift();
    if (!spec || spec.value === undefined) continue; // "none": no result (RFC 8601 §2.2)
    const method = spec.key.split("/")[0]!.trim().toLowerCase();
    const r: MethodResult = { method, result: spec.value.toLowerCase(), reason: null, props: {} };
    for (const t of tokens) {
      if (t.value === undefined) continue;
      if (t.key.toLowerCase() === "reason") r.reason = t.value;
      else if (t.key.includes(".")) r.props[t.key.toLowerCase()] = t.value;
    }
    results.push(r);
  }
  const authservId = id.trim().split(/\s+/)[0] ?? "";
  return { authservId: authservId || null, results };
}

/** Removes RFC 5322 comments (nested parentheses), leaving quoted strings alone. */
function stripComments(s: string): string {
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\" && i + 1 < s.length) {
      if (depth === 0) out += c + s[i + 1];
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === "(") depth++;
    else if (c === ")" && depth > 0) {
      depth--;
      if (depth === 0) out += " ";
    } else if (depth === 0) {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return out;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\" && quoted) {
      cur += c + (s[i + 1] ?? "");
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (c === sep && !quoted) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/** "key=value" tokens of one resinfo; spaces around "=" and "." are allowed (CFWS in the grammar). */
function tokenize(info: string): { key: string; value?: string }[] {
  const compact = info.replace(/\s*=\s*/g, "=").replace(/\s*\.\s*(?=[^=]*=)/g, ".").trim();
  const out: { key: string; value?: string }[] = [];
  const re = /([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|\S*))?/g;
  for (const m of compact.matchAll(re)) {
    const raw = m[2];
    out.push({ key: m[1]!, ...(raw === undefined ? {} : { value: raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw }) });
  }
  return out;
}
