import { dataError } from "../../errors.js";
import type { JournalIndex } from "./journal.js";
import { fingerprint } from "./journal-index.js";
import { KeyFingerprints, rowMessageId } from "./keys.js";
import { prepareRow, rowAttachments, type BatchSettings } from "./row-message.js";
import { readRows, type BatchFormat } from "./rows.js";

/** What the check pass found: how many rows, where each stands, and the rows left in doubt by an earlier run. */
export interface Plan {
  rows: number;
  counts: { pending: number; waiting: number; sent: number; dead: number; doubt: number };
  doubtRows: { key: string; line: number; messageId: string; why: string }[];
  /** Rows this run will try (pending, waiting to retry, and with --at-least-once those left in doubt). */
  toSend: number;
}

/**
 * The check pass: reads every row once before anything is sent and checks all of it — the "to" column, each
 * address, the template's variables, the row's attachments, keys that repeat — so a bad row stops the batch
 * (exit 65 naming the line) before the first message rather than in the middle. It also counts where each row
 * stands in the journal. Memory stays flat: 4 bytes of key fingerprint per row.
 */
export async function checkBatch(file: string, format: BatchFormat, s: BatchSettings, index: JournalIndex, atLeastOnce: boolean): Promise<Plan> {
  const plan: Plan = { rows: 0, counts: { pending: 0, waiting: 0, sent: 0, dead: 0, doubt: 0 }, doubtRows: [], toSend: 0 };
  const prints = new KeyFingerprints();
  for await (const row of readRows(file, format)) {
    if (row.index === 1 && format === "csv" && !("to" in row.fields)) {
      throw dataError(`${s.file}: no "to" column (the header row names ${Object.keys(row.fields).map((k) => `"${k}"`).join(", ")})`);
    }
    if (format === "jsonl" && !("to" in row.fields)) throw dataError(`${s.file} line ${row.line}: no "to"`);
    const p = prepareRow(row, s, true);
    if (p.attach.length) await rowAttachments(p, s);
    prints.add(p.key);
    plan.rows++;
    const info = index.get(p.key);
    if (info.state === "sent") plan.counts.sent++;
    else if (info.state === "dead") plan.counts.dead++;
    else if (info.state === "retry-wait") plan.counts.waiting++;
    else if (info.state === "sending" && !atLeastOnce) {
      plan.counts.doubt++;
      const why = index.notes.get(p.key)?.doubt ?? "a run ended (crash or kill) while it was being sent";
      plan.doubtRows.push({ key: p.key, line: row.line, messageId: rowMessageId(s.batch, p.key, s.from.address), why });
    } else plan.counts.pending++;
  }
  const repeated = prints.repeated();
  if (repeated.size) await findRepeatedKey(file, format, s, repeated);
  plan.toSend = plan.counts.pending + plan.counts.waiting;
  return plan;
}

/**
 * Second look at the rows whose key fingerprints repeat: a key given twice is an error naming both lines, and so
 * (odds about 1 in 10^9) are two keys with the same 64-bit fingerprint, which the journal's index could not tell apart.
 */
async function findRepeatedKey(file: string, format: BatchFormat, s: BatchSettings, hashes: Set<number>): Promise<void> {
  const seen = new Map<string, { key: string; line: number }>();
  for await (const row of readRows(file, format)) {
    const key = prepareRow(row, s, true).key;
    const [a, b] = fingerprint(key);
    if (!hashes.has(a)) continue;
    const first = seen.get(`${a}:${b}`);
    if (first?.key === key) throw dataError(`${s.file} lines ${first.line} and ${row.line} have the same key "${key}"; every row needs its own (it makes the row's Message-ID)`);
    if (first) throw dataError(`${s.file} lines ${first.line} and ${row.line}: keys "${first.key}" and "${key}" have the same fingerprint in the journal's index; change one of them`);
    seen.set(`${a}:${b}`, { key, line: row.line });
  }
}
