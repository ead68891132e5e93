import { describe, expect, it } from "vitest";
import { assertOneLine, parseHeader, parseMessageId, parseReferences } from "../../../src/send/headers.js";
import { MailctlError } from "../../../src/errors.js";

function category(fn: () => unknown): string {
  try {
    fn();
    return "none";
  } catch (e) {
    return e instanceof MailctlError ? e.category : "bug";
  }
}

describe("header checks", () => {
  it("refuses CR, LF and NUL in a header value (exit 65)", () => {
    expect(category(() => assertOneLine("ok value", "--subject"))).toBe("none");
    for (const v of ["a\rb", "a\nb", "a\r\nBcc: x@y", "a\0b"]) expect(category(() => assertOneLine(v, "--subject"))).toBe("data");
  });

  it("parses --header and refuses injection, bad names and headers mailctl owns", () => {
    expect(parseHeader("X-Job: nightly build")).toEqual({ key: "X-Job", value: "nightly build" });
    expect(parseHeader("List-Unsubscribe: <mailto:u@example.com>")).toEqual({ key: "List-Unsubscribe", value: "<mailto:u@example.com>" });
    expect(category(() => parseHeader("X-Job: a\r\nBcc: evil@example.com"))).toBe("data");
    expect(category(() => parseHeader("X Job: a"))).toBe("data");
    expect(category(() => parseHeader("no colon"))).toBe("usage");
    expect(category(() => parseHeader("Bcc: x@example.com"))).toBe("usage");
    expect(category(() => parseHeader("content-type: text/html"))).toBe("usage");
  });

  it("normalises message ids to <left@right>", () => {
    expect(parseMessageId("abc@example.com", "--message-id")).toBe("<abc@example.com>");
    expect(parseMessageId("<abc@example.com>", "--message-id")).toBe("<abc@example.com>");
    expect(category(() => parseMessageId("no-at-sign", "--message-id"))).toBe("data");
    expect(category(() => parseMessageId("<a@b>\r\nX: y", "--message-id"))).toBe("data");
    expect(parseReferences(["<a@x> <b@x>", "c@x"])).toEqual(["<a@x>", "<b@x>", "<c@x>"]);
  });
});
