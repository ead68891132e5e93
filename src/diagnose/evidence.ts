import { TextDecoder } from "node:util";
import type { TlsMode } from "../session/tls-mode.js";
import type { FailureKind, StageName } from "../session/failure.js";
import { formatReply, parseReply, type Reply } from "../session/reply.js";
import { decodeChallenge, type TokenFacts } from "../session/auth.js";
import { findStage, type StageResult } from "../session/stage-result.js";

/**
 * What a diagnosis is made from, whether it came from a live session or from a line pasted out of another
 * program's log. Live evidence has the kind and stage for certain; pasted evidence has only what its text
 * says, so the rules read both the fields and the text.
 */
export interface Evidence {
  source: "session" | "text";
  stage?: StageName;
  kind?: FailureKind;
  /** System or OpenSSL code, e.g. ECONNREFUSED or CERT_HAS_EXPIRED. */
  code?: string;
  reply?: Pick<Reply, "code" | "enhanced" | "text">;
  /** All the text there is: the failure message, the reply, the pasted line. */
  text: string;
  host?: string;
  port?: number;
  /** The connection was already encrypted when it failed. */
  secure?: boolean;
  /** The TLS mode the client used. */
  clientTls?: TlsMode;
  /** A decoded XOAUTH2/OAUTHBEARER error challenge ({"status":"400","scope":…}). */
  oauth?: { status?: string; scope?: string; schemes?: string };
  /** What mailctl knows of its own OAuth2 token (live sessions only): where it came from, the scopes granted, the token endpoint's error. */
  token?: TokenFacts;
  /** The command that got the reply. */
  command?: string;
  /** The message and its final "." were sent and no refusal came back (live sessions only): it may have been delivered. */
  unconfirmed?: boolean;
}

/** The OAuth2 parts of a failed auth stage: the error challenge (the last one) and the token facts. */
export function authFacts(stages: readonly StageResult[]): { oauthChallenge?: unknown; token?: TokenFacts } {
  const d = findStage(stages, "auth", "fail")?.detail;
  if (!d) return {};
  const first = d.firstAttempt;
  const challenge = d.oauthChallenge ?? first?.oauthChallenge;
  const token = d.oauth ? { ...d.oauth, ...(first?.reply ? { firstReply: first.reply } : {}) } : undefined;
  return { ...(challenge !== undefined ? { oauthChallenge: challenge } : {}), ...(token ? { token } : {}) };
}

/** The evidence in a live session's failure. */
export function fromFailure(
  f: { stage: StageName; kind: FailureKind; message: string; code?: string; reply?: Reply; command?: string; unconfirmed?: true },
  ctx: { host: string; port: number; tls: TlsMode; secure: boolean; oauthChallenge?: unknown; token?: TokenFacts },
): Evidence {
  const e: Evidence = {
    source: "session",
    stage: f.stage,
    kind: f.kind,
    // The message usually quotes the reply already; add it only when it does not.
    text: f.reply && !f.message.includes(formatReply(f.reply)) ? `${f.message}\n${formatReply(f.reply)}` : f.message,
    host: ctx.host,
    port: ctx.port,
    secure: ctx.secure,
    clientTls: ctx.tls,
  };
  if (f.code) e.code = f.code;
  if (f.reply) e.reply = { code: f.reply.code, text: f.reply.text, ...(f.reply.enhanced ? { enhanced: f.reply.enhanced } : {}) };
  if (f.command) e.command = f.command;
  if (f.unconfirmed) e.unconfirmed = true;
  const oauth = asOAuth(ctx.oauthChallenge);
  if (oauth) e.oauth = oauth;
  if (ctx.token) e.token = ctx.token;
  return e;
}

