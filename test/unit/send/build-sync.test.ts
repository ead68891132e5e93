import { describe, expect, it } from "vitest";
import MailComposer from "nodemailer/lib/mail-composer";
import * as qp from "nodemailer/lib/qp";
import * as base64 from "nodemailer/lib/base64";
import { buildInMemory, type Encoders } from "../../../src/send/build-sync.js";
import { mailOptions, type MessageInput } from "../../../src/send/message.js";
import type { Mailbox } from "../../../src/send/address.js";

const enc = { qp: qp.Encoder, base64: base64.Encoder } as unknown as Encoders;
const box = (address: string, name = ""): Mailbox => ({ name, address, utf8: false });
const date = new Date("2024-05-06T07:08:09Z");

function input(over: Partial<MessageInput>): MessageInput {
  return {
    from: box("app@example.com", "App"),
    to: [box("a@example.com")],
    cc: [],
    bcc: [],
    replyTo: [],
    subject: "Status",
    attachments: [],
    headers: [],
    references: [],
    date,
    ...over,
  };
}

// Bodies that exercise every encoding choice nodemailer makes: 7bit, quoted-printable (long lines, a little
// non-ASCII, trailing whitespace, dots), base64 (mostly non-Latin text), HTML, and text + HTML alternatives.
const CASES: [string, Partial<MessageInput>][] = [
  ["short ASCII text (7bit)", { text: "Hello Ana,\nyour report is ready.\n" }],
  ["empty body", { text: "" }],
  ["a line over 76 characters (quoted-printable)", { text: "x".repeat(300) + "\nend" }],
  ["Latin-1 accents and trailing spaces", { text: "Grüße aus Köln   \nçà et là\t\n.dot line\n" }],
  ["mostly CJK (base64)", { text: "日本語のテキストです。".repeat(40) }],
  ["bare LF and CR line ends", { text: "one\ntwo\r\nthree\rfour" }],
  ["HTML only", { html: "<p>Hi <b>Zoë</b></p>\n" + "<i>x</i>".repeat(60) }],
  ["text and HTML (multipart/alternative)", { text: "plain ü", html: "<p>html ü</p>" }],
  ["non-ASCII names, subject, many recipients, headers", {
    from: box("app@example.com", "Zoë & Co"),
    to: [box("a@example.com", "Müller, Hans"), box("b@example.com", "李雷")],
    cc: [box("c@example.com")],
    replyTo: [box("r@example.com")],
    subject: "Rapport mensuel — août " + "très long sujet ".repeat(8),
    headers: [{ key: "X-Batch-Row", value: "row-7" }],
    priority: "high",
    text: "ok",
  }],
  ["a 200 KiB body", { text: ("line of text with some words " + "é".repeat(3) + "\n").repeat(6000) }],
];

describe("building a message in memory", () => {
  for (const [what, over] of CASES) {
    it(`gives build()'s bytes exactly: ${what}`, async () => {
      const opts = mailOptions(input(over), "<id.1@example.com>");
      const expected = await new MailComposer(opts).compile().build();
      // Boundaries are random per compile: build both from the same compiled tree's twin with the same base.
      const node = new MailComposer(opts).compile();
      const got = buildInMemory(node, enc);
      expect(got).not.toBeNull();
      const norm = (b: Buffer) => b.toString("latin1").replace(/_NmP-[0-9a-f-]+/gi, "_NmP-B");
      expect(norm(got!)).toBe(norm(expected));
    });
  }

  it("leaves a message with a file attachment to build() (null)", () => {
    const node = new MailComposer({ ...mailOptions(input({ text: "x" }), "<i@x>"), attachments: [{ path: "/etc/hostname" }] }).compile();
    expect(buildInMemory(node, enc)).toBeNull();
  });
});
