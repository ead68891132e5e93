import { createReadStream } from "node:fs";
import { dataError, noInputError } from "../../errors.js";
import { formatLimit, INPUT_LIMITS } from "../../fs/read-input.js";

/** One row of a batch file: its position among the data rows (1-based), the line it starts on, and its fields. */
export interface BatchRow {
  index: number;
  line: number;
  fields: Record<string, string>;
  /** JSONL array values (to, cc, attachments), as given; their `fields` entry holds them joined with ", ". */
  lists: Record<string, string[]>;
}

/** The formats a batch file can have, by extension. */
export type BatchFormat = "csv" | "jsonl";

/** The format of a batch file from its extension: .csv, or .jsonl / .ndjson (one JSON object per line). */
export function batchFormat(file: string): BatchFormat {
  if (/\.csv$/i.test(file)) return "csv";
  if (/\.(jsonl|ndjson)$/i.test(file)) return "jsonl";
  throw dataError(`--batch ${file}: unknown format; name the file .csv (with a header row) or .jsonl (one JSON object per line)`);
}

/**
 * Streams the rows of a batch file, never holding more than one chunk and one row: a 100,000-row batch costs
 * no more memory than a 10-row one. Errors name the file and line (exit 65); a missing file is exit 66.
 */
export async function* readRows(file: string, format: BatchFormat = batchFormat(file)): AsyncGenerator<BatchRow> {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 256 * 1024 });
  const parser = rowParser(format, file);
  try {
    for await (const chunk of stream as AsyncIterable<string>) yield* parser.push(chunk);
    yield* parser.end();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code && e.syscall) throw noInputError(`--batch ${file}`, e);
    throw err;
  } finally {
    stream.destroy();
  }
}

const enum Csv {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: the closing quote, or the first of "". */
  QuoteInQuoted,
}

/** A parser fed text in chunks of any size (split anywhere), yielding complete rows. */
export interface RowParser {
  push(text: string): Generator<BatchRow>;
  end(): Generator<BatchRow>;
}

/** The parser for a format; `file` names the source in error messages. */
export function rowParser(format: BatchFormat, file: string): RowParser {
  return format === "csv" ? new CsvRows(file) : new JsonlRows(file);
}

/** RFC 4180 CSV: a header row, fields separated by commas, quoted fields may hold commas, quotes ("") and line breaks. */
class CsvRows {
  private header: string[] | null = null;
  private cells: string[] = [];
  /** Characters in `cells`: with `field`, the size of the record being read (bounded by INPUT_LIMITS.batchRow). */
  private cellChars = 0;
  private field = "";
  private state = Csv.FieldStart;
  /** The previous chunk ended in CR: an LF that starts this one belongs to the same line end. */
  private skipLF = false;
  private line = 1;
  private recordLine = 1;
  private index = 0;
  private first = true;

  constructor(private readonly file: string) {}

