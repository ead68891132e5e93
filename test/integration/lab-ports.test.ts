import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../../src/lab/server.js";
import type { PortKind } from "../../src/lab/smtp-hooks.js";
import { runSession } from "../../src/session/run.js";
import { closeTestLabs, LAB_PASSWORD as PASSWORD, LAB_USER as USER, testLab, TIMEOUTS } from "../helpers/lab.js";
import { RawSmtp } from "../helpers/raw-smtp.js";
const KINDS: PortKind[] = ["implicit", "starttls", "plain"];

/** A message with lines that need dot-stuffing, so the capture proves the bytes survive the round trip. */
function message(tag: string): Buffer {
  return Buffer.from(
    `From: Lab <${USER}>\r\nTo: friend@example.com\r\nSubject: lab ${tag}\r\nMessage-ID: <${tag}@client.test>\r\n\r\n` +
      `first line\r\n.starts with a dot\r\n..two dots\r\n.\r\nüñíçødé bytes\r\nend of ${tag}\r\n`,
    "utf8",
  );
}

let lab: Lab;

beforeAll(async () => {
  lab = await testLab();
});
afterAll(closeTestLabs);

/** The capture entry named in a 250 reply ("Ok: queued as <id>"). */
async function captured(replyText: string) {
  const id = /queued as ([0-9a-f]{16})/.exec(replyText)?.[1];
  expect(id, replyText).toBeTruthy();
  const entry = (await lab.captures()).find((e) => e.id === id);
  expect(entry).toBeTruthy();
  return { entry: entry!, bytes: await readFile(join(lab.captureDir, entry!.file)) };
}

describe("each port delivers into the capture dir", () => {
  for (const kind of KINDS) {
    it(`mailctl's session engine sends through the ${kind} port and the .eml holds the exact bytes`, async () => {
      const ep = lab.endpoints[kind];
      const data = message(`engine-${kind}`);
      const report = await runSession(
        { host: ep.host, port: ep.port, tls: ep.tls, ca: [lab.caPem], timeouts: TIMEOUTS, auth: { user: USER, password: PASSWORD }, name: "client.test" },
        "send",
        { from: USER, to: ["friend@example.com"], data, size: data.length },
      );
      expect(report.failure).toBeNull();
      const { entry, bytes } = await captured(report.delivery!.reply!.text);
      expect(bytes.equals(data)).toBe(true);
      expect(entry).toMatchObject({ port: kind, user: USER, persona: "default", size: data.length, helo: "client.test" });
      expect(entry.envelope).toEqual({ mailFrom: USER, rcptTo: ["friend@example.com"] });
      expect(entry.tls.secure).toBe(kind !== "plain");
      if (kind !== "plain") expect(entry.tls.protocol).toMatch(/^TLSv1\.[23]$/);
    });

    it(`a plain nodemailer transport sends through the ${kind} port and the .eml holds the exact bytes`, async () => {
      const ep = lab.endpoints[kind];
      const data = message(`nodemailer-${kind}`);
      const transport = nodemailer.createTransport({
        host: ep.host,
        port: ep.port,
        secure: kind === "implicit",
        requireTLS: kind === "starttls",
        ignoreTLS: kind === "plain",
        tls: { ca: lab.caPem, servername: "localhost" },
        auth: { user: USER, pass: PASSWORD },
        name: "nodemailer.test",
      });
      const info = await transport.sendMail({ envelope: { from: USER, to: ["a@example.com", "b@mailctl.test"] }, raw: data });
      transport.close();
      const { entry, bytes } = await captured(info.response);
      expect(bytes.equals(data)).toBe(true);
      expect(entry.envelope.rcptTo).toEqual(["a@example.com", "b@mailctl.test"]);
      expect(entry.tls.secure).toBe(kind !== "plain");
    });
  }

  it("writes one index line per message, each valid JSON naming an existing file", async () => {
    const entries = await lab.captures();
    expect(entries.length).toBeGreaterThanOrEqual(6);
    const files = await readdir(lab.captureDir);
    for (const e of entries) expect(files).toContain(e.file);
    expect(files.filter((f) => f.startsWith(".tmp-"))).toEqual([]);
    const index = await readFile(lab.indexPath, "utf8");
    expect(index).not.toContain(PASSWORD);
  });
});

