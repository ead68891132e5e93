// One classification for every command: a timeout is a timeout, a 421 is the server closing the channel, and a
// reply lost after the final "." is data-unconfirmed — with the same diagnosis and exit code in doctor,
// test-send, send and send --batch, against hostile servers on loopback.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { diagnoseSend } from "../../src/send/deliver.js";
import { runSession } from "../../src/session/run.js";
import { runCli } from "../helpers/cli.js";
import { startHostile } from "../helpers/hostile-smtp.js";
import type { StartedServer } from "../helpers/tls-servers.js";

const servers: StartedServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

const FROM = ["--from", "a@example.com"];
const conn = (port: number) => ["--host", "127.0.0.1", "--port", String(port), "--tls", "none", "--timeout", "1"];

/** The diagnosis id and exit code each command gives against one server. */
async function everyCommand(port: number): Promise<Record<string, { code: number; id: string | undefined }>> {
  const dir = mkdtempSync(join(tmpdir(), "mailctl-classes-"));
  writeFileSync(join(dir, "rows.csv"), "key,to\nk1,b@example.com\n");
  writeFileSync(join(dir, "t.txt"), "---\nsubject: hi\n---\nhello\n");
  const json = async (args: string[]) => {
    const r = await runCli([...args, "--json"]);
    return { code: r.code, doc: JSON.parse(r.stdout) };
  };
  const doctor = await json(["doctor", ...conn(port), ...FROM, "--send"]);
  const testSend = await json(["test-send", ...conn(port), ...FROM]);
  const send = await json(["send", ...conn(port), ...FROM, "--to", "b@example.com", "-s", "x", "--text", "y"]);
  const batch = await json(["send", ...conn(port), ...FROM, "--batch", join(dir, "rows.csv"), "--template", join(dir, "t.txt"), "--max-attempts", "2", "--retry-base", "0.1", "--retry-max", "0.2"]);
  return {
    doctor: { code: doctor.code, id: doctor.doc.diagnoses.find((d: { severity: string }) => d.severity === "error")?.id },
    "test-send": { code: testSend.code, id: testSend.doc.diagnoses[0]?.id },
    send: { code: send.code, id: send.doc.diagnoses[0]?.id },
    batch: { code: batch.code, id: batch.doc.stopped?.diagnosis?.id ?? (batch.doc.inDoubt ? "data-unconfirmed" : undefined) },
  };
}

async function server(at: Parameters<typeof startHostile>[0], then: (s: net.Socket) => void): Promise<number> {
  const s = await startHostile(at, then);
  servers.push(s);
  return s.port;
}

describe("one classification in every command", () => {
  it("a server that never answers EHLO: reply-timeout, 75 — not an EHLO-name rejection", async () => {
    const port = await server("EHLO", () => {});
    const all = await everyCommand(port);
    for (const [cmd, r] of Object.entries(all)) expect(r, cmd).toEqual({ code: 75, id: "reply-timeout" });
  });

  it("a server that drips its EHLO reply a byte at a time: reply-timeout, 75", async () => {
    const port = await server("EHLO", (sock) => {
      const bytes = Buffer.from("250-mx.hostile.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
      let i = 0;
      const t = setInterval(() => (i < bytes.length && !sock.destroyed ? sock.write(bytes.subarray(i, ++i)) : clearInterval(t)), 150);
      sock.once("close", () => clearInterval(t));
    });
    const all = await everyCommand(port);
    for (const [cmd, r] of Object.entries(all)) expect(r, cmd).toEqual({ code: 75, id: "reply-timeout" });
  });

  it("a 421 at EHLO: the server closing the channel (server-unavailable, 75); the batch pauses before it stops", async () => {
    const port = await server("EHLO", (sock) => sock.end("421 4.3.2 mx.hostile.test Service shutting down, closing transmission channel\r\n"));
    const all = await everyCommand(port);
    for (const [cmd, r] of Object.entries(all)) expect(r, cmd).toEqual({ code: 75, id: "server-unavailable" });
    const dir = mkdtempSync(join(tmpdir(), "mailctl-classes-"));
    writeFileSync(join(dir, "rows.csv"), "key,to\nk1,b@example.com\n");
    writeFileSync(join(dir, "t.txt"), "---\nsubject: hi\n---\nhello\n");
    const r = await runCli(["send", ...conn(port), ...FROM, "--batch", join(dir, "rows.csv"), "--template", join(dir, "t.txt"), "--max-attempts", "3", "--retry-base", "0.1", "--retry-max", "0.2", "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(doc.pauses).toBeGreaterThanOrEqual(1);
    expect(doc).toMatchObject({ dead: 0, stopped: { reason: "unavailable", category: "tempfail" } });
  });

  it("the connection closed after the final dot: data-unconfirmed, 74 — never 75, which would invite a blind retry", async () => {
    const port = await server("data-end", (sock) => sock.destroy());
    const all = await everyCommand(port);
    for (const [cmd, r] of Object.entries(all)) expect(r, cmd).toEqual({ code: 74, id: "data-unconfirmed" });
  });

  it("no reply at all to the final dot (the wait for it timed out) is data-unconfirmed too", async () => {
    const port = await server("data-end", () => {});
    const T = { connect: 1000, greeting: 1000, command: 1000, dataEnd: 500 };
    const report = await runSession({ host: "127.0.0.1", port, tls: "none", timeouts: T }, "send", { from: "a@example.com", to: ["b@example.com"], data: Buffer.from("Subject: x\r\n\r\ny\r\n") });
    expect(report.failure).toMatchObject({ stage: "data", kind: "reply-timeout", unconfirmed: true });
    const target = { host: "127.0.0.1", port, tls: "none" as const, opportunisticTls: false, insecure: false, timeoutSeconds: 1, origins: {}, dialect: "mailctl" as const };
    const { category, diagnoses } = await diagnoseSend(report, target);
    expect({ category, id: diagnoses[0]!.id }).toEqual({ category: "ioerr", id: "data-unconfirmed" });
  });

  it("a 5xx after the final dot is a refusal, not unconfirmed", async () => {
    const port = await server("data-end", (sock) => sock.write("554 5.7.1 Message rejected as spam\r\n"));
    const r = await runCli(["send", ...conn(port), ...FROM, "--to", "b@example.com", "-s", "x", "--text", "y", "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(doc.failure.unconfirmed).toBeUndefined();
    expect(doc.diagnoses[0].id).toBe("content-rejected");
    expect(r.code).toBe(69);
  });

  it("a refusal the catalog cannot place exits with its kind's code in doctor as in send (not protocol-error's 76)", async () => {
    const port = await server("MAIL", (sock) => sock.write("553 frobnication refused\r\n"));
    const all = await everyCommand(port);
    for (const cmd of ["doctor", "test-send", "send"]) expect(all[cmd], cmd).toMatchObject({ code: 69 });
  });
});