  *push(text: string): Generator<BatchRow> {
    if (this.first) {
      text = text.replace(/^\uFEFF/, "");
      this.first = false;
    }
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.skipLF) {
        this.skipLF = false;
        if (c === 0x0a) {
          start = i + 1;
          continue;
        }
      }
      switch (this.state) {
        case Csv.Quoted:
          if (c === 0x22) {
            this.field += text.slice(start, i);
            this.state = Csv.QuoteInQuoted;
          } else if (c === 0x0a) this.line++;
          continue;
        case Csv.QuoteInQuoted:
          if (c === 0x22) {
            this.field += '"';
            this.state = Csv.Quoted;
            start = i + 1;
            continue;
          }
          if (c !== 0x2c && c !== 0x0a && c !== 0x0d) {
            throw dataError(`${this.file} line ${this.line}: text after a closing quote (a quote inside a quoted field is written "")`);
          }
          start = i;
          break;
        case Csv.FieldStart:
          if (c === 0x22) {
            this.state = Csv.Quoted;
            start = i + 1;
            continue;
          }
          if (c !== 0x2c && c !== 0x0a && c !== 0x0d) this.state = Csv.Unquoted;
          break;
        case Csv.Unquoted:
          break;
      }
      if (c === 0x2c) {
        this.endField(text.slice(start, i));
        start = i + 1;
      } else if (c === 0x0a || c === 0x0d) {
        const row = this.endRecord(text.slice(start, i));
        if (c === 0x0d) {
          if (i + 1 < text.length) {
            if (text.charCodeAt(i + 1) === 0x0a) i++;
          } else this.skipLF = true;
        }
        this.recordLine = ++this.line;
        start = i + 1;
        if (row) yield row;
      }
    }
    if (this.state === Csv.Unquoted || this.state === Csv.Quoted) this.field += text.slice(start);
    if (this.cellChars + this.field.length > INPUT_LIMITS.batchRow) throw rowTooLong(this.file, this.recordLine, this.state === Csv.Quoted);
  }

  *end(): Generator<BatchRow> {
    if (this.state === Csv.Quoted) throw dataError(`${this.file} line ${this.recordLine}: a quoted field is never closed`);
    const row = this.endRecord("");
    if (row) yield row;
    if (!this.header) throw dataError(`${this.file}: empty; a CSV batch starts with a header row naming the columns (at least "to")`);
  }

  private endField(rest: string): void {
    const value = this.field + (this.state === Csv.QuoteInQuoted ? "" : rest);
    this.cellChars += value.length;
    this.cells.push(value);
    this.field = "";
    this.state = Csv.FieldStart;
  }

  private endRecord(rest: string): BatchRow | null {
    const blank = this.cells.length === 0 && this.state === Csv.FieldStart && this.field === "" && rest === "";
    this.endField(rest);
    const cells = this.cells;
    this.cells = [];
    this.cellChars = 0;
    const line = this.recordLine;
    if (blank) return null;
    if (!this.header) {
      this.header = checkHeader(cells.map((h) => h.trim()), this.file, line);
      return null;
    }
    if (cells.length !== this.header.length) {
      throw dataError(`${this.file} line ${line}: ${cells.length} field${cells.length === 1 ? "" : "s"}, but the header has ${this.header.length}`);
    }
    const fields: Record<string, string> = {};
    for (let i = 0; i < cells.length; i++) fields[this.header[i]!] = cells[i]!;
    return { index: ++this.index, line, fields, lists: {} };
  }
}

/** A row over INPUT_LIMITS.batchRow: a quote never closed, or not a batch file at all. */
function rowTooLong(file: string, line: number, inQuotes: boolean): Error {
  return dataError(`${file} line ${line}: a row longer than ${formatLimit(INPUT_LIMITS.batchRow)}${inQuotes ? " (a quoted field that is never closed?)" : ""}; nothing was sent`);
}

/** Column names must be unique and non-empty: each one is a template variable. */
function checkHeader(names: string[], file: string, line: number): string[] {
  const seen = new Set<string>();
  for (const n of names) {
    if (!n) throw dataError(`${file} line ${line}: the header row has an empty column name`);
    if (seen.has(n)) throw dataError(`${file} line ${line}: the header row names "${n}" twice`);
    seen.add(n);
  }
  return names;
}

/** JSON Lines: one object per line; values are strings, numbers, booleans, null, or arrays of strings. */
class JsonlRows {
  private rest = "";
  private line = 0;
  private index = 0;

  constructor(private readonly file: string) {}

  *push(text: string): Generator<BatchRow> {
    const parts = (this.rest + text).split("\n");
    this.rest = parts.pop()!;
    for (const p of parts) {
      if (p.length > INPUT_LIMITS.batchRow) throw rowTooLong(this.file, this.line + 1, false);
      const row = this.parse(p);
      if (row) yield row;
    }
    if (this.rest.length > INPUT_LIMITS.batchRow) throw rowTooLong(this.file, this.line + 1, false);
  }

  *end(): Generator<BatchRow> {
    const row = this.parse(this.rest);
    this.rest = "";
    if (row) yield row;
  }

  private parse(text: string): BatchRow | null {
    const line = ++this.line;
    const src = (line === 1 ? text.replace(/^\uFEFF/, "") : text).trim();
    if (!src) return null;
    let value: unknown;
    try {
      value = JSON.parse(src);
    } catch (err) {
      throw dataError(`${this.file} line ${line}: not valid JSON (${(err as Error).message})`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) throw dataError(`${this.file} line ${line}: expected a JSON object of column: value`);
    const fields: Record<string, string> = {};
    const lists: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null) continue;
      if (Array.isArray(v)) {
        if (v.some((x) => typeof x !== "string")) throw dataError(`${this.file} line ${line}: "${k}" must be a string or an array of strings`);
        lists[k] = v as string[];
        fields[k] = v.join(", ");
      } else if (typeof v === "object") {
        throw dataError(`${this.file} line ${line}: "${k}" is an object; values are strings, numbers, booleans or arrays of strings`);
      } else fields[k] = String(v);
    }
    return { index: ++this.index, line, fields, lists };
  }
}
