// The session engine against servers that misbehave on purpose, as raw sockets on loopback.
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { runSession } from "../../src/session/run.js";
import type { SessionOptions } from "../../src/session/session.js";
import { runCli } from "../helpers/cli.js";
import { onLines, startHostile } from "../helpers/hostile-smtp.js";
import { startRawServer, type StartedServer } from "../helpers/tls-servers.js";

const servers: StartedServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
const T = { connect: 3000, greeting: 3000, command: 3000, dataEnd: 3000 };
const opts = (port: number, extra: Partial<SessionOptions> = {}): SessionOptions => ({ host: "127.0.0.1", port, tls: "none", timeouts: T, transcript: true, ...extra });
const conn = (port: number) => ["--host", "127.0.0.1", "--port", String(port), "--tls", "none", "--timeout", "3"];

describe("unsolicited replies", () => {
  it("a reply after the greeting that nobody asked for is a protocol error, not the answer to EHLO", async () => {
    const s = await startRawServer((sock) => sock.write("220 mx ESMTP\r\n554 5.7.1 Relay access denied\r\n"));
    servers.push(s);
    const r = await runSession(opts(s.port), "ehlo");
    expect(r.failure).toMatchObject({ kind: "protocol" });
    expect(r.failure!.message).toContain("a reply nobody asked for");
    expect(r.failure!.message).toContain("554 5.7.1 Relay access denied");
    // The CLI names it as such: not "relay-denied", which the 554 would have become as EHLO's answer.
    const cli = await runCli(["send", ...conn(s.port), "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y", "--json"]);
    expect(cli.code).toBe(76);
    expect(JSON.parse(cli.stdout).diagnoses[0].id).toBe("protocol-error");
  });

  it("an extra reply sent with the EHLO reply fails the session before MAIL, so no command gets the wrong answer", async () => {
    const s = await startHostile("EHLO", (sock) => sock.write("250 mx.hostile.test\r\n250 2.1.0 Sender OK\r\n"));
    servers.push(s);
    const r = await runSession(opts(s.port), "send", { from: "a@example.com", to: ["b@example.com"], data: Buffer.from("Subject: x\r\n\r\ny\r\n") });
    expect(r.failure).toMatchObject({ kind: "protocol", stage: "mail" });
    expect(r.delivery).toBeNull();
    expect(s.received().toString("latin1")).not.toContain("MAIL FROM");
  });

  it("an unsolicited 421 is the server closing the channel: the next command gets it", async () => {
    const s = await startRawServer((sock) => {
      sock.write("220 mx ESMTP\r\n");
      onLines(sock, (l) => {
        if (l.startsWith("EHLO")) sock.write("250 mx\r\n421 4.4.2 mx idle timeout, closing\r\n");
      });
    });
    servers.push(s);
    const r = await runSession(opts(s.port), "send", { from: "a@example.com", to: ["b@example.com"], data: Buffer.from("x\r\n") });
    expect(r.failure).toMatchObject({ stage: "mail", kind: "negative-reply", reply: { code: 421 } });
  });

  it("pipelined replies that arrive before they are read are not unsolicited", async () => {
    const s = await startHostile("greeting", (sock) => {
      sock.write("220 mx ESMTP\r\n");
      onLines(sock, (l) => {
        if (l.startsWith("EHLO")) sock.write("250-mx\r\n250 PIPELINING\r\n");
        else if (l.startsWith("MAIL")) sock.write("250 ok\r\n");
        else if (l.startsWith("RCPT")) sock.write("250 ok\r\n");
        else if (l === "DATA") sock.write("354 go\r\n");
        else if (l === ".") sock.write("250 queued\r\n");
        else if (l === "QUIT") sock.end("221 bye\r\n");
      });
    });
    servers.push(s);
    const { Session } = await import("../../src/session/session.js");
    const session = new Session(opts(s.port));
    expect((await session.open()) && (await session.hello())).toBe(true);
    const d = await session.send({ from: "a@example.com", to: ["b@example.com", "c@example.com"], data: Buffer.from("x\r\n") }, { pipelining: true });
    expect(d?.reply?.code).toBe(250);
    await session.close();
    expect(session.failure).toBeNull();
  });
});

/** A message body as a stream that never runs dry: `mb` megabytes of text lines. */
function bigBody(mb: number): Readable {
  const line = Buffer.from("x".repeat(998) + "\r\n");
  let left = Math.ceil((mb * 1024 * 1024) / line.length);
  return new Readable({
    read() {
      while (left > 0) {
        left--;
        if (!this.push(line)) return;
      }
      this.push(null);
    },
  });
}

describe("a server that stops reading while the message streams", () => {
  it("fails the data stage after --timeout without progress, and never sends the final dot", async () => {
    const s = await startHostile("DATA", (sock) => {
      sock.write("354 go ahead\r\n");
      sock.pause(); // reads nothing more: the client's writes back up
    });
    servers.push(s);
    const started = performance.now();
    const r = await runSession(opts(s.port, { timeouts: { ...T, command: 1000 } }), "send", { from: "a@example.com", to: ["b@example.com"], data: bigBody(64) });
    expect(performance.now() - started).toBeLessThan(6000);
    expect(r.failure).toMatchObject({ stage: "data", kind: "reply-timeout" });
    expect(r.failure!.message).toContain("the server stopped reading the message");
    expect(r.delivery).toBeNull();
  });

  it("ends at once when the server closes the connection mid-message", async () => {
    const s = await startHostile("DATA", (sock) => {
      sock.write("354 go ahead\r\n");
      setTimeout(() => sock.destroy(), 50);
    });
    servers.push(s);
    const started = performance.now();
    const body = bigBody(256);
    const r = await runSession(opts(s.port, { timeouts: { ...T, command: 20_000, dataEnd: 20_000 } }), "send", { from: "a@example.com", to: ["b@example.com"], data: body });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r.failure?.stage).toBe("data");
    expect(["closed", "reset"]).toContain(r.failure!.kind);
    expect(body.destroyed).toBe(true);
  });
});
