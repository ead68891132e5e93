// Reading the files a user names (bodies, templates, variables, config files, CA files, token files) and stdin,
// bounded: each kind has a size limit checked while reading, a device (/dev/zero, a terminal) is refused, and a
// named pipe is read with an idle timeout, so no input can exhaust memory or block mailctl for ever.

import { constants, open as openFd, type Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import net from "node:net";
import { dataError, MailctlError, noInputError } from "../errors.js";

const MiB = 1024 * 1024;

/** The most mailctl reads of each kind of input: far above any real file of that kind, far below what exhausts memory. */
export const INPUT_LIMITS = {
  /** A message body (--text-file, --html-file, stdin): the size of the default attachment limit. */
  body: 25 * MiB,
  template: 10 * MiB,
  vars: 10 * MiB,
  /** mailctl's own config files and the app configs --from-config reads. */
  config: 1 * MiB,
  ca: 1 * MiB,
  /** An error text for explain: a log excerpt, not a whole log. */
  explain: 1 * MiB,
  tokenFile: 1 * MiB,
  /** One row of a batch file (a CSV record or a JSONL line). */
  batchRow: 1 * MiB,
} as const;

/** How long a named pipe may stay silent before mailctl stops waiting for it. */
export const PIPE_IDLE_MS = 10_000;

/** "25 MiB", "512 KiB". */
export function formatLimit(bytes: number): string {
  return bytes >= MiB ? `${bytes / MiB} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

function tooBig(label: string, max: number, what: string): MailctlError {
  return dataError(`${label}: larger than ${formatLimit(max)}, the limit for ${what}; nothing was sent`);
}

/** Why a path cannot be read as an input file, or null for a regular file or a pipe. */
function notAFile(st: Stats): string | null {
  if (st.isFile() || st.isFIFO()) return null;
  if (st.isDirectory()) return "is a directory";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "is a device, not a file (mailctl reads only files and pipes)";
  if (st.isSocket()) return "is a socket, not a file";
  return "is not a regular file";
}

/** Checks a path before it is opened: a file or a pipe, else exit 66 naming it. */
export async function statInput(file: string, label: string): Promise<Stats> {
  let st: Stats;
  try {
    st = await stat(file);
  } catch (err) {
    throw noInputError(label, err as NodeJS.ErrnoException);
  }
  const why = notAFile(st);
  if (why) throw new MailctlError("noinput", `${label}: ${why}`);
  return st;
}

/**
 * Reads a whole input file as UTF-8: at most `max` bytes (more is exit 65 naming the file and the limit), a
 * device refused (66), a named pipe read without blocking, given up on after PIPE_IDLE_MS without data (66).
 * `what` names the kind in messages ("a template").
 */
export async function readInput(file: string, o: { label: string; max: number; what: string }): Promise<string> {
  const st = await statInput(file, o.label);
  const bytes = st.isFIFO() ? await readPipe(file, o) : await readRegular(file, o);
  return bytes.toString("utf8");
}

async function readRegular(file: string, o: { label: string; max: number; what: string }): Promise<Buffer> {
  let fh;
  try {
    fh = await open(file, "r");
  } catch (err) {
    throw noInputError(o.label, err as NodeJS.ErrnoException);
  }
  try {
    // Read up to one byte past the limit: a file that grows while it is read (or reports no size, like /proc) is still bounded.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 * MiB, o.max + 1 - total));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      chunks.push(buf.subarray(0, bytesRead));
      if (total > o.max) throw tooBig(o.label, o.max, o.what);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof MailctlError) throw err;
    throw noInputError(o.label, err as NodeJS.ErrnoException);
  } finally {
    await fh.close();
  }
}

/**
 * A named pipe (mkfifo, or a shell's <(…)): opened non-blocking, since opening one with no writer blocks until a
 * writer comes, and read as a socket, which ends when the writer closes it.
 */
async function readPipe(file: string, o: { label: string; max: number; what: string }): Promise<Buffer> {
  // A plain descriptor, not a FileHandle: the socket owns it and closes it.
  const fd = await new Promise<number>((resolve, reject) =>
    openFd(file, constants.O_RDONLY | constants.O_NONBLOCK, (err, fd) => (err ? reject(noInputError(o.label, err)) : resolve(fd))),
  );
  const pipe = new net.Socket({ fd, readable: true, writable: false });
  return readStream(pipe, { ...o, idleMs: PIPE_IDLE_MS });
}

/** Reads all of stdin as UTF-8, bounded like a file of that kind (stdin from /dev/zero is an error, not a crash). */
export async function readStdin(stdin: NodeJS.ReadableStream, o: { max: number; what: string }): Promise<string> {
  return (await readStream(stdin, { label: "stdin", ...o })).toString("utf8");
}

/**
 * Reads a stream (stdin, a pipe) to its end: at most `max` bytes, and — with `idleMs` — giving up when nothing
 * arrives for that long. The stream is destroyed when reading stops early.
 */
export function readStream(stream: NodeJS.ReadableStream, o: { label: string; max: number; what: string; idleMs?: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      if (!o.idleMs) return;
      clearTimeout(idle);
      idle = setTimeout(() => stop(new MailctlError("noinput", `${o.label}: a pipe with nothing written to it for ${o.idleMs! / 1000} s (is anything writing to it?)`)), o.idleMs);
    };
    const stop = (err: Error | null) => {
      clearTimeout(idle);
      stream.off("data", onData).off("end", onEnd).off("error", onError);
      if (!err) return resolve(Buffer.concat(chunks, total));
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      reject(err);
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === "string" ? Buffer.from(c) : c;
      total += b.length;
      if (total > o.max) return stop(tooBig(o.label, o.max, o.what));
      chunks.push(b);
      arm();
    };
    const onEnd = () => stop(null);
    const onError = (err: NodeJS.ErrnoException) => stop(noInputError(o.label, err));
    stream.on("data", onData).once("end", onEnd).once("error", onError);
    arm();
  });
}
