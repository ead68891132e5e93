import { describe, expect, it } from "vitest";
import { batchId, KeyFingerprints, rowKey, rowMessageId } from "../../../src/send/batch/keys.js";
import { fingerprint } from "../../../src/send/batch/journal-index.js";
import { backoff, classify } from "../../../src/send/batch/classify.js";
import type { Transaction } from "../../../src/session/session.js";
import type { BatchRow } from "../../../src/send/batch/rows.js";

const row = (fields: Record<string, string>, index = 3): BatchRow => ({ index, line: index + 1, fields, lists: {} });

describe("batch ids, row keys and Message-IDs", () => {
  it("the batch id depends on the file, the template, --subject and the sender, nothing else", () => {
    const base = { file: "/data/rows.csv", templateText: "Hi {{name}}", subject: "", from: "app@example.com" };
    expect(batchId(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(batchId({ ...base })).toBe(batchId(base));
    for (const change of [{ file: "/data/other.csv" }, { templateText: "Hello {{name}}" }, { subject: "x" }, { from: "b@example.com" }]) {
      expect(batchId({ ...base, ...change })).not.toBe(batchId(base));
    }
  });

  it("a key or id column names the row; without one the row number and a hash of its fields do", () => {
    expect(rowKey(row({ to: "a@x.com", key: " inv-7 " }), "r.csv")).toBe("inv-7");
    expect(rowKey(row({ to: "a@x.com", id: "42" }), "r.csv")).toBe("42");
    const derived = rowKey(row({ to: "a@x.com", name: "Ana" }), "r.csv");
    expect(derived).toMatch(/^3-[0-9a-f]{8}$/);
    expect(rowKey(row({ to: "a@x.com", name: "Ana" }), "r.csv")).toBe(derived);
    expect(rowKey(row({ to: "a@x.com", name: "Ann" }), "r.csv")).not.toBe(derived); // an edited row is a new row
    expect(() => rowKey(row({ to: "a@x.com", key: "" }), "r.csv")).toThrow(/r\.csv line 4: the key column is empty/);
  });

  it("Message-IDs are <batch.key@sender-domain>, valid for any key, and short", () => {
    expect(rowMessageId("0123456789abcdef", "inv-7", "App@Example.com")).toBe("<0123456789abcdef.inv-7@Example.com>");
    expect(rowMessageId("b", "a b@c/ü", "x@example.com")).toBe("<b.a=20b=40c=2F=C3=BC@example.com>");
    const long = rowMessageId("b", "k".repeat(100), "x@example.com");
    expect(long).toMatch(/^<b\.h[0-9a-f]{32}@example\.com>$/);
  });

  it("finds repeated key fingerprints among many keys", () => {
    const prints = new KeyFingerprints();
    for (let i = 0; i < 5000; i++) prints.add(`key-${i}`);
    prints.add("key-77");
    expect(prints.repeated()).toEqual(new Set([fingerprint("key-77")[0]]));
  });
});

const failed = (over: Partial<Transaction> & { failure: NonNullable<Transaction["failure"]> }): Transaction => ({
  delivery: null,
  stages: [],
  usable: true,
  midway: false,
  unconfirmed: false,
  ...over,
});
const reply = (code: number, text = "x") => ({ code, text, lines: [`${code} ${text}`] });

describe("what a failure does to a row and to the pool", () => {
  it("greylisting and other 4xx retry the row; a 5xx at RCPT or DATA is the row's end", () => {
    const grey = failed({ failure: { stage: "rcpt", kind: "negative-reply", message: "", reply: reply(450) } });
    expect(classify(grey, "greylisted", "tempfail", false)).toMatchObject({ row: "retry", pool: false });
    const unknown = failed({ failure: { stage: "rcpt", kind: "negative-reply", message: "", reply: reply(550) } });
    expect(classify(unknown, "recipient-rejected", "unavailable", false)).toMatchObject({ row: "dead", reply: "550 x" });
    const content = failed({ failure: { stage: "data", kind: "negative-reply", message: "", reply: reply(554) } });
    expect(classify(content, "content-rejected", "unavailable", false).row).toBe("dead");
  });

  it("rate-limited pauses the pool; a 5xx quota stops the batch; a 421 pauses too", () => {
    const rl = failed({ failure: { stage: "mail", kind: "negative-reply", message: "", reply: reply(421) } });
    expect(classify(rl, "rate-limited", "tempfail", false)).toMatchObject({ row: "retry", pool: true, then: { pool: "pause" } });
    const quota = failed({ failure: { stage: "mail", kind: "negative-reply", message: "", reply: reply(550, "5.4.5 Daily user sending limit exceeded") } });
    expect(classify(quota, "rate-limited", "tempfail", false)).toMatchObject({ row: "retry", then: { pool: "stop", category: "tempfail" } });
    expect(classify(rl, "server-unavailable", "tempfail", false)).toMatchObject({ row: "retry", pool: true, then: { pool: "pause" } });
  });

  it("a 5xx at MAIL FROM is about the sender: the row goes back and the batch stops with the diagnosis's category", () => {
    const notOwned = failed({ failure: { stage: "mail", kind: "negative-reply", message: "", reply: reply(553) } });
    expect(classify(notOwned, "sender-not-owned", "noperm", false)).toMatchObject({ row: "release", then: { pool: "stop", category: "noperm" } });
    expect(classify(notOwned, "message-too-large", "unavailable", false).row).toBe("dead");
  });

  it("a connection lost after the final dot is in doubt, or retried with --at-least-once; lost before it, retried", () => {
    const lost = failed({ unconfirmed: true, usable: false, failure: { stage: "data", kind: "closed", message: "closed" } });
    expect(classify(lost, "connection-dropped", "tempfail", false).row).toBe("doubt");
    expect(classify(lost, "connection-dropped", "tempfail", true)).toMatchObject({ row: "retry", pool: false });
    const early = failed({ usable: false, failure: { stage: "mail", kind: "closed", message: "closed" } });
    expect(classify(early, "connection-dropped", "tempfail", false)).toMatchObject({ row: "retry", pool: false });
  });

  it("backs off exponentially with jitter between half and all of the step, up to the maximum", () => {
    expect(backoff(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoff(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoff(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoff(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
