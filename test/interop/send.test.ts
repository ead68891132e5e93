// test-send and send through real Postfix (+ Dovecot SASL) and Exim: what lands in the recipient's maildir is read
// back with mailparser and compared with what was asked for — headers exactly, attachments byte for byte.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnv, mailctl, servers, waitForMessage, waitForMessageFile, type InteropServer } from "./env.js";

const env = loadEnv();
const dir = mkdtempSync(join(tmpdir(), "mailctl-interop-send-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The send --json fields these tests read (README documents the rest). */
interface SendDoc {
  ok: boolean;
  messageId: string;
  from: string;
  recipients: string[];
  accepted: string[];
  rejected: { address: string; code: number; reply: string }[];
  reply: string | null;
  size: number;
  diagnoses: { id: string; severity: string; stage: string | null }[];
}

const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value);
const token = () => `interop-${randomBytes(5).toString("hex")}`;

function file(name: string, content: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe.each(servers(env))("test-send and send through $software $version", (srv: InteropServer) => {
  const { alice, bob } = srv.users;
  const login = ["--host", env.host, "--user", alice.login, "--ca", env.tls.ca];
  const port = (role: "submission" | "submissions") => ["--port", String(srv.ports[role].port), "--tls", srv.ports[role].tls];
  const accepted = srv.name === "postfix" ? /^250 2\.0\.0 Ok: queued as [0-9A-F]+$/ : /^250 OK id=\S+$/;

  it.each(["submission", "submissions"] as const)("test-send on the %s port delivers its token message to bob", async (role) => {
    const since = Date.now();
    const { code, doc } = await mailctl<{ ok: boolean; token: string; subject: string; messageId: string; reply: string }>(
      env,
      ["test-send", ...login, ...port(role), "--from", alice.address, "--to", bob.address],
      alice.password,
    );
    expect(code).toBe(0);
    expect(doc.ok).toBe(true);
    expect(doc.reply).toMatch(accepted);
    const mail = await simpleParser(await waitForMessage(bob.maildir, doc.token, since));
    expect(mail.subject).toBe(doc.subject);
    expect(mail.subject).toContain(doc.token);
    expect(mail.messageId).toBe(doc.messageId);
    expect(addresses(mail.from)).toEqual([{ address: alice.address, name: "" }]);
    expect(addresses(mail.to)).toEqual([{ address: bob.address, name: "" }]);
    // The body names the settings that delivered it.
    expect(mail.text).toContain(String(srv.ports[role].port));
    expect(String(mail.headers.get("received"))).toContain(srv.hostname);
  });

  it("send delivers the exact headers, both bodies and byte-exact attachments; Bcc only in the envelope", async () => {
    const t = token();
    const binary = file(`${t}.bin`, randomBytes(300 * 1024 + 7));
    // Text a transport may mangle: lone dots, "From " (mbox), CRLF and bare LF mixed, trailing spaces, no final
    // newline. (It travels base64-encoded; the lone "." line in the text body is what exercises dot-stuffing,
    // RFC 5321 §4.5.2.)
    const tricky = Buffer.from(".\r\n..two dots\r\nFrom the start\nbare LF line  \r\n.\r\nend without newline");
    const textAttachment = file(`${t}.txt`, tricky);
    const text = `Hello Bob,\n\nthe report ✓ is attached.\n.\n${t}\n`;
    const subject = `Release 1.4 ✓ — 报告 für Ünïcode ${t}`;
    const since = Date.now();
    const { code, doc } = await mailctl<SendDoc>(
      env,
      [
        "send", ...login, ...port("submission"),
        "--from", `"Sender, Alice" <${alice.address}>`,
        "--to", `鲍勃 Bob <${bob.address}>`,
        "--bcc", alice.address,
        "--subject", subject,
        "--text", text,
        "--html", `<p>Hello <b>Bob</b> ✓ ${t}</p>`,
        "--header", `X-Interop-Token: ${t}`,
        "--message-id", `<${t}@${srv.domain}>`,
        "--in-reply-to", `<prev-${t}@${srv.domain}>`,
        "--attach", `${binary};name=数据 ü report.bin;type=application/octet-stream`,
        "--attach", `${textAttachment};name=tricky.txt;type=text/plain`,
      ],
      alice.password,
    );
    expect(code).toBe(0);
    expect(doc).toMatchObject({ ok: true, messageId: `<${t}@${srv.domain}>`, from: alice.address, rejected: [] });
    expect(doc.accepted.sort()).toEqual([alice.address, bob.address].sort());
    expect(doc.reply).toMatch(accepted);

    const check = (mail: ParsedMail) => {
      expect(mail.subject).toBe(`Re: ${subject}`);
      expect(mail.messageId).toBe(`<${t}@${srv.domain}>`);
      expect(mail.inReplyTo).toBe(`<prev-${t}@${srv.domain}>`);
      expect(mail.references).toBe(`<prev-${t}@${srv.domain}>`);
      expect(addresses(mail.from)).toEqual([{ address: alice.address, name: "Sender, Alice" }]);
      expect(addresses(mail.to)).toEqual([{ address: bob.address, name: "鲍勃 Bob" }]);
      expect(mail.headers.has("bcc")).toBe(false);
      expect(mail.headers.get("x-interop-token")).toBe(t);
      expect(mail.text?.replace(/\r\n/g, "\n")).toBe(text);
      expect(mail.html).toContain(`<p>Hello <b>Bob</b> ✓ ${t}</p>`);
      const [bin, txt] = mail.attachments;
      expect(mail.attachments).toHaveLength(2);
      expect(bin).toMatchObject({ filename: "数据 ü report.bin", contentType: "application/octet-stream" });
      expect(bin!.content.equals(readFileSync(binary))).toBe(true);
      expect(txt).toMatchObject({ filename: "tricky.txt", contentType: "text/plain" });
      expect(txt!.content.toString("hex")).toBe(tricky.toString("hex"));
    };
    const [toBob, toAlice] = await Promise.all([waitForMessage(bob.maildir, `X-Interop-Token: ${t}`, since), waitForMessage(alice.maildir, `X-Interop-Token: ${t}`, since)]);
    check(await simpleParser(toBob));
    // The Bcc recipient got the same message, and nothing in it names her as a recipient.
    check(await simpleParser(toAlice));
  });

  it("send to a known and an unknown recipient: exit 69, the refusal reported, the known one still gets it", async () => {
    const t = token();
    const since = Date.now();
    const args = ["send", ...login, ...port("submission"), "--from", alice.address, "--to", bob.address, "--to", srv.unknownRecipient, "--subject", `partial ${t}`, "--text", t];
    const { code, doc } = await mailctl<SendDoc>(env, args, alice.password);
    expect(code).toBe(69);
    expect(doc.ok).toBe(false);
    expect(doc.accepted).toEqual([bob.address]);
    expect(doc.rejected).toEqual([{ address: srv.unknownRecipient, code: 550, reply: expect.stringContaining(srv.name === "postfix" ? "User unknown" : "Unrouteable address") }]);
    const mail = await simpleParser(await waitForMessage(bob.maildir, `partial ${t}`, since));
    expect(addresses(mail.to).map((a) => a.address)).toEqual([bob.address, srv.unknownRecipient]);
  });

  it(`send as a sender the login does not own: exit 77, sender-not-owned at ${srv.name === "postfix" ? "RCPT TO" : "MAIL FROM"}`, async () => {
    const args = ["send", ...login, ...port("submission"), "--from", `carol@${srv.domain}`, "--to", bob.address, "--subject", "not mine", "--text", "x"];
    const { code, doc } = await mailctl<SendDoc>(env, args, alice.password);
    expect(code).toBe(77);
    expect(doc.diagnoses[0]).toMatchObject({ id: "sender-not-owned", severity: "error", stage: srv.name === "postfix" ? "rcpt" : "mail" });
  });

  // Postfix advertises SIZE 10240000, Exim SIZE 52428800: a 12 MiB attachment (about 16 MB encoded) is over one
  // limit and under the other.
  it(`a 12 MiB attachment: ${srv.name === "postfix" ? "refused before MAIL, over Postfix's SIZE (exit 69)" : "delivered byte for byte"}`, async () => {
    const t = token();
    const big = file(`${t}-big.bin`, randomBytes(12 * 1024 * 1024));
    const since = Date.now();
    const args = ["send", ...login, ...port("submissions"), "--from", alice.address, "--to", bob.address, "--subject", `big ${t}`, "--text", t, "--attach", big];
    const { code, doc } = await mailctl<SendDoc>(env, args, alice.password);
    if (srv.name === "postfix") {
      expect(code).toBe(69);
      expect(doc.diagnoses[0]).toMatchObject({ id: "message-too-large" });
      expect(doc.reply).toBeNull();
      return;
    }
    expect(code).toBe(0);
    const delivered = await waitForMessageFile(bob.maildir, `big ${t}`, since, 60_000);
    const mail = await simpleParser(readFileSync(delivered));
    expect(mail.attachments[0]!.content.equals(readFileSync(big))).toBe(true);
    rmSync(delivered); // 16 MB per run would pile up: maildirs are never emptied otherwise
  });
});
