// RFC 2047 encoded words as _encoded_words.py writes and reads them (utf-8, q or b, whichever is shorter).
import { TextDecoder } from "node:util";
import { InvalidEw, Unsupported } from "./tokens.js";

const Q_SAFE = /^[-!*+/A-Za-z0-9]$/;
function qEncode(bytes: Buffer): string {
  let s = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    s += Q_SAFE.test(c) ? c : c === " " ? "_" : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return s;
}

/** encode(): the shorter CTE, with q preferred unless it is five or more characters longer. */
export function encodeEw(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  const q = qEncode(bytes);
  const b = bytes.toString("base64");
  return q.length - b.length < 5 ? `=?utf-8?q?${q}?=` : `=?utf-8?b?${b}?=`;
}

/** decode(): the text of an encoded word, or Unsupported when Python would keep undecodable bytes. */
export function decodeEw(ew: string): string {
  const parts = ew.split("?");
  if (parts.length !== 5) throw new InvalidEw("encoded word format invalid");
  const [, cs, cteRaw, payload] = parts as [string, string, string, string];
  const charset = cs.split("*")[0]!;
  const cte = cteRaw.toLowerCase();
  let bytes: Buffer;
  if (cte === "q") bytes = Buffer.from(payload.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1");
  else if (cte === "b") {
    // Python pads a short payload and, failing that, decodes leniently; only clean base64 is reproduced here.
    const padded = payload + "===".slice(0, (4 - (payload.length % 4)) % 4);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(padded)) throw new Unsupported("base64 payload Python decodes leniently");
    bytes = Buffer.from(padded, "base64");
  } else throw new InvalidEw("encoded word format invalid"); // KeyError in _cte_decoders
  const label = charset.toLowerCase().replace(/_/g, "-");
  // WHATWG decodes "us-ascii" and "iso-8859-1" as windows-1252; Python's codecs do not.
  if (/^(us-)?ascii$/.test(label)) {
    if (bytes.some((b) => b > 0x7f)) throw new Unsupported("non-ASCII bytes labelled ASCII");
    return bytes.toString("latin1");
  }
  if (/^(iso-?8859-1|latin-?1|l1)$/.test(label)) return bytes.toString("latin1");
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    throw new Unsupported(`charset ${charset}`);
  }
}
