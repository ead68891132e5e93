import { describe, expect, it } from "vitest";
import { batchProgress, duration, progressLine } from "../../../src/commands/send/progress.js";
import { Ui } from "../../../src/ui/ui.js";
import { fakeIo } from "../../helpers/fake-io.js";

const p = { total: 1000, done: 412, sentNow: 400, waiting: 2, dead: 1, inDoubt: 0, elapsedMs: 2000, paused: false };

describe("batch progress", () => {
  it("says done/total, the rate and the time left, and what needs attention", () => {
    expect(progressLine(p)).toBe("412/1000 rows done · 200 msg/s · ETA 2.9 s · 2 waiting to retry · 1 dead");
    expect(progressLine({ ...p, paused: true, inDoubt: 3 })).toMatch(/3 in doubt · paused \(server limit\)$/);
    expect(duration(185_000)).toBe("3 min 5 s");
  });

  it("on a terminal, rewrites one live line on stderr and clears it at the end; stdout stays empty", () => {
    const io = fakeIo({}, true);
    const show = batchProgress(new Ui(io));
    show(p, false);
    show({ ...p, done: 500 }, false);
    show(p, true);
    expect(io.stderr.text).toBe(`\r\x1b[2K${progressLine(p)}\r\x1b[2K${progressLine({ ...p, done: 500 })}\r\x1b[2K`);
    expect(io.stdout.text).toBe("");
  });

  it("without a terminal, prints plain lines only every few seconds (none for a short run)", () => {
    const io = fakeIo({}, false);
    const show = batchProgress(new Ui(io));
    for (let i = 0; i < 20; i++) show(p, false);
    show(p, true);
    expect(io.stderr.text).toBe("");
  });
});
