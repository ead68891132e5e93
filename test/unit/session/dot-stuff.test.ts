import { describe, expect, it } from "vitest";
import { DotStuffer } from "../../../src/session/dot-stuff.js";

function stuff(chunks: string[]): string {
  const s = new DotStuffer();
  return Buffer.concat([...chunks.map((c) => s.push(Buffer.from(c))), s.end()]).toString();
}

describe("DATA transparency (RFC 5321 §4.5.2)", () => {
  it("doubles a leading dot, also at the very start", () => {
    expect(stuff([".start\r\nmid\r\n.\r\n..two\r\n"])).toBe("..start\r\nmid\r\n..\r\n...two\r\n.\r\n");
  });

  it("finds line starts across chunk boundaries", () => {
    expect(stuff(["a\r", "\n", ".b\r\n"])).toBe("a\r\n..b\r\n.\r\n");
    expect(stuff(["a\r\n", ".", "b"])).toBe("a\r\n..b\r\n.\r\n");
  });

  it("turns bare LF into CRLF and ends an unterminated last line", () => {
    expect(stuff(["one\ntwo\n.three"])).toBe("one\r\ntwo\r\n..three\r\n.\r\n");
  });

  it("counts the bytes given, not the bytes sent", () => {
    const s = new DotStuffer();
    s.push(Buffer.from(".a\n"));
    expect(s.bytes).toBe(3);
  });
});
