// The inbox's checks on a message and the receiver verdict, on messages built by nodemailer (signed with its
// DKIM signer where the check is about signatures) and taken apart by mailparser, as the inbox does.
import { generateKeyPairSync } from "node:crypto";
import nodemailer from "nodemailer";
import { describe, expect, it } from "vitest";
import { parseAuthenticationResults, receiverVerdict } from "../../../src/lab/inbox/auth-results.js";
import { checkMessage, headerProblems, htmlLinks, parseListUnsubscribe, sizeCheck } from "../../../src/lab/inbox/checks.js";
import { parseMessage } from "../../../src/lab/inbox/parse.js";

const built = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
async function build(mail: nodemailer.SendMailOptions, dkim?: { domainName: string; keySelector: string; privateKey: string; headerFieldNames?: string }): Promise<Buffer> {
  const t = dkim ? nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows", dkim }) : built;
  return (await t.sendMail(mail)).message as Buffer;
}
const raw = (text: string) => Buffer.from(text.replace(/\n/g, "\r\n"), "latin1");
const problems = async (b: Buffer) => headerProblems(await parseMessage(b), b);
const texts = (list: { header: string; text: string }[]) => list.map((p) => `${p.header}: ${p.text}`);

describe("Authentication-Results (RFC 8601)", () => {
  it("reads spf, dkim and dmarc with their properties, comments and quoted strings left out of the way", () => {
    const v = parseAuthenticationResults(
      'mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b="AbC;d=x"; spf=pass (google.com: domain of ann@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=ann@example.com; dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=example.com',
    );
    expect(v.authservId).toBe("mx.google.com");
    expect(v.results).toEqual([
      { method: "dkim", result: "pass", reason: null, props: { "header.i": "@example.com", "header.s": "s1", "header.b": "AbC;d=x" } },
      { method: "spf", result: "pass", reason: null, props: { "smtp.mailfrom": "ann@example.com" } },
      { method: "dmarc", result: "fail", reason: null, props: { "header.from": "example.com" } },
    ]);
  });

  it("reads RFC 8601's own examples: a version, a reason, and 'none'", () => {
    expect(parseAuthenticationResults("example.com 1; none")).toEqual({ authservId: "example.com", results: [] });
    const v = parseAuthenticationResults('example.com; auth=pass (cram-md5) smtp.auth=sender@example.net; spf=fail reason="sender not allowed" smtp.mailfrom=example.net');
    expect(v.results.map((r) => [r.method, r.result, r.reason])).toEqual([
      ["auth", "pass", null],
      ["spf", "fail", "sender not allowed"],
    ]);
  });

  it("takes the newest header of a message, and says 'not checked' when there is none", async () => {
    const m = await parseMessage(raw("Authentication-Results: lab.mailctl.test; spf=softfail smtp.mailfrom=a@b.example; dkim=none\nAuthentication-Results: upstream.example; spf=pass\nFrom: a@b.example\n\nhi\n"));
    const v = receiverVerdict(m);
    expect(v).toMatchObject({ checked: true, authservId: "lab.mailctl.test", spf: { result: "softfail" }, dkim: [{ result: "none" }], dmarc: null });
    expect(receiverVerdict(await parseMessage(raw("From: a@b.example\n\nhi\n")))).toMatchObject({ checked: false, spf: null, dkim: [], dmarc: null });
  });
});

