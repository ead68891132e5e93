#!/usr/bin/env node
// Peak RSS of `mailctl send --batch` (journal on) for a 1,000-row and a 100,000-row batch to Postfix's smtp-sink:
// rows are streamed, built ahead in a bounded window and tracked in a compact index, so the peak should not grow
// with the batch — the goal is the 100,000-row peak within 1.5x of the 1,000-row one. Interleaved runs, medians.
//   BENCH_RUNS (3)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const bin = fileURLToPath(new URL("../bin/mailctl.js", import.meta.url));
if (!existsSync("/usr/sbin/smtp-sink") || !existsSync("/usr/bin/time")) {
  console.log("skipped: needs /usr/sbin/smtp-sink (apt-get install postfix) and GNU time");
  process.exit(0);
}
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const sink = spawn("/usr/sbin/smtp-sink", [...(process.getuid?.() === 0 ? ["-u", "nobody"] : []), `127.0.0.1:${port}`, "1024"], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 300));

const dir = mkdtempSync(join(tmpdir(), "mailctl-bench-mem-"));
const template = join(dir, "t.txt");
writeFileSync(template, `---\nsubject: Your report {{key}}\n---\nHello {{name}},\n${("x".repeat(70) + "\n").repeat(13)}\n`);
const sizes = [1000, 100_000];
const files = Object.fromEntries(
  sizes.map((n) => {
    const f = join(dir, `rows-${n}.csv`);
    writeFileSync(f, ["key,to,name", ...Array.from({ length: n }, (_, i) => `n${i},user${i}@example.com,User ${i}`)].join("\n") + "\n");
    return [n, f];
  }),
);

/** Peak RSS (MB) and wall time of one batch. */
function once(n) {
  rmSync(`${files[n]}.journal`, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-v", process.execPath, bin, "send", "--batch", files[n], "--template", template, "--host", "127.0.0.1", "--port", String(port), "--tls", "none", "--from", "bench@example.com", "--concurrency", "8"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`batch of ${n} exited ${r.status}: ${r.stderr.slice(-800)}`);
  return { mb: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)[1]) / 1024, s };
}

const peaks = Object.fromEntries(sizes.map((n) => [n, []]));
for (let i = 0; i < runs; i++) {
  for (const n of sizes) {
    const { mb, s } = once(n);
    peaks[n].push(mb);
    console.log(`run ${i + 1}  ${String(n).padStart(6)} rows  peak RSS ${mb.toFixed(1)} MB  (${s.toFixed(1)} s)`);
  }
}
sink.kill();
rmSync(dir, { recursive: true, force: true });
const med = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const small = med(peaks[1000]);
const big = med(peaks[100_000]);
console.log(`\nmedian peak RSS: 1,000 rows ${small.toFixed(1)} MB, 100,000 rows ${big.toFixed(1)} MB: ${(big / small).toFixed(2)}x (goal ≤ 1.5x)`);
