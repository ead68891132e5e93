// send --batch against the lab: delivery, resume, the catalog's classes (greylisting, 5xx, rate limits), bad input.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Lab } from "../../src/lab/server.js";
import type { BatchReport } from "../../src/send/batch/report.js";
import { batchDir, captured, journalLines, keyedCsv, perRow, put, TEMPLATE } from "../helpers/batch.js";
import { runCli } from "../helpers/cli.js";
import { closeTestLabs, LAB_PASSWORD, testLab } from "../helpers/lab.js";

afterAll(closeTestLabs);

const plain = (lab: Lab) => ["--host", "127.0.0.1", "--port", String(lab.endpoints.plain.port), "--tls", "none", "--from", "app@mailctl.test"];

async function batch(lab: Lab, dir: string, csv: string, extra: string[] = [], env: Record<string, string> = {}) {
  const rows = existsSync(join(dir, "rows.csv")) && !csv ? join(dir, "rows.csv") : put(dir, "rows.csv", csv);
  const template = existsSync(join(dir, "t.txt")) ? join(dir, "t.txt") : put(dir, "t.txt", TEMPLATE);
  const r = await runCli(["send", "--batch", rows, "--template", template, ...plain(lab), "--json", ...extra], { env });
  return { ...r, report: r.stdout ? (JSON.parse(r.stdout) as BatchReport) : null, journal: `${rows}.journal` };
}

