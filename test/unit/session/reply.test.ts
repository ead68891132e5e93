import { describe, expect, it } from "vitest";
import { buildReply, decodeLine, formatReply, parseReply } from "../../../src/session/reply.js";
import { parseExtensions } from "../../../src/session/extensions.js";

describe("reply parsing", () => {
  it("joins a multi-line Gmail reply and takes the enhanced code from the first line", () => {
    const r = parseReply(
      "535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-20020a - gsmtp",
    )!;
    expect(r.code).toBe(535);
    expect(r.enhanced).toBe("5.7.8");
    expect(r.text).toBe("Username and Password not accepted. For more information, go to\nhttps://support.google.com/mail/?p=BadCredentials a1-20020a - gsmtp");
    expect(formatReply(r)).toBe("535 5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials a1-20020a - gsmtp");
  });

  it("does not take a number of another class for an enhanced code", () => {
    const r = parseReply("250 2.0.0 Ok: queued as 4XyZ")!;
    expect(r.enhanced).toBe("2.0.0");
    const odd = parseReply("550 4.4.4 looks like a code but the class differs")!;
    expect(odd.enhanced).toBeUndefined();
    expect(odd.text).toBe("4.4.4 looks like a code but the class differs");
  });

  it("accepts a bare code with no text", () => {
    expect(parseReply("250")).toMatchObject({ code: 250, text: "" });
  });

  it("rejects lines that are not replies", () => {
    expect(parseReply("HTTP/1.1 400 Bad Request")).toBeNull();
    expect(parseReply("")).toBeNull();
  });

  it("decodes QQ's GBK reply instead of showing mojibake", () => {
    const bytes = Buffer.from([
      ...Buffer.from("535 Error: "),
      // 请使用授权码登录 in GBK
      0xc7, 0xeb, 0xca, 0xb9, 0xd3, 0xc3, 0xca, 0xda, 0xc8, 0xa8, 0xc2, 0xeb, 0xb5, 0xc7, 0xc2, 0xbc,
    ]);
    const d = decodeLine(bytes);
    expect(d).toEqual({ text: "535 Error: 请使用授权码登录", charset: "gbk" });
    expect(buildReply([d.text], d.charset).charset).toBe("gbk");
  });

  it("keeps UTF-8 replies as they are", () => {
    expect(decodeLine(Buffer.from("550 用户不存在", "utf8"))).toEqual({ text: "550 用户不存在" });
  });
});

describe("EHLO extensions", () => {
  it("parses keywords, SIZE and AUTH in both the standard and the AUTH= form", () => {
    const r = parseReply(
      ["250-mail.example.com Hello", "250-SIZE 35882577", "250-8BITMIME", "250-AUTH LOGIN PLAIN XOAUTH2", "250-AUTH=LOGIN PLAIN", "250-ENHANCEDSTATUSCODES", "250-PIPELINING", "250-CHUNKING", "250-DSN", "250 SMTPUTF8"].join("\r\n"),
    )!;
    const e = parseExtensions(r);
    expect(e.size).toBe(35882577);
    expect(e.auth.sort()).toEqual(["LOGIN", "PLAIN", "XOAUTH2"]);
    expect(e).toMatchObject({ starttls: false, pipelining: true, eightBitMime: true, smtputf8: true, enhancedStatusCodes: true, dsn: true, chunking: true });
  });

  it("treats SIZE without a number as no fixed limit and a missing SIZE as unknown", () => {
    expect(parseExtensions(parseReply("250-x\r\n250 SIZE")!).size).toBe(0);
    expect(parseExtensions(parseReply("250-x\r\n250 STARTTLS")!)).toMatchObject({ size: null, starttls: true });
  });
});
