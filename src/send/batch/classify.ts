import type { Category } from "../../exit-codes.js";
import { formatReply } from "../../session/reply.js";
import type { Transaction } from "../../session/session.js";

/** What becomes of a row after one try, and what the pool does about it. */
export type Verdict =
  | { row: "sent"; reply: string; rejected: { address: string; reply: string }[] }
  /** retry-wait; `pool` waits are the whole pool's (a rate limit, a 421) and do not count against --max-attempts. */
  | { row: "retry"; reply: string; diagnosis: string | null; pool: boolean; then?: PoolAction }
  | { row: "dead"; reply: string; diagnosis: string | null }
  /** The message may have been delivered: at most once, it is not sent again. */
  | { row: "doubt"; reply: string; diagnosis: string | null }
  /** Certainly not delivered and not the row's fault: back to pending, and the batch stops. */
  | { row: "release"; reply: string; diagnosis: string | null; then: PoolAction };

/** The pool's reaction: pause every connection for a backoff, or stop taking rows (with the exit category). */
export type PoolAction = { pool: "pause" } | { pool: "stop"; category: Category };

/**
 * Classifies a failed transaction. The diagnosis catalog decides the class first (RFC 5321 §4.2.1's 4xx/5xx
 * split is the fallback): rate-limited pauses the whole pool — a 5xx quota ("550 5.4.5 daily sending limit")
 * stops the batch instead, as every row would meet it; a 421 also pauses the pool (the server is closing
 * channels, RFC 5321 §3.8); greylisted and other 4xx retry that row; a 5xx is the row's end (dead) except at
 * MAIL FROM, where it is about the sender and would refuse every row, so the batch stops. A connection lost
 * after the final "." leaves the message's fate unknown: in doubt, or retried with --at-least-once.
 */
export function classify(tx: Transaction, diagnosis: string | null, category: Category, atLeastOnce: boolean): Verdict {
  const f = tx.failure!;
  const reply = f.reply ? formatReply(f.reply) : f.message;
  const code = f.reply?.code ?? 0;
  // mailctl cut the connection itself (an orderly stop out of time): without the final "." nothing was delivered.
  if (f.kind === "aborted" && !tx.unconfirmed) return { row: "release", reply, diagnosis: null, then: { pool: "stop", category: "interrupted" } };
  if (tx.unconfirmed) return atLeastOnce ? { row: "retry", reply, diagnosis, pool: false } : { row: "doubt", reply, diagnosis };
  if (diagnosis === "rate-limited") {
    if (code >= 500) return { row: "retry", reply, diagnosis, pool: true, then: { pool: "stop", category: "tempfail" } };
    return { row: "retry", reply, diagnosis, pool: true, then: { pool: "pause" } };
  }
  if (code === 421) return { row: "retry", reply, diagnosis, pool: true, then: { pool: "pause" } };
  if (f.kind === "size-exceeded") return { row: "dead", reply, diagnosis };
  if (f.kind === "negative-reply" && code >= 500) {
    if (f.stage === "mail" && diagnosis !== "message-too-large") return { row: "release", reply, diagnosis, then: { pool: "stop", category } };
    return { row: "dead", reply, diagnosis };
  }
  // 4xx (greylisting among them), a timeout or a dropped connection before the end of the message: not delivered.
  return { row: "retry", reply, diagnosis, pool: false };
}

/** The verdict for a transaction without failure. */
export function delivered(tx: Transaction): Verdict {
  const d = tx.delivery!;
  return { row: "sent", reply: d.reply ? formatReply(d.reply) : "", rejected: d.rejected.map((r) => ({ address: r.address, reply: formatReply(r.reply) })) };
}

/** Exponential backoff with jitter: base·2^(n−1), at most `max`, then a random part of it between half and all ("equal jitter"). */
export function backoff(n: number, baseMs: number, maxMs: number, random = Math.random): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, n - 1));
  return Math.round(full / 2 + random() * (full / 2));
}
