// The fault personas: each failure as a client sees it, with the reply texts real servers send.
import { readdir } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import nodemailer from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";
import type { Lab } from "../../src/lab/server.js";
import { runSession } from "../../src/session/run.js";
import type { SessionOptions } from "../../src/session/session.js";
import { closeTestLabs, LAB_PASSWORD as PASSWORD, LAB_USER as USER, testLab, TIMEOUTS } from "../helpers/lab.js";
import { openLab, RawSmtp, sendRaw } from "../helpers/raw-smtp.js";

afterAll(closeTestLabs);

const letter = `From: ${USER}\r\nTo: friend@example.com\r\nSubject: hi\r\n\r\nhello\r\n`;

function engine(lab: Lab, overrides: Partial<SessionOptions> = {}): SessionOptions {
  const ep = lab.endpoints.implicit;
  return { host: ep.host, port: ep.port, tls: "implicit", ca: [lab.caPem], timeouts: TIMEOUTS, auth: { user: USER, password: PASSWORD }, name: "client.test", ...overrides };
}
const send = (to = "friend@example.com") => ({ from: USER, to: [to], data: Buffer.from(letter) });

describe("greylist", () => {
  it("answers the first try of each recipient with 450 and keeps refusing retries that come too early", async () => {
    const lab = await testLab({ persona: "greylist", greylistSeconds: 3600 });
    const { c } = await openLab(lab, "plain");
    await c.cmd("MAIL FROM:<someone@example.org>");
    expect(await c.cmd("RCPT TO:<a@mailctl.test>")).toBe("450 4.7.1 <a@mailctl.test>: Recipient address rejected: Greylisted, try again in 3600 seconds\r\n");
    expect(await c.cmd("RCPT TO:<a@mailctl.test>")).toMatch(/^450 4\.7\.1 <a@mailctl\.test>: Recipient address rejected: Greylisted, try again in \d+ seconds\r\n$/);
    expect(await c.cmd("RCPT TO:<x@example.com>")).toBe("554 5.7.1 <x@example.com>: Relay access denied\r\n");
    c.close();
  });

  it("accepts the retry once the wait is over", async () => {
    const lab = await testLab({ persona: "greylist", greylistSeconds: 0 });
    const first = await runSession(engine(lab), "send", send());
    expect(first.failure).toMatchObject({ stage: "rcpt", kind: "negative-reply", reply: { code: 450, enhanced: "4.7.1" } });
    const retry = await runSession(engine(lab), "send", send());
    expect(retry.failure).toBeNull();
    expect(await lab.captures()).toHaveLength(1);
  });
});

describe("unavailable", () => {
  it("sends 421 4.3.2 instead of the greeting and closes the connection", async () => {
    const lab = await testLab({ persona: "unavailable" });
    const c = await RawSmtp.connect(lab.endpoints.plain.port);
    expect((await c.read())!.toString()).toBe("421 4.3.2 Service not available, closing transmission channel\r\n");
    await c.closedByServer();
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: lab.endpoints.plain.port, ignoreTLS: true });
    const err = await t.verify().then(() => null, (e: { code: string; responseCode: number }) => e);
    expect(err).toMatchObject({ code: "EPROTOCOL", responseCode: 421 }); // reference row A8c
  });
});

describe("drop-data", () => {
  it("closes the connection during DATA and captures nothing", async () => {
    const lab = await testLab({ persona: "drop-data" });
    const report = await runSession(engine(lab), "send", send());
    expect(report.failure?.stage).toBe("data");
    expect(["closed", "reset"]).toContain(report.failure?.kind);
    expect(await lab.captures()).toEqual([]);
    expect((await readdir(lab.captureDir)).filter((f) => f.endsWith(".eml") || f.startsWith(".tmp-"))).toEqual([]);
  });
});

describe("slow-greeting", () => {
  it("greets only after the delay: a client that waits less times out, one that waits longer gets through", async () => {
    const lab = await testLab({ persona: "slow-greeting", greetingDelaySeconds: 1.5 });
    const impatient = await runSession(engine(lab, { timeouts: { ...TIMEOUTS, greeting: 300 } }), "greeting");
    expect(impatient.failure).toMatchObject({ stage: "greeting", kind: "greeting-timeout" });
    const patient = await runSession(engine(lab), "greeting");
    expect(patient.failure).toBeNull();
    expect(patient.greeting).toBe("lab.mailctl.test ESMTP mailctl lab");
  });
});

describe("size-limit", () => {
  it("advertises SIZE and refuses bigger messages with 552 5.3.4, declared at MAIL FROM or found after DATA", async () => {
    const lab = await testLab({ persona: "size-limit", sizeLimit: 1000 });
    const { c, ehlo } = await openLab(lab, "implicit");
    expect(ehlo).toMatch(/^250[ -]SIZE 1000\r$/m);
    await c.authPlain(USER, PASSWORD);
    expect(await c.cmd(`MAIL FROM:<${USER}> SIZE=2000`)).toBe("552 5.3.4 Message size exceeds fixed limit\r\n");
    expect(await sendRaw(c, USER, "friend@example.com", letter + "x".repeat(1200) + "\r\n")).toBe("552 5.3.4 Message size exceeds fixed limit\r\n");
    expect(await lab.captures()).toEqual([]);
    expect(await sendRaw(c, USER, "friend@example.com", letter)).toMatch(/^250 2\.0\.0 Ok: queued as /);
    c.close();
  });
});

describe("login-throttle", () => {
  it("answers AUTH beyond the limit with 454 4.7.0 Too many login attempts", async () => {
    const lab = await testLab({ persona: "login-throttle", limit: 1, windowSeconds: 3600 });
    const { c } = await openLab(lab, "implicit");
    expect(await c.authPlain(USER, PASSWORD)).toMatch(/^235 /);
    c.close();
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: lab.endpoints.implicit.port, secure: true, tls: { ca: lab.caPem, servername: "localhost" }, auth: { user: USER, pass: PASSWORD } });
    const err = await t.verify().then(() => null, (e: { code: string; responseCode: number; response: string }) => e);
    expect(err).toMatchObject({ code: "EAUTH", responseCode: 454, response: "454 4.7.0 Too many login attempts, please try again later." });
  });
});

describe("rate-limit", () => {
  it("closes with 421 4.7.0 at MAIL FROM beyond the limit, and takes mail again once the window has passed", async () => {
    const lab = await testLab({ persona: "rate-limit", limit: 2, windowSeconds: 1 });
    const { c } = await openLab(lab, "implicit");
    await c.authPlain(USER, PASSWORD);
    expect(await sendRaw(c, USER, "friend@example.com", letter)).toMatch(/^250 /);
    expect(await sendRaw(c, USER, "friend@example.com", letter)).toMatch(/^250 /);
    expect(await c.cmd(`MAIL FROM:<${USER}>`)).toBe("421 4.7.0 Try again later, closing connection.\r\n");
    await c.closedByServer();
    await sleep(1100);
    const again = await runSession(engine(lab), "send", send());
    expect(again.failure).toBeNull();
    expect(await lab.captures()).toHaveLength(3);
  });
});
