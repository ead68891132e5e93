import { setTimeout as sleep } from "node:timers/promises";
import { MailctlError } from "../../errors.js";
import type { SessionReport } from "../../session/run.js";
import type { Session, Transaction } from "../../session/session.js";
import { backoff, classify, delivered, type Verdict } from "./classify.js";
import type { EventRecord, RowRecord } from "./journal.js";
import { rowKey } from "./keys.js";
import { Pool, transactionReport } from "./pool.js";
import { BoundedQueue, Permits } from "./queue.js";
import { outcomeRecord, releaseRecord, type Bucket } from "./records.js";
import { buildReport, type BatchReport, type Stopped } from "./report.js";
import { readRows } from "./rows.js";
import { Throttle } from "./throttle.js";
import { lookahead, PIPELINE_DEPTH, type Claimed, type Item, type OutboxDeps, type OutboxOptions, type Progress } from "./outbox-types.js";

export { PIPELINE_DEPTH, type OutboxDeps, type OutboxOptions, type Progress } from "./outbox-types.js";

/**
 * Sends a batch through the pool with a durable outbox. Each row's "sending" record is on disk before its MAIL
 * FROM goes out (at most once: a crash can only leave rows in doubt that were in flight); the result is
 * recorded after; rows to retry wait for a later pass over the file, which is read again rather than kept.
 */
export class Outbox {
  private readonly stop = new AbortController();
  private stopped: Stopped | null = null;
  private readonly throttle: Throttle;
  private readonly pool: Pool;
  private readonly counts: Record<Bucket, number>;
  private readonly t0 = Date.now();
  private sentNow = 0;
  private retried = 0;
  private pauses = 0;
  private consecutivePauses = 0;
  private connectFailures = 0;
  private inFlight = 0;
  private minDue = Infinity;
  private retryRows = 0;
  /** The pass stopped taking rows at the provider's daily limit. */
  private dayLimited = false;
  private readonly doubts: BatchReport["doubtRows"] = [];
  /**
   * Rows whose "sending" record is durable and whose outcome is not yet, with what became of each. After a journal
   * failure these are what the journal leaves in doubt — a resumed batch will not send them again — so the report
   * counts them as such, saying whether each was delivered or never sent.
   */
  private readonly unsettled = new Map<string, { item: Item; fate: string }>();
  /** At most this many rows are marked "sending" and not settled: the most a crash can leave in doubt. */
  readonly window: number;

  constructor(
    private readonly o: OutboxOptions,
    private readonly d: OutboxDeps,
  ) {
    this.window = o.concurrency * PIPELINE_DEPTH;
    this.throttle = new Throttle(o.perSecond, o.perMinute, this.stop.signal);
    this.pool = new Pool(d.session, o.concurrency, o.maxMessages);
    const c = d.plan.counts;
    this.counts = { pending: c.pending, waiting: c.waiting, sent: c.sent, dead: c.dead, doubt: c.doubt };
    this.doubts.push(...d.plan.doubtRows);
  }

  /** Runs passes over the batch until no row is left to try, the time is up, or the run is stopped. */
  async run(): Promise<BatchReport> {
    const ticker = setInterval(() => this.d.progress(this.snapshot(), false), 250);
    try {
      await this.event({ e: "run", t: new Date().toISOString(), pid: process.pid, rows: this.d.plan.rows, atLeastOnce: this.o.atLeastOnce });
      for (;;) {
        this.minDue = Infinity;
        this.retryRows = 0;
        await this.pass();
        if (this.dayLimited && !this.stopped) {
          const at = new Date(this.d.index.dayWindowFrees()).toISOString();
          this.halt({ reason: "daily-limit", message: `the provider's limit of ${this.o.perDay} messages a day is reached; resume after ${at}`, category: "tempfail" });
        }
        if (this.stopped || this.retryRows === 0) break;
        const wait = Math.max(0, this.minDue - Date.now());
        if (this.o.maxTimeMs !== null && Date.now() + wait - this.t0 > this.o.maxTimeMs) {
          this.halt({ reason: "max-time", message: `--max-time reached with ${this.retryRows} row(s) waiting to be retried`, category: "tempfail" });
          break;
        }
        // Connections would only idle through a long wait (servers drop idle clients, RFC 5321 §4.5.3.2.7).
        if (wait > 2000) await this.pool.close();
        await sleep(wait, undefined, { signal: this.stop.signal }).catch(() => {});
      }
    } finally {
      clearInterval(ticker);
      await this.pool.close();
      await this.d.journal.settle().catch(() => {});
    }
    const report = this.report();
    await this.event({ e: "end", t: new Date().toISOString(), sent: report.sentNow, dead: report.dead, waiting: report.waiting, inDoubt: report.inDoubt, stopped: report.stopped?.reason ?? null }).catch(() => {});
    this.d.progress(this.snapshot(), true);
    return report;
  }

