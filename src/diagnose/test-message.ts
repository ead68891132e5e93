import { randomBytes } from "node:crypto";
import type { Outgoing } from "../session/session.js";
import { addressOf } from "./static.js";

/** A small diagnostic message with a unique token in its subject, so the user can find it in the inbox. */
export async function buildTestMessage(opts: { from: string; to: string; host: string; port: number; tls: string; version: string; profile?: string }): Promise<Outgoing & { token: string; messageId: string }> {
  const { default: MailComposer } = await import("nodemailer/lib/mail-composer");
  const token = `mailctl-${randomBytes(4).toString("hex")}`;
  const fromAddr = addressOf(opts.from) ?? opts.from;
  const messageId = `<${token}.${Date.now()}@${fromAddr.split("@")[1] ?? "mailctl.invalid"}>`;
  const when = new Date().toISOString();
  const facts = [
    opts.profile ? `profile: ${opts.profile}` : null,
    `server: ${opts.host}:${opts.port} (${opts.tls === "implicit" ? "implicit TLS" : opts.tls === "starttls" ? "STARTTLS" : "plaintext"})`,
    `sent by: mailctl ${opts.version} at ${when}`,
  ].filter(Boolean) as string[];
  const data = await new MailComposer({
    from: opts.from,
    to: opts.to,
    subject: `mailctl test ${token} ${when}`,
    messageId,
    text: `This is a test message from mailctl.\n\n${facts.join("\n")}\n\nToken: ${token}\n`,
    html: `<p>This is a test message from <b>mailctl</b>.</p><ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join("")}</ul><p>Token: <code>${token}</code></p>`,
  })
    .compile()
    .build();
  return { from: fromAddr, to: [addressOf(opts.to) ?? opts.to], data, size: data.length, token, messageId };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
