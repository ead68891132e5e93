import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { MailctlError } from "../../errors.js";
import type { Category } from "../../exit-codes.js";
import { buildRow, loadComposer, prepareRow, rowAttachments, type BatchSettings, type RowMessage } from "./row-message.js";
import type { BatchRow } from "./rows.js";

/** Builds each row's message (template, checks, MIME); the pipeline holds a bounded number of these promises. */
export interface RowComposer {
  build(row: BatchRow): Promise<RowMessage>;
  close(): Promise<void>;
}

/** A built message as it crosses from the compose thread: its facts, and its bytes as a range of a shared buffer. */
export interface BuiltRow {
  seq: number;
  msg?: Omit<RowMessage, "data"> & { offset: number };
  /** The row needs its attachments streamed from disk: the main thread builds it. */
  stream?: true;
  error?: { category: Category; message: string; hint?: string };
}

/** Builds on this thread: for small batches, and where the compiled worker script is not at hand (tests run the sources). */
export async function inlineComposer(settings: BatchSettings): Promise<RowComposer> {
  const c = await loadComposer();
  return {
    build: async (row) => {
      const p = prepareRow(row, settings);
      return buildRow(p, await rowAttachments(p, settings), c);
    },
    close: async () => {},
  };
}

/** Rows sent to the compose thread per message: enough to make the hand-over cheap, few enough to keep latency low. */
const GROUP = 64;
/** …and no more than about this many bytes of built messages per group. */
const GROUP_BYTES = 1024 * 1024;

/**
 * Builds on a worker thread: filling the template, checking the row and running nodemailer's MIME code cost more
 * than everything else per row, so on a machine with a second core they run beside the main thread, which
 * reads rows, keeps the journal and talks SMTP. Rows are handed over in groups; the built messages come back
 * packed in one transferred buffer per group. A row with attachments is built on the main thread, streamed.
 */
export async function threadComposer(settings: BatchSettings, script: URL): Promise<RowComposer> {
  const { Worker } = await import("node:worker_threads");
  // It keeps nothing between groups (of at most about 1 MB): bounded generations keep its memory flat over 100,000
  // messages, where V8 would otherwise let the garbage of each grow the heap.
  const worker: Worker = new Worker(script, { workerData: { settings }, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } });
  worker.unref();
  const inline = await inlineComposer(settings);
  const waiting = new Map<number, { row: BatchRow; resolve: (m: RowMessage) => void; reject: (e: Error) => void }>();
  let outbox: { seq: number; row: BatchRow }[] = [];
  const group = Math.max(1, Math.min(GROUP, Math.floor(GROUP_BYTES / (settings.template.body.length * 1.4 + 2048))));
  let seq = 0;
  let failed: Error | null = null;
  const fail = (err: Error) => {
    failed = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => code !== 0 && fail(new Error(`the compose thread stopped (exit ${code})`)));
  worker.on("message", (m: { rows: string; bytes: ArrayBuffer }) => {
    const all = Buffer.from(m.bytes);
    for (const b of JSON.parse(m.rows) as BuiltRow[]) {
      const w = waiting.get(b.seq);
      if (!w) continue;
      waiting.delete(b.seq);
      if (b.error) w.reject(new MailctlError(b.error.category, b.error.message, b.error.hint));
      else if (b.stream) inline.build(w.row).then(w.resolve, w.reject);
      else {
        const { offset, ...facts } = b.msg!;
        const bytes = all.subarray(offset, offset + facts.size);
        w.resolve({ ...facts, data: () => bytes });
      }
    }
  });
  const flush = () => {
    if (outbox.length === 0) return;
    // One JSON string crosses far cheaper than the same rows as objects (structured clone walks each one).
    worker.postMessage(JSON.stringify(outbox));
    outbox = [];
  };
  return {
    build(row) {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        const n = seq++;
        waiting.set(n, { row, resolve, reject });
        outbox.push({ seq: n, row });
        if (outbox.length >= group) flush();
        else if (outbox.length === 1) setImmediate(flush);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** The compiled compose thread script, when mailctl runs from its build (dist/). */
export function composeScript(): URL | null {
  const url = new URL("./compose-worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** A thread for a batch big enough to repay starting one (about 40 ms) on a machine with a core to spare. */
export async function makeComposer(settings: BatchSettings, rowsToSend: number): Promise<RowComposer> {
  const { availableParallelism } = await import("node:os");
  const script = composeScript();
  if (script && rowsToSend >= 200 && availableParallelism() > 1) return threadComposer(settings, script);
  return inlineComposer(settings);
}
