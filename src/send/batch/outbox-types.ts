// The shapes the outbox works with (outbox.ts): its options and dependencies, progress, and rows in flight.
import type { Target } from "../../config/target.js";
import type { Diagnosis } from "../../diagnose/diagnose.js";
import type { Category } from "../../exit-codes.js";
import type { SessionReport } from "../../session/run.js";
import type { SessionOptions } from "../../session/session.js";
import type { RowComposer } from "./composer.js";
import type { Journal, JournalIndex, RowInfo } from "./journal.js";
import type { Plan } from "./plan.js";
import type { Bucket } from "./records.js";
import type { BatchSettings, RowMessage } from "./row-message.js";
import type { BatchFormat } from "./rows.js";

/** How a batch is sent (send's --batch options, resolved). */
export interface OutboxOptions {
  concurrency: number;
  maxMessages: number;
  perSecond: number | null;
  perMinute: number | null;
  perDay: number | null;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  maxTimeMs: number | null;
  atLeastOnce: boolean;
}

/** What a run works with. */
export interface OutboxDeps {
  file: string;
  format: BatchFormat;
  settings: BatchSettings;
  journal: Journal;
  index: JournalIndex;
  plan: Plan;
  session: SessionOptions;
  target: Target;
  composer: RowComposer;
  diagnose(report: SessionReport): Promise<{ category: Category; diagnoses: Diagnosis[] }>;
  progress(p: Progress, final: boolean): void;
  /** Told once when interrupt() starts the orderly stop, with the number of messages in flight. */
  interrupted(inFlight: number): void;
}

/** A progress snapshot. */
export interface Progress {
  total: number;
  done: number;
  sentNow: number;
  waiting: number;
  dead: number;
  inDoubt: number;
  elapsedMs: number;
  paused: boolean;
}

/**
 * How many messages are built ahead of the marker: twice the window for ordinary messages, fewer for big ones
 * (a large HTML template), so what is held stays around 16 MB whatever the batch.
 */
export function lookahead(s: BatchSettings, window: number): number {
  const estimate = s.template.body.length * 1.4 + 2048;
  return Math.max(4, Math.min(window * 2, Math.floor((16 * 1024 * 1024) / estimate)));
}

/** A row on its way: its built message, its state when read, and the report bucket it comes from. */
export interface Item {
  msg: RowMessage;
  info: RowInfo;
  from: Bucket;
}
/** A row whose "sending" record is durable: the worker may now send it. */
export interface Claimed {
  item: Item;
  attempt: number;
}

/** Rows each connection may have marked "sending" and not yet settled: one on the wire, the rest covering the journal's fsync. */
export const PIPELINE_DEPTH = 4;