describe("header checks", () => {
  it("finds nothing wrong with what nodemailer builds", async () => {
    expect(await problems(await build({ from: "Ann <ann@example.com>", to: "bob@example.com", subject: "Grüße", text: "hi" }))).toEqual([]);
  });

  it("names a missing Message-ID and Date, with Gmail's words and the sources", async () => {
    const list = await problems(raw("From: ann@example.com\nTo: bob@example.com\nSubject: x\n\nhi\n"));
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ level: "error", header: "Message-ID" });
    expect(list[0]!.text).toContain("Messages missing a valid Message-ID header are not accepted");
    expect(list[0]!.source).toContain("element-hq/matrix-authentication-service#4747");
    expect(list[1]).toMatchObject({ level: "warning", header: "Date" });
    expect(list[1]!.text).toContain("MISSING_DATE");
  });

  it("names a duplicate From, a From with two addresses, and a missing From", async () => {
    const head = "Message-ID: <1@example.com>\nDate: Tue, 10 Mar 2026 12:00:00 +0000\n";
    expect(texts(await problems(raw(`${head}From: a@example.com\nFrom: b@example.com\n\nx\n`)))).toContainEqual(expect.stringMatching(/^From: 2 From headers; RFC 5322 allows one/));
    expect(texts(await problems(raw(`${head}From: a@example.com, b@example.com\n\nx\n`)))).toContainEqual(expect.stringMatching(/^From: the From header has more than one address and there is no Sender header/));
    expect(texts(await problems(raw(`${head}From: a@example.com, b@example.com\nSender: a@example.com\n\nx\n`)))).not.toContainEqual(expect.stringMatching(/more than one address/));
    expect(texts(await problems(raw(`${head}To: b@example.com\n\nx\n`)))).toContainEqual(expect.stringMatching(/^From: there is no From header/));
  });

  it("names invalid encoded words, over-long encoded words and lines, raw 8-bit bytes and a Message-ID that is not <a@b>", async () => {
    const list = texts(
      await problems(
        raw(
          `From: =?utf-8?B?not base64!?= <a@example.com>\nSubject: =?x-unknown-charset?Q?hi?= and =?utf-8?q?${"a".repeat(70)}?=\nTo: b@example.com\nMessage-ID: 1234\nDate: Tue, 10 Mar 2026 12:00:00 +0000\nX-Long: ${"y".repeat(1000)}\nX-Raw: caf\xe9\n\nx\n`,
        ),
      ),
    );
    expect(list).toContainEqual(expect.stringMatching(/^Subject: malformed RFC 2047 encoded word =\?x-unknown-charset\?Q\?hi\?=/));
    expect(list).toContainEqual(expect.stringMatching(/^Subject: an encoded word of 82 characters; RFC 2047 allows 75/));
    expect(list).toContainEqual(expect.stringMatching(/^From: .*strict receivers \(QQ Mail, Exchange\) refuse such a From/));
    expect(list).toContainEqual(expect.stringMatching(/^Message-ID: the Message-ID "1234" is not <left@right>/));
    expect(list).toContainEqual(expect.stringMatching(/^X-Long: a header line of 1008 bytes; the limit is 998/));
    expect(list).toContainEqual(expect.stringMatching(/^X-Raw: raw 8-bit bytes in a header/));
  });
});

