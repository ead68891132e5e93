import { appendFile, mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/durable.js";
import type { LabAttempt } from "./session-record.js";

/** How much of the journal a reader loads: its newest part, whole lines only. */
const READ_LIMIT = 64 * 1024 * 1024;

/**
 * captures/attempts.jsonl: one line per attempt (accepted or refused) with its session record, and
 * captures/refused/<id>.eml with the first bytes of each message refused after DATA. It is a record for people
 * reading the inbox, not part of the lab's delivery promise, so it is appended without fsync; one writer keeps
 * the lines whole and in order.
 */
export class AttemptJournal {
  readonly path: string;
  readonly refusedDir: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.path = join(dir, "attempts.jsonl");
    this.refusedDir = join(dir, "refused");
  }

  /** Appends an attempt; `head` is stored as its message file (refused after DATA). */
  record(a: LabAttempt, head?: Buffer): Promise<void> {
    return this.serial(async () => {
      if (head && a.message) {
        await mkdir(this.refusedDir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(join(this.dir, a.message.file), head, { mode: 0o600 });
      }
      await appendFile(this.path, JSON.stringify(a) + "\n", { mode: 0o600 });
    });
  }

  /** The attempts on record, oldest first (at most the newest READ_LIMIT bytes of the journal). */
  async entries(): Promise<LabAttempt[]> {
    await this.chain;
    const text = await readTail(this.path, READ_LIMIT);
    const out: LabAttempt[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as LabAttempt);
      } catch {
        // a line cut short by a crash: the record is best effort, the rest stays readable
      }
    }
    return out;
  }

  /** Forgets the attempts with these ids (every one with "all") and removes their message files. */
  remove(ids: ReadonlySet<string> | "all"): Promise<void> {
    return this.serial(async () => {
      const all = await readTail(this.path, Infinity);
      const keep: string[] = [];
      const gone: string[] = [];
      for (const line of all.split("\n")) {
        if (!line.trim()) continue;
        let a: LabAttempt | null = null;
        try {
          a = JSON.parse(line) as LabAttempt;
        } catch {
          a = null;
        }
        if (a && (ids === "all" || ids.has(a.id))) {
          if (a.outcome === "refused" && a.message) gone.push(a.message.file);
        } else if (a) keep.push(line);
      }
      await writeFileAtomic(this.path, keep.length ? keep.join("\n") + "\n" : "", { mode: 0o600 });
      for (const f of gone) await rm(join(this.dir, f), { force: true });
      if (ids === "all") await rm(this.refusedDir, { recursive: true, force: true });
    });
  }

  /** Waits for the writes queued so far. */
  async close(): Promise<void> {
    await this.chain;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => {});
    return p;
  }
}

/** The last `limit` bytes of a file from a line start ("" when it does not exist). */
async function readTail(path: string, limit: number): Promise<string> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
  if (size <= limit) return readFile(path, "utf8");
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(limit);
    await fh.read(buf, 0, limit, size - limit);
    const text = buf.toString("utf8");
    return text.slice(text.indexOf("\n") + 1);
  } finally {
    await fh.close();
  }
}
