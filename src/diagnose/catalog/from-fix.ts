import type { ExplainCtx, FixStep } from "./types.js";

const js = (s: string) => JSON.stringify(s);

/**
 * How to make the From header right, in the terms of whatever writes it: the app's key when a setting decides
 * it (Dify, RAGFlow), the line of code when code does (email.utils.formataddr, nodemailer's {name, address}),
 * else the header itself. One change per screen: each step names a different thing to change.
 */
export function fromFixSteps(c: ExplainCtx): FixStep[] {
  const f = c.from;
  const login = c.target?.user?.includes("@") ? c.target.user : undefined;
  const address = f?.address ?? login;
  const name = f?.name ?? "";
  const key = f?.app?.keys[0];
  if (f?.app && address) {
    const correct = f.correct ?? address;
    switch (f.app.dialect) {
      case "dify":
        return [{ text: `Set ${key} to the bare address: Dify writes a value that has any non-ASCII character as one RFC 2047 word, address included, and a value with unquoted specials as it is.`, change: { from: address, fromFormat: "address-only" } }];
      case "ragflow": {
        // RAGFlow joins f"{name} <{address}>": a name that is already header-safe survives; formataddr makes one.
        const safeName = correct === address ? "" : correct.slice(0, correct.length - address.length - 3);
        return [{ text: `Give mail_default_sender a display name that is already valid in a header (${safeName ? `${safeName}, as email.utils.formataddr writes it` : "none"}): RAGFlow puts it into f"{name} <{address}>" as it is.`, change: { from: address, fromName: safeName } }];
      }
      case "aiosmtplib":
        return [{ text: `In the code that builds the message, write message["From"] = email.utils.formataddr((${js(name)}, ${js(address)})): it gives ${correct}, which email.mime messages and EmailMessage both send as it is.` }];
      case "nodemailer":
        return [{ text: `Pass the sender as an object, from: { name: ${js(name)}, address: ${js(address)} }, and let nodemailer encode the name.` }];
      case "msmtp":
        return [{ text: `Make from_full_name plain text without , ; : @ < > ( ) or quotes (msmtp writes it unquoted), or remove it: msmtp then writes From: ${address}.` }];
    }
  }
  if (f?.correct) {
    return [{ text: `Have the app write the From header as ${f.correct}: only the display name RFC 2047-encoded, the address left as it is — what Python's email.utils.formataddr((name, address)) and nodemailer's from: {name, address} write.` }];
  }
  return [
    { text: `Use a From of the form "Display Name <${login ?? "login@example.com"}>": quote a display name that contains , ; : @ . ( ) or quotes, give just one address, and leave encoding of non-ASCII names to the mail library (RFC 2047).` },
  ];
}

/** What the header that went out is, in words, when its bytes are known. */
export function fromSent(c: ExplainCtx): string {
  const f = c.from;
  if (!f) return "";
  const whole = /^=\?[^?]+\?[bq]\?[^?]*\?=$/i.test(f.header.trim()) && f.address !== undefined;
  return (
    (f.app ? ` ${f.app.how[0]!.toUpperCase()}${f.app.how.slice(1)}, so the header is From: ${f.header}.` : ` The header was From: ${f.header}.`) +
    (whole ? " That is one encoded word around display name, angle brackets and address alike: a reader that decodes it sees a name, but no address outside it." : "")
  );
}

/** For Dify, whose fix drops the display name: how to keep it instead (an ASCII value goes out as it is). */
export function keepName(c: ExplainCtx): string {
  const f = c.from;
  if (f?.app?.dialect !== "dify" || !f.name || !f.correct) return "";
  return ` To keep the display name, write it the way email.utils.formataddr does, already encoded: ${f.app.keys[0]}=${JSON.stringify(f.correct)}.`;
}
