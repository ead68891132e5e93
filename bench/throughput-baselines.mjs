#!/usr/bin/env node
// Bulk-sending throughput against one smtp-sink (Postfix's test server, which accepts and discards), with the
// same message body size and the same concurrency for every contender, printed as messages/second and as a ratio
// to smtp-source (Postfix's own load generator: the ceiling a client written in C reaches here).
// A contender is one entry in CONTENDERS; mailctl's batch (issue 8) will be one more entry.
// Environment: BENCH_CONCURRENCY (4), BENCH_SIZE body bytes (4096), BENCH_MESSAGES (5000; swaks gets a tenth).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fmt, missing, run } from "./_lib.mjs";

const SINK = "/usr/sbin/smtp-sink";
const SOURCE = "/usr/sbin/smtp-source";
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const size = Number(process.env.BENCH_SIZE ?? 4096);
const messages = Number(process.env.BENCH_MESSAGES ?? 5000);
const FROM = "bench@mailctl.test";
const TO = "sink@mailctl.test";

/**
 * The contenders. Each says what it needs (tool → Debian package), how many messages it sends (a slow one sends
 * fewer: the figure is a rate), and how to send them to 127.0.0.1:port with `concurrency` sessions at once.
 */
const CONTENDERS = [
  {
    name: "smtp-source, a new connection per message",
    needs: { [SOURCE]: "postfix" },
    count: messages,
    send: ({ port, count }) => run(SOURCE, ["-s", String(concurrency), "-m", String(count), "-l", String(size), "-f", FROM, "-t", TO, `127.0.0.1:${port}`]),
  },
  {
    name: "smtp-source -d, connections reused",
    needs: { [SOURCE]: "postfix" },
    count: messages,
    send: ({ port, count }) => run(SOURCE, ["-d", "-s", String(concurrency), "-m", String(count), "-l", String(size), "-f", FROM, "-t", TO, `127.0.0.1:${port}`]),
  },
  {
    name: "a loop of swaks, one process per message",
    needs: { swaks: "swaks" },
    count: Math.max(concurrency, Math.round(messages / 10)),
    send: ({ port, count, bodyFile }) =>
      pool(count, () => run("swaks", ["--server", `127.0.0.1:${port}`, "--from", FROM, "--to", TO, "--body", `@${bodyFile}`, "--silent", "2"])),
  },
];

/** Runs `count` jobs, `concurrency` at a time; fails on the first job that exits non-zero. */
async function pool(count, job) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const r = await job();
      if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr.trim().split("\n").pop()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { code: 0, stderr: "" };
}

/** A free loopback port (smtp-sink takes an address, not port 0). */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** smtp-sink on loopback, with its running counters (-c) read from stdout: `mesg=N` counts accepted messages. */
async function startSink() {
  const port = await freePort();
  // As root, smtp-sink must drop privileges after binding (-u).
  const args = ["-c", ...(process.getuid?.() === 0 ? ["-u", "nobody"] : []), `127.0.0.1:${port}`, "256"];
  const child = spawn(SINK, args, { stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  child.stdout.on("data", (c) => (tail = (tail + c).slice(-200)));
  const accepted = () => Number([...tail.matchAll(/mesg=(\d+)/g)].pop()?.[1] ?? 0);
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise((r) => {
      const s = createServer();
      s.once("error", () => r(true)); // the port is taken: smtp-sink is listening
      s.listen(port, "127.0.0.1", () => s.close(() => r(false)));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, accepted, stop: () => child.kill() };
}

console.log(`throughput into smtp-sink on 127.0.0.1: ${fmt(size)}-byte body, ${concurrency} sessions at once; messages/second (ratio to smtp-source)`);
if (missing({ [SINK]: "postfix" }).length) process.exit(0);

const bodyFile = join(mkdtempSync(join(tmpdir(), "mailctl-bench-")), "body.txt");
const line = "The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvw\r\n";
writeFileSync(bodyFile, line.repeat(Math.ceil(size / line.length)).slice(0, size));

const sink = await startSink();
const rows = [];
for (const c of CONTENDERS) {
  if (missing(c.needs).length) continue;
  const before = sink.accepted();
  const t = performance.now();
  const r = await c.send({ port: sink.port, count: c.count, bodyFile }).catch((e) => ({ code: 1, stderr: e.message }));
  const ms = performance.now() - t;
  await new Promise((res) => setTimeout(res, 300)); // let the counter catch up
  const got = sink.accepted() - before;
  if (r.code !== 0 || got !== c.count) {
    console.log(`  ${c.name}: FAILED (exit ${r.code}, ${got}/${c.count} accepted) ${r.stderr.trim().split("\n").pop() ?? ""}`);
    continue;
  }
  rows.push({ name: c.name, count: c.count, ms, rate: c.count / (ms / 1000) });
}
sink.stop();

const base = rows.find((r) => r.name.startsWith("smtp-source"))?.rate;
for (const r of rows) {
  const ratio = base ? `${(r.rate / base).toFixed(3)}×` : "";
  console.log(`  ${r.name.padEnd(44)} ${fmt(r.rate).padStart(7)} msg/s  ${ratio.padStart(7)}  (${fmt(r.count)} in ${fmt(r.ms / 1000, 2)} s)`);
}
if (process.argv.includes("--json")) console.log(JSON.stringify({ size, concurrency, rows }, null, 2));
