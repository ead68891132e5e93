import { encodeGbk } from "./gbk.js";

/** A reply the lab sends verbatim: code, text lines (enhanced code included in the text), and the charset of the bytes. */
export interface LabReply {
  code: number;
  lines: string[];
  /** QQ sends its Chinese texts in GBK; everything else goes out as UTF-8 (ASCII in practice). */
  charset?: "utf8" | "gbk";
  /** Why the persona answers this way, in plain words, for the inbox's record of the session (never sent). */
  why?: string;
}

/** Builds a reply; several lines make a multi-line reply (RFC 5321 §4.2.1: "code-" on every line but the last). */
export function reply(code: number, ...lines: string[]): LabReply {
  return { code, lines: lines.length ? lines : [""] };
}

/** The reply with the reason the persona gives for it; a reason the reply already carries is the more specific one and stays. */
export function because(r: LabReply, why: string): LabReply {
  return r.why ? r : { ...r, why };
}

/** The same reply, sent as GBK bytes. */
export function gbk(r: LabReply): LabReply {
  return { ...r, charset: "gbk" };
}

// Reply text must not carry line breaks or other controls: a CR or LF would split the reply (response splitting).
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x1f\x7f]/g;

/** The reply's lines as they go on the wire, without line ends ("535-5.7.8 …", "535 5.7.8 …"). */
export function replyLines(r: LabReply): string[] {
  return r.lines.map((l, i) => `${r.code}${i < r.lines.length - 1 ? "-" : " "}${l.replace(CONTROLS, " ")}`);
}

/** The reply as wire bytes, CRLF after every line. */
export function encodeReply(r: LabReply): Buffer {
  const text = replyLines(r).join("\r\n") + "\r\n";
  return r.charset === "gbk" ? encodeGbk(text) : Buffer.from(text, "utf8");
}

/** The reply as one line of text for logs: "535 5.7.8 Username and Password not accepted. …". */
export function replyText(r: LabReply): string {
  return `${r.code} ${r.lines.join(" ")}`;
}
