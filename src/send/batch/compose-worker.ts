// The compose thread (see composer.ts): fills each row's template, checks it, and builds its message with
// nodemailer, in memory; the bytes of a group of rows go back to the main thread in one transferred buffer.
import { parentPort, workerData } from "node:worker_threads";
import { MailctlError } from "../../errors.js";
import type { BuiltRow } from "./composer.js";
import { buildRow, loadComposer, prepareRow, type BatchSettings } from "./row-message.js";
import type { BatchRow } from "./rows.js";

const settings = (workerData as { settings: BatchSettings }).settings;
const composer = await loadComposer();

parentPort!.on("message", (json: string) => {
  void build(JSON.parse(json) as { seq: number; row: BatchRow }[]).then((out) => parentPort!.postMessage(out, [out.bytes]));
});

async function build(rows: { seq: number; row: BatchRow }[]): Promise<{ rows: string; bytes: ArrayBuffer }> {
  const built: BuiltRow[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const { seq, row } of rows) {
    try {
      const p = prepareRow(row, settings);
      if (p.attach.length || settings.attachments.length) {
        built.push({ seq, stream: true });
        continue;
      }
      const { data, ...facts } = await buildRow(p, p.input, composer);
      const bytes = data() as Buffer;
      parts.push(bytes);
      built.push({ seq, msg: { ...facts, offset } });
      offset += bytes.length;
    } catch (err) {
      if (!(err instanceof MailctlError)) throw err;
      built.push({ seq, error: { category: err.category, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
    }
  }
  // A fresh buffer (not Node's shared pool) so it can be transferred rather than copied.
  const bytes = new Uint8Array(new ArrayBuffer(offset));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { rows: JSON.stringify(built), bytes: bytes.buffer };
}