describe("listen address", () => {
  it("listens on another loopback address with a certificate that covers it", async () => {
    const other = await testLab({ listen: "127.0.0.2" });
    expect(other.endpoints.implicit.host).toBe("127.0.0.2");
    const ep = other.endpoints.implicit;
    const report = await runSession({ host: ep.host, port: ep.port, tls: "implicit", ca: [other.caPem], timeouts: TIMEOUTS }, "ehlo");
    expect(report.failure).toBeNull();
    expect(report.tls?.verified).toBe(true);
  });
});

describe("the default persona's policy", () => {
  it("offers STARTTLS but not AUTH before TLS on the submission port, and answers AUTH and MAIL with 530", async () => {
    const c = await RawSmtp.connect(lab.endpoints.starttls.port);
    expect((await c.read())!.toString()).toBe("220 lab.mailctl.test ESMTP mailctl lab\r\n");
    const ehlo = await c.cmd("EHLO client.test");
    expect(ehlo).toContain("250-STARTTLS");
    expect(ehlo).not.toContain("AUTH");
    expect(ehlo).toContain("ENHANCEDSTATUSCODES");
    expect(ehlo).toContain("SIZE 10240000");
    expect(await c.authPlain(USER, PASSWORD)).toBe("530 5.7.0 Must issue a STARTTLS command first\r\n");
    expect(await c.cmd(`MAIL FROM:<${USER}>`)).toBe("530 5.7.0 Must issue a STARTTLS command first\r\n");
    expect(await c.cmd("STARTTLS")).toMatch(/^220 /);
    await c.upgrade(lab.caPem);
    expect(await c.cmd("EHLO client.test")).toContain("250-AUTH PLAIN LOGIN");
    expect(await c.cmd(`MAIL FROM:<${USER}>`)).toBe("530 5.7.0 Authentication required\r\n");
    expect(await c.authPlain(USER, "wrong")).toBe("535 5.7.8 Error: Authentication credentials invalid\r\n");
    expect(await c.authPlain(USER, PASSWORD)).toMatch(/^235 /);
    expect(await c.cmd(`MAIL FROM:<${USER}>`)).toMatch(/^250 /);
    c.close();
  });

  it("requires AUTH to send on the implicit-TLS port", async () => {
    const c = await RawSmtp.connect(lab.endpoints.implicit.port, { implicit: true, ca: lab.caPem });
    await c.read();
    expect(await c.cmd("EHLO client.test")).not.toContain("STARTTLS");
    expect(await c.cmd("MAIL FROM:<someone@example.com>")).toBe("530 5.7.0 Authentication required\r\n");
    c.close();
  });

  it("takes unauthenticated mail on the 25-style port only for the lab's domain, and knows unknown users", async () => {
    const c = await RawSmtp.connect(lab.endpoints.plain.port);
    await c.read();
    expect(await c.cmd("EHLO client.test")).toContain("250-STARTTLS");
    expect(await c.cmd("MAIL FROM:<someone@example.org>")).toMatch(/^250 /);
    expect(await c.cmd("RCPT TO:<x@example.com>")).toBe("554 5.7.1 <x@example.com>: Relay access denied\r\n");
    expect(await c.cmd("RCPT TO:<unknown@mailctl.test>")).toBe(
      "550 5.1.1 <unknown@mailctl.test>: Recipient address rejected: User unknown in local recipient table\r\n",
    );
    expect(await c.cmd("RCPT TO:<nobody@mailctl.test>")).toMatch(/^550 5\.1\.1 <nobody@mailctl\.test>/);
    expect(await c.cmd("RCPT TO:<anyone@mailctl.test>")).toMatch(/^250 /);
    expect(await c.cmd("RSET")).toMatch(/^250 /);
    expect(await c.authPlain(USER, PASSWORD)).toMatch(/^235 /);
    expect(await c.cmd(`MAIL FROM:<${USER}>`)).toMatch(/^250 /);
    expect(await c.cmd("RCPT TO:<x@example.com>")).toMatch(/^250 /);
    c.close();
  });

  it("reports each refusal to listeners, with the command it answered", async () => {
    const seen: { command: string | null; code: number; text: string }[] = [];
    const listener = (r: { command: string | null; code: number; text: string }) => seen.push(r);
    lab.on("rejected", listener);
    const c = await RawSmtp.connect(lab.endpoints.plain.port);
    await c.read();
    await c.cmd("EHLO client.test");
    await c.cmd("MAIL FROM:<someone@example.org>");
    await c.cmd("RCPT TO:<x@example.com>");
    c.close();
    lab.off("rejected", listener);
    expect(seen).toContainEqual(expect.objectContaining({ command: "RCPT", code: 554, text: "554 5.7.1 <x@example.com>: Relay access denied" }));
  });
});
