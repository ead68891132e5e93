#!/usr/bin/env node
// Startup cost of mailctl against a bare `node -e 0`, measured in one process as interleaved runs, reported as
// ratios of medians (timings on a shared machine drift; the ratio of interleaved runs does not drift with it).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/mailctl.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 30);
const cases = {
  "node -e 0": ["-e", "0"],
  "mailctl --version": [bin, "--version"],
  "mailctl --help": [bin, "--help"],
  "mailctl probe --help": [bin, "probe", "--help"],
};

function once(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const args of Object.values(cases)) once(args); // warm the file cache
for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(cases)) times[k].push(once(args));

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(times["node -e 0"]);
const rows = Object.entries(times).map(([k, v]) => ({ case: k, medianMs: +median(v).toFixed(1), ratio: +(median(v) / base).toFixed(2) }));
if (process.argv.includes("--json")) console.log(JSON.stringify({ runs, rows }, null, 2));
else {
  console.log(`startup, ${runs} interleaved runs each (median; ratio to node -e 0; goal ≤ 1.5×)`);
  for (const r of rows) console.log(`  ${r.case.padEnd(22)} ${String(r.medianMs).padStart(7)} ms  ${r.ratio.toFixed(2)}×`);
}
