// An Io for running commands in-process: captured stdout/stderr, chosen env and TTY flags.
import { PassThrough, Writable } from "node:stream";
import type { Ctx } from "../../src/commands/command.js";
import type { Io } from "../../src/io.js";
import { Ui } from "../../src/ui/ui.js";

/** A writable that keeps what was written. */
export class Capture extends Writable {
  text = "";
  isTTY = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString("utf8");
    cb();
  }
}

/** An Io with captured output; not a terminal unless `tty`. */
export function fakeIo(env: NodeJS.ProcessEnv = {}, tty = false): Io & { stdout: Capture; stderr: Capture } {
  const stdout = new Capture();
  const stderr = new Capture();
  stdout.isTTY = stderr.isTTY = tty;
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  return { stdout, stderr, stdin, env };
}

/** A command context in `cwd` with captured output. */
export function fakeCtx(cwd: string, env: NodeJS.ProcessEnv = {}, json = false): Ctx & { io: ReturnType<typeof fakeIo> } {
  const io = fakeIo(env);
  return { ui: new Ui(io, json), io, cwd };
}
