// Each provider persona's replies, byte for byte, against the texts in reference section B
// (shared/reference/smtp-failures.md) and the sources cited in presets/<provider>.json.
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../../src/lab/server.js";
import { runSession } from "../../src/session/run.js";
import { closeTestLabs, LAB_PASSWORD as PASSWORD, LAB_USER as USER, testLab, TIMEOUTS } from "../helpers/lab.js";
import { openLab, RawSmtp, sendRaw } from "../helpers/raw-smtp.js";
import { writeTemp } from "../helpers/ca-file.js";
import { runCli } from "../helpers/cli.js";

const caFile = (lab: Lab) => writeTemp("ca.pem", lab.caPem);

afterAll(closeTestLabs);

const letter = (from: string) => `From: ${from}\r\nTo: friend@example.com\r\nSubject: hi\r\n\r\nhello\r\n`;

describe("gmail", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await testLab({ persona: "gmail" });
  });

  it("greets and answers like smtp.gmail.com", async () => {
    const { c, greeting, ehlo } = await openLab(lab, "implicit");
    expect(greeting.toString()).toMatch(/^220 smtp\.gmail\.com ESMTP \S+ - gsmtp\r\n$/);
    expect(ehlo).toMatch(/^250-smtp\.gmail\.com at your service, \[127\.0\.0\.1\]\r\n/);
    expect(ehlo).toMatch(/^250[ -]SIZE 35882577\r$/m);
    expect(ehlo).toContain("AUTH LOGIN PLAIN XOAUTH2");
    c.close();
  });

  it("refuses a wrong password with the two-line 535-5.7.8 BadCredentials reply", async () => {
    const { c } = await openLab(lab, "implicit");
    expect(await c.authPlain(USER, "not-the-app-password")).toMatch(
      /^535-5\.7\.8 Username and Password not accepted\. For more information, go to\r\n535 5\.7\.8  https:\/\/support\.google\.com\/mail\/\?p=BadCredentials \S+ - gsmtp\r\n$/,
    );
    c.close();
  });

  it("refuses the 2-step account with 534-5.7.9 Application-specific password required", async () => {
    const { c } = await openLab(lab, "starttls");
    expect(await c.authPlain("twostep@mailctl.test", PASSWORD)).toMatch(
      /^534-5\.7\.9 Application-specific password required\. Learn more at\r\n534 5\.7\.9  https:\/\/support\.google\.com\/mail\/\?p=InvalidSecondFactor \S+ - gsmtp\r\n$/,
    );
    c.close();
  });

  it("refuses a wrong XOAUTH2 token as Gmail does: the base64 JSON challenge, then 535-5.7.8 after the empty line", async () => {
    const { c } = await openLab(lab, "implicit");
    const token = Buffer.from(`user=${USER}\x01auth=Bearer ya29.wrong\x01\x01`).toString("base64");
    const challenge = await c.cmd(`AUTH XOAUTH2 ${token}`);
    expect(challenge).toBe(`334 ${Buffer.from('{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}').toString("base64")}\r\n`);
    expect(await c.cmd("")).toMatch(/^535-5\.7\.8 Username and Password not accepted\. For more information, go to\r\n535 5\.7\.8  https:\/\/support\.google\.com\/mail\/\?p=BadCredentials \S+ - gsmtp\r\n$/);
    // and the lab's password, as a token, is accepted on the same connection (a client may try again, RFC 4954 §4)
    expect(await c.cmd(`AUTH XOAUTH2 ${Buffer.from(`user=${USER}\x01auth=Bearer ${PASSWORD}\x01\x01`).toString("base64")}`)).toBe("235 2.7.0 Authentication successful\r\n");
    c.close();
  });

  it("doctor decodes the lab's Gmail challenge and names a rejected token", async () => {
    const r = await runCli(["doctor", "--host", "127.0.0.1", "--port", String(lab.endpoints.implicit.port), "--tls", "implicit", "--ca", caFile(lab), "--servername", "localhost", "--user", USER, "--oauth-token-env", "TOKEN", "--json"], { env: { TOKEN: "ya29.expired" } });
    const primary = JSON.parse(r.stdout).diagnoses[0];
    expect(r.code).toBe(77);
    expect(primary).toMatchObject({ id: "oauth-token-rejected", provider: "gmail" });
    expect(primary.explanation).toContain('{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}');
  });

  it("gives nodemailer the reply it gets from Gmail: EAUTH, 535, lines joined with \\n", async () => {
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: lab.endpoints.implicit.port, secure: true, tls: { ca: lab.caPem, servername: "localhost" }, auth: { user: USER, pass: "wrong" } });
    const err = await t.verify().then(() => null, (e: { code: string; responseCode: number; response: string }) => e);
    t.close();
    expect(err).toMatchObject({ code: "EAUTH", responseCode: 535 });
    expect(err!.response).toMatch(/^535-5\.7\.8 Username and Password not accepted\. For more information, go to\n535 5\.7\.8  https:\/\/support\.google\.com\/mail\/\?p=BadCredentials/);
  });

  it("asks for STARTTLS, then for authentication, in Gmail's words", async () => {
    const c = await RawSmtp.connect(lab.endpoints.starttls.port);
    await c.read();
    await c.cmd("EHLO client.test");
    expect(await c.cmd(`MAIL FROM:<${USER}>`)).toMatch(/^530 5\.7\.0 Must issue a STARTTLS command first\. \S+ - gsmtp\r\n$/);
    c.close();
    const { c: s } = await openLab(lab, "implicit");
    expect(await s.cmd(`MAIL FROM:<${USER}>`)).toMatch(
      /^530-5\.7\.0 Authentication Required\. For more information, go to\r\n530 5\.7\.0  https:\/\/support\.google\.com\/mail\/\?p=WantAuthError \S+ - gsmtp\r\n$/,
    );
    s.close();
  });

  it("accepts the lab account's password as an app password", async () => {
    const { c } = await openLab(lab, "implicit");
    expect(await c.authPlain(USER, PASSWORD)).toMatch(/^235 /);
    expect(await sendRaw(c, USER, "friend@example.com", letter(USER))).toMatch(/^250 2\.0\.0 OK {2}[0-9a-f]{16} - gsmtp\r\n$/);
    c.close();
  });
});

