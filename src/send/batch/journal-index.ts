/** A row's states, in the order a row moves through them (README "send --batch"). A row not in the journal is pending. */
export const ROW_STATES = ["pending", "sending", "sent", "retry-wait", "dead"] as const;
/** A row's state. */
export type RowState = (typeof ROW_STATES)[number];

/**
 * One row's change of state, as a journal line. Short keys: a 100,000-row batch writes 200,000 of these.
 * k row key · n line in the batch file · s state · a attempt (times MAIL FROM went out for the row) · t time ·
 * id Message-ID · r the server's reply (or what went wrong) · d diagnosis id from the catalog · due next try ·
 * pool the wait was the whole pool's (rate limit, 421), not counted against --max-attempts · doubt why a
 * message's fate is unknown · rejected recipients refused while the others got the message.
 */
export interface RowRecord {
  k: string;
  n: number;
  s: RowState;
  a: number;
  t: string;
  id?: string;
  r?: string;
  d?: string;
  due?: string;
  pool?: true;
  doubt?: string;
  rejected?: { address: string; reply: string }[];
}

/** What the index knows of a row. */
export interface RowInfo {
  state: RowState;
  /** Times MAIL FROM went out for it. */
  attempts: number;
  /** Attempts that count against --max-attempts (not the pool-wide waits). */
  counted: number;
}

/** Details kept for the rows a report lists: dead, in doubt, or sent with recipients refused. */
export interface RowNote {
  line: number;
  reply?: string;
  diagnosis?: string;
  doubt?: string;
  rejected?: { address: string; reply: string }[];
}

const HOUR = 3600_000;
const STATE_CODE = new Map<RowState, number>(ROW_STATES.map((s, i) => [s, i]));

/**
 * Each row's last state, rebuilt from the journal and kept up to date as records are appended (one code path
 * for both). Compact, so memory does not grow with what a row carries: 12 bytes per row in a typed-array hash
 * table outside the JavaScript heap (see RowTable), the due time only for rows waiting to retry, notes only for
 * the rows a report lists, and sends per hour for a provider's daily limit.
 */
export class JournalIndex {
  private readonly rows = new RowTable();
  private readonly due = new Map<string, number>();
  readonly notes = new Map<string, RowNote>();
  private readonly sentPerHour = new Map<number, number>();

  /** Applies one record: the row's new state. */
  apply(rec: RowRecord): void {
    const prev = this.get(rec.k);
    const counted = rec.s === "retry-wait" && !rec.pool ? prev.counted + 1 : rec.s === "dead" ? prev.counted + 1 : prev.counted;
    this.rows.set(rec.k, STATE_CODE.get(rec.s)! | (Math.min(rec.a, 1023) << 3) | (Math.min(counted, 1023) << 13));
    if (rec.s === "retry-wait") this.due.set(rec.k, rec.due ? Date.parse(rec.due) : 0);
    else this.due.delete(rec.k);
    if (rec.s === "dead" || rec.doubt || rec.rejected?.length) {
      const note: RowNote = { line: rec.n };
      if (rec.r) note.reply = rec.r;
      if (rec.d) note.diagnosis = rec.d;
      if (rec.doubt) note.doubt = rec.doubt;
      if (rec.rejected?.length) note.rejected = rec.rejected;
      this.notes.set(rec.k, note);
    } else this.notes.delete(rec.k);
    if (rec.s === "sent") {
      const hour = Math.floor(Date.parse(rec.t) / HOUR);
      this.sentPerHour.set(hour, (this.sentPerHour.get(hour) ?? 0) + 1);
    }
  }

  /** A row's state; pending with no attempts when the journal has never seen it. */
  get(key: string): RowInfo {
    const v = this.rows.get(key);
    if (v === undefined) return { state: "pending", attempts: 0, counted: 0 };
    return { state: ROW_STATES[v & 7]!, attempts: (v >> 3) & 1023, counted: (v >> 13) & 1023 };
  }

  /** When a row in retry-wait may be tried again (ms since the epoch). */
  dueAt(key: string): number {
    return this.due.get(key) ?? 0;
  }

  /** Messages sent in the 24 hours before `now`, counted by the hour. */
  sentInDay(now = Date.now()): number {
    const from = Math.floor(now / HOUR) - 23;
    let n = 0;
    for (const [hour, count] of this.sentPerHour) if (hour >= from) n += count;
    return n;
  }

  /** When the oldest hour of the last 24 leaves the window: a daily limit frees up then. */
  dayWindowFrees(now = Date.now()): number {
    const from = Math.floor(now / HOUR) - 23;
    const hours = [...this.sentPerHour.keys()].filter((h) => h >= from);
    return hours.length ? (Math.min(...hours) + 24) * HOUR : now;
  }
}

/** Two 32-bit halves of a 64-bit fingerprint of a key (cyrb53's mixing, both lanes kept). */
export function fingerprint(key: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

/**
 * Row key → packed state, in an open-addressing hash table of typed arrays keyed by the key's 64-bit fingerprint:
 * 12 bytes a slot, half full at most, and none of it on the JavaScript heap (a Map of 100,000 string keys costs
 * 6–11 MB there, and the garbage collector sizes the heap by what lives on it). Two keys of one batch with the same
 * fingerprint (odds about 1 in 10^9 at 100,000 rows) are refused by the check pass.
 */
class RowTable {
  private lo = new Uint32Array(1024);
  private hi = new Uint32Array(1024);
  /** Packed value + 1; 0 is an empty slot. */
  private val = new Uint32Array(1024);
  private count = 0;

  get(key: string): number | undefined {
    const [a, b] = fingerprint(key);
    const i = this.find(a, b);
    return this.val[i] ? this.val[i]! - 1 : undefined;
  }

  set(key: string, value: number): void {
    const [a, b] = fingerprint(key);
    let i = this.find(a, b);
    if (!this.val[i]) {
      if ((this.count + 1) * 2 > this.val.length) {
        this.grow();
        i = this.find(a, b);
      }
      this.count++;
      this.lo[i] = a;
      this.hi[i] = b;
    }
    this.val[i] = value + 1;
  }

  /** The slot holding this fingerprint, or the empty slot where it would go (linear probing). */
  private find(a: number, b: number): number {
    const mask = this.val.length - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      if (!this.val[i] || (this.lo[i] === a && this.hi[i] === b)) return i;
    }
  }

  private grow(): void {
    const { lo, hi, val } = this;
    this.lo = new Uint32Array(val.length * 2);
    this.hi = new Uint32Array(val.length * 2);
    this.val = new Uint32Array(val.length * 2);
    for (let j = 0; j < val.length; j++) {
      if (!val[j]) continue;
      const i = this.find(lo[j]!, hi[j]!);
      this.lo[i] = lo[j]!;
      this.hi[i] = hi[j]!;
      this.val[i] = val[j]!;
    }
  }
}
