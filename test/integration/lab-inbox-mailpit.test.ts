// The inbox's Mailpit-compatible API, driven the way Mailpit users drive Mailpit: with a Mailpit client library
// (mailpit-api, written against Mailpit's swagger) and with plain fetch where a CI script would use curl.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MailpitClient } from "mailpit-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Inbox } from "../../src/lab/inbox/index.js";
import type { Lab } from "../../src/lab/server.js";
import { closeTestInboxes, deliver, refused, testInbox } from "../helpers/inbox.js";
import { closeTestLabs, LAB_USER } from "../helpers/lab.js";

let lab: Lab;
let inbox: Inbox;
let mailpit: MailpitClient;

beforeAll(async () => {
  ({ lab, inbox } = await testInbox());
  mailpit = new MailpitClient(inbox.url);
});
afterAll(async () => {
  await closeTestInboxes();
  await closeTestLabs();
});
beforeEach(async () => {
  await mailpit.deleteMessages();
});

const pdf = Buffer.from("%PDF-1.4 receipt");
const logo = Buffer.from("89504e470d0a1a0a", "hex");
const receipt = {
  from: `Shop <${LAB_USER}>`,
  to: "Ann <ann@example.com>",
  cc: "carol@example.org",
  replyTo: "support@example.com",
  subject: "Your receipt #1234",
  text: "Thanks for your order.",
  html: '<p>Thanks for your <b>order</b>.</p><img src="cid:logo@shop">',
  list: { unsubscribe: { url: "https://shop.example/u/1", comment: "Unsubscribe" } },
  attachments: [
    { filename: "receipt.pdf", content: pdf, contentType: "application/pdf" },
    { filename: "logo.png", content: logo, cid: "logo@shop", contentType: "image/png" },
  ],
};