describe("outlook", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await testLab({ persona: "outlook" });
  });

  it("greets like Exchange Online and offers AUTH LOGIN XOAUTH2 after STARTTLS", async () => {
    const { c, greeting, ehlo } = await openLab(lab, "starttls");
    expect(greeting.toString()).toMatch(/^220 \S+\.outlook\.office365\.com Microsoft ESMTP MAIL Service ready at /);
    expect(ehlo).toContain("AUTH LOGIN XOAUTH2");
    c.close();
  });

  it("refuses password AUTH with 535 5.7.139 basic authentication is disabled, even with the right password", async () => {
    const { c } = await openLab(lab, "starttls");
    expect(await c.cmd("AUTH LOGIN")).toBe("334 VXNlcm5hbWU6\r\n");
    expect(await c.cmd(Buffer.from(USER).toString("base64"))).toBe("334 UGFzc3dvcmQ6\r\n");
    expect(await c.cmd(Buffer.from(PASSWORD).toString("base64"))).toBe("535 5.7.139 Authentication unsuccessful, basic authentication is disabled.\r\n");
    c.close();
  });

  it("asks an unauthenticated client for authentication with 530 5.7.57", async () => {
    const { c } = await openLab(lab, "starttls");
    expect(await c.cmd(`MAIL FROM:<${USER}>`)).toBe("530 5.7.57 Client not authenticated to send mail\r\n");
    c.close();
  });

  it("takes XOAUTH2 and refuses a From that is not the mailbox with 554 5.2.252 SendAsDenied after DATA", async () => {
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: lab.endpoints.starttls.port,
      requireTLS: true,
      tls: { ca: lab.caPem, servername: "localhost" },
      auth: { type: "OAuth2", user: USER, accessToken: PASSWORD },
    });
    const ok = await t.sendMail({ from: USER, to: "friend@example.com", subject: "mine", text: "ok" });
    expect(ok.response).toMatch(/^250 2\.6\.0 <[0-9a-f]{16}@\S+> \[InternalId=[0-9a-f]{16}\] Queued mail for delivery$/);
    const err = await t.sendMail({ from: "Boss <boss@example.com>", to: "friend@example.com", subject: "not mine", text: "no" }).then(
      () => null,
      (e: { code: string; responseCode: number; response: string }) => e,
    );
    t.close();
    expect(err).toMatchObject({ code: "EMESSAGE", responseCode: 554 });
    expect(err!.response).toBe(
      `554 5.2.252 SendAsDenied; ${USER} not allowed to send as boss@example.com; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message.`,
    );
    expect((await lab.captures()).map((e) => e.envelope.mailFrom)).toEqual([USER]);
  });

  it("refuses a wrong OAuth2 token with 535 5.7.3", async () => {
    const { c } = await openLab(lab, "starttls");
    const token = Buffer.from(`user=${USER}\x01auth=Bearer wrong-token\x01\x01`).toString("base64");
    expect(await c.cmd(`AUTH XOAUTH2 ${token}`)).toBe("535 5.7.3 Authentication unsuccessful\r\n");
    c.close();
  });
});

