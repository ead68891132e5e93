// Shared by the bench scripts (run.mjs skips files that start with "_"): timing a child process, medians, tool
// look-ups that say how to install what is missing (never installing anything), and the built CLI's path.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built executable (npm run bench builds first). */
export const BIN = fileURLToPath(new URL("../bin/mailctl.js", import.meta.url));

/** The median of a list of numbers. */
export const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** Runs a command to its end without blocking the event loop (servers in this process keep answering). */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - t) / 1e6 }));
  });
}

/** The full path of an executable on PATH (or the given absolute path), or null. */
export function which(name) {
  const candidates = name.includes("/") ? [name] : (process.env.PATH ?? "").split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Checks tools; prints what is missing and the command that installs it. `tools` maps a name (or path) to the
 * Debian package that has it. Returns the missing names (empty when everything is there).
 */
export function missing(tools) {
  const gone = Object.entries(tools).filter(([t]) => !which(t));
  if (gone.length) {
    const pkgs = [...new Set(gone.map(([, p]) => p))].join(" ");
    console.log(`  skipped: ${gone.map(([t]) => t).join(", ")} not found — install with: sudo apt-get install ${pkgs}`);
  }
  return gone.map(([t]) => t);
}

/** A number with thin grouping, for human-readable figures. */
export const fmt = (n, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
