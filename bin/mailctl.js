#!/usr/bin/env node
// The executable: loads the compiled CLI (compiled by `npm install`, through the "prepare" script).
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
// Scripts call --version often: answer it without loading the CLI.
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version + "\n");
} else {
  let cli;
  try {
    cli = await import("../dist/cli.js");
  } catch (err) {
    if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist")) {
      process.stderr.write("mailctl: not built yet. Run `npm install` (or `npm run build`) in the mailctl directory.\n");
      process.exit(70);
    }
    throw err;
  }
  // A reader that stops early (`mailctl send --dry-run | head`) closes the pipe: stop quietly instead of crashing.
  process.stdout.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  process.exitCode = await cli.main(process.argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
}
