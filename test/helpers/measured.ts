// Runs the built CLI as a child process and measures what a hostile input may not take: its peak resident memory
// (VmHWM, polled from /proc while it runs) and its wall time.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { BIN } from "./cli.js";

/** How a measured run ended. */
export interface MeasuredRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Highest VmHWM seen, in MB. */
  peakRssMb: number;
  ms: number;
}

function vmHwmKb(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs `mailctl <args>`; the process is killed after `killAfterMs` (the result then shows the signal). */
export function runMeasured(args: string[], opts: { env?: Record<string, string>; stdin?: string; cwd?: string; killAfterMs?: number } = {}): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    let stdout = "";
    let stderr = "";
    let peakKb = 0;
    const poll = setInterval(() => (peakKb = Math.max(peakKb, vmHwmKb(child.pid!))), 20);
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const killer = setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs ?? 30_000);
    child.on("error", reject);
    child.on("exit", () => (peakKb = Math.max(peakKb, vmHwmKb(child.pid!))));
    child.on("close", (code, signal) => {
      clearInterval(poll);
      clearTimeout(killer);
      resolve({ code: code ?? -1, signal, stdout, stderr, peakRssMb: Math.round(peakKb / 102.4) / 10, ms: Math.round(performance.now() - started) });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.stdin ?? "");
  });
}
