import type { Progress } from "../../send/batch/outbox.js";
import type { Ui } from "../../ui/ui.js";

/** How often a plain progress line is printed when stderr is not a terminal. */
const PLAIN_EVERY_MS = 5000;

/** One progress line: "412/1000 rows done · 238 msg/s · ETA 3 s · 2 waiting · 1 dead". */
export function progressLine(p: Progress): string {
  const rate = p.elapsedMs > 0 ? p.sentNow / (p.elapsedMs / 1000) : 0;
  const left = p.total - p.done - p.waiting;
  const parts = [`${p.done}/${p.total} rows done`, `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} msg/s`];
  if (rate > 0 && left > 0) parts.push(`ETA ${duration((left / rate) * 1000)}`);
  if (p.waiting) parts.push(`${p.waiting} waiting to retry`);
  if (p.dead) parts.push(`${p.dead} dead`);
  if (p.inDoubt) parts.push(`${p.inDoubt} in doubt`);
  if (p.paused) parts.push("paused (server limit)");
  return parts.join(" · ");
}

/** "4.2 s", "3 min 5 s", "2 h 10 min". */
export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/**
 * Batch progress on stderr: on a terminal a live line rewritten in place; otherwise a plain line every few
 * seconds (logs stay readable). Never on stdout, which carries the result.
 */
export function batchProgress(ui: Ui): (p: Progress, final: boolean) => void {
  const live = Boolean(ui.io.stderr.isTTY) && !ui.io.env.CI;
  let last = Date.now();
  let shown = false;
  return (p, final) => {
    if (live) {
      if (final) {
        if (shown) ui.io.stderr.write("\r\x1b[2K");
        return;
      }
      ui.io.stderr.write("\r\x1b[2K" + ui.redactor.scrub(progressLine(p)));
      shown = true;
      return;
    }
    if (final || Date.now() - last < PLAIN_EVERY_MS) return;
    last = Date.now();
    ui.err(progressLine(p));
  };
}