describe("qq", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await testLab({ persona: "qq" });
  });

  it("does not advertise STARTTLS on its implicit-TLS port, as smtp.qq.com:465 does not (dokuwiki-plugin-smtp#64)", async () => {
    const { c, greeting, ehlo } = await openLab(lab, "implicit");
    expect(greeting.toString()).toBe("220 smtp.qq.com Esmtp QQ Mail Server\r\n");
    expect(ehlo).toMatch(/^250-smtp\.qq\.com\r\n/);
    expect(ehlo).not.toContain("STARTTLS");
    expect(ehlo).not.toContain("ENHANCEDSTATUSCODES");
    // QQ's answer to one sent anyway is not public: smtp-server's own.
    expect(await c.cmd("STARTTLS")).toBe("503 Error: TLS already active\r\n");
    c.close();
  });

  it("answers a MAIL FROM without a valid address with 502 Invalid paramenters (inferred: see the persona), a valid one not the login with 501", async () => {
    const { c } = await openLab(lab, "implicit");
    await c.authPlain(USER, PASSWORD);
    expect(await c.cmd("MAIL FROM:<>")).toBe("502 Invalid paramenters\r\n");
    expect(await c.cmd("MAIL FROM:<Name>")).toBe("502 Invalid paramenters\r\n");
    expect(await c.cmd("MAIL FROM:<other@example.com>")).toBe("501 mail from address must be same as authorization user\r\n");
    c.close();
  });

  it("refuses a wrong password with the authorization-code 535", async () => {
    const { c } = await openLab(lab, "implicit");
    expect(await c.authPlain(USER, "my-qq-password")).toBe(
      "535 Login Fail. Please enter your authorization code to login. More information in http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256\r\n",
    );
    c.close();
  });

  it("keeps the default's relay rule, without enhanced codes since it does not advertise them (RFC 2034)", async () => {
    const { c } = await openLab(lab, "plain");
    await c.cmd("MAIL FROM:<someone@example.org>");
    expect(await c.cmd("RCPT TO:<x@example.com>")).toBe("554 <x@example.com>: Relay access denied\r\n");
    c.close();
  });

  it("refuses a MAIL FROM other than the login with 501", async () => {
    const { c } = await openLab(lab, "implicit");
    await c.authPlain(USER, PASSWORD);
    expect(await c.cmd("MAIL FROM:<someone@example.com>")).toBe("501 mail from address must be same as authorization user\r\n");
    c.close();
  });

  const FROM_550 = '550 The "From" header is missing or invalid. Please follow RFC5322, RFC2047, RFC822 standard protocol. https://service.mail.qq.com/detail/124/995.\r\n';
  const fromCases: [string, string | null][] = [
    ["another address", "Lab <other@mailctl.test>"],
    ["an RFC 2047-encoded address", `=?UTF-8?B?${Buffer.from(`Lab <${USER}>`).toString("base64")}?=`],
    ["a raw UTF-8 display name", `实验室 <${USER}>`],
    ["a display name with an unquoted comma", `Lab, Inc <${USER}>`],
    ["a doubly wrapped mailbox", `Lab <Lab <${USER}>>`],
    ["an encoded word whose bytes are not its charset", `=?UTF-8?B?${Buffer.from([0xc7, 0xeb]).toString("base64")}?= <${USER}>`],
    ["no From header at all", null],
  ];
  for (const [what, from] of fromCases) {
    it(`refuses a From header with ${what} with 550 after DATA`, async () => {
      const { c } = await openLab(lab, "implicit");
      await c.authPlain(USER, PASSWORD);
      const msg = from === null ? "To: friend@example.com\r\nSubject: hi\r\n\r\nhello\r\n" : letter(from);
      expect(await sendRaw(c, USER, "friend@example.com", msg)).toBe(FROM_550);
      c.close();
    });
  }

  it("accepts a plain or RFC 2047-encoded display name with the login's address", async () => {
    const { c } = await openLab(lab, "implicit");
    await c.authPlain(USER, PASSWORD);
    expect(await sendRaw(c, USER, "friend@example.com", letter(`"Lab Robot" <${USER}>`))).toBe("250 Ok: queued as \r\n");
    expect(await sendRaw(c, USER, "friend@example.com", letter(`=?UTF-8?B?${Buffer.from("实验室").toString("base64")}?= <${USER}>`))).toBe("250 Ok: queued as \r\n");
    expect(await sendRaw(c, USER, "friend@example.com", letter(USER))).toBe("250 Ok: queued as \r\n");
    c.close();
  });
});

