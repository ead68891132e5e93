import type { Verdict } from "./classify.js";
import type { RowInfo, RowRecord } from "./journal.js";
import type { RowMessage } from "./row-message.js";

/** Where a row is counted in the report. */
export type Bucket = "pending" | "waiting" | "sent" | "dead" | "doubt";

/** What decides a retry's record: the attempts allowed, when the row's own backoff ends, when the pool's pause ends. */
export interface RetryPolicy {
  maxAttempts: number;
  retryDue(counted: number): number;
  pauseEnds: number;
}

/**
 * The journal record of a row's outcome, and the report bucket it lands in. A temporary failure is retried
 * until --max-attempts counted attempts (the pool's waits are not counted), then the row is dead with the last
 * reply; a message whose fate is unknown stays "sending", with why.
 */
export function outcomeRecord(msg: RowMessage, info: RowInfo, v: Verdict, attempt: number, p: RetryPolicy): { rec: RowRecord; to: Bucket } {
  const base = { k: msg.key, n: msg.line, a: attempt, t: new Date().toISOString(), r: v.reply };
  const d = "diagnosis" in v && v.diagnosis ? { d: v.diagnosis } : {};
  if (v.row === "sent") return { rec: { ...base, s: "sent", ...(v.rejected.length ? { rejected: v.rejected } : {}) }, to: "sent" };
  if (v.row === "retry" && (v.pool || info.counted + 1 < p.maxAttempts)) {
    const due = v.pool ? p.pauseEnds : p.retryDue(info.counted + 1);
    return { rec: { ...base, s: "retry-wait", due: new Date(due).toISOString(), ...d, ...(v.pool ? { pool: true as const } : {}) }, to: "waiting" };
  }
  if (v.row === "doubt") return { rec: { ...base, s: "sending", doubt: "the connection was lost after the whole message was sent, before the server's reply", ...d }, to: "doubt" };
  if (v.row === "release") return { rec: { ...base, s: "pending" }, to: "pending" };
  // dead, or a retry with --max-attempts used up: the last reply is kept.
  return { rec: { ...base, s: "dead", ...d }, to: "dead" };
}

/**
 * The record for a row marked "sending" whose MAIL FROM never went out (an orderly stop, a connection that could
 * not be opened): back to pending, back to waiting (a pool wait, not counted), or — a row an earlier run left in
 * doubt — in doubt again, with the earlier reason.
 */
export function releaseRecord(msg: RowMessage, info: RowInfo, doubt: string | undefined): RowRecord {
  const base = { k: msg.key, n: msg.line, a: info.attempts, t: new Date().toISOString() };
  if (info.state === "retry-wait") return { ...base, s: "retry-wait", due: base.t, pool: true };
  if (info.state === "sending") return { ...base, s: "sending", doubt: doubt ?? "a run ended (crash or kill) while it was being sent" };
  return { ...base, s: "pending" };
}
