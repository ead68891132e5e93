// What recognition reads in the evidence: reply codes, enhanced codes (RFC 3463), failure kinds and the texts of
// several clients' and providers' wordings. Each catalog entry's test is written with these.

import type { Evidence } from "./evidence.js";

/** The evidence's text matches. */
export const has = (e: Evidence, re: RegExp) => re.test(e.text);

/** The reply code, if a reply was seen. */
export const code = (e: Evidence) => e.reply?.code;

/** The enhanced status code (RFC 3463), or "". */
export const enhanced = (e: Evidence) => e.reply?.enhanced ?? "";

/** The failure is of one of these kinds (live sessions only). */
export const kind = (e: Evidence, ...k: string[]) => e.kind !== undefined && k.includes(e.kind);

/** The failure came from a token mechanism (the command the server answered, or mailctl's own token facts). */
export function tokenAuth(e: Evidence): boolean {
  return !!e.token || /^AUTH (XOAUTH2|OAUTHBEARER)\b/i.test(e.command ?? "");
}

/** Wordings of "the connection ended before the server said anything useful", across clients. */
export const CLOSED = /unexpected eof|connection unexpectedly closed|connection closed unexpectedly|closed (the )?connection|unexpected socket close|remote host closed|net_io_connectionclosed|end of file reached|EOF occurred in violation|(^|[\s:-])EOF\s*$|empty (response|reply)|ECONNRESET|-4077|connection reset|response: -1/im;

export const GREETING_WAIT = /greeting never received|waiting for server ready message|GREETING_TIMEOUT|timeout\(\d+\) while trying to read|unexpectedly closed: timed out/i;

/**
 * The sender in a Python SMTPSenderRefused as str() prints it: (code, message, sender) — aiosmtplib
 * errors.py and smtplib keep the envelope sender as the third part. Null when the text holds no such tuple.
 */
export function pythonSender(text: string): string | null {
  const m = /\((\d{3}),\s*b?(['"])(?:\\.|(?!\2)[^\\])*\2,\s*(['"])((?:\\.|(?!\3)[^\\])*)\3\)/.exec(text);
  return m ? m[4]! : null;
}
