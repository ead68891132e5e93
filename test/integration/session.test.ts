import { afterAll, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { runSession, type SessionReport } from "../../src/session/run.js";
import type { SessionOptions } from "../../src/session/session.js";
import { startRawServer, startSmtpServer, type StartedServer } from "../helpers/tls-servers.js";

const servers: StartedServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
const T = { connect: 5000, greeting: 5000, command: 5000, dataEnd: 5000 };
const PASSWORD = "Ünïcode-s3cret:with spaces";

function opts(port: number, extra: Partial<SessionOptions> = {}): SessionOptions {
  return { host: "127.0.0.1", port, tls: "none", timeouts: T, transcript: true, ...extra };
}

/** Every form of the password a careless engine could leak. */
function leaks(report: SessionReport, user: string): string[] {
  const text = JSON.stringify(report);
  const forms = [
    PASSWORD,
    Buffer.from(PASSWORD).toString("base64"),
    Buffer.from(`\0${user}\0${PASSWORD}`).toString("base64"),
    encodeURIComponent(PASSWORD),
  ];
  return forms.filter((f) => text.includes(f));
}

describe("AUTH", () => {
  for (const method of ["PLAIN", "LOGIN", "CRAM-MD5"]) {
    it(`${method} succeeds and the transcript keeps no trace of the password`, async () => {
      const s = await startSmtpServer({ mode: "plain", auth: { user: "alice", pass: PASSWORD, methods: [method] } });
      servers.push(s);
      const r = await runSession(opts(s.port, { auth: { user: "alice", password: PASSWORD } }), "auth");
      expect(r.failure).toBeNull();
      expect(r.authenticated).toBe(true);
      expect(r.stages.find((x) => x.stage === "auth")?.detail).toMatchObject({ mechanism: method, user: "alice" });
      expect(r.transcript!.some((e) => e.dir === "C" && e.text.startsWith(`AUTH ${method}`))).toBe(true);
      expect(leaks(r, "alice")).toEqual([]);
    });
  }

  it("a wrong password fails the auth stage with the server's 535, and still leaks nothing", async () => {
    const s = await startSmtpServer({ mode: "plain", auth: { user: "alice", pass: "right" } });
    servers.push(s);
    const r = await runSession(opts(s.port, { auth: { user: "alice", password: PASSWORD } }), "auth");
    expect(r.failure).toMatchObject({ stage: "auth", kind: "negative-reply", reply: { code: 535 }, command: "AUTH PLAIN" });
    expect(leaks(r, "alice")).toEqual([]);
  });

  it("an empty password is credentials-missing and nothing is sent", async () => {
    const s = await startSmtpServer({ mode: "plain", auth: { user: "alice", pass: "x" } });
    servers.push(s);
    const r = await runSession(opts(s.port, { auth: { user: "alice", password: "", passwordSource: "environment variable SMTP_PASSWORD" } }), "auth");
    expect(r.failure).toMatchObject({ stage: "auth", kind: "credentials-missing" });
    expect(r.failure!.message).toContain("SMTP_PASSWORD");
    expect(r.transcript!.some((e) => e.text.startsWith("AUTH"))).toBe(false);
  });

  it("a server that offers no AUTH is auth-not-offered (not silently skipped)", async () => {
    const s = await startSmtpServer({ mode: "plain" });
    servers.push(s);
    const r = await runSession(opts(s.port, { auth: { user: "alice", password: "x" } }), "auth");
    expect(r.failure).toMatchObject({ stage: "auth", kind: "auth-not-offered" });
  });

  it("a forced mechanism the server lacks fails clearly", async () => {
    const s = await startSmtpServer({ mode: "plain", auth: { user: "a", pass: "b", methods: ["LOGIN"] } });
    servers.push(s);
    const r = await runSession(opts(s.port, { auth: { user: "a", password: "b", method: "PLAIN" } }), "auth");
    expect(r.failure).toMatchObject({ kind: "auth-mechanism-not-offered" });
    expect(r.failure!.message).toBe("AUTH PLAIN was asked for, but the server offers only LOGIN");
  });

  it("decodes a GBK reply (QQ) into readable text", async () => {
    const gbk = Buffer.from([0xc7, 0xeb, 0xca, 0xb9, 0xd3, 0xc3, 0xca, 0xda, 0xc8, 0xa8, 0xc2, 0xeb, 0xb5, 0xc7, 0xc2, 0xbc]);
    const s = await startRawServer((sock) => {
      sock.write("220 smtp.qq.com Esmtp QQ Mail Server\r\n");
      sock.on("data", (d) => {
        const l = d.toString();
        if (l.startsWith("EHLO")) sock.write("250-smtp.qq.com\r\n250 AUTH LOGIN PLAIN\r\n");
        else if (l.startsWith("AUTH")) sock.write(Buffer.concat([Buffer.from("535 Error: "), gbk, Buffer.from("\r\n")]));
      });
    });
    servers.push(s);
    const r = await runSession(opts(s.port, { auth: { user: "1234@qq.com", password: PASSWORD } }), "auth");
    expect(r.failure?.reply).toMatchObject({ code: 535, text: "Error: 请使用授权码登录", charset: "gbk" });
    expect(leaks(r, "1234@qq.com")).toEqual([]);
  });
});

describe("STARTTLS", () => {
  it("tls starttls against a server without STARTTLS fails as starttls-not-offered", async () => {
    const s = await startSmtpServer({ mode: "plain" });
    servers.push(s);
    const r = await runSession(opts(s.port, { tls: "starttls" }), "ehlo");
    expect(r.failure).toMatchObject({ stage: "starttls", kind: "starttls-not-offered" });
  });

  it("refuses to go on when the server sends data after its 220 to STARTTLS (RFC 3207 §5)", async () => {
    const s = await startRawServer((sock) => {
      sock.write("220 inject.example ESMTP\r\n");
      sock.on("data", (d) => {
        const l = d.toString();
        if (l.startsWith("EHLO")) sock.write("250-inject.example\r\n250 STARTTLS\r\n");
        else if (l.startsWith("STARTTLS")) sock.write("220 go ahead\r\n250 injected\r\n");
      });
    });
    servers.push(s);
    const r = await runSession(opts(s.port, { tls: "starttls" }), "ehlo");
    expect(r.failure).toMatchObject({ stage: "starttls", kind: "protocol" });
    expect(r.failure!.message).toMatch(/RFC 3207/);
  });

  it("discards the pre-TLS capabilities and asks again after the upgrade (RFC 3207 §4.2)", async () => {
    const s = await startSmtpServer({ mode: "starttls", auth: { user: "a", pass: "b" }, size: 1000 });
    servers.push(s);
    const r = await runSession(opts(s.port, { tls: "starttls", ca: [s.ca!] }), "ehlo");
    expect(r.failure).toBeNull();
    expect(r.secure).toBe(true);
    expect(r.extensions?.starttls).toBe(false); // smtp-server stops offering it once secure
    expect(r.stages.map((x) => x.stage)).toEqual(["dns", "tcp", "tls", "greeting", "ehlo", "starttls", "ehlo-tls", "quit"]);
  });
});

describe("sending", () => {
  it("delivers the exact bytes, dot-stuffed on the wire and unstuffed by the server", async () => {
    const s = await startSmtpServer({ mode: "plain", auth: { user: "a", pass: "b" } });
    servers.push(s);
    const body = "From: a@example.com\r\nTo: b@example.com\r\nSubject: dots\r\n\r\n.leading dot\r\n..two\r\nend\r\n";
    const r = await runSession(opts(s.port, { auth: { user: "a", password: "b" } }), "send", {
      from: "a@example.com",
      to: ["b@example.com", "c@example.com"],
      data: Readable.from([Buffer.from(body.slice(0, 50)), Buffer.from(body.slice(50))]),
    });
    expect(r.failure).toBeNull();
    expect(r.delivery).toMatchObject({ accepted: ["b@example.com", "c@example.com"], rejected: [] });
    expect(r.delivery!.reply!.code).toBe(250);
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]!.raw.toString()).toBe(body);
    expect(s.messages[0]!.envelope.rcptTo.map((x) => x.address)).toEqual(["b@example.com", "c@example.com"]);
    expect(r.transcript!.some((e) => e.text.includes(".leading dot"))).toBe(false); // message bytes stay out of the transcript
  });

  it("reports recipients refused one by one and delivers to the rest", async () => {
    const s = await startSmtpServer({
      mode: "plain",
      onRcptTo: (addr, _session, cb) => (addr.address.startsWith("nobody") ? cb(Object.assign(new Error("5.1.1 <nobody@example.com>: User unknown"), { responseCode: 550 })) : cb()),
    });
    servers.push(s);
    const r = await runSession(opts(s.port), "send", { from: "a@example.com", to: ["nobody@example.com", "b@example.com"], data: Buffer.from("Subject: x\r\n\r\nx\r\n") });
    expect(r.failure).toBeNull();
    expect(r.delivery!.accepted).toEqual(["b@example.com"]);
    expect(r.delivery!.rejected).toEqual([{ address: "nobody@example.com", reply: expect.objectContaining({ code: 550, enhanced: "5.1.1" }) }]);
  });

  it("refuses before MAIL FROM when the message exceeds the server's SIZE", async () => {
    const s = await startSmtpServer({ mode: "plain", size: 100 });
    servers.push(s);
    const r = await runSession(opts(s.port), "send", { from: "a@example.com", to: ["b@example.com"], data: Buffer.alloc(500, 0x61), size: 500 });
    expect(r.failure).toMatchObject({ stage: "mail", kind: "size-exceeded" });
    expect(r.transcript!.some((e) => e.text.startsWith("MAIL FROM"))).toBe(false);
    expect(s.messages).toHaveLength(0);
  });
});
