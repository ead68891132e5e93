// The From header doctor sends is the one the user's app writes, byte for byte: --header-from verbatim, and
// --from-config through that app's own writer (Dify's compat32 MIMEMultipart, RAGFlow's MIMEText, aiosmtplib,
// nodemailer). Python's own email package (python3) says what those bytes are; the lab's capture says what
// arrived; the qq persona says what QQ Mail does with them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lab } from "../../src/lab/server.js";
import { runCli } from "../helpers/cli.js";
import { closeTestLabs, LAB_PASSWORD, LAB_USER, testLab } from "../helpers/lab.js";
import { field, pythonEmail } from "../helpers/python-email.js";

let qq: Lab;
let plain: Lab;
const dir = mkdtempSync(join(tmpdir(), "mailctl-from-"));
beforeAll(async () => {
  qq = await testLab({ persona: "qq" });
  plain = await testLab();
});
afterAll(closeTestLabs);

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
}

/** Every From field of every message the lab kept, as bytes (latin1, so 8-bit bytes stay visible). */
async function capturedFroms(lab: Lab): Promise<string[]> {
  const out: string[] = [];
  for (const e of await lab.captures()) {
    const bytes = await readFile(join(lab.captureDir, e.file));
    const head = bytes.subarray(0, bytes.indexOf("\r\n\r\n")).toString("latin1");
    out.push(...(head.match(/(?:^|\r\n)(From:.*(?:\r\n[ \t].*)*)/gi) ?? []).map((m) => m.replace(/^\r\n/, "")));
  }
  return out;
}

async function headerFrom(value: string, lab = qq) {
  const before = (await lab.captures()).length;
  const r = await runCli(["doctor", "--host", "127.0.0.1", "-p", String(lab.endpoints.implicit.port), "--tls", "implicit", "-u", LAB_USER, "--ca", lab.caPath, "--from", LAB_USER, "--send", "--header-from", value, "--json"], { env: { MAILCTL_PASSWORD: LAB_PASSWORD } });
  const doc = r.stdout ? JSON.parse(r.stdout) : null;
  const added = (await capturedFroms(lab)).slice(before);
  return { code: r.code, doc, stderr: r.stderr, added };
}

const NAME = "张三";
const py = pythonEmail([`${NAME} <${LAB_USER}>`], [[NAME, LAB_USER]]);
/** What Python's email.utils.formataddr(("张三", addr)) writes: the correct header. */
const CORRECT = py.formataddr[0] as string;
/** What Dify's msg["From"] = "张三 <addr>" on a MIMEMultipart becomes in msg.as_string(): one encoded word. */
const DIFY = field(py.values[0]!.dify).replace(/^From: /, "");

describe("doctor --send --header-from: the header goes out exactly as given", () => {
  it("a correct header (python's formataddr) passes QQ, and the capture holds it byte for byte", async () => {
    expect(CORRECT).toBe("=?utf-8?b?5byg5LiJ?= <lab@mailctl.test>");
    const r = await headerFrom(CORRECT);
    expect(r.code).toBe(0);
    expect(r.doc.sent.reply).toMatch(/^250 /);
    expect(r.added).toEqual([`From: ${CORRECT}`]);
  });

  it.each([['"Zhang, San" <lab@mailctl.test>'], ["=?UTF-8?Q?Zhang_S=C3=A4n?= <lab@mailctl.test>"], ["lab@mailctl.test"], ["Zhang San <lab@mailctl.test>"]])("passes QQ with %s, captured as given", async (value) => {
    const r = await headerFrom(value);
    expect(r.code).toBe(0);
    expect(r.added).toEqual([`From: ${value}`]);
  });

  it("Dify's single encoded word (name and address in one) is refused by QQ: from-header-rejected, with the static finding folded in", async () => {
    expect(DIFY).toBe("=?utf-8?b?5byg5LiJIDxsYWJAbWFpbGN0bC50ZXN0Pg==?=");
    const r = await headerFrom(DIFY);
    expect(r.code).toBe(69);
    expect(r.added).toEqual([]);
    const d = r.doc.diagnoses[0];
    expect(d.id).toBe("from-header-rejected");
    expect(d.evidence).toMatch(/550 The "From" header is missing or invalid/);
    expect(d.evidence).toMatch(/settings: From ".*": the From address is RFC 2047-encoded/);
    expect(r.doc.diagnoses.filter((x: { id: string }) => x.id === "from-header-invalid")).toEqual([]);
    // The fix writes the same mailbox correctly.
    expect(d.fix.join("\n")).toContain(CORRECT);
  });

  it("the same header to a lenient server is delivered as it is: the capture shows what the app sends", async () => {
    const r = await headerFrom(DIFY, plain);
    expect(r.added).toEqual([`From: ${DIFY}`]);
    // Judged before connecting all the same: QQ-like servers refuse it.
    expect(r.doc.diagnoses.map((x: { id: string }) => x.id)).toContain("from-header-invalid");
  });

  it("raw UTF-8 without SMTPUTF8 is refused by QQ", async () => {
    const r = await headerFrom(`${NAME} <${LAB_USER}>`);
    expect(r.code).toBe(69);
    expect(r.doc.diagnoses[0].id).toBe("from-header-rejected");
  });

  it("a line break in --header-from is header injection: exit 65, one line, nothing sent", async () => {
    const r = await headerFrom(`${CORRECT}\r\nBcc: x@example.com`);
    expect(r.code).toBe(65);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^mailctl: header injection refused: --header-from contains a line break/)]);
    expect(r.added).toEqual([]);
  });

  it("a --header-from longer than a header line may be (998 octets) is refused before connecting", async () => {
    const r = await headerFrom(`${"x".repeat(990)} <${LAB_USER}>`);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/998 octets, RFC 5322 §2\.1\.1/);
    expect(r.added).toEqual([]);
  });
});

