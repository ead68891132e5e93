import type { Diagnosis } from "../../diagnose/diagnose.js";
import type { Category } from "../../exit-codes.js";
import type { Journal, JournalIndex } from "./journal.js";
import type { Bucket } from "./records.js";

/** Why a run stopped before every row was settled. */
export interface Stopped {
  reason: "interrupted" | "max-time" | "daily-limit" | "connection" | "unavailable" | "sender-refused" | "quota" | "journal" | "row";
  message: string;
  category: Category;
  diagnosis?: Diagnosis;
}

/** The result of `send --batch` (the --json document; README "send --batch" documents it). */
export interface BatchReport {
  kind: "batch";
  ok: boolean;
  batchId: string;
  file: string;
  journal: string;
  atLeastOnce: boolean;
  /** Certificate verification was off (--insecure). */
  insecure: boolean;
  /** Rows in the batch file. */
  rows: number;
  /** Rows sent, by this run or an earlier one. */
  sent: number;
  /** Rows this run sent. */
  sentNow: number;
  /** Sends in this run that were retries of an earlier attempt. */
  retried: number;
  /** Rows waiting to be retried when the run ended (retry-wait). */
  waiting: number;
  /** Rows never tried (the run stopped first). */
  pending: number;
  dead: number;
  /** Rows caught in "sending" by a crash or a lost connection: perhaps delivered, not sent again (at most once). */
  inDoubt: number;
  /** Rows sent with some recipients refused. */
  partial: number;
  /** Times the pool paused (rate limit, 421). */
  pauses: number;
  connections: number;
  elapsedMs: number;
  /** Messages this run sent per second. */
  perSecond: number;
  stopped: Stopped | null;
  deadRows: { key: string; line: number; reply: string; diagnosis: string | null }[];
  doubtRows: { key: string; line: number; messageId: string; why: string }[];
  partialRows: { key: string; line: number; rejected: { address: string; reply: string }[] }[];
  /** The command that goes on with this batch, when something is left to do. */
  resume: string | null;
}

/**
 * The exit category of a batch: interrupted, else why it stopped, else dead (69), else rows in doubt (74, as
 * data-unconfirmed is for one message: someone must look before they are resent), else rows left (75), else ok.
 */
export function batchCategory(r: BatchReport, allowPartial: boolean): Category {
  if (r.stopped) return r.stopped.category;
  if (r.dead > 0 || (r.partial > 0 && !allowPartial)) return "unavailable";
  if (r.inDoubt > 0) return "ioerr";
  if (r.waiting + r.pending > 0) return "tempfail";
  return "ok";
}

/** What a run knows at its end. */
export interface RunFacts {
  counts: Record<Bucket, number>;
  index: JournalIndex;
  journal: Journal;
  file: string;
  rows: number;
  atLeastOnce: boolean;
  insecure: boolean;
  sentNow: number;
  retried: number;
  pauses: number;
  connections: number;
  elapsedMs: number;
  stopped: Stopped | null;
  doubtRows: BatchReport["doubtRows"];
}

/** The report of a run: the counts, and the rows that need attention from the journal's notes. */
export function buildReport(f: RunFacts): BatchReport {
  const c = f.counts;
  const deadRows: BatchReport["deadRows"] = [];
  const partialRows: BatchReport["partialRows"] = [];
  for (const [key, note] of f.index.notes) {
    const state = f.index.get(key).state;
    if (state === "dead") deadRows.push({ key, line: note.line, reply: note.reply ?? "", diagnosis: note.diagnosis ?? null });
    else if (state === "sent" && note.rejected) partialRows.push({ key, line: note.line, rejected: note.rejected });
  }
  const left = c.waiting + c.pending + c.doubt;
  const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
  return {
    kind: "batch",
    ok: !f.stopped && c.dead === 0 && left === 0 && partialRows.length === 0,
    batchId: f.journal.header.batch,
    file: f.file,
    journal: f.journal.path,
    atLeastOnce: f.atLeastOnce,
    insecure: f.insecure,
    rows: f.rows,
    sent: c.sent,
    sentNow: f.sentNow,
    retried: f.retried,
    waiting: c.waiting,
    pending: c.pending,
    dead: c.dead,
    inDoubt: c.doubt,
    partial: partialRows.length,
    pauses: f.pauses,
    connections: f.connections,
    elapsedMs: f.elapsedMs,
    perSecond: f.elapsedMs > 0 ? Math.round((f.sentNow / f.elapsedMs) * 10_000) / 10 : 0,
    stopped: f.stopped,
    deadRows: deadRows.sort(byLine),
    doubtRows: [...f.doubtRows].sort(byLine),
    partialRows: partialRows.sort(byLine),
    resume: left > 0 || f.stopped ? `mailctl send --resume ${f.journal.path}` : null,
  };
}
