import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { batchFormat, readRows, rowParser, type BatchFormat, type BatchRow } from "../../../src/send/batch/rows.js";
import { MailctlError } from "../../../src/errors.js";

/** Parses text fed in pieces of `size` characters (1 = every possible split point). */
function parse(text: string, format: BatchFormat = "csv", size = text.length || 1): BatchRow[] {
  const p = rowParser(format, "rows." + format);
  const rows: BatchRow[] = [];
  for (let i = 0; i < text.length; i += size) rows.push(...p.push(text.slice(i, i + size)));
  rows.push(...p.end());
  return rows;
}

function failure(fn: () => unknown): { category: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof MailctlError) return { category: err.category, message: err.message };
    throw err;
  }
  throw new Error("expected an error");
}

const CSV = '\uFEFFto,name,note\r\na@example.com,Ana,"hello, ""world"""\r\n\r\nb@example.com,"Bo\nMultiline",plain\nc@example.com,,"x\r\ny"';

describe("CSV batch rows (RFC 4180)", () => {
  it("reads quoted commas, doubled quotes, line breaks in quotes, CRLF and LF, a BOM, blank lines and a last line without a newline", () => {
    const rows = parse(CSV);
    expect(rows.map((r) => [r.index, r.line, r.fields])).toEqual([
      [1, 2, { to: "a@example.com", name: "Ana", note: 'hello, "world"' }],
      [2, 4, { to: "b@example.com", name: "Bo\nMultiline", note: "plain" }],
      [3, 6, { to: "c@example.com", name: "", note: "x\r\ny" }],
    ]);
  });

  it("gives the same rows however the text is split into chunks", () => {
    const whole = parse(CSV);
    for (const size of [1, 2, 3, 7]) expect(parse(CSV, "csv", size)).toEqual(whole);
  });

  it("names the line of a row with the wrong number of fields", () => {
    expect(failure(() => parse("to,name\na@x.com,A\nb@x.com\n"))).toEqual({ category: "data", message: "rows.csv line 3: 1 field, but the header has 2" });
  });

  it("names the line of text after a closing quote, and of a quote never closed", () => {
    expect(failure(() => parse('to\n"a@x.com"x\n')).message).toBe('rows.csv line 2: text after a closing quote (a quote inside a quoted field is written "")');
    expect(failure(() => parse('to,n\na@x.com,"open\nstill\n')).message).toBe("rows.csv line 2: a quoted field is never closed");
  });

  it("refuses a header with a repeated or empty column name", () => {
    expect(failure(() => parse("to,name,to\n")).message).toBe('rows.csv line 1: the header row names "to" twice');
    expect(failure(() => parse("to,,x\n")).message).toBe("rows.csv line 1: the header row has an empty column name");
  });
});

describe("JSONL batch rows", () => {
  it("reads objects line by line: numbers and booleans as text, null as absent, arrays as lists", () => {
    const rows = parse('{"to":"a@x.com","n":3,"vip":true,"gone":null}\n\n{"to":["b@x.com","c@x.com"],"attachments":["a.pdf"]}\n', "jsonl");
    expect(rows).toEqual([
      { index: 1, line: 1, fields: { to: "a@x.com", n: "3", vip: "true" }, lists: {} },
      { index: 2, line: 3, fields: { to: "b@x.com, c@x.com", attachments: "a.pdf" }, lists: { to: ["b@x.com", "c@x.com"], attachments: ["a.pdf"] } },
    ]);
    expect(parse('{"to":"a@x.com"}\n{"to":"b@x.com"}', "jsonl", 3)).toHaveLength(2);
  });

  it("names the line of invalid JSON, a non-object, and a nested object", () => {
    expect(failure(() => parse('{"to":"a@x.com"}\n{oops}\n', "jsonl")).message).toMatch(/^rows\.jsonl line 2: not valid JSON/);
    expect(failure(() => parse('["a"]\n', "jsonl")).message).toBe("rows.jsonl line 1: expected a JSON object of column: value");
    expect(failure(() => parse('{"to":"a@x.com","x":{"y":1}}\n', "jsonl")).message).toMatch(/line 1: "x" is an object/);
  });
});

describe("batch files", () => {
  it("knows the format by extension and refuses others (exit 65)", () => {
    expect(batchFormat("r.CSV")).toBe("csv");
    expect(batchFormat("r.ndjson")).toBe("jsonl");
    expect(failure(() => batchFormat("r.xlsx")).category).toBe("data");
  });

  it("streams a file's rows; a missing file is exit 66", async () => {
    const dir = await mkdtemp(join(os.tmpdir(), "mailctl-rows-"));
    const file = join(dir, "r.csv");
    await writeFile(file, "to\n" + Array.from({ length: 5000 }, (_, i) => `u${i}@example.com`).join("\n"));
    let n = 0;
    for await (const r of readRows(file)) n = r.index;
    expect(n).toBe(5000);
    const missing = readRows(join(dir, "nope.csv"));
    await expect(missing.next()).rejects.toMatchObject({ category: "noinput" });
  });
});
