import { describe, expect, it } from "vitest";
import { encodeGbk } from "../../../src/lab/gbk.js";
import { encodeReply, gbk, reply } from "../../../src/lab/reply.js";

describe("lab replies", () => {
  it("encodes several lines as one multi-line reply (RFC 5321 §4.2.1)", () => {
    expect(encodeReply(reply(535, "5.7.8 first", "5.7.8 second")).toString()).toBe("535-5.7.8 first\r\n535 5.7.8 second\r\n");
  });

  it("cannot be split by a line break in the text", () => {
    expect(encodeReply(reply(550, "a\r\n250 b")).toString()).toBe("550 a  250 b\r\n");
  });

  it("encodes GBK text so that a GBK decoder reads it back", () => {
    const bytes = encodeReply(gbk(reply(535, "Error: 请使用授权码登录。")));
    expect(bytes.subarray(0, 11).toString()).toBe("535 Error: ");
    expect(bytes.subarray(11, 13).toString("hex")).toBe("c7eb");
    expect(new TextDecoder("gbk").decode(bytes)).toBe("535 Error: 请使用授权码登录。\r\n");
  });

  it("refuses characters GBK does not have", () => {
    expect(() => encodeGbk("😀")).toThrow(/GBK cannot encode U\+1F600/);
  });
});
