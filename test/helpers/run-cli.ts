// Runs the built CLI (bin/mailctl.js) as a user would, in a chosen directory with a chosen environment.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Path of the executable. */
export const BIN = fileURLToPath(new URL("../../bin/mailctl.js", import.meta.url));

/** What a run printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mailctl <args>`; the environment is exactly `env` plus PATH (no HOME leaks in from the test runner). */
export function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: opts.cwd, env: { PATH: process.env.PATH, NO_COLOR: "1", ...opts.env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
