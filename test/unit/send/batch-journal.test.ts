import { afterEach, describe, expect, it } from "vitest";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { spawnSync } from "node:child_process";
import os from "node:os";
import { join } from "node:path";
import { Journal, JournalIndex, replay, type JournalHeader, type RowRecord } from "../../../src/send/batch/journal.js";

const header: JournalHeader = { journal: "mailctl-batch", version: 1, batch: "0123456789abcdef", created: "2024-01-01T00:00:00Z", file: "/x/rows.csv", template: "/x/t.txt", options: {} };
const rec = (k: string, s: RowRecord["s"], a = 1, extra: Partial<RowRecord> = {}): RowRecord => ({ k, n: 2, s, a, t: "2024-01-01T10:00:00.000Z", ...extra });

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(os.tmpdir(), "mailctl-journal-"));
  dirs.push(d);
  return join(d, "rows.csv.journal");
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("the outbox journal", () => {
  it("writes concurrent appends in order, every one durable when its promise resolves, in fewer writes than records", async () => {
    const path = await tmp();
    const j = await Journal.create(path, header);
    const appends = Array.from({ length: 200 }, (_, i) => j.append(rec(`r${i}`, "sending")));
    await Promise.all(appends);
    const lines = (await readFile(path, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(201);
    expect(lines.slice(1).map((l) => (JSON.parse(l) as RowRecord).k)).toEqual(Array.from({ length: 200 }, (_, i) => `r${i}`));
    expect(j.written).toBe(200);
    await j.close();
  });

  it("replays each row's last state: attempts, counted attempts, due time, and notes for dead and in-doubt rows", async () => {
    const path = await tmp();
    const j = await Journal.create(path, header);
    for (const r of [
      rec("a", "sending"),
      rec("a", "retry-wait", 1, { due: "2024-01-01T10:05:00.000Z", r: "450 greylisted" }),
      rec("a", "sending", 2),
      rec("a", "sent", 2, { r: "250 ok" }),
      rec("b", "sending"),
      rec("b", "retry-wait", 1, { due: "2024-01-01T10:01:00.000Z", pool: true }),
      rec("c", "sending"),
      rec("c", "dead", 1, { r: "550 5.1.1 unknown", d: "recipient-rejected" }),
      rec("d", "sending", 1, { doubt: "lost after the final dot" }),
    ]) await j.append(r);
    await j.close();
    const { index, tornBytes } = await replay(path);
    expect(tornBytes).toBe(0);
    expect(index.get("a")).toEqual({ state: "sent", attempts: 2, counted: 1 });
    expect(index.get("b")).toEqual({ state: "retry-wait", attempts: 1, counted: 0 }); // a pool wait is not counted
    expect(index.dueAt("b")).toBe(Date.parse("2024-01-01T10:01:00.000Z"));
    expect(index.get("c")).toEqual({ state: "dead", attempts: 1, counted: 1 });
    expect(index.notes.get("c")).toEqual({ line: 2, reply: "550 5.1.1 unknown", diagnosis: "recipient-rejected" });
    expect(index.notes.get("d")).toEqual({ line: 2, doubt: "lost after the final dot" });
    expect(index.get("never")).toEqual({ state: "pending", attempts: 0, counted: 0 });
    expect(index.sentInDay(Date.parse("2024-01-01T12:00:00Z"))).toBe(1);
    expect(index.sentInDay(Date.parse("2024-01-03T12:00:00Z"))).toBe(0);
  });

  it("drops a torn last line left by a crash, and appends the next record on a clean line", async () => {
    const path = await tmp();
    const j = await Journal.create(path, header);
    await j.append(rec("a", "sending"));
    await j.close();
    const torn = JSON.stringify(rec("a", "sent")).slice(0, 25);
    await appendFile(path, torn);
    const r1 = await replay(path);
    expect(r1.tornBytes).toBe(Buffer.byteLength(torn));
    expect(r1.index.get("a").state).toBe("sending"); // the torn "sent" was never acknowledged
    const { journal, index } = await Journal.resume(path, header);
    expect(index.get("a").state).toBe("sending");
    await journal.append(rec("a", "sending", 2));
    await journal.close();
    const text = await readFile(path, "utf8");
    expect(text).not.toContain(torn);
    expect((await replay(path)).index.get("a")).toMatchObject({ state: "sending", attempts: 2 });
  });

  it("a torn line with a multi-byte character is cut at the right byte", async () => {
    const path = await tmp();
    const j = await Journal.create(path, header);
    await j.close();
    await appendFile(path, Buffer.from('{"k":"zoë-日本', "utf8").subarray(0, 12));
    const { journal } = await Journal.resume(path, header);
    await journal.append(rec("zoë", "sending"));
    await journal.close();
    expect((await replay(path)).index.get("zoë").state).toBe("sending");
  });

  it("starts over a journal whose creation a crash cut short (no complete line: nothing was sent)", async () => {
    const path = await tmp();
    await writeFile(path, '{"journal":"mailctl-ba');
    const { journal, header: h } = await Journal.resume(path, header);
    await journal.close();
    expect(h.batch).toBe(header.batch);
    expect((await readFile(path, "utf8")).split("\n")[0]).toBe(JSON.stringify(header));
  });

  it("refuses a journal with a bad line in the middle (exit 65, naming the line), and a file that is not a journal", async () => {
    const path = await tmp();
    await writeFile(path, [JSON.stringify(header), "garbage", JSON.stringify(rec("a", "sent")), ""].join("\n"));
    await expect(replay(path)).rejects.toMatchObject({ category: "data", message: expect.stringContaining("line 2") });
    await writeFile(path, '{"hello":1}\n');
    await expect(replay(path)).rejects.toMatchObject({ category: "data", message: expect.stringContaining("not a mailctl batch journal") });
  });

  it("keeps a second mailctl off a journal in use (exit 75), and takes over the lock of a process that is gone", async () => {
    const path = await tmp();
    const j = await Journal.create(path, header);
    await writeFile(`${path}.lock`, String(process.ppid)); // a live process other than this one
    await expect(Journal.resume(path, header)).rejects.toMatchObject({ category: "tempfail", message: expect.stringContaining("another mailctl") });
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    await writeFile(`${path}.lock`, gone);
    const again = await Journal.resume(path, header);
    expect(await readFile(`${path}.lock`, "utf8")).toBe(String(process.pid));
    await again.journal.close();
    await j.close().catch(() => {});
  });
});

describe("the journal index", () => {
  it("applies records as they are appended, the same way replay does", () => {
    const index = new JournalIndex();
    index.apply(rec("k", "sending"));
    expect(index.get("k").state).toBe("sending");
    index.apply(rec("k", "sent", 1, { rejected: [{ address: "x@y", reply: "550 no" }] }));
    expect(index.notes.get("k")?.rejected).toHaveLength(1);
    index.apply(rec("k", "sending", 2));
    expect(index.notes.has("k")).toBe(false);
  });
});
