import { createReadStream } from "node:fs";
import { open, rm, truncate, readFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { dataError, MailctlError, noInputError } from "../../errors.js";
import { processAlive, syncDir } from "../../fs/durable.js";
import { statInput } from "../../fs/read-input.js";
import { JournalIndex, type RowRecord } from "./journal-index.js";

export { JournalIndex, ROW_STATES, type RowRecord, type RowState, type RowInfo, type RowNote } from "./journal-index.js";

/** The first line of a journal: the batch it belongs to and how it was started (what --resume repeats). */
export interface JournalHeader {
  journal: "mailctl-batch";
  version: 1;
  /** The batch id (README "send --batch": how it is derived); the left part of every Message-ID. */
  batch: string;
  created: string;
  /** Absolute paths of the batch file and the template. */
  file: string;
  template: string;
  /** send's options as given, paths made absolute, no secret among them (passwords never come from flags). */
  options: Record<string, unknown>;
}

/** A batch-level event: a run starting, the pool pausing, the batch stopping, a run ending. */
export interface EventRecord {
  e: "run" | "pause" | "stop" | "end";
  t: string;
  [field: string]: unknown;
}

/** What opening an existing journal found. */
export interface Replayed {
  header: JournalHeader;
  index: JournalIndex;
  /** Bytes of a torn last line (a write cut short by a crash) that were dropped; 0 when the journal was whole. */
  tornBytes: number;
  /** The file's size as found. */
  size: number;
}

/**
 * The outbox journal: an append-only JSON-lines log of row state changes. Group commit: records appended while a
 * write is under way are collected and written together with one write and one fdatasync, and each append()
 * resolves only once its record is on disk — so a caller that waits for "sending" before MAIL FROM can prove
 * that no message went out without a record of it. A lock file keeps a second mailctl off the same journal.
 */
export class Journal {
  private queue: string[] = [];
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private failed: Error | null = null;
  /** Records written, for the report. */
  written = 0;

  private constructor(
    readonly path: string,
    private fh: FileHandle | null,
    readonly header: JournalHeader,
    /** Bytes on disk and acknowledged: a group whose write fails is cut back to this, so no record of it survives unacknowledged. */
    private size: number,
  ) {}

  /** Starts a new journal (the file must not exist): the header is durable, and so is the file's name in its directory. */
  static async create(path: string, header: JournalHeader): Promise<Journal> {
    await lock(path);
    let fh: FileHandle;
    const line = JSON.stringify(header) + "\n";
    try {
      fh = await open(path, "wx", 0o600);
      await fh.write(line);
      await fh.datasync();
      await syncDir(dirname(path));
    } catch (err) {
      await unlock(path);
      throw journalIoError(path, err);
    }
    return new Journal(path, fh, header, Buffer.byteLength(line));
  }

  /**
   * Opens an existing journal to go on with it: replays it, drops a torn last line, and appends after it. A file
   * without one complete line is a journal whose creation a crash cut short (nothing was sent): it starts over
   * with `fresh`.
   */
  static async resume(path: string, fresh: JournalHeader): Promise<{ journal: Journal } & Replayed> {
    await regularFile(path, path);
    await lock(path);
    try {
      const replayed = await replay(path, fresh);
      if (replayed.tornBytes) await truncate(path, replayed.size - replayed.tornBytes);
      const fh = await open(path, "a", 0o600);
      let size = replayed.size - replayed.tornBytes;
      if (replayed.size === replayed.tornBytes) {
        const line = JSON.stringify(fresh) + "\n";
        await fh.write(line);
        await fh.datasync();
        size += Buffer.byteLength(line);
      }
      return { journal: new Journal(path, fh, replayed.header, size), ...replayed };
    } catch (err) {
      await unlock(path);
      throw err instanceof MailctlError ? err : journalIoError(path, err);
    }
  }

  /** Appends a record; resolves once it is durable (written and fdatasync'ed together with its group). */
  append(rec: RowRecord | EventRecord): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    this.queue.push(JSON.stringify(rec) + "\n");
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Waits until every record appended so far is durable. */
  async settle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Flushes what is queued, closes the file and releases the lock. */
  async close(): Promise<void> {
    await this.settle();
    await this.fh?.close();
    this.fh = null;
    await unlock(this.path);
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const lines = this.queue.splice(0);
      const waiters = this.waiters.splice(0);
      try {
        if (!this.fh) throw new Error("the journal is closed");
        const buf = Buffer.from(lines.join(""), "utf8");
        let off = 0;
        while (off < buf.length) off += (await this.fh.write(buf, off, buf.length - off)).bytesWritten;
        // fdatasync: an append changes the size, which fdatasync flushes too (POSIX "data integrity").
        await this.fh.datasync();
        this.size += buf.length;
        this.written += lines.length;
        for (const w of waiters) w.resolve();
      } catch (err) {
        // A full disk can take part of a group: cut the file back (truncating needs no space), so that the records of
        // this failed group — none acknowledged — leave no row marked on disk that the run does not know about.
        await this.fh?.truncate(this.size).catch(() => {});
        this.failed = journalIoError(this.path, err);
        for (const w of waiters) w.reject(this.failed);
        for (const w of this.waiters.splice(0)) w.reject(this.failed);
        this.queue = [];
      }
    }
    this.flushing = null;
  }
}

