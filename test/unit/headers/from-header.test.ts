import { describe, expect, it } from "vitest";
import { headerValues, parseFromHeader } from "../../../src/headers/from-header.js";

const head = (from: string) => Buffer.from(`Subject: x\r\nFrom: ${from}\r\nTo: y@example.com\r\n\r\nFrom: not a header\r\n`, "utf8");
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("parseFromHeader", () => {
  it.each([
    ["a@example.com", "a@example.com", null],
    ["Alice <a@example.com>", "a@example.com", "Alice"],
    ['"Smith, Alice" <a@example.com>', "a@example.com", "Smith, Alice"],
    [`=?UTF-8?B?${b64("李雷")}?= <a@example.com>`, "a@example.com", "李雷"],
    ["=?ISO-8859-1?Q?Andr=E9_M=FCller?= <a@example.com>", "a@example.com", "André Müller"],
    ["<a@example.com>", "a@example.com", null],
  ])("accepts %s", (from, address, name) => {
    expect(parseFromHeader(head(from))).toEqual({ ok: true, address, name });
  });

  it.each([
    ["an encoded address", `=?UTF-8?B?${b64("Alice <a@example.com>")}?=`],
    ["raw 8-bit bytes in the name", "Zoë <a@example.com>"],
    ["an unquoted comma", "Smith, Alice <a@example.com>"],
    ["a nested mailbox", "Alice <Alice <a@example.com>>"],
    ["an unknown charset", "=?X-NOPE?B?QQ==?= <a@example.com>"],
    ["GBK bytes labelled UTF-8", `=?UTF-8?B?${Buffer.from([0xc7, 0xeb]).toString("base64")}?= <a@example.com>`],
    ["broken base64", "=?UTF-8?B?@@@?= <a@example.com>"],
    ["an address without a domain", "Alice <alice>"],
    ["an unterminated quote", '"Alice <a@example.com>'],
  ])("refuses %s", (_what, from) => {
    expect(parseFromHeader(head(from)).ok).toBe(false);
  });

  it("accepts raw UTF-8 only in a message sent with SMTPUTF8 (RFC 6532)", () => {
    expect(parseFromHeader(head("Zoë <a@example.com>"), true)).toEqual({ ok: true, address: "a@example.com", name: "Zoë" });
  });

  it("refuses a message with no From header or two of them", () => {
    expect(parseFromHeader(Buffer.from("To: y@example.com\r\n\r\nFrom: body\r\n")).ok).toBe(false);
    expect(parseFromHeader(Buffer.from("From: a@example.com\r\nFrom: b@example.com\r\n\r\n")).ok).toBe(false);
  });

  it("unfolds folded header lines and stops at the end of the header", () => {
    expect(headerValues(Buffer.from("From: Alice\r\n <a@example.com>\r\n\r\nFrom: body\r\n"), "from")).toEqual(["Alice <a@example.com>"]);
  });
});
