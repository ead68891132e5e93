// Runs mailctl's CLI in-process with captured streams (fast), or as a child process (the real binary).
import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli.js";

/** What one CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A writable that collects text and pretends to be (or not be) a terminal. */
function sink(isTTY: boolean): PassThrough & { isTTY: boolean; text: () => string } {
  const chunks: Buffer[] = [];
  const s = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string };
  s.isTTY = isTTY;
  if (isTTY) Object.assign(s, { columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  s.on("data", (c: Buffer) => chunks.push(c));
  s.text = () => Buffer.concat(chunks).toString("utf8");
  return s;
}

/** Runs `mailctl <args>` in this process. env replaces process.env entirely (plus PATH/HOME), so tests are hermetic. */
export async function runCli(args: string[], opts: { env?: Record<string, string>; tty?: boolean; stdin?: string } = {}): Promise<CliRun> {
  const stdout = sink(Boolean(opts.tty));
  const stderr = sink(Boolean(opts.tty));
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = Boolean(opts.tty);
  stdin.end(opts.stdin ?? "");
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...opts.env };
  const code = await main(["node", "mailctl", ...args], { stdout, stderr, stdin, env });
  await new Promise((r) => setImmediate(r));
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The built executable. */
export const BIN = fileURLToPath(new URL("../../bin/mailctl.js", import.meta.url));

/** Runs the real binary as a child process. */
export function spawnCli(args: string[], opts: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? "");
  });
}