describe("links and unsubscribe", () => {
  it("lists the HTML's links with their text, the text's URLs, and every remote resource the HTML would load", async () => {
    const m = await parseMessage(
      await build({
        from: "a@example.com",
        to: "b@example.com",
        text: "See https://example.com/text-only. And https://example.com/both",
        html: `<style>@import url("https://fonts.example/f.css"); .x{background:url(http://img.example/bg.png)}</style><a href="https://example.com/both">Both <b>places</b></a><img src="https://img.example/a.png" srcset="https://img.example/b.png 2x"><table background="//img.example/t.png"><tr><td style="background-image:url('https://img.example/td.png')">x</td></tr></table><img src="data:image/png;base64,AAAA">`,
      }),
    );
    const c = checkMessage(m, Buffer.alloc(0), 100, receiverVerdict(m), { persona: "default", limit: 1000 });
    expect(c.links).toEqual([
      { url: "https://example.com/both", text: "Both places", source: "html" },
      { url: "https://example.com/text-only", text: "", source: "text" },
    ]);
    expect(c.remote.sort((a, b) => a.url.localeCompare(b.url))).toEqual([
      { url: "//img.example/t.png", kind: "image" },
      { url: "http://img.example/bg.png", kind: "image" },
      { url: "https://fonts.example/f.css", kind: "style" },
      { url: "https://img.example/a.png", kind: "image" },
      { url: "https://img.example/b.png", kind: "image" },
      { url: "https://img.example/td.png", kind: "image" },
    ]);
    expect(htmlLinks("").remote).toEqual([]);
  });

  it("parses List-Unsubscribe with Mailpit's rules", () => {
    expect(parseListUnsubscribe("<mailto:u@example.com?subject=unsub>, <https://example.com/u/1>")).toEqual({ links: ["mailto:u@example.com?subject=unsub", "https://example.com/u/1"], errors: [] });
    expect(parseListUnsubscribe("https://example.com/u").errors).toEqual(['"https://example.com/u" no valid unsubscribe links found']);
    expect(parseListUnsubscribe("<https://a.example/1> <https://b.example/2>").errors).toEqual(['"<https://a.example/1> <https://b.example/2>" <> should be split with a comma and optional spaces']);
    expect(parseListUnsubscribe("<ftp://example.com/u>").errors).toEqual(['"ftp://example.com/u" should start with either http(s):// or mailto:']);
  });

  it("says one-click unsubscribe is present and signed only when a DKIM signature covers both headers, and verified only when the receiver says so", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const list = { unsubscribe: { url: "https://example.com/u/1", comment: "unsubscribe" } };
    const headers = { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
    const mail = { from: "news@example.com", to: "b@example.com", subject: "news", text: "hi", list, headers };
    const check = async (b: Buffer) => {
      const m = await parseMessage(b);
      return checkMessage(m, b, b.length, receiverVerdict(m), { persona: "default", limit: 1e7 }).unsubscribe;
    };

    const unsigned = await check(await build(mail));
    expect(unsigned).toMatchObject({ present: true, oneClick: true, signedBy: null, verified: null, links: ["https://example.com/u/1"], errors: [] });

    const key = { domainName: "example.com", keySelector: "s1", privateKey };
    const partly = await check(await build(mail, { ...key, headerFieldNames: "From:To:Subject:List-Unsubscribe" }));
    expect(partly.signedBy).toBeNull();

    const signed = await build(mail, { ...key, headerFieldNames: "From:To:Subject:List-Unsubscribe:List-Unsubscribe-Post" });
    expect(await check(signed)).toMatchObject({ oneClick: true, signedBy: "example.com", verified: null, errors: [] });
    const judged = (r: string) => Buffer.concat([Buffer.from(`Authentication-Results: lab.mailctl.test; dkim=${r} header.d=example.com header.s=s1\r\n`), signed]);
    expect(await check(judged("pass"))).toMatchObject({ signedBy: "example.com", verified: true });
    expect(await check(judged("fail"))).toMatchObject({ signedBy: "example.com", verified: false });
  });

  it("refuses to call an http (not https) unsubscribe URI one-click (RFC 8058 §3.1)", async () => {
    const b = await build({ from: "a@example.com", to: "b@example.com", text: "x", list: { unsubscribe: "http://example.com/u" }, headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } });
    const m = await parseMessage(b);
    const u = checkMessage(m, b, b.length, receiverVerdict(m), { persona: "default", limit: 1e7 }).unsubscribe;
    expect(u.oneClick).toBe(false);
    expect(u.errors).toContain("List-Unsubscribe-Post needs an https URI in List-Unsubscribe (RFC 8058 §3.1)");
  });
});

describe("size", () => {
  it("compares the size with the lab persona's SIZE and each preset's message limit", () => {
    const s = sizeCheck(20 * 1024 * 1024, { persona: "gmail", limit: 35882577 });
    expect(s.limits[0]).toEqual({ name: "lab (gmail)", limit: 35882577, fits: true });
    expect(s.limits).toContainEqual({ name: expect.stringMatching(/Gmail/), limit: 26214400, fits: true });
    expect(s.limits).toContainEqual({ name: expect.stringMatching(/Alibaba Cloud DirectMail/), limit: 15728640, fits: false });
  });
});