/**
 * Rebuilds each row's last state from a journal. The last line may be torn (a crash in the middle of a write):
 * it was never acknowledged, so nothing was sent on its account, and it is dropped. Any other bad line means the
 * file is not what mailctl wrote (exit 65, naming the line). `fresh` is the header assumed for a file without
 * one complete line.
 */
export async function replay(path: string, fresh?: JournalHeader): Promise<Replayed> {
  const { size, complete } = await completeBytes(path);
  const index = new JournalIndex();
  let header: JournalHeader | null = null;
  let n = 0;
  if (complete > 0) {
    const lines = createInterface({ input: createReadStream(path, { encoding: "utf8", end: complete - 1 }), crlfDelay: Infinity });
    try {
      for await (const text of lines) {
        n++;
        if (!text) continue;
        let rec: unknown;
        try {
          rec = JSON.parse(text);
        } catch {
          throw dataError(`${path} line ${n}: not a journal record (the file was changed by something other than mailctl)`);
        }
        if (!header) {
          const h = rec as JournalHeader;
          if (h?.journal !== "mailctl-batch" || h.version !== 1) throw dataError(`${path} is not a mailctl batch journal`);
          header = h;
        } else if (typeof (rec as RowRecord).k === "string") index.apply(rec as RowRecord);
      }
    } catch (err) {
      if (err instanceof MailctlError) throw err;
      throw noInputError(path, err as NodeJS.ErrnoException);
    }
  }
  header ??= fresh ?? null;
  if (!header) throw dataError(`${path} is not a mailctl batch journal (no header line)`);
  return { header, index, tornBytes: size - complete, size };
}

/** Reads just the header of a journal (for --resume, before anything else). */
export async function readHeader(path: string): Promise<JournalHeader> {
  await regularFile(path, `--resume ${path}`);
  let text: string;
  try {
    const fh = await open(path, "r");
    try {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      text = buf.subarray(0, bytesRead).toString("utf8");
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw noInputError(`--resume ${path}`, err as NodeJS.ErrnoException);
  }
  const first = text.split("\n")[0] ?? "";
  try {
    const h = JSON.parse(first) as JournalHeader;
    if (h?.journal === "mailctl-batch" && h.version === 1) return h;
  } catch {
    /* reported below */
  }
  throw dataError(`${path} is not a mailctl batch journal`);
}

/** The file's size, and how many bytes up to and including its last line break (the complete lines). */
async function completeBytes(path: string): Promise<{ size: number; complete: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (err) {
    throw noInputError(path, err as NodeJS.ErrnoException);
  }
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - buf.length);
      const { bytesRead } = await fh.read(buf, 0, end - start, start);
      const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) return { size, complete: start + nl + 1 };
      end = start;
    }
    return { size, complete: 0 };
  } finally {
    await fh.close();
  }
}

/** A journal is a file mailctl wrote: a pipe or a device in its place is refused before it is opened (opening a pipe would block). */
async function regularFile(path: string, label: string): Promise<void> {
  if (!(await statInput(path, label)).isFile()) throw new MailctlError("noinput", `${label}: is a pipe, not a journal file`);
}

/** The lock file beside a journal: its pid; a lock whose process is gone (a crash, a SIGKILL) is taken over. */
async function lock(path: string): Promise<void> {
  const file = `${path}.lock`;
  for (let i = 0; i < 3; i++) {
    try {
      const fh = await open(file, "wx", 0o600);
      await fh.write(String(process.pid));
      await fh.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw journalIoError(file, err);
    }
    const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new MailctlError("tempfail", `another mailctl (pid ${pid}) is sending this batch: ${path}`, "Wait for it to finish, or stop it first.");
    }
    await rm(file, { force: true });
  }
  throw new MailctlError("tempfail", `cannot lock ${path}: ${file} keeps coming back`);
}

async function unlock(path: string): Promise<void> {
  await rm(`${path}.lock`, { force: true });
}

function journalIoError(path: string, err: unknown): MailctlError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "EEXIST") return new MailctlError("usage", `${path} already exists`, "Pass --resume to go on with that batch, or --journal <new file>.");
  if (e.code === "ENOENT" || e.code === "EACCES") return noInputError(path, e);
  if (e.code === "ENOSPC" || e.code === "EDQUOT") return new MailctlError("ioerr", `journal ${path}: the disk holding ${dirname(path)} is full (${e.code}); the batch stopped at once`);
  if (e.code === "EROFS" || e.code === "EIO") return new MailctlError("ioerr", `journal ${path}: the disk holding ${dirname(path)} cannot be written (${e.code}); the batch stopped at once`);
  return new MailctlError("ioerr", `journal ${path}: ${e.message}`);
}
