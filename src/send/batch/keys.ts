import { createHash } from "node:crypto";
import { domainOf } from "../address.js";
import { dataError } from "../../errors.js";
import { fingerprint } from "./journal-index.js";
import type { BatchRow } from "./rows.js";

/** What makes one batch: the same inputs give the same id, and so the same Message-IDs, in every run. */
export interface BatchIdInput {
  /** Absolute, symlinks resolved. */
  file: string;
  templateText: string;
  /** --subject as given (it is a template too), or "". */
  subject: string;
  /** The envelope sender. */
  from: string;
}

/**
 * The batch id: the first 16 hex digits of SHA-256 over "mailctl-batch-v1", the batch file's real path, the
 * SHA-256 of the template's text, --subject and the sender, separated by NUL. Rows added to the file later
 * belong to the same batch; a changed template or sender makes another batch.
 */
export function batchId(i: BatchIdInput): string {
  const template = createHash("sha256").update(i.templateText).digest("hex");
  return createHash("sha256").update(["mailctl-batch-v1", i.file, template, i.subject, i.from].join("\0")).digest("hex").slice(0, 16);
}

/** The column that names rows, when the file has one: `key`, else `id`. */
export function keyColumn(fields: Record<string, string>): "key" | "id" | null {
  return "key" in fields ? "key" : "id" in fields ? "id" : null;
}

/**
 * A row's key: its `key` (or `id`) column when the file has one — stable when rows are added, removed or
 * reordered — else the row's number and a 32-bit FNV-1a hash of its columns and values, in hex ("12-3f9a0c1b"),
 * so an edited row is a new row. An empty key is an error naming the line.
 */
export function rowKey(row: BatchRow, file: string): string {
  const col = keyColumn(row.fields);
  if (col) {
    const key = row.fields[col]!.trim();
    if (!key) throw dataError(`${file} line ${row.line}: the ${col} column is empty; every row needs its own ${col}`);
    return key;
  }
  let text = "";
  for (const k in row.fields) text += k + "\0" + row.fields[k] + "\0";
  return `${row.index}-${keyHash(text).toString(16).padStart(8, "0")}`;
}

/**
 * The row's Message-ID, `<batchid.rowkey@sender-domain>` (RFC 5322 §3.6.4). Key characters other than letters,
 * digits, "-" and "_" are written as =XX (UTF-8 bytes in hex), so any key gives a valid id; a key whose encoding
 * is longer than 64 characters is replaced by "h" and 32 hex digits of its SHA-256.
 */
export function rowMessageId(batch: string, key: string, fromAddress: string): string {
  let enc = "";
  for (const b of Buffer.from(key, "utf8")) {
    const c = String.fromCharCode(b);
    enc += /[A-Za-z0-9_-]/.test(c) ? c : "=" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  if (enc.length > 64) enc = "h" + createHash("sha256").update(key).digest("hex").slice(0, 32);
  return `<${batch}.${enc}@${domainOf(fromAddress)}>`;
}

/** FNV-1a, 32 bits: a cheap hash (of a row's fields, for its derived key). */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Collects key fingerprints of a whole batch in a typed array (4 bytes a row) and reports the fingerprints that
 * occur more than once; only rows with those are then compared by their real keys.
 */
export class KeyFingerprints {
  private hashes = new Uint32Array(1024);
  private n = 0;

  add(key: string): void {
    if (this.n === this.hashes.length) {
      const bigger = new Uint32Array(this.hashes.length * 2);
      bigger.set(this.hashes);
      this.hashes = bigger;
    }
    this.hashes[this.n++] = fingerprint(key)[0];
  }

  /** Fingerprints seen more than once (usually none). */
  repeated(): Set<number> {
    const sorted = this.hashes.slice(0, this.n).sort();
    const out = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) out.add(sorted[i]!);
    this.hashes = new Uint32Array(0);
    return out;
  }
}
