import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser, type AddressObject } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startMailSink, type MailSink } from "../helpers/mail-sink.js";

const sinks: MailSink[] = [];
async function sink(opts: Parameters<typeof startMailSink>[0] = {}): Promise<MailSink> {
  const s = await startMailSink(opts);
  sinks.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});

const dir = mkdtempSync(join(tmpdir(), "mailctl-send-"));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
// Bytes that exercise base64 fully, including CR, LF, NUL and a leading "." after every line break.
const binary = Buffer.concat([Buffer.from("\r\n.\r\n.\n\0"), randomBytes(70_000)]);
const binPath = file("payload.bin", binary);

const to = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value);
const server = (s: MailSink) => ["--host", "127.0.0.1", "--port", String(s.port), "--tls", "none"];

describe("send delivers a correct message", () => {
  let s: MailSink;
  beforeAll(async () => {
    s = await sink();
  });

  it("encodes names and subjects (RFC 2047), quotes display names (RFC 5322), keeps Bcc out of the headers and attachments byte-exact", async () => {
    const before = s.messages.length;
    const r = await runCli([
      "send", ...server(s),
      "--from", "张三 <zhang@example.com>",
      "--to", '"Doe, John" <j@example.com>',
      "--cc", "Zoë Ünïcode <zoe@example.com>",
      "--bcc", "hidden@example.com",
      "--subject", "Grüße — 你好, report ready",
      "--text", "Line one\n.starts with a dot\nÜnïcödé ✓\n",
      "--html", "<p>Hello <b>world</b> — ✓</p>",
      "--attach", `${binPath};name=数据 résumé.bin`,
      "--attach", `${file("notes.txt", "plain notes\n")}`,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sent <[0-9a-f]{24}\.[0-9a-z]+@example\.com> to 3 recipients: 250 .+\n$/);
    expect(s.messages.length).toBe(before + 1);
    const got = s.messages[before]!;
    expect(got.envelope.mailFrom && got.envelope.mailFrom.address).toBe("zhang@example.com");
    expect(got.envelope.rcptTo.map((a) => a.address)).toEqual(["j@example.com", "zoe@example.com", "hidden@example.com"]);
    const raw = got.raw.toString("latin1");
    expect(raw).not.toMatch(/hidden@example\.com/);
    expect(raw).toMatch(/^From: =\?UTF-8\?B\?5byg5LiJ\?= <zhang@example\.com>\r$/m);
    expect(raw).toMatch(/^To: "Doe, John" <j@example\.com>\r$/m);
    expect(raw).not.toMatch(/[^\x00-\x7f]/); // every header and part 7-bit: no 8BITMIME or SMTPUTF8 needed

    const m = await s.parsed(before);
    expect(m.from?.value).toEqual([{ name: "张三", address: "zhang@example.com" }]);
    expect(to(m.to)).toEqual([{ name: "Doe, John", address: "j@example.com" }]);
    expect(to(m.cc)).toEqual([{ name: "Zoë Ünïcode", address: "zoe@example.com" }]);
    expect(m.bcc).toBeUndefined();
    expect(m.headers.has("bcc")).toBe(false);
    expect(m.subject).toBe("Grüße — 你好, report ready");
    expect(m.text).toBe("Line one\n.starts with a dot\nÜnïcödé ✓\n");
    expect(m.html).toBe("<p>Hello <b>world</b> — ✓</p>");
    expect(m.messageId).toBe(r.stdout.split(" ")[1]);
    expect(m.messageId).toMatch(/@example\.com>$/);
    expect(m.attachments).toHaveLength(2);
    const [bin, notes] = m.attachments;
    expect(bin!.filename).toBe("数据 résumé.bin");
    expect(bin!.contentType).toBe("application/octet-stream");
    expect(bin!.content.equals(binary)).toBe(true);
    expect(notes!.filename).toBe("notes.txt");
    expect(notes!.contentType).toBe("text/plain");
    expect(notes!.content.toString()).toBe("plain notes\n");
  });

  it("threads a reply: In-Reply-To, References = old References + parent, and Re: only once", async () => {
    const before = s.messages.length;
    const common = ["send", ...server(s), "--from", "a@example.com", "--to", "b@example.com", "--text", "reply", "--in-reply-to", "parent@example.com", "--references", "<root@example.com>"];
    expect((await runCli([...common, "--subject", "Quarterly numbers"])).code).toBe(0);
    expect((await runCli([...common, "--subject", "Re: Quarterly numbers"])).code).toBe(0);
    for (const n of [before, before + 1]) {
      const m = await s.parsed(n);
      expect(m.subject).toBe("Re: Quarterly numbers");
      expect(m.inReplyTo).toBe("<parent@example.com>");
      expect(m.references).toEqual(["<root@example.com>", "<parent@example.com>"]);
    }
  });

  it("uses --message-id as given, sets priority headers and extra headers", async () => {
    const before = s.messages.length;
    const r = await runCli(["send", ...server(s), "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "x", "--message-id", "job-42@deploy.example", "--priority", "high", "--header", "X-Job: nightly — ✓"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sent <job-42@deploy\.example> to 1 recipient: 250 /);
    const m = await s.parsed(before);
    expect(m.messageId).toBe("<job-42@deploy.example>");
    // mailparser folds the three priority headers into one "priority" header; the raw message shows each one.
    expect(m.headers.get("priority")).toBe("high");
    const raw = s.messages[before]!.raw.toString();
    expect(raw).toMatch(/^X-Priority: 1 \(Highest\)\r$/m);
    expect(raw).toMatch(/^X-MSMail-Priority: High\r$/im);
    expect(raw).toMatch(/^Importance: High\r$/m);
    // A non-ASCII value of an unknown header is an RFC 2047 encoded word (mailparser leaves those undecoded).
    expect(m.headers.get("x-job")).toBe("=?UTF-8?Q?nightly_=E2=80=94_=E2=9C=93?=");
  });

  it("fills a template from --vars and --var, taking the subject from its front matter", async () => {
    const before = s.messages.length;
    const tpl = file("welcome.html", "---\nsubject: Welcome, {{name}}\n---\n<p>Hello {{name}}, your plan is {{ plan }}.</p>\n");
    const vars = file("vars.json", JSON.stringify({ name: "Ana <admin>", plan: "free" }));
    const r = await runCli(["send", ...server(s), "--from", "a@example.com", "--to", "b@example.com", "--template", tpl, "--vars", vars, "--var", "plan=pro"]);
    expect(r.code).toBe(0);
    const m = await s.parsed(before);
    expect(m.subject).toBe("Welcome, Ana <admin>");
    expect(m.html).toBe("<p>Hello Ana &lt;admin&gt;, your plan is pro.</p>\n");
  });

  it("reads the body from stdin when no body flag is given", async () => {
    const before = s.messages.length;
    const r = await runCli(["send", ...server(s), "--from", "a@example.com", "--to", "b@example.com", "-s", "piped"], { stdin: "from a pipe\n.with a dot line\n" });
    expect(r.code).toBe(0);
    expect((await s.parsed(before)).text).toBe("from a pipe\n.with a dot line\n");
  });

  it("delivers to an internationalised mailbox when the server offers SMTPUTF8", async () => {
    const before = s.messages.length;
    const r = await runCli(["send", ...server(s), "--from", "a@example.com", "--to", "用户 <用户@example.com>", "-s", "utf8", "--text", "x"]);
    expect(r.code).toBe(0);
    expect(s.messages[before]!.envelope.rcptTo[0]!.address).toBe("用户@example.com");
    expect(to((await s.parsed(before)).to)).toEqual([{ name: "用户", address: "用户@example.com" }]);
  });

  it("--dry-run prints the message it would send, which parses as that message, and connects to nothing", async () => {
    const quiet = await sink();
    const r = await runCli(["send", ...server(quiet), "--dry-run", "--from", "张三 <zhang@example.com>", "--to", "b@example.com", "--bcc", "c@example.com", "-s", "Grüße", "--text", "dry", "--attach", `${binPath};name=数据.bin`, "--message-id", "<dry@example.com>"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(quiet.connections).toBe(0);
    const m = await simpleParser(Buffer.from(r.stdout, "utf8"));
    expect(m.messageId).toBe("<dry@example.com>");
    expect(m.from?.value).toEqual([{ name: "张三", address: "zhang@example.com" }]);
    expect(m.subject).toBe("Grüße");
    expect(m.bcc).toBeUndefined();
    expect(m.attachments[0]!.content.equals(binary)).toBe(true);

    const j = await runCli(["send", "--dry-run", "--json", "--from", "a@example.com", "--to", "b@example.com", "--bcc", "c@example.com", "-s", "x", "--text", "x", "--attach", binPath]);
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ dryRun: true, from: "a@example.com", recipients: ["b@example.com", "c@example.com"], attachments: [{ filename: "payload.bin", size: binary.length }] });
    expect(doc.size).toBeGreaterThan(binary.length * 4 / 3);
    expect(doc.headers).toContain("Subject: x");
    expect(doc.raw).toBeUndefined();
  });
});

describe("send refuses bad input before anything is sent", () => {
  let s: MailSink;
  const root = join(dir, "root");
  beforeAll(async () => {
    s = await sink();
    mkdirSync(root);
    writeFileSync(join(root, "in.txt"), "inside");
    symlinkSync(binPath, join(root, "escape.bin"));
  });
  const ok = ["--from", "a@example.com", "--to", "b@example.com"];
  // The last field: the case gives its own body flags instead of --text.
  const cases: [string, string[], number, RegExp, boolean?][] = [
    ["a line break in the subject", ["-s", "hi\r\nBcc: victim@example.com"], 65, /header injection refused: --subject/],
    ["a line break in a --header value", ["--header", "X-A: 1\nBcc: victim@example.com"], 65, /header injection/],
    ["a line break in a display name", ["--to", "Eve\r\nBcc: v@example.com <b@example.com>"], 65, /header injection/],
    ["a line break in --from", ["--from", "a@example.com\nX-Evil: 1"], 65, /header injection/],
    ["an invalid address", ["--to", "not-an-address"], 65, /--to: invalid address "not-an-address"/],
    ["an invalid Cc among valid ones", ["--cc", "ok@example.com, bad@@example.com"], 65, /--cc: invalid address/],
    ["a missing template variable", ["--template", join(dir, "t.txt"), "--var", "a=1"], 65, /missing template variable \{\{b\}\}/, true],
    ["a missing attachment", ["--attach", join(dir, "nope.pdf")], 66, /--attach .*nope\.pdf: no such file/],
    ["a directory as attachment", ["--attach", dir], 66, /is a directory/],
    ["a device as attachment", ["--attach", "/dev/zero"], 66, /not a regular file/],
    ["a template variable that puts a line break in the subject", ["--template", join(dir, "s.txt"), "--var", "who=x\r\nBcc: victim@example.com"], 65, /header injection refused: the subject of/, true],
    ["a missing --text-file", ["--text-file", join(dir, "nope.txt")], 66, /nope\.txt: no such file/, true],
    ["a missing template", ["--template", join(dir, "nope.html")], 66, /nope\.html: no such file/, true],
    ["a missing --vars file", ["--template", join(dir, "t.txt"), "--vars", join(dir, "nope.json")], 66, /nope\.json: no such file/, true],
    ["an attachment outside --attach-root", ["--attach-root", root, "--attach", binPath], 77, /outside --attach-root/],
    ["a symlink out of --attach-root", ["--attach-root", root, "--attach", join(root, "escape.bin")], 77, /outside --attach-root.*resolves to/],
    ["a type not on the allow-list", ["--allow-type", "image/*,application/pdf", "--attach", binPath], 65, /application\/octet-stream is not allowed/],
    ["attachments over the size limit", ["--max-attachment-size", "10k", "--attach", binPath], 65, /over the limit of 10\.0 KiB/],
    ["--header setting a header mailctl owns", ["--header", "Bcc: x@example.com"], 64, /--header cannot set Bcc: use --bcc/],
    ["two text bodies", ["--text-file", binPath], 64, /--text and --text-file both give the text body/],
  ];
  for (const [what, extra, code, msg, ownBody] of cases) {
    it(`${what} → exit ${code}, and the server sees no connection`, async () => {
      file("t.txt", "{{a}} and {{b}}");
      file("s.txt", "---\nsubject: Hello {{who}}\n---\nbody\n");
      const r = await runCli(["send", ...server(s), ...ok, ...(ownBody ? [] : ["-s", "subject", "--text", "body"]), ...extra]);
      expect(r.stderr).toMatch(msg);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
      expect(s.connections).toBe(0);
      expect(s.messages).toHaveLength(0);
    });
  }

  it("no body and stdin a terminal → exit 64 naming the flags", async () => {
    const r = await runCli(["send", ...server(s), "--from", "a@example.com", "--to", "b@example.com", "-s", "x"], { tty: true });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/no message body: pass --text, --text-file, --html, --html-file or --template, or pipe the body on stdin/);
    expect(s.connections).toBe(0);
  });

  it("no sender → exit 64", async () => {
    const r = await runCli(["send", ...server(s), "--to", "b@example.com", "-s", "x", "--text", "x"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/no sender: pass --from/);
    expect(s.connections).toBe(0);
  });
});

describe("send reports what the server did", () => {
  it("some recipients refused → each reported, exit 69; with --allow-partial exit 0", async () => {
    const s = await sink({ rejectRcpt: ["nobody@example.com"] });
    const args = ["send", ...server(s), "--from", "a@example.com", "--to", "b@example.com", "--to", "nobody@example.com", "-s", "x", "--text", "x"];
    const r = await runCli(args);
    expect(r.code).toBe(69);
    expect(r.stdout).toMatch(/^sent <[^>]+> to 1 recipient: 250 .+\n$/);
    expect(r.stderr).toMatch(/^rejected nobody@example\.com: 550 .*User unknown/m);
    expect(r.stderr).toMatch(/1 of 2 recipients refused/);
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]!.envelope.rcptTo.map((a) => a.address)).toEqual(["b@example.com"]);

    const j = await runCli([...args, "--json"]);
    expect(j.code).toBe(69);
    const doc = JSON.parse(j.stdout);
    expect(doc.accepted).toEqual(["b@example.com"]);
    expect(doc.rejected).toEqual([{ address: "nobody@example.com", code: 550, reply: expect.stringMatching(/^550 .*User unknown/) }]);
    expect(doc.reply).toMatch(/^250 /);
    expect(typeof doc.ms).toBe("number");

    const p = await runCli([...args, "--allow-partial"]);
    expect(p.code).toBe(0);
    expect(p.stderr).toMatch(/^rejected nobody@example\.com/m);
  });

  it("every recipient refused → exit 69, no DATA, both reported in JSON", async () => {
    const s = await sink({ rejectRcpt: ["x@example.com", "y@example.com"] });
    const r = await runCli(["send", ...server(s), "--from", "a@example.com", "--to", "x@example.com, y@example.com", "-s", "x", "--text", "x", "--json"]);
    expect(r.code).toBe(69);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.failure).toMatchObject({ stage: "rcpt", kind: "negative-reply" });
    expect(doc.rejected.map((x: { address: string }) => x.address)).toEqual(["x@example.com", "y@example.com"]);
    expect(doc.diagnoses.map((d: { id: string }) => d.id)).toEqual(["recipient-rejected"]);
    expect(s.messages).toHaveLength(0);
  });

  it("a message over the server's SIZE is refused before MAIL: exit 69, no DATA", async () => {
    const s = await sink({ size: 20_000 });
    const r = await runCli(["send", ...server(s), "--from", "a@example.com", "--to", "b@example.com", "-s", "big", "--text", "x", "--attach", binPath]);
    expect(r.code).toBe(69);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/the server accepts at most 20000 \(SIZE\)/);
    expect(r.stderr).toMatch(/\[message-too-large · mail\]/);
    expect(s.connections).toBe(1);
    expect(s.mailFrom).toHaveLength(0);
    expect(s.messages).toHaveLength(0);
  });

  it("an internationalised mailbox to a server without SMTPUTF8 → exit 65 naming it, nothing sent", async () => {
    const s = await sink({ hideSMTPUTF8: true });
    const r = await runCli(["send", ...server(s), "--from", "a@example.com", "--to", "用户@example.com", "-s", "x", "--text", "x"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/用户@example\.com: an internationalised address, but 127\.0\.0\.1 does not offer SMTPUTF8/);
    expect(s.mailFrom).toHaveLength(0);
    expect(s.messages).toHaveLength(0);
  });

  it("authenticates over STARTTLS and never shows the password, in any output", async () => {
    const s = await sink({ mode: "starttls", auth: { user: "app", pass: "s3cret-Pa55word" } });
    const ca = file("ca.pem", s.ca!);
    const base = ["send", "--host", "127.0.0.1", "--port", String(s.port), "--tls", "starttls", "--ca", ca, "-u", "app", "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "x", "--transcript"];
    const good = await runCli([...base, "--json"], { env: { MAILCTL_PASSWORD: "s3cret-Pa55word" } });
    expect(good.code).toBe(0);
    expect(s.messages[0]!.user).toBe("app");
    const bad = await runCli(base, { env: { MAILCTL_PASSWORD: "wrong-Pa55word" } });
    expect(bad.code).toBe(77);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/not sent: the auth stage failed/);
    expect(bad.stderr).toMatch(/535/);
    expect(bad.stderr).toMatch(/\[auth-failed · auth\]/);
    // One catalog: doctor names the same cause and exits with the same code.
    const doctor = await runCli(["doctor", "--host", "127.0.0.1", "--port", String(s.port), "--tls", "starttls", "--ca", ca, "-u", "app", "--json"], { env: { MAILCTL_PASSWORD: "wrong-Pa55word" } });
    expect(doctor.code).toBe(bad.code);
    expect(JSON.parse(doctor.stdout).diagnoses[0].id).toBe("auth-failed");
    const b64 = (t: string) => Buffer.from(t).toString("base64");
    for (const [out, pw] of [[good.stdout + good.stderr, "s3cret-Pa55word"], [bad.stdout + bad.stderr, "wrong-Pa55word"]] as const) {
      expect(out).not.toContain(pw);
      expect(out).not.toContain(b64(pw));
      expect(out).not.toContain(b64(`\0app\0${pw}`));
    }
    expect(JSON.parse(good.stdout).transcript.some((e: { text: string }) => /AUTH PLAIN <redacted>/.test(e.text))).toBe(true);
  });

  it("a refused connection → exit 69 with the failure explained on stderr and nothing on stdout", async () => {
    const s = await sink();
    const port = s.port;
    await s.close();
    const r = await runCli(["send", "--host", "127.0.0.1", "--port", String(port), "--tls", "none", "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "x"]);
    expect(r.code).toBe(69);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/not sent: the tcp stage failed/);
    expect(r.stderr).toMatch(/\[connection-refused · tcp\]/);
  });
});