describe("send --batch", () => {
  it("sends one message per row with the row's deterministic Message-ID; the same command again sends nothing", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const first = await batch(lab, dir, keyedCsv(6));
    expect(first.code).toBe(0);
    expect(first.report).toMatchObject({ kind: "batch", ok: true, rows: 6, sent: 6, sentNow: 6, dead: 0, inDoubt: 0, waiting: 0, resume: null });
    const caps = await captured(lab);
    expect(caps.map((c) => c.key).sort()).toEqual(["k1", "k2", "k3", "k4", "k5", "k6"]);
    for (const c of caps) expect(c.messageId).toBe(`<${first.report!.batchId}.${c.key}@mailctl.test>`);
    const eml = await lab.captures();
    const head = readFileSync(join(lab.captureDir, eml[0]!.file), "utf8");
    expect(head).toMatch(/^To: Reader \d <r\d@mailctl\.test>$/m);

    const again = await batch(lab, dir, "");
    expect(again.code).toBe(0);
    expect(again.report).toMatchObject({ sent: 6, sentNow: 0 });
    expect(await lab.captures()).toHaveLength(6);
    // Every state change is in the journal: sending, then sent, for each row.
    const recs = journalLines(first.journal).filter((r) => typeof r.k === "string");
    expect(recs.filter((r) => r.s === "sending")).toHaveLength(6);
    expect(recs.filter((r) => r.s === "sent").every((r) => String(r.r).startsWith("250 "))).toBe(true);
  });

  it("reads JSON Lines with lists, a subject column, cc, and the name column", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const rows = put(dir, "rows.jsonl", ['{"key":"a","to":["x1@mailctl.test","x2@mailctl.test"],"name":"Both"}', '{"key":"b","to":"y@mailctl.test","cc":"z@mailctl.test","subject":"Row b for custom","name":"Y"}'].join("\n"));
    const r = await runCli(["send", "--batch", rows, "--template", put(dir, "t.txt", TEMPLATE), ...plain(lab), "--json"]);
    expect(r.code).toBe(0);
    const caps = await captured(lab);
    expect(caps.find((c) => c.key === "a")!.to.sort()).toEqual(["x1@mailctl.test", "x2@mailctl.test"]);
    expect(caps.find((c) => c.key === "b")!.to.sort()).toEqual(["y@mailctl.test", "z@mailctl.test"]);
  });

  it("greylisting: the rows wait, are retried and delivered", async () => {
    const lab = await testLab({ persona: "greylist", greylistSeconds: 1 });
    const r = await batch(lab, batchDir(), keyedCsv(3), ["--retry-base", "1", "--retry-max", "2"]);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ sent: 3, dead: 0, waiting: 0 });
    expect(r.report!.retried).toBeGreaterThanOrEqual(3);
    const waits = journalLines(r.journal).filter((x) => x.s === "retry-wait");
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(waits.every((w) => w.d === "greylisted" && String(w.r).startsWith("450 4.7.1") && typeof w.due === "string")).toBe(true);
    expect([...perRow(await captured(lab)).values()].map((c) => c.length)).toEqual([1, 1, 1]);
  });

  it("a 5xx row ends dead with the server's reply recorded, the others are delivered, exit 69", async () => {
    const lab = await testLab();
    const r = await batch(lab, batchDir(), keyedCsv(4, (i) => (i === 2 ? "unknown@mailctl.test" : `r${i}@mailctl.test`)));
    expect(r.code).toBe(69);
    expect(r.report).toMatchObject({ ok: false, sent: 3, dead: 1, deadRows: [{ key: "k2", line: 3, diagnosis: "recipient-rejected" }] });
    expect(r.report!.deadRows[0]!.reply).toMatch(/^550 5\.1\.1 <unknown@mailctl\.test>: Recipient address rejected/);
    const dead = journalLines(r.journal).find((x) => x.s === "dead")!;
    expect(dead).toMatchObject({ k: "k2", n: 3, d: "recipient-rejected", r: expect.stringMatching(/^550 5\.1\.1/) });
    expect((await captured(lab)).map((c) => c.key).sort()).toEqual(["k1", "k3", "k4"]);
  });

  it("rate-limited pauses the whole pool (recorded in the journal) and the batch still completes", async () => {
    const lab = await testLab({ persona: "rate-limit", limit: 3, windowSeconds: 1 });
    const r = await batch(lab, batchDir(), keyedCsv(8), ["--preset", "lab", "--from", "lab@mailctl.test", "--concurrency", "2", "--retry-base", "0.4", "--retry-max", "1"], { MAILCTL_PASSWORD: LAB_PASSWORD });
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ sent: 8, dead: 0, waiting: 0 });
    expect(r.report!.pauses).toBeGreaterThanOrEqual(1);
    const pauses = journalLines(r.journal).filter((x) => x.e === "pause");
    expect(pauses[0]).toMatchObject({ d: "rate-limited", r: "421 4.7.0 Try again later, closing connection." });
    // The rows the limit refused waited for the pool, not for their own backoff.
    expect(journalLines(r.journal).filter((x) => x.s === "retry-wait").every((x) => x.pool === true)).toBe(true);
    expect([...perRow(await captured(lab)).values()].every((c) => c.length === 1)).toBe(true);
  });

  it("warns before starting when the batch exceeds a preset's daily limit, and stops at the limit (exit 75)", async () => {
    const lab = await testLab();
    const r = await batch(lab, batchDir(), keyedCsv(501), ["--preset", "gmail", "--concurrency", "4"]);
    expect(r.stderr).toMatch(/warning: Gmail allows 500 messages a day; 501 rows are to be sent and 500 are left of today's limit/);
    expect(r.code).toBe(75);
    expect(r.report).toMatchObject({ sent: 500, pending: 1, stopped: { reason: "daily-limit", category: "tempfail" } });
    expect(r.report!.resume).toBe(`mailctl send --resume ${r.journal}`);
    expect(await lab.captures()).toHaveLength(500);
  }, 60_000);

  it("a row whose cc is refused is sent to the rest and reported: exit 69, or 0 with --allow-partial", async () => {
    const lab = await testLab();
    const csv = "key,to,cc,name\np1,a@mailctl.test,unknown@mailctl.test,A\n";
    const r = await batch(lab, batchDir(), csv);
    expect(r.code).toBe(69);
    expect(r.report).toMatchObject({ sent: 1, partial: 1, partialRows: [{ key: "p1", rejected: [{ address: "unknown@mailctl.test" }] }] });
    const again = await batch(lab, batchDir(), csv, ["--allow-partial"]);
    expect(again.code).toBe(0);
  });

  it("a connection lost after the message was sent leaves the row in doubt (at most once), exit 74 (data-unconfirmed)", async () => {
    const lab = await testLab({ persona: "drop-data" });
    const r = await batch(lab, batchDir(), keyedCsv(2), ["--concurrency", "1"]);
    expect(r.code).toBe(74);
    expect(r.report).toMatchObject({ sent: 0, inDoubt: 2, dead: 0 });
    expect(r.report!.doubtRows.map((d) => d.key)).toEqual(["k1", "k2"]);
    expect(r.report!.resume).toBe(`mailctl send --resume ${r.journal}`);
  });

  it("drops a torn last journal line on resume, with a warning, and sends nothing twice", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const first = await batch(lab, dir, keyedCsv(3));
    appendFileSync(first.journal, '{"k":"k9","n":9,"s":"sen');
    const r = await runCli(["send", "--resume", first.journal, "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dropped a torn last line/);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: 3, sentNow: 0 });
    expect(await lab.captures()).toHaveLength(3);
  });

  it("refuses a journal that belongs to another batch (exit 64); --resume finishes that batch", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const first = await batch(lab, dir, keyedCsv(2));
    appendFileSync(join(dir, "rows.csv"), "k3,r3@mailctl.test,Reader 3\n");
    put(dir, "t.txt", TEMPLATE.replace("Hello", "Hi"));
    const refused = await batch(lab, dir, "");
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/belongs to another batch/);
    const resumed = await runCli(["send", "--resume", first.journal, "--json"]);
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout) as BatchReport;
    expect(report).toMatchObject({ rows: 3, sent: 3, sentNow: 1, batchId: first.report!.batchId });
    const caps = await captured(lab);
    expect(caps.find((c) => c.key === "k3")!.messageId).toBe(`<${first.report!.batchId}.k3@mailctl.test>`);
  });
});

