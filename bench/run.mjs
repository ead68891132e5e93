#!/usr/bin/env node
// Runs every benchmark in bench/ in turn and prints their figures. Each script measures ratios against a baseline
// in the same run; none installs anything: a script whose tools are missing says what to install and is skipped.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith(".mjs") && f !== "run.mjs" && !f.startsWith("_"))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
let failed = 0;
for (const s of scripts) {
  console.log(`\n## ${s}`);
  const r = spawnSync(process.execPath, [dir + s], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
