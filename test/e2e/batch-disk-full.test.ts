// A batch whose journal's disk fills up mid-run: it stops at once, says which disk, and reports as in doubt exactly
// the rows the journal leaves marked "sending" — each with what really became of it (delivered or never sent).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replay } from "../../src/send/batch/journal.js";
import type { BatchReport } from "../../src/send/batch/report.js";
import { batchDir, captured, keyedCsv, put, TEMPLATE } from "../helpers/batch.js";
import { spawnCli } from "../helpers/cli.js";
import { closeTestLabs, testLab } from "../helpers/lab.js";

/** A small filesystem of its own (tmpfs, as root), so that "the disk is full" really happens. */
const mountPoint = mkdtempSync(join(tmpdir(), "mailctl-full-"));
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mountPoint]).status === 0;

afterAll(async () => {
  await closeTestLabs();
  if (mounted) spawnSync("umount", [mountPoint]);
});

describe.skipIf(!mounted)("the journal's disk fills up", () => {
  beforeAll(() => {
    // Leave a few KiB: the journal's header and some rows fit, then writes fail with ENOSPC.
    const free = Number(spawnSync("df", ["--output=avail", "-B1", mountPoint]).stdout.toString().split("\n")[1]);
    writeFileSync(join(mountPoint, "filler"), Buffer.alloc(Math.max(0, free - 20 * 1024)));
  });

  it("stops at once (exit 74) naming the disk, and counts every row the journal leaves in doubt", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const ROWS = 200;
    const journal = join(mountPoint, "rows.journal");
    const r = await spawnCli(
      ["send", "--batch", put(dir, "rows.csv", keyedCsv(ROWS)), "--template", put(dir, "t.txt", TEMPLATE), "--journal", journal, "--host", "127.0.0.1", "--port", String(lab.endpoints.plain.port), "--tls", "none", "--from", "app@mailctl.test", "--concurrency", "4", "--json"],
      { timeoutMs: 30_000 },
    );
    expect(r.code, r.stderr).toBe(74);
    expect(r.stdout, r.stderr).not.toBe("");
    const report = JSON.parse(r.stdout) as BatchReport;
    expect(report.stopped).toMatchObject({ reason: "journal", category: "ioerr" });
    expect(report.stopped!.message).toBe(`journal ${journal}: the disk holding ${mountPoint} is full (ENOSPC); the batch stopped at once`);

    // What a resumed run will see: the rows the journal leaves "sending" are exactly the report's rows in doubt.
    const { index } = await replay(journal);
    const keys = Array.from({ length: ROWS }, (_, i) => `k${i + 1}`);
    const onDisk = keys.filter((k) => index.get(k).state === "sending");
    expect(onDisk.length).toBeGreaterThan(0);
    expect(report.doubtRows.map((d) => d.key).sort()).toEqual(onDisk.sort());
    expect(report.inDoubt).toBe(onDisk.length);
    // Every row is counted once, and the counts agree with the journal.
    expect(report.sent + report.dead + report.waiting + report.pending + report.inDoubt).toBe(ROWS);
    expect(report.sent).toBe(keys.filter((k) => index.get(k).state === "sent").length);

    // Each row in doubt says what really happened to it, checked against what the server captured.
    const delivered = new Set((await captured(lab)).map((c) => c.key));
    for (const d of report.doubtRows) {
      expect(d.why).toMatch(delivered.has(d.key) ? /^the server accepted it/ : /^(it was never sent|it was not delivered|it was in flight)/);
      expect(d.why).toContain("but the journal could not record it");
    }
    // And nothing was delivered that neither the journal nor the report knows about.
    for (const k of delivered) expect(index.get(k!).state === "sent" || onDisk.includes(k!), `row ${k}`).toBe(true);
  }, 40_000);
});
