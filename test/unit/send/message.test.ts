import { describe, expect, it } from "vitest";
import { composeMessage, mailOptions, replySubject, type MessageInput } from "../../../src/send/message.js";

const base: MessageInput = {
  from: { name: "App", address: "app@example.com", utf8: false },
  to: [{ name: "", address: "a@example.com", utf8: false }],
  cc: [],
  bcc: [{ name: "", address: "b@example.com", utf8: false }],
  replyTo: [],
  subject: "Status",
  text: "line one\n.line two\n",
  attachments: [],
  headers: [],
  references: [],
};

describe("message building", () => {
  it("prefixes Re: once", () => {
    expect(replySubject("hello")).toBe("Re: hello");
    expect(replySubject("Re: hello")).toBe("Re: hello");
    expect(replySubject("RE: hello")).toBe("RE: hello");
    expect(replySubject("Re:hello")).toBe("Re:hello");
    expect(replySubject("Regarding: hello")).toBe("Re: Regarding: hello");
  });

  it("appends In-Reply-To to References (RFC 5322 §3.6.4)", () => {
    const o = mailOptions({ ...base, inReplyTo: "<p@x>", references: ["<r@x>"] }, "<id@example.com>");
    expect(o.references).toEqual(["<r@x>", "<p@x>"]);
    expect(o.subject).toBe("Re: Status");
  });

  it("sends the bare From address with fromFormat address-only", () => {
    expect(mailOptions(base, "<i@x>").from).toEqual({ name: "App", address: "app@example.com" });
    expect(mailOptions({ ...base, fromFormat: "address-only" }, "<i@x>").from).toBe("app@example.com");
  });

  it("streams the same bytes every time, CRLF only, and counts them exactly", async () => {
    const m = await composeMessage(base);
    const read = async () => {
      const chunks: Buffer[] = [];
      for await (const c of m.stream()) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    const a = await read();
    const b = await read();
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBe(m.size);
    expect(/(^|[^\r])\n/.test(a.toString("latin1"))).toBe(false);
    expect(m.messageId).toMatch(/^<[0-9a-f]{24}\.[0-9a-z]+@example\.com>$/);
    expect(m.envelope).toEqual({ from: "app@example.com", to: ["a@example.com", "b@example.com"] });
    expect(m.headerLines.some((h) => /^bcc:/i.test(h))).toBe(false);
  });
});

describe("a From header sent verbatim (doctor --header-from, an app's own From)", () => {
  const read = async (m: Awaited<ReturnType<typeof composeMessage>>) => {
    const chunks: Buffer[] = [];
    for await (const c of m.stream()) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const values = [
    "=?utf-8?b?5byg5LiJ?= <app@example.com>",
    "=?utf-8?b?5byg5LiJIDxhcHBAZXhhbXBsZS5jb20+?=",
    "张三 <app@example.com>",
    '"Doe, John" <app@example.com>',
    "Name <Name <app@example.com>>",
    "=?UTF-8?Q?Zhang_S=C3=A4n?= <app@example.com>",
  ];
  for (const value of values) {
    it(`writes exactly one From header, byte for byte: ${value}`, async () => {
      const m = await composeMessage({ ...base, rawFromHeader: value });
      const bytes = await read(m);
      const head = bytes.subarray(0, bytes.indexOf("\r\n\r\n") + 2);
      const lines = head.toString("utf8").split("\r\n").filter((l) => /^from:/i.test(l));
      expect(lines).toEqual([`From: ${value}`]);
      expect(head.includes(Buffer.from(`From: ${value}\r\n`, "utf8"))).toBe(true);
      expect(bytes.length).toBe(m.size);
      // The envelope sender stays the address given separately.
      expect(m.envelope.from).toBe("app@example.com");
    });
  }
});