describe("doctor --from-config: the From header the way the app writes it", () => {
  const env = (from: string, lab = qq) =>
    file(".env", ["MAIL_TYPE=smtp", "SMTP_SERVER=127.0.0.1", `SMTP_PORT=${lab.endpoints.implicit.port}`, `SMTP_USERNAME=${LAB_USER}`, `SMTP_PASSWORD=${LAB_PASSWORD}`, "SMTP_USE_TLS=true", "SMTP_OPPORTUNISTIC_TLS=false", `MAIL_DEFAULT_SEND_FROM=${from}`].join("\n"));
  const doctor = async (config: string, lab: Lab, send = false) => {
    const before = (await lab.captures()).length;
    const r = await runCli(["doctor", "--from-config", config, "--ca", lab.caPath, "--json", ...(send ? ["--send"] : [])]);
    expect(r.stdout + r.stderr).not.toContain(LAB_PASSWORD);
    return { code: r.code, doc: JSON.parse(r.stdout), added: (await capturedFroms(lab)).slice(before) };
  };

  it("Dify, MAIL_DEFAULT_SEND_FROM=张三 <addr>: from-header-invalid before connecting, the exact bytes named, the fix in .env terms", async () => {
    const { code, doc } = await doctor(env(`${NAME} <${LAB_USER}>`), qq);
    expect(code).toBe(65);
    const d = doc.diagnoses[0];
    expect(d.id).toBe("from-header-invalid");
    expect(d.evidence).toContain(`goes out as "From: ${DIFY}"`);
    const fix = d.fix.join("\n");
    expect(fix).toContain("in your Dify .env");
    expect(fix).toContain(`MAIL_DEFAULT_SEND_FROM=${LAB_USER}`);
    // The explanation tells how to keep the name: already encoded, as formataddr writes it.
    expect(d.explanation).toContain(`MAIL_DEFAULT_SEND_FROM="${CORRECT}"`);
  });

  it("Dify with --send: QQ's real 550 is the evidence; on a lenient server the capture holds Python's bytes", async () => {
    const refused = await doctor(env(`${NAME} <${LAB_USER}>`), qq, true);
    expect(refused.code).toBe(69);
    expect(refused.doc.diagnoses[0].id).toBe("from-header-rejected");
    expect(refused.doc.diagnoses[0].fix.join("\n")).toContain(`MAIL_DEFAULT_SEND_FROM=${LAB_USER}`);
    const delivered = await doctor(env(`${NAME} <${LAB_USER}>`, plain), plain, true);
    expect(delivered.added).toEqual([field(py.values[0]!.dify)]);
  });

  it.each([[LAB_USER], [CORRECT]])("Dify with MAIL_DEFAULT_SEND_FROM=%s (the fix, and the way to keep the name) → exit 0, delivered by QQ", async (from) => {
    const { code, doc, added } = await doctor(env(from.includes(" ") ? `"${from}"` : from), qq, true);
    expect(doc.diagnoses.filter((x: { severity: string }) => x.severity === "error")).toEqual([]);
    expect(code).toBe(0);
    expect(added).toEqual([`From: ${from}`]);
  });

  it("RAGFlow, mail_default_sender: [张三, addr]: refused before connecting; its fix (a pre-encoded name) is delivered by QQ", async () => {
    const yaml = (sender: string) =>
      file("service_conf.yaml", ["smtp:", "  mail_server: 127.0.0.1", `  mail_port: ${qq.endpoints.implicit.port}`, "  mail_use_ssl: true", "  mail_use_tls: false", `  mail_username: ${LAB_USER}`, `  mail_password: ${LAB_PASSWORD}`, `  mail_default_sender: ${sender}`, "  mail_frontend_url: https://ragflow.example.com"].join("\n"));
    const bad = await doctor(yaml(`["${NAME}", "${LAB_USER}"]`), qq);
    expect(bad.code).toBe(65);
    const fixLine = bad.doc.diagnoses[0].fix.join("\n").match(/mail_default_sender: (\[.*\])/)?.[1];
    expect(fixLine).toBe(`["=?utf-8?b?5byg5LiJ?=", "${LAB_USER}"]`);
    const good = await doctor(yaml(fixLine!), qq, true);
    expect(good.code).toBe(0);
    expect(good.added).toEqual([`From: ${CORRECT}`]);
  });

  it("RAGFlow and aiosmtplib fold at 78 columns as BytesGenerator does; EmailMessage encodes the name alone — the capture holds Python's bytes", async () => {
    const long = "张三李四王五赵六钱七孙八周九吴十郑十一王十二冯十三陈十四";
    const p = pythonEmail([`${long} <${LAB_USER}>`]).values[0]!;
    const yaml = file("service_conf.yaml", ["smtp:", "  mail_server: 127.0.0.1", `  mail_port: ${plain.endpoints.implicit.port}`, "  mail_use_ssl: true", "  mail_use_tls: false", `  mail_username: ${LAB_USER}`, `  mail_password: ${LAB_PASSWORD}`, `  mail_default_sender: ["${long}", "${LAB_USER}"]`].join("\n"));
    expect((await doctor(yaml, plain, true)).added).toEqual([field(p.compat32)]);
    const kw = (extra: object) => file("aiosmtplib.json", JSON.stringify({ hostname: "127.0.0.1", port: plain.endpoints.implicit.port, use_tls: true, username: LAB_USER, password: LAB_PASSWORD, sender: `${long} <${LAB_USER}>`, ...extra }));
    expect((await doctor(kw({}), plain, true)).added).toEqual([field(p.compat32)]);
    const modern = await doctor(kw({ message_class: "EmailMessage" }), plain, true);
    expect(modern.added).toEqual([field(p.default)]);
    expect(modern.doc.diagnoses.filter((x: { id: string }) => x.id === "from-header-invalid")).toEqual([]);
  });

  it("aiosmtplib code on compat32: the fix is the formataddr line", async () => {
    const kw = file("aiosmtplib.json", JSON.stringify({ hostname: "127.0.0.1", port: qq.endpoints.implicit.port, use_tls: true, username: LAB_USER, password: LAB_PASSWORD, sender: `${NAME} <${LAB_USER}>` }));
    const { code, doc } = await doctor(kw, qq);
    expect(code).toBe(65);
    expect(doc.diagnoses[0].fix.join("\n")).toContain(`message["From"] = email.utils.formataddr(("${NAME}", "${LAB_USER}"))`);
  });

  it("nodemailer: a pre-encoded name is quoted by nodemailer (an encoded word inside quotes); from: {name, address} is the fix and passes QQ", async () => {
    const cfg = (from: unknown) => file("mailer.json", JSON.stringify({ host: "127.0.0.1", port: qq.endpoints.implicit.port, secure: true, auth: { user: LAB_USER, pass: LAB_PASSWORD }, from }));
    const bad = await doctor(cfg(`${CORRECT}`), qq);
    expect(bad.code).toBe(65);
    expect(bad.doc.diagnoses[0].evidence).toContain(`goes out as "From: "=?utf-8?b?5byg5LiJ?=" <${LAB_USER}>"`);
    expect(bad.doc.diagnoses[0].fix.join("\n")).toContain(`from: { name: "${NAME}", address: "${LAB_USER}" }`);
    const good = await doctor(cfg({ name: NAME, address: LAB_USER }), qq, true);
    expect(good.code).toBe(0);
    expect(good.added).toEqual(["From: =?UTF-8?B?5byg5LiJ?= <lab@mailctl.test>"]);
  });
});