describe("qq-gbk", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await testLab({ persona: "qq-gbk" });
  });

  // 请使用授权码登录。详情请看 in GBK; its first bytes are the "ÇëÊ¹ÓÃ" mojibake of reference row A9.
  const GBK = Buffer.from("c7ebcab9d3c3cadac8a8c2ebb5c7c2bca1a3cfeac7e9c7ebbfb4", "hex");

  it("sends the Chinese 535 as GBK bytes", async () => {
    const { c } = await openLab(lab, "implicit");
    c.write(`AUTH PLAIN ${Buffer.from(`\0${USER}\0wrong`).toString("base64")}\r\n`);
    const raw = (await c.read())!;
    c.close();
    const expected = Buffer.concat([Buffer.from("535 Error: "), GBK, Buffer.from(": http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256\r\n")]);
    expect(raw.toString("hex")).toBe(expected.toString("hex"));
    expect(raw.subarray(11, 17).toString("latin1")).toBe("ÇëÊ¹ÓÃ");
    expect(new TextDecoder("gbk").decode(GBK)).toBe("请使用授权码登录。详情请看");
  });

  it("is read back as Chinese by mailctl's engine", async () => {
    const ep = lab.endpoints.implicit;
    const report = await runSession({ host: ep.host, port: ep.port, tls: "implicit", ca: [lab.caPem], timeouts: TIMEOUTS, auth: { user: USER, password: "wrong" } }, "auth");
    expect(report.failure?.reply).toMatchObject({ code: 535, charset: "gbk" });
    expect(report.failure!.reply!.text).toContain("请使用授权码登录。详情请看");
  });
});

describe("aliyun", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await testLab({ persona: "aliyun" });
  });

  it("greets like DirectMail and refuses a wrong password with 535 Authentication failure.", async () => {
    const { c, greeting } = await openLab(lab, "implicit");
    expect(greeting.toString()).toBe("220 smtpdm.aliyun.com DirectMail Smtpd Server\r\n");
    expect(await c.authPlain(USER, "wrong")).toBe("535 Authentication failure.\r\n");
    c.close();
  });

  it('refuses a MAIL FROM other than the login with 436 "MAIL FROM" doesn\'t conform with authentication', async () => {
    const { c } = await openLab(lab, "implicit");
    await c.authPlain(USER, PASSWORD);
    expect(await c.cmd("MAIL FROM:<news@example.com>")).toBe(
      `436 "MAIL FROM" doesn't conform with authentication [@sm060104] (Auth Account:${USER}|Mail Account:news@example.com)\r\n`,
    );
    expect(await sendRaw(c, USER, "friend@example.com", letter(USER))).toBe("250 Data Ok: queued as freedom\r\n");
    c.close();
  });
});
