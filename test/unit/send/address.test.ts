import { describe, expect, it } from "vitest";
import { checkAddress, parseMailbox, parseMailboxes, parseMailboxList } from "../../../src/send/address.js";
import { MailctlError } from "../../../src/errors.js";

function refusal(fn: () => unknown): MailctlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MailctlError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("address parsing", () => {
  it("reads bare, bracketed, named and quoted-named addresses", () => {
    expect(parseMailbox("a@example.com", "--to")).toEqual({ name: "", address: "a@example.com", utf8: false });
    expect(parseMailbox("<a@example.com>", "--to")).toEqual({ name: "", address: "a@example.com", utf8: false });
    expect(parseMailbox("张三 <zhang@example.com>", "--to")).toMatchObject({ name: "张三", address: "zhang@example.com" });
    expect(parseMailbox('"Doe, John" <j@example.com>', "--to")).toMatchObject({ name: "Doe, John", address: "j@example.com" });
  });

  it("splits a comma-separated list but not a comma inside quotes", () => {
    expect(parseMailboxes('"Doe, John" <j@example.com>, b@example.com', "--to").map((m) => m.address)).toEqual(["j@example.com", "b@example.com"]);
    expect(parseMailboxList(["a@example.com", "b@example.com, c@example.com"], "--cc")).toHaveLength(3);
  });

  it("turns an internationalised domain into A-labels, without needing SMTPUTF8", () => {
    expect(parseMailbox("user@bücher.example", "--to")).toEqual({ name: "", address: "user@xn--bcher-kva.example", utf8: false });
  });

  it("marks a non-ASCII local part as needing SMTPUTF8", () => {
    expect(parseMailbox("用户@example.com", "--to")).toMatchObject({ address: "用户@example.com", utf8: true });
  });

  it("accepts address literals", () => {
    expect(checkAddress("root@[127.0.0.1]")).toMatchObject({ ok: true });
    expect(checkAddress("root@[IPv6:::1]")).toMatchObject({ ok: true });
  });

  const invalid: [string, RegExp][] = [
    ["not-an-address", /no address in it/],
    ["a@b@c.com", /not a valid local part/],
    ["a..b@example.com", /not a valid local part/],
    [".a@example.com", /not a valid local part/],
    ["a@-bad-.com", /not a valid domain/],
    ["a@exa mple.com", /Name <address>|not a valid/],
    ["foo bar@x.com", /expected "Name <address>"/],
    ["a@b.com (comment)", /expected "Name <address>"/],
    ["Name <>", /no address/],
    ["=?UTF-8?B?5byg5LiJ?= <z@example.com>", /already RFC 2047-encoded/],
    [`${"x".repeat(65)}@example.com`, /longer than 64/],
    // What addressparser would have to guess at: refused, never half-read.
    ["Bob <a@example.com> <b@example.com>", /more than one address in angle brackets/],
    ["<bob@example.com", /the "<" is never closed/],
    ["bob@example.com>", /a ">" without its "<"/],
    ["Bob <a@example.com> and more", /text after the <address>: "and more"/],
    ["Bob <<a@example.com>>", /a "<" inside <…>/],
    ['"Bob <a@example.com>', /a quote that is never closed/],
    ["bob@[300.1.1.1]", /not an address literal .*each octet 0–255/],
    ["bob@[1.2.3]", /not an address literal/],
    ["bob@[IPv6:not-an-address]", /not an IPv6 address literal/],
    ["bob@[tag:anything]", /not an address literal/],
  ];
  for (const [input, why] of invalid) {
    it(`refuses ${JSON.stringify(input)} with exit 65 naming it`, () => {
      const e = refusal(() => parseMailboxes(input, "--to"));
      expect(e.category).toBe("data");
      expect(e.message).toContain("--to");
      expect(e.message).toMatch(why);
    });
  }

  it("refuses a line break anywhere in an address flag as header injection", () => {
    for (const input of ["a@example.com\r\nBcc: x@evil.example", "Name\n <a@example.com>", "a@example.com\r"]) {
      const e = refusal(() => parseMailboxes(input, "--to"));
      expect(e.category).toBe("data");
      expect(e.message).toMatch(/header injection/);
    }
  });
});
