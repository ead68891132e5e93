/**
 * A bounded queue between the row reader (which builds messages ahead) and the pool's workers: put() waits while
 * it is full, so at most `capacity` built messages are held however long the batch is.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private closed = false;
  private takers: ((v: T | null) => void)[] = [];
  private putters: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  /** Adds an item, waiting for room. */
  async put(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((r) => this.putters.push(r));
    if (this.closed) return;
    const taker = this.takers.shift();
    if (taker) taker(item);
    else this.items.push(item);
  }

  /** Puts an item back at the front (a worker that could not send it). */
  unshift(item: T): void {
    const taker = this.takers.shift();
    if (taker) taker(item);
    else this.items.unshift(item);
  }

  /** The next item; null once the queue is closed and empty. */
  take(): Promise<T | null> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.putters.shift()?.();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((r) => this.takers.push(r));
  }

  /** No more items will come: waiting takers get null. `drop` also discards what is queued. */
  close(drop = false): void {
    this.closed = true;
    if (drop) this.items = [];
    for (const t of this.takers.splice(0)) t(null);
    for (const p of this.putters.splice(0)) p();
  }

  get length(): number {
    return this.items.length;
  }
}

/** Counts permits: at most `size` holders at once; acquire() waits for one to be released. */
export class Permits {
  private used = 0;
  private waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }

  /** Permits held now. */
  get held(): number {
    return this.used;
  }
}
