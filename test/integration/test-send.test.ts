import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { writeTemp } from "../helpers/ca-file.js";
import { startMailSink, type MailSink } from "../helpers/mail-sink.js";

const version = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version as string;
const sinks: MailSink[] = [];
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});
async function sink(opts: Parameters<typeof startMailSink>[0] = {}) {
  const s = await startMailSink(opts);
  sinks.push(s);
  return s;
}

describe("test-send", () => {
  it("sends a diagnostic message to the sender and shows each stage, the id, the reply and the time", async () => {
    const s = await sink({ mode: "starttls", auth: { user: "me", pass: "pw-123456" } });
    const ca = writeTemp("ca.pem", s.ca!);
    const r = await runCli(["test-send", "--host", "127.0.0.1", "-p", String(s.port), "--tls", "starttls", "--ca", ca, "-u", "me", "--from", "Me <me@example.com>"], { env: { MAILCTL_PASSWORD: "pw-123456" } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`test message to me@example.com via 127.0.0.1:${s.port}`);
    for (const stage of ["dns", "tcp", "greeting", "ehlo", "starttls", "ehlo-tls", "auth", "mail", "rcpt", "data"]) {
      expect(r.stdout).toMatch(new RegExp(`✓ ${stage}\\s`));
    }
    const id = /message id {2}(<[^>]+>)/.exec(r.stdout)?.[1];
    expect(id).toMatch(/@example\.com>$/);
    expect(r.stdout).toMatch(/reply {7}250 /);
    expect(r.stdout).toMatch(/elapsed {5}\d+ ms/);

    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]!.envelope.rcptTo.map((a) => a.address)).toEqual(["me@example.com"]);
    const m = await s.parsed();
    expect(m.messageId).toBe(id);
    expect(m.subject).toMatch(/^mailctl test mailctl-test-[0-9a-f]{8} \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const token = /mailctl-test-[0-9a-f]{8}/.exec(m.subject!)![0];
    for (const part of [m.text!, m.html as string]) {
      expect(part).toContain("127.0.0.1");
      expect(part).toContain(String(s.port));
      expect(part).toContain("STARTTLS");
      expect(part).toContain(version);
      expect(part).toContain(token);
    }
    expect(m.headers.get("x-mailer")).toBe(`mailctl/${version}`);
  });

  it("sends to --to, and --json gives the token, the id, the reply and the stages", async () => {
    const s = await sink();
    const r = await runCli(["test-send", "--host", "127.0.0.1", "-p", String(s.port), "--tls", "none", "--from", "me@example.com", "--to", "you@example.com", "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, from: "me@example.com", to: "you@example.com", server: { host: "127.0.0.1", port: s.port, tls: "none" }, failure: null });
    expect(doc.token).toMatch(/^mailctl-test-[0-9a-f]{8}$/);
    expect(doc.reply).toMatch(/^250 /);
    expect((await s.parsed()).subject).toContain(doc.token);
  });

  it("on failure shows the diagnosis and exits with its code; the password appears nowhere", async () => {
    const s = await sink({ mode: "plain", auth: { user: "me", pass: "right-pass" } });
    const r = await runCli(["test-send", "--host", "127.0.0.1", "-p", String(s.port), "--tls", "none", "-u", "me", "--from", "me@example.com", "--transcript"], { env: { MAILCTL_PASSWORD: "wrong-pass-9" } });
    expect(r.code).toBe(77);
    expect(r.stdout).toMatch(/✗ auth/);
    expect(r.stdout).toMatch(/✗ not sent: the auth stage failed/);
    expect(r.stdout).toMatch(/535/);
    expect(r.stdout).toMatch(/\[auth-failed · auth\]/);
    expect(r.stdout).toMatch(/fix\n\s+1\. /);
    expect(r.stdout + r.stderr).not.toContain("wrong-pass-9");
    expect(r.stdout + r.stderr).not.toContain(Buffer.from("\0me\0wrong-pass-9").toString("base64"));
    expect(s.messages).toHaveLength(0);
  });
});
