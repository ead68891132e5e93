import { TextDecoder } from "node:util";

/** One SMTP reply (RFC 5321 §4.2): the code, the RFC 3463 enhanced status code when present, and the text. */
export interface Reply {
  code: number;
  /** RFC 3463 enhanced status code (e.g. "5.7.8") when the server uses ENHANCEDSTATUSCODES (RFC 2034). */
  enhanced?: string;
  /** Text of all lines, codes removed, joined with "\n". */
  text: string;
  /** The reply lines as received (decoded), codes included. */
  lines: string[];
  /** Set when the bytes were not UTF-8 and another charset made them readable. */
  charset?: "gbk" | "latin1";
}

/** A reply line: 3 digits, then "-" (more lines follow) or " " or end of line (RFC 5321 §4.2.1). */
const LINE = /^(\d{3})([ -]|$)(.*)$/s;
/** RFC 3463 §2: class.subject.detail, class 2, 4 or 5. */
const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)/;

const utf8 = new TextDecoder("utf-8", { fatal: true });
let gbk: TextDecoder | null | undefined;

/**
 * Decodes a reply line. RFC 5321 §4.2.1 defines no charset for reply text: most servers send ASCII or UTF-8,
 * but QQ Mail sends Chinese texts in GBK, which would otherwise show as mojibake.
 */
export function decodeLine(bytes: Buffer): { text: string; charset?: "gbk" | "latin1" } {
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    if (gbk === undefined) {
      try {
        gbk = new TextDecoder("gbk", { fatal: true });
      } catch {
        gbk = null; // Node built without full ICU
      }
    }
    if (gbk) {
      try {
        return { text: gbk.decode(bytes), charset: "gbk" };
      } catch {
        /* fall through to latin1: every byte maps to a character */
      }
    }
    return { text: bytes.toString("latin1"), charset: "latin1" };
  }
}

/** Parses one decoded line; null when it is not a reply line. */
export function parseLine(line: string): { code: number; more: boolean; text: string } | null {
  const m = LINE.exec(line);
  if (!m) return null;
  return { code: Number(m[1]), more: m[2] === "-", text: m[3] ?? "" };
}

/** Builds a Reply from its decoded lines (all lines already checked with parseLine). */
export function buildReply(lines: string[], charset?: "gbk" | "latin1"): Reply {
  const parsed = lines.map((l) => parseLine(l)!);
  const code = parsed[0]!.code;
  let enhanced: string | undefined;
  const texts = parsed.map((p) => {
    const m = ENHANCED.exec(p.text);
    // Enhanced codes must share the reply's class (RFC 3463 §2); a mismatch is ordinary text.
    if (m && m[1]!.startsWith(String(code)[0]!)) {
      enhanced ??= m[1];
      return p.text.slice(m[0].length);
    }
    return p.text;
  });
  const reply: Reply = { code, text: texts.join("\n").trim(), lines };
  if (enhanced) reply.enhanced = enhanced;
  if (charset) reply.charset = charset;
  return reply;
}

/** Parses a whole reply from text (used by tests and by explain for pasted replies). */
export function parseReply(text: string): Reply | null {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0 || lines.some((l) => !parseLine(l))) return null;
  return buildReply(lines);
}

/** The reply as one line for humans: "535 5.7.8 Username and Password not accepted…" */
export function formatReply(reply: Reply): string {
  return [String(reply.code), reply.enhanced, reply.text.replace(/\s*\n\s*/g, " ")].filter(Boolean).join(" ");
}

/** RFC 5321 §4.2.1: 2xx/3xx positive, 4xx transient negative, 5xx permanent negative. */
export function replyClass(reply: Reply): "positive" | "transient" | "permanent" {
  if (reply.code < 400) return "positive";
  return reply.code < 500 ? "transient" : "permanent";
}