describe("Mailpit's API, through the mailpit-api client", () => {
  it("lists messages newest first in Mailpit's shape, without the refused attempts", async () => {
    const first = await deliver(lab, { to: "bob@example.com", subject: "first", text: "one" });
    const id = await deliver(lab, receipt);
    await refused(lab, { from: LAB_USER, to: "x@example.com", subject: "refused" }, { user: LAB_USER, pass: "wrong" });
    const list = await mailpit.listMessages();
    expect(list).toMatchObject({ total: 2, unread: 2, count: 2, messages_count: 2, messages_unread: 2, start: 0, tags: [] });
    expect(list.messages.map((m) => m.ID)).toEqual([id, first]);
    const m = list.messages[0]!;
    expect(Object.keys(m).sort()).toEqual(["Attachments", "Bcc", "Cc", "Created", "From", "ID", "MessageID", "Read", "ReplyTo", "Size", "Snippet", "Subject", "Tags", "To", "Username"]);
    expect(m).toMatchObject({
      Read: false,
      From: { Name: "Shop", Address: LAB_USER },
      To: [{ Name: "Ann", Address: "ann@example.com" }],
      Cc: [{ Name: "", Address: "carol@example.org" }],
      Bcc: [],
      ReplyTo: [{ Name: "", Address: "support@example.com" }],
      Subject: "Your receipt #1234",
      Username: LAB_USER,
      Tags: [],
      Attachments: 1,
      Snippet: "Thanks for your order .",
    });
    const capture = (await lab.captures()).find((c) => c.id === id)!;
    expect(m.Size).toBe(capture.size);
    expect(m.Created).toBe(capture.time);
    expect(m.MessageID).toMatch(/@example\.com$|@mailctl\.test$/);
    expect((await mailpit.listMessages(1, 1)).messages.map((x) => x.ID)).toEqual([first]);
  });

  it("returns one message with its text, HTML, attachments and inline parts (checksums, part ids), and marks it read", async () => {
    const id = await deliver(lab, receipt);
    const m = await mailpit.getMessageSummary(id);
    expect(m).toMatchObject({ ID: id, Subject: "Your receipt #1234", Text: "Thanks for your order.", ReturnPath: LAB_USER, Tags: [], Username: LAB_USER });
    expect(m.HTML).toContain('<img src="cid:logo@shop">'); // as Mailpit: the HTML as sent
    expect(m.ListUnsubscribe).toEqual({ Header: "<https://shop.example/u/1> (Unsubscribe)", Links: ["https://shop.example/u/1"], Errors: "", HeaderPost: "" });
    expect(new Date(m.Date).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(m.Attachments).toEqual([{ PartID: expect.any(String), FileName: "receipt.pdf", ContentType: "application/pdf", ContentID: "", Size: pdf.length, Checksums: expect.objectContaining({ SHA256: sha(pdf) }) }]);
    expect(m.Inline).toEqual([{ PartID: expect.any(String), FileName: "logo.png", ContentType: "image/png", ContentID: "logo@shop", Size: logo.length, Checksums: expect.objectContaining({ SHA256: sha(logo) }) }]);
    const blob = await mailpit.getMessageAttachment(id, m.Attachments[0]!.PartID);
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(pdf);
    expect((await mailpit.listMessages()).messages[0]!.Read).toBe(true);
    await mailpit.setReadStatus({ IDs: [id], Read: false });
    expect((await mailpit.searchMessages({ query: "is:unread" })).messages.map((x) => x.ID)).toEqual([id]);
  });

  it("returns the raw source byte for byte, and the headers as Go's net/mail map", async () => {
    const id = await deliver(lab, { ...receipt, subject: "Grüße aus dem Labor", headers: { "X-Campaign": ["a", "b"] } });
    const capture = (await lab.captures()).find((c) => c.id === id)!;
    expect(await mailpit.getMessageSource(id)).toBe(await readFile(join(lab.captureDir, capture.file), "utf8"));
    const headers = await mailpit.getMessageHeaders(id);
    expect(headers["Subject"]).toEqual(["=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_dem_Labor?="]);
    expect(headers["Message-Id"]).toHaveLength(1);
    expect(headers["Mime-Version"]).toEqual(["1.0"]);
    expect(headers["X-Campaign"]).toEqual(["a", "b"]);
    expect(headers["Content-Type"]![0]).toMatch(/^multipart\/mixed; boundary=/);
  });

  it("searches with Mailpit's syntax and waits for a message the way test suites do", async () => {
    const a = await deliver(lab, { to: "ann@example.com", subject: "Invoice March", text: "amount due" });
    const b = await deliver(lab, { to: "bob@example.com", subject: "Newsletter", text: "news", attachments: [{ filename: "n.txt", content: "x" }] });
    const ids = async (query: string) => (await mailpit.searchMessages({ query })).messages.map((m) => m.ID);
    expect(await ids("to:ann")).toEqual([a]);
    expect(await ids('subject:"invoice march"')).toEqual([a]);
    expect(await ids("has:attachment")).toEqual([b]);
    expect(await ids("-has:attachment due")).toEqual([a]);
    expect(await ids("news")).toEqual([b]);
    const result = await mailpit.searchMessages({ query: "to:ann" });
    expect(result).toMatchObject({ total: 2, messages_count: 1 });
    const waiting = mailpit.waitForMessage({ query: "subject:later" }, { timeout: 5000, interval: 100 });
    const later = await deliver(lab, { to: "c@example.com", subject: "later", text: "x" });
    expect((await waiting).ID).toBe(later);
    expect((await mailpit.getMessageSummary()).ID).toBe(later); // "latest"
  });

  it("renders the HTML and the text views Mailpit serves for UI tests", async () => {
    const id = await deliver(lab, receipt);
    expect(await mailpit.renderMessageText(id)).toBe("Thanks for your order.");
    const html = await mailpit.renderMessageHTML(id);
    expect(html).toContain("<b>order</b>");
    expect(html).toContain(`src="data:image/png;base64,${logo.toString("base64")}"`); // inline parts are data: URIs here
  });

  it("deletes one message, messages by search, and all of them; a refused attempt goes with all", async () => {
    const a = await deliver(lab, { to: "a@example.com", subject: "keep", text: "x" });
    const b = await deliver(lab, { to: "b@example.com", subject: "drop me", text: "x" });
    const c = await deliver(lab, { to: "c@example.com", subject: "drop too", text: "x" });
    await mailpit.deleteMessages({ IDs: [b] });
    expect((await mailpit.listMessages()).messages.map((m) => m.ID)).toEqual([c, a]);
    await mailpit.deleteMessagesBySearch({ query: "subject:drop" });
    expect((await mailpit.listMessages()).messages.map((m) => m.ID)).toEqual([a]);
    await refused(lab, { to: "x@example.com", subject: "r" }, { user: LAB_USER, pass: "wrong" });
    await mailpit.deleteMessages();
    expect((await mailpit.listMessages()).total).toBe(0);
    expect(await lab.captures()).toEqual([]);
    expect(await lab.attempts()).toEqual([]);
  });

  it("answers Mailpit's errors: 404 for an unknown id, 400 for a search without a query", async () => {
    await expect(mailpit.getMessageSummary("0123456789abcdef")).rejects.toThrow(/404 Not Found/);
    await expect(mailpit.getMessageSummary("latest")).rejects.toThrow(/404 Not Found.*Message not found/);
    const res = await fetch(`${inbox.url}api/v1/search?query=`);
    expect([res.status, await res.text()]).toEqual([400, "Error: no search query"]);
  });

  it("tells its version and counts like Mailpit's info endpoint", async () => {
    await deliver(lab, { to: "a@example.com", subject: "x", text: "x" });
    const info = await mailpit.getInfo();
    expect(info).toMatchObject({ Messages: 1, Unread: 1, Tags: {} });
    expect(info.Version).toMatch(/^mailctl \d+\.\d+\.\d+/);
  });
});