describe("send --batch refuses bad input before anything is sent", () => {
  const cases: [string, (dir: string) => string[], number, RegExp][] = [
    ["no to column", (d) => ["--batch", put(d, "rows.csv", "email,name\na@mailctl.test,A\n")], 65, /rows\.csv: no "to" column \(the header row names "email", "name"\)/],
    ["a bad address, named by line", (d) => ["--batch", put(d, "rows.csv", "key,to,name\nx,a@mailctl.test,A\ny,not-an-address,B\n")], 65, /rows\.csv line 3: to: invalid address "not-an-address"/],
    ["a missing template variable, named by line", (d) => ["--batch", put(d, "rows.csv", "to\na@mailctl.test\n")], 65, /rows\.csv line 2 \(template .*t\.txt\): missing template variables? \{\{(key|name)\}\}/],
    ["two rows with the same key", (d) => ["--batch", put(d, "rows.csv", "key,to,name\nx,a@mailctl.test,A\ny,b@mailctl.test,B\nx,c@mailctl.test,C\n")], 65, /rows\.csv lines 2 and 4 have the same key "x"/],
    ["a row with too few fields", (d) => ["--batch", put(d, "rows.csv", "key,to,name\nx,a@mailctl.test\n")], 65, /rows\.csv line 2: 2 fields, but the header has 3/],
    ["a missing batch file", (d) => ["--batch", join(d, "nope.csv")], 66, /nope\.csv: no such file/],
    ["a file of another format", (d) => ["--batch", put(d, "rows.xlsx", "")], 65, /unknown format/],
  ];
  for (const [what, args, code, message] of cases) {
    it(`${what} → exit ${code}, nothing sent, no journal`, async () => {
      const lab = await testLab();
      const dir = batchDir();
      const r = await runCli(["send", ...args(dir), "--template", put(dir, "t.txt", TEMPLATE), ...plain(lab)]);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
      expect(await lab.captures()).toHaveLength(0);
      expect(existsSync(join(dir, "rows.csv.journal"))).toBe(false);
    });
  }

  it("flags that do not fit a batch are usage errors (64)", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const rows = put(dir, "rows.csv", keyedCsv(1));
    const t = put(dir, "t.txt", TEMPLATE);
    expect((await runCli(["send", "--batch", rows, ...plain(lab)])).stderr).toMatch(/--batch needs --template/);
    const withTo = await runCli(["send", "--batch", rows, "--template", t, "--to", "x@mailctl.test", ...plain(lab)]);
    expect([withTo.code, withTo.stderr]).toEqual([64, expect.stringMatching(/--to cannot be used with --batch/)]);
    const single = await runCli(["send", "--to", "x@mailctl.test", "-s", "x", "--text", "x", "--concurrency", "3", ...plain(lab)]);
    expect([single.code, single.stderr]).toEqual([64, expect.stringMatching(/--concurrency only apply to --batch/)]);
  });
});