  /**
   * One pass over the file, as a pipeline: the reader builds messages ahead (bounded), the marker makes each
   * row's "sending" record durable — many in one group commit — and the workers send them. At most `window`
   * rows are marked and not yet settled at any time: that is all a crash can leave in doubt.
   */
  private async pass(): Promise<void> {
    const built = new BoundedQueue<{ item: Promise<Item> }>(lookahead(this.d.settings, this.window));
    const ready = new BoundedQueue<Claimed>(this.window + 1);
    const permits = new Permits(this.window);
    const marker = this.mark(built, ready, permits);
    const workers = Array.from({ length: this.o.concurrency }, (_v, i) => this.worker(i, ready, permits));
    try {
      await this.produce(built);
    } catch (err) {
      // The batch file changed or vanished since the check pass: stop, with what was sent on record.
      if (!(err instanceof MailctlError)) throw err;
      this.failed(err);
    } finally {
      built.close(this.stopped !== null);
      await marker;
      ready.close();
      await Promise.all(workers);
    }
  }

  private async produce(queue: BoundedQueue<{ item: Promise<Item> }>): Promise<void> {
    const { settings, index } = this.d;
    let budget = this.o.perDay === null ? Infinity : this.o.perDay - index.sentInDay();
    for await (const row of readRows(this.d.file, this.d.format)) {
      if (this.stopped) return;
      if (this.o.maxTimeMs !== null && Date.now() - this.t0 > this.o.maxTimeMs) {
        return this.halt({ reason: "max-time", message: "--max-time reached", category: "tempfail" });
      }
      const key = rowKey(row, settings.file);
      const info = index.get(key);
      let from: Bucket = "pending";
      if (info.state === "sent" || info.state === "dead" || (info.state === "sending" && !this.o.atLeastOnce)) continue;
      if (info.state === "retry-wait") {
        const due = index.dueAt(key);
        if (due > Date.now()) {
          this.retryRows++;
          this.minDue = Math.min(this.minDue, due);
          continue;
        }
        from = "waiting";
      }
      // A provider's daily limit: take no more rows than it leaves, let those finish, then stop (run()).
      if (budget-- <= 0) {
        this.dayLimited = true;
        return;
      }
      const item = this.d.composer.build(row).then((msg) => ({ msg, info, from }));
      item.catch(() => {}); // handled where it is taken
      await queue.put({ item });
    }
  }

  /** Marks rows "sending" ahead of the workers, within the window; the appends share group commits. */
  private async mark(built: BoundedQueue<{ item: Promise<Item> }>, ready: BoundedQueue<Claimed>, permits: Permits): Promise<void> {
    const marking = new Set<Promise<void>>();
    for (;;) {
      await permits.acquire();
      const next = await built.take();
      const item = next && (await next.item.catch((err: Error) => this.failed(err)));
      if (!item || this.stopped || !(await this.throttle.take())) {
        permits.release();
        if (!next) break;
        continue;
      }
      const attempt = item.info.attempts + 1;
      // The record that makes "at most once" provable: durable before this row's MAIL FROM is written.
      const p = this.record({ k: item.msg.key, n: item.msg.line, s: "sending", a: attempt, t: new Date().toISOString(), id: item.msg.messageId }).then(
        () => {
          this.unsettled.set(item.msg.key, { item, fate: "it was in flight when the journal failed" });
          return ready.put({ item, attempt });
        },
        (err: Error) => {
          permits.release();
          this.halt({ reason: "journal", message: err.message, category: "ioerr" });
        },
      );
      marking.add(p);
      void p.finally(() => marking.delete(p));
    }
    await Promise.all(marking);
  }

