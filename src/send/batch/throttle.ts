import { setTimeout as sleep } from "node:timers/promises";

/**
 * Spaces the pool's sends: at most `perSecond` (evenly, no bursts), at most `perMinute` in any 60 seconds (a
 * provider's limit), and none while the pool is paused. Each take() reserves its slot at once, so workers
 * that ask together get consecutive slots rather than the same one.
 */
export class Throttle {
  private next = 0;
  /** Reserved start times of the last `perMinute` sends. */
  private window: number[] = [];
  private pausedUntil = 0;

  constructor(
    private readonly perSecond: number | null,
    private readonly perMinute: number | null,
    private readonly signal: AbortSignal,
  ) {}

  /** Waits for this send's turn; false when the batch was stopped meanwhile. */
  async take(): Promise<boolean> {
    for (;;) {
      if (this.signal.aborted) return false;
      const now = Date.now();
      let slot = Math.max(now, this.pausedUntil);
      if (this.perSecond) slot = Math.max(slot, this.next);
      if (this.perMinute && this.window.length >= this.perMinute) slot = Math.max(slot, this.window[0]! + 60_000);
      if (slot <= now) {
        this.reserve(now);
        return true;
      }
      if (this.perSecond || this.perMinute) this.reserve(slot);
      try {
        await sleep(slot - now, undefined, { signal: this.signal });
      } catch {
        return false;
      }
      if (Date.now() >= this.pausedUntil) return !this.signal.aborted;
    }
  }

  /** Waits while the pool is paused (without taking a turn); false when the batch was stopped meanwhile. */
  async whilePaused(): Promise<boolean> {
    while (!this.signal.aborted && Date.now() < this.pausedUntil) {
      try {
        await sleep(this.pausedUntil - Date.now(), undefined, { signal: this.signal });
      } catch {
        return false;
      }
    }
    return !this.signal.aborted;
  }

  /** Holds every send for `ms` (a rate limit or a 421); a longer pause already under way is kept. */
  pause(ms: number): number {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    return this.pausedUntil;
  }

  /** When the current pause ends (ms since the epoch; in the past when there is none). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** True while the pool is paused. */
  get paused(): boolean {
    return Date.now() < this.pausedUntil;
  }

  private reserve(at: number): void {
    if (this.perSecond) this.next = at + 1000 / this.perSecond;
    if (this.perMinute) {
      this.window.push(at);
      if (this.window.length > this.perMinute) this.window.shift();
    }
  }
}
