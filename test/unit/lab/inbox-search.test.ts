// Mailpit's search syntax, case by case as Mailpit's internal/storage/search.go implements it.
import { describe, expect, it } from "vitest";
import { cleanString, matches, parseDate, parseQuery, sizeToBytes, splitQuery, type Searchable } from "../../../src/lab/inbox/search.js";

const base: Searchable = {
  outcome: "accepted",
  persona: "gmail",
  port: "starttls",
  created: new Date("2026-03-10T12:00:00Z"),
  size: 5000,
  read: false,
  from: { Name: "Ann Example", Address: "ann@example.com" },
  to: [{ Name: "", Address: "bob@mailctl.test" }],
  cc: [{ Name: "Carol", Address: "carol@example.org" }],
  bcc: [],
  replyTo: [{ Name: "", Address: "support@example.com" }],
  subject: "Your Invoice #42",
  messageId: "abc.123@example.com",
  text: cleanString("Ann <ann@example.com> Your invoice is attached, thanks! invoice.pdf"),
  attachments: 1,
  inline: 0,
  code: 250,
};
const hit = (q: string, s: Partial<Searchable> = {}) => matches({ ...base, ...s }, parseQuery(q, "UTC"));

describe("Mailpit search syntax", () => {
  it("splits on spaces and keeps a quoted phrase as one word, quotes removed (ArgsParser)", () => {
    expect(splitQuery('from:ann subject:"your invoice" -is:read')).toEqual(["from:ann", "subject:your invoice", "-is:read"]);
  });

  it("matches address fields by name or address, case-insensitively", () => {
    expect(hit("from:ANN")).toBe(true);
    expect(hit("from:example Ann")).toBe(true);
    expect(hit("to:bob@mailctl.test")).toBe(true);
    expect(hit("to:ann")).toBe(false);
    expect(hit("cc:carol")).toBe(true);
    expect(hit("bcc:carol")).toBe(false);
    expect(hit("reply-to:support")).toBe(true);
    expect(hit("addressed:carol")).toBe(true);
  });

  it("excludes with - or !", () => {
    expect(hit("-from:ann")).toBe(false);
    expect(hit("!from:zed")).toBe(true);
    expect(hit("-is:read")).toBe(true);
  });

  it("matches subject, message-id and free text as substrings; every term must hold", () => {
    expect(hit('subject:"your invoice"')).toBe(true);
    expect(hit("subject:receipt")).toBe(false);
    expect(hit("message-id:abc.123")).toBe(true);
    expect(hit("attached thanks")).toBe(true);
    expect(hit("attached missing")).toBe(false);
    expect(hit('"is attached"')).toBe(true);
  });

  it("knows read state, attachments and inline parts, and has no tags", () => {
    expect(hit("is:unread")).toBe(true);
    expect(hit("is:read", { read: true })).toBe(true);
    expect(hit("has:attachment")).toBe(true);
    expect(hit("has:attachments", { attachments: 0 })).toBe(false);
    expect(hit("has:inline")).toBe(false);
    expect(hit("tag:x")).toBe(false);
    expect(hit("-tag:x")).toBe(true);
    expect(hit("is:tagged")).toBe(false);
  });

  it("compares sizes in Mailpit's units (larger: / smaller:)", () => {
    expect(sizeToBytes("2kb")).toBe(2048);
    expect(sizeToBytes("1.5m")).toBe(1572864);
    expect(sizeToBytes("700")).toBe(700);
    expect(sizeToBytes("3gb")).toBe(0);
    expect(hit("larger:4k")).toBe(true);
    expect(hit("smaller:4k")).toBe(false);
    expect(hit("larger:3gb")).toBe(false); // not a size in Mailpit's units: searched for as text, and not found
    expect(hit("larger:3gb", { text: "see larger:3gb" })).toBe(true);
  });

  it("compares dates after: (inclusive) and before: in the given time zone, and ignores dates it cannot read", () => {
    expect(parseDate("2026-03-10", "UTC")).toBe(Date.UTC(2026, 2, 10));
    expect(parseDate("2026-03-10", "Asia/Tokyo")).toBe(Date.UTC(2026, 2, 9, 15));
    expect(hit("after:2026-03-10")).toBe(true);
    expect(hit("after:2026-03-11")).toBe(false);
    expect(hit("before:2026-03-11")).toBe(true);
    expect(hit("-before:2026-03-11")).toBe(false);
    expect(hit("after:notadate")).toBe(true);
  });

  it("adds the lab's own terms: is:refused, is:accepted, persona:, port:, code:", () => {
    expect(hit("is:refused")).toBe(false);
    expect(hit("is:refused", { outcome: "refused", code: 535 })).toBe(true);
    expect(hit("is:accepted")).toBe(true);
    expect(hit("persona:gmail port:starttls")).toBe(true);
    expect(hit("code:5", { code: 535 })).toBe(true);
    expect(hit("code:535", { code: null })).toBe(false);
  });
});
