import { reportOf, runSession, type SessionReport } from "../../session/run.js";
import type { Session, SessionOptions, Transaction } from "../../session/session.js";
import type { RowMessage } from "./row-message.js";

/** The report diagnosis reads for a transaction's failure: the connection's facts with the message's own stages. */
export function transactionReport(s: Session, tx: Transaction): SessionReport {
  return { ...reportOf(s), ok: false, stages: tx.stages, failure: tx.failure, delivery: tx.delivery };
}

/** One connection of the pool and the messages it has carried. */
interface Slot {
  session: Session;
  sent: number;
}

/**
 * mailctl's connection pool, on the one session engine (design.md: one place talks SMTP, and the catalog reads
 * its failures): up to `size` connections, each used for at most `maxMessages` messages and then closed with
 * QUIT, as nodemailer's pool does (maxConnections, maxMessages), but sending each message as one RFC 2920 group
 * when the server offers PIPELINING. A refused message leaves its connection open (RSET when it stopped midway);
 * a connection that failed is dropped and the next message opens a new one.
 */
export class Pool {
  private readonly slots: (Slot | null)[];
  /** Every session not yet closed, the ones still connecting included (abort() ends them all). */
  private readonly live = new Set<Session>();
  /** Connections opened so far. */
  opened = 0;

  constructor(
    private readonly opts: SessionOptions,
    size: number,
    private readonly maxMessages: number,
  ) {
    this.slots = Array.from({ length: size }, () => null);
  }

  /** The slot's connection, opened (connect, EHLO, STARTTLS, AUTH) when needed; the failed attempt's report otherwise. */
  async connection(i: number): Promise<{ session: Session } | { failed: SessionReport }> {
    const slot = this.slots[i];
    if (slot && slot.session.connected && slot.sent < this.maxMessages) return { session: slot.session };
    if (slot) await this.drop(i);
    let started: Session | undefined;
    const run = await runSession(this.opts, { goal: "auth", keep: true, reportBeforeQuit: true, onSession: (s) => this.live.add((started = s)) });
    if (!run.session) {
      this.live.delete(started!);
      return { failed: run.report };
    }
    const s = run.session;
    this.opened++;
    this.slots[i] = { session: s, sent: 0 };
    return { session: s };
  }

  /** Sends one message on the slot's connection, and leaves the connection ready for the next (or closed). */
  async send(i: number, msg: RowMessage): Promise<Transaction> {
    const slot = this.slots[i]!;
    const tx = await slot.session.transact(
      { from: msg.from, to: msg.to, data: msg.data(), size: msg.size, ...(msg.smtputf8 ? { smtputf8: true, eightBit: true } : {}) },
      { pipelining: true },
    );
    slot.sent++;
    // RFC 5321 §4.1.1.5: a transaction that stopped after MAIL was accepted is reset before the next MAIL.
    if (tx.usable && tx.midway && !(await slot.session.reset())) await this.drop(i);
    else if (!tx.usable || slot.sent >= this.maxMessages) await this.drop(i);
    return tx;
  }

  /** Closes one connection (QUIT when it is still in step). */
  async drop(i: number): Promise<void> {
    const slot = this.slots[i];
    this.slots[i] = null;
    await slot?.session.close();
    if (slot) this.live.delete(slot.session);
  }

  /** Ends every connection at once, mid-message or not (the orderly stop's deadline). */
  abort(): void {
    for (const s of this.live) s.abort();
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((_s, i) => this.drop(i)));
  }
}