  /**
   * A worker: one connection of the pool, sending rows already marked. A row's permit is returned as soon as its
   * outcome is appended: the journal is written in order, so a later row's "sending" can only reach the disk
   * with or after this outcome, and the window still bounds what a crash can leave in doubt.
   */
  private async worker(slot: number, ready: BoundedQueue<Claimed>, permits: Permits): Promise<void> {
    for (let c = await ready.take(); c; c = await ready.take()) {
      const done = () => permits.release();
      const session = this.stopped ? null : await this.connect(slot);
      if (!session) {
        void this.release(c);
        done();
        continue;
      }
      const { msg } = c.item;
      if (msg.smtputf8 && !session.extensions?.smtputf8) {
        const why = `${msg.utf8Addresses.join(", ")}: an internationalised address, but the server does not offer SMTPUTF8 (RFC 6531)`;
        this.fate(msg.key, "it was never sent (the server does not offer SMTPUTF8)");
        void this.settle(c.item, { row: "dead", reply: why, diagnosis: null }, c.item.info.attempts).catch((err: Error) => this.halt({ reason: "journal", message: err.message, category: "ioerr" }));
        done();
        continue;
      }
      this.inFlight++;
      const tx = await this.pool.send(slot, msg);
      this.inFlight--;
      if (c.attempt > 1) this.retried++;
      const verdict = tx.failure ? await this.judge(session, tx) : delivered(tx);
      this.fate(msg.key, verdict.row === "sent" ? `the server accepted it (${verdict.reply})` : verdict.row === "doubt" ? `no reply came after the whole message was sent (${verdict.reply})` : `it was not delivered (${verdict.reply})`);
      void this.settle(c.item, verdict, c.attempt).catch((err: Error) => this.halt({ reason: "journal", message: err.message, category: "ioerr" }));
      done();
    }
  }

  /** The slot's connection, waiting out pauses and retrying failed connects; null once the batch is stopped. */
  private async connect(slot: number): Promise<Session | null> {
    for (;;) {
      if (!(await this.throttle.whilePaused())) return null;
      const conn = await this.pool.connection(slot);
      if ("session" in conn) {
        this.connectFailures = 0;
        return conn.session;
      }
      await this.connectionFailed(conn.failed);
      if (this.stopped) return null;
    }
  }

  /** A row marked "sending" whose MAIL FROM never went out goes back to where it was (releaseRecord). */
  private async release(c: Claimed): Promise<void> {
    this.fate(c.item.msg.key, "it was never sent (the batch stopped before its turn)");
    await this.record(releaseRecord(c.item.msg, c.item.info, this.d.index.notes.get(c.item.msg.key)?.doubt))
      .then(() => this.unsettled.delete(c.item.msg.key))
      .catch(() => {});
  }

  /** Notes what became of a row marked "sending", before its outcome is written. */
  private fate(key: string, fate: string): void {
    const u = this.unsettled.get(key);
    if (u) u.fate = fate;
  }

  /** Diagnoses a failed transaction with the catalog and lets the pool react to it. */
  private async judge(session: Session, tx: Transaction): Promise<Verdict> {
    const { category, diagnoses } = await this.d.diagnose(transactionReport(session, tx));
    const id = diagnoses[0]?.id ?? null;
    const v = classify(tx, id, category, this.o.atLeastOnce);
    if ("then" in v && v.then?.pool === "pause") await this.pausePool(v.reply, id);
    if ("then" in v && v.then?.pool === "stop") {
      this.halt({ reason: v.row === "release" ? "sender-refused" : "quota", message: v.reply, category: v.then.category, ...(diagnoses[0] ? { diagnosis: diagnoses[0] } : {}) });
    }
    return v;
  }

  /** Records a row's outcome; it is counted once durable. */
  private async settle(item: Item, v: Verdict, attempt: number): Promise<void> {
    const o = outcomeRecord(item.msg, item.info, v, attempt, {
      maxAttempts: this.o.maxAttempts,
      retryDue: (counted) => Date.now() + backoff(counted, this.o.retryBaseMs, this.o.retryMaxMs),
      pauseEnds: Math.max(Date.now(), this.throttle.pausedUntilMs),
    });
    if (o.to === "sent") this.consecutivePauses = 0;
    if (o.to === "waiting") {
      this.retryRows++;
      this.minDue = Math.min(this.minDue, Date.parse(o.rec.due!));
    }
    await this.record(o.rec);
    if (o.to === "doubt") this.doubts.push({ key: item.msg.key, line: item.msg.line, messageId: item.msg.messageId, why: o.rec.doubt! });
    this.unsettled.delete(item.msg.key);
    this.counts[item.from]--;
    this.counts[o.to]++;
    if (o.to === "sent") this.sentNow++;
  }

