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

  it("turns a bare CR into CRLF, so a body cannot smuggle an end of data (RFC 5321 §2.3.8)", () => {
    expect(stuff(["line1\r.\r\nMAIL FROM:<evil@example.com>\r\n"])).toBe("line1\r\n..\r\nMAIL FROM:<evil@example.com>\r\n.\r\n");
    expect(stuff(["line1\r", ".\r\nx"])).toBe("line1\r\n..\r\nx\r\n.\r\n");
    expect(stuff(["a\r\rb\r"])).toBe("a\r\n\r\nb\r\n.\r\n");
  });

  it("without transparency, normalises line ends only and adds no terminator (the stored message)", () => {
    const s = new DotStuffer({ transparency: false });
    const out = Buffer.concat([s.push(Buffer.from(".a\rb\nc")), s.end()]).toString();
    expect(out).toBe(".a\r\nb\r\nc\r\n");
  });

  it("counts the bytes given, not the bytes sent", () => {
    const s = new DotStuffer();
    s.push(Buffer.from(".a\n"));
    expect(s.bytes).toBe(3);
  });

  it("gives the same bytes as a whole-text reference, for any text split anywhere", () => {
    // Reference on the whole text: every CRLF, bare CR and bare LF → CRLF, "." doubled at each line start, then the end.
    const reference = (t: string) => {
      const crlf = t.replace(/\r\n|\r|\n/g, "\r\n");
      const stuffed = crlf.replace(/(^|\n)\./g, "$1..");
      return stuffed + (stuffed === "" || stuffed.endsWith("\n") ? "" : "\r\n") + ".\r\n";
    };
    const alphabet = ["a", ".", "\r", "\n", "\r\n", "b c"];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let k = 0; k < 500; k++) {
      const text = Array.from({ length: rnd(30) }, () => alphabet[rnd(alphabet.length)]).join("");
      const cuts = [...new Set(Array.from({ length: rnd(5) }, () => rnd(text.length + 1)))].sort((x, y) => x - y);
      const chunks = [0, ...cuts, text.length].slice(1).map((end, i, arr) => text.slice(i === 0 ? 0 : arr[i - 1], end));
      expect(stuff(chunks.length ? chunks : [text])).toBe(reference(text));
    }
  });

  it("passes a clean CRLF chunk through as the same buffer", () => {
    const s = new DotStuffer();
    const chunk = Buffer.from("Subject: x\r\n\r\nhello\r\nworld\r\n");
    expect(s.push(chunk)).toBe(chunk);
  });
});
