// What the lab records of each try at delivering mail: accepted messages and refused attempts, each with the
// session transcript (credentials redacted) and the persona's decisions with their reasons.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";
import type { Lab, LabAttempt } from "../../src/lab/server.js";
import { closeTestLabs, LAB_PASSWORD, LAB_USER, testLab } from "../helpers/lab.js";
import { openLab, RawSmtp, sendRaw } from "../helpers/raw-smtp.js";

afterAll(closeTestLabs);

/** Resolves with the next `n` attempts the lab settles. */
function nextAttempts(lab: Lab, n = 1): Promise<LabAttempt[]> {
  const got: LabAttempt[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${n} attempts within 5 s`)), 5000);
    const on = (a: LabAttempt) => {
      got.push(a);
      if (got.length < n) return;
      clearTimeout(timer);
      lab.off("attempt", on);
      resolve(got);
    };
    lab.on("attempt", on);
  });
}

const lines = (a: LabAttempt) => a.session.transcript.map((e) => `${e.dir} ${e.text}`);

/** Every form a secret could take in a record: plain, base64, the SASL PLAIN message. */
function secretForms(secret: string, user = LAB_USER): string[] {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return [secret, b64(secret), b64(`\0${user}\0${secret}`)];
}

const letter = (from: string, subject = "hi") => `From: ${from}\r\nTo: friend@example.com\r\nSubject: ${subject}\r\n\r\nhello\r\n`;

describe("the lab's attempt record", () => {
  it("records an accepted message with its whole session, AUTH redacted, ending with the 250", async () => {
    const lab = await testLab();
    const settled = nextAttempts(lab);
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: lab.endpoints.starttls.port, requireTLS: true, tls: { ca: lab.caPem, servername: "localhost" }, auth: { user: LAB_USER, pass: LAB_PASSWORD } });
    await t.sendMail({ from: LAB_USER, to: "friend@example.com", subject: "recorded", text: "hello" });
    t.close();
    const [a] = await settled;
    const [capture] = await lab.captures();
    expect(a).toMatchObject({ id: capture!.id, outcome: "accepted", persona: "default", port: "starttls", user: LAB_USER, envelope: { mailFrom: LAB_USER, rcptTo: ["friend@example.com"] } });
    expect(a!.reply).toEqual({ code: 250, text: `250 2.0.0 Ok: queued as ${capture!.id}`, command: "DATA" });
    expect(a!.message).toEqual({ file: capture!.file, size: capture!.size, complete: true });
    const text = lines(a!);
    expect(text[0]).toMatch(/^\* connection from 127\.0\.0\.1 to the STARTTLS submission port$/);
    expect(text).toContain("S 220 lab.mailctl.test ESMTP mailctl lab");
    expect(text).toContain("C STARTTLS");
    expect(text).toContain("* TLS established");
    expect(text).toContain("C AUTH PLAIN <redacted>");
    expect(text).toContain("C MAIL FROM:<lab@mailctl.test>");
    expect(text[text.length - 1]).toBe(`S 250 2.0.0 Ok: queued as ${capture!.id}`);
    expect(a!.session.decisions.map((d) => [d.stage, d.outcome])).toEqual([["AUTH", "accepted"], ["MAIL", "accepted"], ["RCPT", "accepted"], ["DATA", "accepted"]]);
    expect(a!.session.decisions[0]!.why).toBe("signed in as lab@mailctl.test with PLAIN");
    const journal = await readFile(lab.attemptsPath, "utf8");
    for (const f of secretForms(LAB_PASSWORD)) expect(journal).not.toContain(f);
    expect(await lab.attempts()).toEqual([a]);
  });

  it("records a refused login with Gmail's reply and why, and keeps AUTH LOGIN's username and password lines out", async () => {
    const lab = await testLab({ persona: "gmail" });
    const settled = nextAttempts(lab);
    const wrong = "wrong-app-password-42";
    const { c } = await openLab(lab, "implicit");
    expect(await c.cmd("AUTH LOGIN")).toMatch(/^334 /);
    expect(await c.cmd(Buffer.from(LAB_USER).toString("base64"))).toMatch(/^334 /);
    expect(await c.cmd(Buffer.from(wrong).toString("base64"))).toMatch(/^535-5\.7\.8 /);
    await c.cmd("QUIT");
    c.close();
    const [a] = await settled;
    expect(a).toMatchObject({ outcome: "refused", persona: "gmail", envelope: { mailFrom: null, rcptTo: [] }, message: null });
    expect(a!.reply).toMatchObject({ code: 535, command: "AUTH" });
    expect(a!.reply!.text).toMatch(/^535 5\.7\.8 Username and Password not accepted\. For more information, go to 5\.7\.8  https:\/\/support\.google\.com\/mail\/\?p=BadCredentials/);
    expect(a!.session.decisions).toMatchObject([{ stage: "AUTH", outcome: "refused", why: `the password is not the one of ${LAB_USER}` }]);
    const text = lines(a!);
    expect(text).toContain("C AUTH LOGIN");
    expect(text.filter((l) => l === "C <redacted>")).toHaveLength(2);
    const journal = await readFile(lab.attemptsPath, "utf8");
    for (const f of [...secretForms(wrong), Buffer.from(LAB_USER).toString("base64")]) expect(journal).not.toContain(f);
  });

  it("records a relay refusal with the recipients tried and the default persona's reason", async () => {
    const lab = await testLab();
    const settled = nextAttempts(lab);
    const { c } = await openLab(lab, "plain");
    expect(await sendRaw(c, "app@example.org", "someone@example.com", letter("app@example.org"))).toMatch(/^554 5\.7\.1 /);
    await c.cmd("QUIT");
    c.close();
    const [a] = await settled;
    expect(a).toMatchObject({ outcome: "refused", user: null, envelope: { mailFrom: "app@example.org", rcptTo: ["someone@example.com"] } });
    expect(a!.reply).toEqual({ code: 554, text: "554 5.7.1 <someone@example.com>: Relay access denied", command: "RCPT" });
    expect(a!.session.decisions.at(-1)!.why).toMatch(/no open relay \(RFC 5321 §3\.6\.2\)/);
  });

  it("settles a pipelined refusal on the persona's reply, not on the 503 that follows it", async () => {
    const lab = await testLab();
    const settled = nextAttempts(lab);
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: lab.endpoints.plain.port, ignoreTLS: true });
    await expect(t.sendMail({ from: "app@example.org", to: "someone@example.com", subject: "relay", text: "x" })).rejects.toThrow(/554 5\.7\.1/);
    t.close();
    const [a] = await settled;
    expect(a!.reply).toEqual({ code: 554, text: "554 5.7.1 <someone@example.com>: Relay access denied", command: "RCPT" });
    expect(a!.session.decisions.map((d) => d.stage)).toContain("DATA"); // smtp-server's 503 is recorded, as what it is
  });

  it("says why QQ refused: the authorization code, a MAIL FROM that is not one address, a From header that does not parse", async () => {
    const lab = await testLab({ persona: "qq" });
    const settled = nextAttempts(lab, 2);
    const first = await openLab(lab, "implicit");
    expect(await first.c.cmd(`AUTH PLAIN ${Buffer.from(`\0${LAB_USER}\0not-the-code`).toString("base64")}`)).toMatch(/^535 Login Fail/);
    await first.c.cmd("QUIT");
    first.c.close();
    const { c } = await openLab(lab, "implicit");
    expect(await c.cmd(`AUTH PLAIN ${Buffer.from(`\0${LAB_USER}\0${LAB_PASSWORD}`).toString("base64")}`)).toMatch(/^235 /);
    expect(await c.cmd("MAIL FROM:<>")).toMatch(/^502 Invalid paramenters/);
    expect(await c.cmd(`MAIL FROM:<${LAB_USER}>`)).toMatch(/^250 /);
    expect(await c.cmd("RCPT TO:<friend@example.com>")).toMatch(/^250 /);
    expect(await c.cmd("DATA")).toMatch(/^354 /);
    expect(await c.cmd(`From: Zhang San <${LAB_USER}\r\nSubject: broken From\r\n\r\nhi\r\n.`)).toMatch(/^550 The "From" header is missing or invalid/);
    await c.cmd("QUIT");
    c.close();
    const [login, sent] = await settled;
    expect(login!.session.decisions.at(-1)!.why).toMatch(/authorization code \(授权码\)/);
    const whys = sent!.session.decisions.map((d) => d.why);
    expect(whys).toContainEqual(expect.stringMatching(/^MAIL FROM:<> is not one valid address/));
    expect(whys.at(-1)).toMatch(/^the From header is not one valid mailbox \(RFC 5322 §3\.6\.2, RFC 2047\): ./);
    for (const f of secretForms(LAB_PASSWORD)) expect(await readFile(lab.attemptsPath, "utf8")).not.toContain(f);
  });

  it("keeps the first bytes of a message refused after DATA (Outlook's SendAsDenied) and says why", async () => {
    const lab = await testLab({ persona: "outlook" });
    const settled = nextAttempts(lab);
    const { c } = await openLab(lab, "starttls");
    const token = Buffer.from(`user=${LAB_USER}\x01auth=Bearer ${LAB_PASSWORD}\x01\x01`).toString("base64");
    expect(await c.cmd(`AUTH XOAUTH2 ${token}`)).toMatch(/^235 /);
    expect(await sendRaw(c, LAB_USER, "friend@example.com", letter("boss@example.com", "send as the boss"))).toMatch(/^554 5\.2\.252 SendAsDenied/);
    await c.cmd("QUIT");
    c.close();
    const [a] = await settled;
    expect(a).toMatchObject({ outcome: "refused", reply: { code: 554, command: "DATA" } });
    expect(a!.session.decisions.at(-1)!.why).toBe(`the From header is boss@example.com, not the signed-in mailbox ${LAB_USER}, and the mailbox has no SendAs permission for it`);
    expect(a!.message).toMatchObject({ complete: true });
    expect(a!.message!.file).toMatch(/^refused\/.+\.eml$/);
    expect(await readFile(join(lab.captureDir, a!.message!.file), "utf8")).toContain("Subject: send as the boss");
    expect(lines(a!)).toContain("C AUTH XOAUTH2 <redacted>");
    expect(await readFile(lab.attemptsPath, "utf8")).not.toContain(token);
    expect(await lab.captures()).toEqual([]);
  });

  it("splits one connection into a refused attempt and the accepted message that follows it", async () => {
    const lab = await testLab();
    const settled = nextAttempts(lab, 2);
    const { c } = await openLab(lab, "plain");
    expect(await sendRaw(c, "app@example.org", "unknown@mailctl.test", letter("app@example.org"))).toMatch(/^550 5\.1\.1 /);
    expect(await c.cmd("RSET")).toMatch(/^250 /);
    expect(await sendRaw(c, "app@example.org", "someone@mailctl.test", letter("app@example.org"))).toMatch(/^250 /);
    await c.cmd("QUIT");
    c.close();
    const [refused, accepted] = await settled;
    expect(refused).toMatchObject({ outcome: "refused", envelope: { rcptTo: ["unknown@mailctl.test"] }, reply: { code: 550, command: "RCPT" } });
    expect(refused!.session.decisions.at(-1)!.why).toBe('there is no mailbox "unknown" at mailctl.test');
    expect(accepted).toMatchObject({ outcome: "accepted", envelope: { rcptTo: ["someone@mailctl.test"] } });
  });

  it("records a dropped connection, a refused connection and smtp-server's own protocol refusals", async () => {
    const drop = await testLab({ persona: "drop-data" });
    let settled = nextAttempts(drop);
    let { c } = await openLab(drop, "plain");
    await c.cmd("MAIL FROM:<a@example.org>");
    await c.cmd("RCPT TO:<b@mailctl.test>");
    await c.cmd("DATA");
    c.write("Subject: x\r\n\r\nbody\r\n");
    await c.closedByServer();
    let [a] = await settled;
    expect(a).toMatchObject({ outcome: "refused", reply: null });
    expect(a!.session.decisions.at(-1)).toMatchObject({ stage: "DATA", outcome: "dropped" });

    const down = await testLab({ persona: "unavailable" });
    settled = nextAttempts(down);
    const raw = await RawSmtp.connect(down.endpoints.plain.port);
    expect((await raw.read())!.toString()).toMatch(/^421 4\.3\.2 /);
    await raw.closedByServer();
    [a] = await settled;
    expect(a).toMatchObject({ outcome: "refused", reply: { code: 421, command: "connect" } });
    expect(a!.session.decisions[0]!.why).toMatch(/turns every connection away/);

    const lab = await testLab();
    settled = nextAttempts(lab);
    ({ c } = await openLab(lab, "plain"));
    expect(await c.cmd("RCPT TO:<b@mailctl.test>")).toMatch(/^503 /);
    await c.cmd("QUIT");
    c.close();
    [a] = await settled;
    expect(a!.session.decisions).toMatchObject([{ stage: "RCPT", outcome: "refused", why: "the SMTP server's own protocol check (smtp-server), not a persona rule" }]);
    expect(a!.reply!.text).toMatch(/^503 5\.5\.1 Error: need MAIL command/);
  });

  it("bounds a long session: the first and the last lines are kept, the rest counted", async () => {
    const lab = await testLab();
    const settled = nextAttempts(lab);
    const { c } = await openLab(lab, "plain");
    await c.cmd("MAIL FROM:<a@example.org>");
    for (let i = 0; i < 300; i++) await c.cmd(`RCPT TO:<r${i}@example.com>`);
    await c.cmd("QUIT");
    c.close();
    const [a] = await settled;
    expect(a!.session.transcript.length).toBe(400);
    expect(a!.session.omitted).toBeGreaterThan(150);
    expect(lines(a!).at(-2)).toBe("C QUIT");
    expect(a!.envelope.rcptTo).toHaveLength(300);
  });

  it("forgets attempts and captures on remove, files included", async () => {
    const lab = await testLab({ persona: "outlook" });
    const settled = nextAttempts(lab, 2);
    const { c } = await openLab(lab, "starttls");
    expect(await c.cmd(`AUTH XOAUTH2 ${Buffer.from(`user=${LAB_USER}\x01auth=Bearer ${LAB_PASSWORD}\x01\x01`).toString("base64")}`)).toMatch(/^235 /);
    expect(await sendRaw(c, LAB_USER, "friend@example.com", letter("boss@example.com"))).toMatch(/^554 /);
    expect(await sendRaw(c, LAB_USER, "friend@example.com", letter(LAB_USER))).toMatch(/^250 /);
    await c.cmd("QUIT");
    c.close();
    const [refused, accepted] = await settled;
    await lab.remove(new Set([refused!.id]));
    expect((await lab.attempts()).map((a) => a.id)).toEqual([accepted!.id]);
    await expect(readFile(join(lab.captureDir, refused!.message!.file))).rejects.toThrow(/ENOENT/);
    await lab.remove("all");
    expect(await lab.attempts()).toEqual([]);
    expect(await lab.captures()).toEqual([]);
    await expect(readFile(join(lab.captureDir, accepted!.message!.file))).rejects.toThrow(/ENOENT/);
  });
});
