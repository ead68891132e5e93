import { randomBytes } from "node:crypto";
import type { Target } from "../config/target.js";
import type { TlsMode } from "../session/tls-mode.js";
import type { Mailbox } from "./address.js";
import type { MessageInput } from "./message.js";

const TLS_TEXT: Record<TlsMode, string> = { implicit: "implicit TLS", starttls: "STARTTLS", none: "none (plaintext)" };

/** The diagnostic message test-send and `doctor --send` send: a unique token and the time in the subject, and text and HTML parts naming the settings. */
export interface TestMessage {
  input: MessageInput;
  token: string;
}

/** Builds the test message's input (compose it with composeMessage). */
export function testMessage(t: Target, from: Mailbox, to: Mailbox, version: string): TestMessage {
  const token = `mailctl-test-${randomBytes(4).toString("hex")}`;
  const time = new Date().toISOString();
  const rows: [string, string][] = [
    ["profile", t.profile ?? "(none: flags and environment)"],
    ["host", t.host],
    ["port", String(t.port)],
    ["TLS mode", TLS_TEXT[t.tls] + (t.insecure ? ", certificate not verified (--insecure)" : "")],
    ["user", t.user ?? "(no AUTH)"],
    ["from", from.address],
    ["sent at", time],
    ["token", token],
    ["mailctl", version],
  ];
  const text = `This is a test message from mailctl ${version}. If you can read it, these settings deliver mail:\n\n${rows.map(([k, v]) => `  ${k.padEnd(9)} ${v}`).join("\n")}\n\nSearch your mailbox for ${token} to find it.\n`;
  const html = `<p>This is a test message from mailctl ${esc(version)}. If you can read it, these settings deliver mail:</p>\n<table>\n${rows.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`).join("\n")}\n</table>\n<p>Search your mailbox for <code>${token}</code> to find it.</p>\n`;
  const input: MessageInput = {
    from,
    ...(t.fromFormat ? { fromFormat: t.fromFormat } : {}),
    to: [to],
    cc: [],
    bcc: [],
    replyTo: [],
    subject: `mailctl test ${token} ${time}`,
    text,
    html,
    attachments: [],
    headers: [{ key: "X-Mailer", value: `mailctl/${version}` }],
    references: [],
  };
  return { input, token };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
