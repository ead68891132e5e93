import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";

/**
 * Writes a file so that a reader sees either the old content or the whole new one, never half: a temporary file
 * beside it, fsync, then rename over it (rename is atomic within a directory, POSIX). The mode is set explicitly
 * because open()'s is filtered by the umask; 0600 for anything holding a secret.
 */
export async function writeFileAtomic(file: string, content: string | Buffer, opts: { mode: number; dirMode?: number }): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: opts.dirMode ?? 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fh = await open(tmp, "wx", opts.mode);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, opts.mode);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** fsync of a directory makes a rename or a new name in it durable (POSIX); Windows cannot open directories, and needs no such step. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL") throw err;
  } finally {
    await fh?.close();
  }
}

/** Writes the whole buffer: one write() may take only part of it. */
export async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
}

/** True while a process with this pid exists (signal 0 only checks; EPERM means it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