/** Reply codes that can start a reply (RFC 5321 §4.2: first digit 2–5, second 0–5). 465 and 587 are ports, not replies. */
const REPLY_AT = /(?:^|[\s:('"[=>-])([245][0-5]\d)(?:[ -]([245]\.\d{1,3}\.\d{1,3}))?(?=[ -]|$)/m;

/** The evidence in a line copied from another program's log: the SMTP reply it quotes, the port and host it names. */
export function fromText(raw: string): Evidence {
  const text = readable(raw);
  const e: Evidence = { source: "text", text };
  const reply = findReply(text);
  if (reply) e.reply = reply;
  // "host:port" but not "file.js:221:23" (a stack frame's line and column).
  const port = /\bport[:=\s]+(\d{2,5})\b/i.exec(text) ?? /(?:\b[a-z][\w-]*(?:\.[\w-]+)+|\d+\.\d+\.\d+\.\d+)[:,]\s?(\d{2,5})\b(?!:\d)/i.exec(text);
  if (port) e.port = Number(port[1]);
  const host = /\b((?:smtp|mail|smtps|email-smtp|smtpdm|smtp-mail)[\w-]*(?:\.[\w-]+)+)/i.exec(text);
  if (host) e.host = host[1]!.toLowerCase().replace(/[.,]$/, "");
  const challenge = /\b334 (eyJ[A-Za-z0-9+/=]+)/.exec(text);
  const json = challenge ? decodeChallenge(challenge[1]!) : /\{"status":"\d{3}"[^}]*\}/.exec(text)?.[0];
  const oauth = asOAuth(typeof json === "string" ? safeJson(json) : json);
  if (oauth) e.oauth = oauth;
  return e;
}

/** Finds the SMTP reply quoted in a log line, in the wrappings clients use: Python tuples, "got code", plain. */
function findReply(text: string): Evidence["reply"] | undefined {
  const py = /\((\d{3}), b?(['"])([\s\S]*?)\2/.exec(text);
  if (py) return withEnhanced(Number(py[1]), py[3]!.replace(/\\n/g, "\n"));
  const got = /got code "?(\d{3})"?, with message "([^"]*)/.exec(text);
  if (got) return parseReply(got[2]!.trim()) ?? withEnhanced(Number(got[1]), got[2]!);
  const paren = /(?:SMTP|error)[^()\n]{0,20}\(([45][0-5]\d)\)/i.exec(text);
  const m = REPLY_AT.exec(text);
  if (!m || /status( code)?\s*$/i.test(text.slice(0, m.index + 1))) return paren ? { code: Number(paren[1]), text: text.slice(paren.index + paren[0].length).trim() } : undefined;
  const rest = text.slice(m.index + m[0].length).split(/\n(?!\d{3}[ -])/)[0]!.trim();
  return { code: Number(m[1]), ...(m[2] ? { enhanced: m[2] } : {}), text: rest };
}

function withEnhanced(code: number, text: string): NonNullable<Evidence["reply"]> {
  const m = /^([245]\.\d{1,3}\.\d{1,3})\s*/.exec(text);
  return m ? { code, enhanced: m[1]!, text: text.slice(m[0].length) } : { code, text };
}

const gbk = (() => {
  try {
    return new TextDecoder("gbk");
  } catch {
    return null;
  }
})();

/**
 * Undoes what logs do to non-UTF-8 replies so the rules can read them: Python's escaped bytes
 * ('\xc7\xeb…') and latin1 mojibake of GBK (ÇëÊ¹ÓÃ…), both seen with QQ Mail's Chinese replies.
 */
export function readable(text: string): string {
  if (!gbk) return text;
  let out = text.replace(/(?:\\x[0-9a-f]{2})+/gi, (esc) => {
    const bytes = Buffer.from(esc.replace(/\\x/gi, ""), "hex");
    return gbk.decode(bytes);
  });
  out = out.replace(/[\u00a1-\u00fe]{4,}/g, (run) => {
    const decoded = gbk.decode(Buffer.from(run, "latin1"));
    return /[\u4e00-\u9fff]/.test(decoded) && !decoded.includes("\ufffd") ? decoded : run;
  });
  return out;
}

function asOAuth(v: unknown): Evidence["oauth"] | undefined {
  if (!v || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  if (!("status" in o) && !("scope" in o)) return undefined;
  // In the order Google sends them, so the decoded challenge reads as the provider wrote it.
  return {
    ...(o.status !== undefined ? { status: String(o.status) } : {}),
    ...(o.schemes !== undefined ? { schemes: String(o.schemes) } : {}),
    ...(o.scope !== undefined ? { scope: String(o.scope) } : {}),
  };
}

function safeJson(s: string | undefined): unknown {
  if (!s) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
