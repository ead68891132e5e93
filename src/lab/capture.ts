import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { processAlive, syncDir, writeAll, writeFileAtomic } from "../fs/durable.js";
import type { PortKind } from "./smtp-hooks.js";

/** One line of the capture index (captures/index.jsonl): everything known about an accepted message except its bytes. */
export interface CaptureEntry {
  id: string;
  /** File name of the .eml, relative to the capture dir. */
  file: string;
  /** When the message was accepted (ISO 8601). */
  time: string;
  persona: string;
  port: PortKind;
  remote: string;
  helo: string | null;
  /** Authenticated user, or null. */
  user: string | null;
  tls: { secure: boolean; protocol: string | null; cipher: string | null };
  envelope: { mailFrom: string; rcptTo: string[] };
  /** Message size in bytes, as received (after dot-unstuffing, RFC 5321 §4.5.2). */
  size: number;
}

/** A message the head check refused: what the check returned, the first bytes it judged, and the whole size. */
export interface Refused {
  refused: unknown;
  head: Buffer;
  size: number;
}

/** What the caller knows about a message before its bytes are stored. */
export type CaptureMeta = Omit<CaptureEntry, "id" | "file" | "time" | "size">;

/** The first bytes of a message, enough for header checks. */
const HEAD_LIMIT = 256 * 1024;

/** A check run on the message head once all bytes are on disk, before they are committed; a reason refuses the message. */
export type HeadCheck = (head: Buffer, size: number) => unknown;

const TMP_PREFIX = ".tmp-";

/**
 * The capture directory: each accepted message as an .eml file, and one JSON line per message in index.jsonl.
 * A message is durable before save() resolves (and so before the lab sends 250): temp file, fsync, rename,
 * fsync of the directory, then the index line appended and fsynced. Index lines are written by one writer in
 * batches (group commit), so concurrent messages never interleave within a line.
 */
export class CaptureStore {
  readonly indexPath: string;
  private index: FileHandle | null = null;
  private queue: { line: string; done: (err?: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;
  /** The index write in progress, and a rewrite of the index that new writes wait for. */
  private writing: Promise<void> | null = null;
  private rewriting: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Prefix of this store's temp files: the pid tells a later start which ones belong to a lab that is gone. */
  private readonly tmpPrefix = `${TMP_PREFIX}${process.pid}-${randomBytes(3).toString("hex")}-`;

  constructor(readonly dir: string) {
    this.indexPath = join(dir, "index.jsonl");
  }

  /** Creates the directory and removes temp files a killed lab left behind (they were never acknowledged). */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.sweep((pid) => pid !== process.pid && !processAlive(pid));
    this.index = await open(this.indexPath, "a", 0o600);
  }

  /**
   * Stores one message durably. Returns the index entry, or `{ refused, head, size }` with what `check` returned
   * when the head check refuses the message (nothing is kept then). Rejects when the stream fails (the client went away).
   */
  save(stream: Readable, meta: CaptureMeta, check?: HeadCheck): Promise<CaptureEntry | Refused> {
    const p = this.store(stream, meta, check);
    this.inflight.add(p);
    const forget = () => this.inflight.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Every entry of the index, oldest first. */
  async entries(): Promise<CaptureEntry[]> {
    let text: string;
    try {
      text = await readFile(this.indexPath, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    return text
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as CaptureEntry);
  }

  /**
   * Deletes captures: their .eml files and their index lines (every one with "all"). The index is rewritten
   * atomically while new index lines wait; other labs sharing the directory would lose lines written meanwhile.
   */
  remove(ids: ReadonlySet<string> | "all"): Promise<void> {
    const previous = this.rewriting;
    const run = (async () => {
      await previous?.catch(() => {});
      await this.writing?.catch(() => {});
      const entries = await this.entries();
      const gone = entries.filter((e) => ids === "all" || ids.has(e.id));
      if (!gone.length) return;
      const kept = entries.filter((e) => !gone.includes(e));
      await this.index?.close();
      this.index = null;
      try {
        await writeFileAtomic(this.indexPath, kept.map((e) => JSON.stringify(e) + "\n").join(""), { mode: 0o600 });
        await syncDir(this.dir);
      } finally {
        this.index = await open(this.indexPath, "a", 0o600);
      }
      for (const e of gone) await rm(join(this.dir, e.file), { force: true });
    })();
    this.rewriting = run;
    const clear = () => {
      if (this.rewriting === run) this.rewriting = null;
    };
    run.then(clear, clear);
    return run;
  }

  /** Waits for messages being stored, closes the index and removes temp files of messages that did not finish. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    await this.rewriting?.catch(() => {});
    await this.flushing;
    await this.index?.close();
    this.index = null;
    await this.sweep((_pid, name) => name.startsWith(this.tmpPrefix));
  }

  private async store(stream: Readable, meta: CaptureMeta, check?: HeadCheck): Promise<CaptureEntry | Refused> {
    const now = new Date();
    const id = randomBytes(8).toString("hex");
    const file = `${now.toISOString().replace(/[:.]/g, "-")}-${id}.eml`;
    const tmp = join(this.dir, this.tmpPrefix + id);
    const head: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    const fh = await open(tmp, "wx", 0o600);
    try {
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (headBytes < HEAD_LIMIT) {
            head.push(chunk);
            headBytes += chunk.length;
          }
          size += chunk.length;
          await writeAll(fh, chunk);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      const first = Buffer.concat(head).subarray(0, HEAD_LIMIT);
      const refused = check?.(first, size);
      if (refused) {
        await rm(tmp, { force: true });
        return { refused, head: first, size };
      }
      await rename(tmp, join(this.dir, file));
      await syncDir(this.dir);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    const entry: CaptureEntry = { id, file, time: now.toISOString(), ...meta, size };
    await this.append(JSON.stringify(entry) + "\n");
    return entry;
  }

  private append(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line, done: (err) => (err ? reject(err) : resolve()) });
      this.flushing ??= this.flush();
    });
  }

  /** Writes every queued line in one write and one fsync, until the queue is empty. */
  private async flush(): Promise<void> {
    while (this.queue.length) {
      while (this.rewriting) await this.rewriting.catch(() => {});
      const batch = this.queue.splice(0);
      this.writing = (async () => {
        if (!this.index) throw new Error("the capture index is closed");
        await writeAll(this.index, Buffer.from(batch.map((b) => b.line).join(""), "utf8"));
        await this.index.sync();
      })();
      try {
        await this.writing;
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err as Error);
      }
      this.writing = null;
    }
    this.flushing = null;
  }

  /** Removes the temp files `whose` picks (two labs may share a dir, so each removes only its own or a dead one's). */
  private async sweep(whose: (pid: number, name: string) => boolean): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (!name.startsWith(TMP_PREFIX)) continue;
      const pid = Number(name.slice(TMP_PREFIX.length).split("-")[0]);
      if (!Number.isInteger(pid) || whose(pid, name)) await rm(join(this.dir, name), { force: true });
    }
  }
}
