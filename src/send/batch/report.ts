import type { Diagnosis } from "../../diagnose/diagnose.js";
import type { Category } from "../../exit-codes.js";

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

/** The exit category of a batch: interrupted, else why it stopped, else dead (69), else rows left or in doubt (75), else ok. */
export function batchCategory(r: BatchReport, allowPartial: boolean): Category {
  if (r.stopped) return r.stopped.category;
  if (r.dead > 0 || (r.partial > 0 && !allowPartial)) return "unavailable";
  if (r.waiting + r.pending + r.inDoubt > 0) return "tempfail";
  return "ok";
}