  private record(rec: RowRecord): Promise<void> {
    this.d.index.apply(rec);
    return this.d.journal.append(rec);
  }

  private event(e: EventRecord): Promise<void> {
    return this.d.journal.append(e);
  }

  /** Pauses every connection for a backoff (growing while the pauses come one after another), once per episode. */
  private async pausePool(reply: string, diagnosis: string | null): Promise<void> {
    if (this.throttle.paused) return;
    this.consecutivePauses++;
    if (this.consecutivePauses > this.o.maxAttempts) {
      return this.halt({ reason: "unavailable", message: `the server kept refusing (${reply}); ${this.o.maxAttempts} pauses in a row`, category: "tempfail" });
    }
    const ms = backoff(this.consecutivePauses, this.o.retryBaseMs, this.o.retryMaxMs);
    const until = this.throttle.pause(ms);
    this.pauses++;
    await this.event({ e: "pause", t: new Date().toISOString(), until: new Date(until).toISOString(), ms, r: reply, d: diagnosis }).catch(() => {});
  }

  /**
   * A connection could not be opened: a temporary failure pauses the pool — a 421 always is one, whatever its text
   * names (RFC 5321 §3.8: the server is closing the channel) — and anything else stops the batch.
   */
  private async connectionFailed(report: SessionReport): Promise<void> {
    const { category, diagnoses } = await this.d.diagnose(report);
    const d = diagnoses[0];
    const message = `cannot connect: ${report.failure?.message ?? "unknown failure"}`;
    if (category !== "tempfail" && report.failure?.reply?.code !== 421) return this.halt({ reason: "connection", message, category, ...(d ? { diagnosis: d } : {}) });
    if (this.throttle.paused) return;
    if (++this.connectFailures >= this.o.maxAttempts) return this.halt({ reason: "unavailable", message, category, ...(d ? { diagnosis: d } : {}) });
    await this.pausePool(message, d?.id ?? null);
  }

  /** A row that could not be built (the file changed since the check pass, or the compose thread failed). */
  private failed(err: Error): null {
    const category = err instanceof MailctlError ? err.category : "software";
    this.halt({ reason: "row", message: err.message, category });
    return null;
  }

  private halt(s: Stopped): void {
    if (this.stopped) return;
    this.stopped = s;
    this.stop.abort();
    void this.event({ e: "stop", t: new Date().toISOString(), reason: s.reason, message: s.message }).catch(() => {});
  }

  /**
   * Ctrl-C / SIGTERM (the command traps them): stop taking rows and let the in-flight ones finish — for at most
   * --timeout; then their connections are cut (a message without its final "." is discarded by the server and goes
   * back to pending; one whose "." went out is in doubt).
   */
  interrupt(): void {
    if (this.stopped) return;
    this.halt({ reason: "interrupted", message: "interrupted", category: "interrupted" });
    this.d.interrupted(this.inFlight);
    setTimeout(() => this.pool.abort(), this.d.session.timeouts.command).unref();
  }

  private snapshot(): Progress {
    const c = this.counts;
    return { total: this.d.plan.rows, done: c.sent + c.dead + c.doubt, sentNow: this.sentNow, waiting: c.waiting, dead: c.dead, inDoubt: c.doubt, elapsedMs: Date.now() - this.t0, paused: this.throttle.paused };
  }

  private report(): BatchReport {
    // A journal that failed left these rows "sending" on disk: in doubt for every later run, whatever became of them.
    if (this.stopped?.reason === "journal") {
      for (const { item, fate } of this.unsettled.values()) {
        this.counts[item.from]--;
        this.counts.doubt++;
        this.doubts.push({ key: item.msg.key, line: item.msg.line, messageId: item.msg.messageId, why: `${fate}, but the journal could not record it (${this.stopped.message})` });
      }
      this.unsettled.clear();
    }
    return buildReport({
      counts: this.counts,
      index: this.d.index,
      journal: this.d.journal,
      file: this.d.settings.file,
      rows: this.d.plan.rows,
      atLeastOnce: this.o.atLeastOnce,
      insecure: this.d.target.insecure,
      sentNow: this.sentNow,
      retried: this.retried,
      pauses: this.pauses,
      connections: this.pool.opened,
      elapsedMs: Date.now() - this.t0,
      stopped: this.stopped,
      doubtRows: this.doubts,
    });
  }
}
