#!/usr/bin/env node
// Throughput of `mailctl send --batch` (durable journal on) against an accept-everything server, Postfix's
// smtp-sink, next to: smtp-source (the ceiling on this machine; both its default, a connection per message, and
// -d, one connection reused), a plain nodemailer pool script (no journal), and a loop of one swaks process per
// message (one loop, as a shell script would run it). Same concurrency (but for the swaks loop) and message size
// for all; rounds interleaved; medians and their ratios printed.
//   BENCH_MESSAGES (20000)  BENCH_CONCURRENCY (8)  BENCH_ROUNDS (3)  BENCH_SWAKS (40 messages)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const N = Number(process.env.BENCH_MESSAGES ?? 20000);
const C = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SWAKS = Number(process.env.BENCH_SWAKS ?? 40);
const BODY = 1000;
const bin = fileURLToPath(new URL("../bin/mailctl.js", import.meta.url));
const pool = fileURLToPath(new URL("./_nodemailer-pool.mjs", import.meta.url));

for (const tool of ["/usr/sbin/smtp-sink", "/usr/sbin/smtp-source", "/usr/bin/swaks"]) {
  if (!existsSync(tool)) {
    console.log(`skipped: ${tool} is missing (apt-get install postfix swaks)`);
    process.exit(0);
  }
}

const port = await freePort();
const asRoot = process.getuid?.() === 0;
const sink = spawn("/usr/sbin/smtp-sink", [...(asRoot ? ["-u", "nobody"] : []), `127.0.0.1:${port}`, "1024"], { stdio: "ignore" });
await waitForPort(port);

const dir = mkdtempSync(join(tmpdir(), "mailctl-bench-batch-"));
const rows = join(dir, "rows.csv");
// Rows like a notification batch: a key, an address, a name; the template adds a 1000-byte body (smtp-source -l 1000).
writeFileSync(rows, ["key,to,name", ...Array.from({ length: N }, (_, i) => `n${i},user${i}@example.com,User ${i}`)].join("\n") + "\n");
const template = join(dir, "t.txt");
writeFileSync(template, `---\nsubject: Your report {{key}}\n---\nHello {{name}},\n${("x".repeat(70) + "\n").repeat(13)}${"y".repeat(BODY - 13 * 71 - 20)}\n`);

const contenders = {
  "smtp-source -d": () => timed(N, "/usr/sbin/smtp-source", ["-d", "-s", String(C), "-m", String(N), "-l", String(BODY), "-f", "bench@example.com", "-t", "sink@example.com", `127.0.0.1:${port}`]),
  "smtp-source": () => timed(N, "/usr/sbin/smtp-source", ["-s", String(C), "-m", String(N), "-l", String(BODY), "-f", "bench@example.com", "-t", "sink@example.com", `127.0.0.1:${port}`]),
  "nodemailer pool": () => timed(N, process.execPath, [pool, String(port), String(N), String(C), String(BODY)]),
  "mailctl --batch": () => {
    rmSync(`${rows}.journal`, { force: true });
    return timed(N, process.execPath, [bin, "send", "--batch", rows, "--template", template, "--host", "127.0.0.1", "--port", String(port), "--tls", "none", "--from", "bench@example.com", "--concurrency", String(C), "--max-messages", String(N)]);
  },
  "swaks loop": () => swaksLoop(),
};

const results = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let r = 1; r <= ROUNDS; r++) {
  for (const [name, run] of Object.entries(contenders)) {
    const rate = await run();
    results[name].push(rate);
    console.log(`round ${r}  ${name.padEnd(16)} ${rate.toFixed(1).padStart(9)} messages/s`);
  }
}
sink.kill();
rmSync(dir, { recursive: true, force: true });

const med = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
console.log(`\n${N} messages (swaks loop: ${SWAKS}, one at a time), concurrency ${C}, ~${BODY}-byte bodies, ${ROUNDS} rounds; medians:`);
for (const [k, v] of Object.entries(med)) console.log(`  ${k.padEnd(16)} ${v.toFixed(1).padStart(9)} messages/s`);
const pct = (a, b) => `${((med[a] / med[b]) * 100).toFixed(1)} %`;
console.log("\nratios of medians:");
console.log(`  mailctl --batch / smtp-source      ${pct("mailctl --batch", "smtp-source")}   (goal ≥ 35 %)`);
console.log(`  mailctl --batch / smtp-source -d   ${pct("mailctl --batch", "smtp-source -d")}`);
console.log(`  nodemailer pool / smtp-source      ${pct("nodemailer pool", "smtp-source")}`);
console.log(`  nodemailer pool / smtp-source -d   ${pct("nodemailer pool", "smtp-source -d")}`);
console.log(`  swaks loop / smtp-source           ${pct("swaks loop", "smtp-source")}`);
console.log(`  mailctl --batch / nodemailer pool  ${(med["mailctl --batch"] / med["nodemailer pool"]).toFixed(2)}x`);
console.log(`  mailctl --batch / swaks loop       ${(med["mailctl --batch"] / med["swaks loop"]).toFixed(0)}x   (goal ≥ 100x)`);

/** Messages per second of one command that sends `count` messages (its whole run: startup included). */
function timed(count, cmd, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr.on("data", (d) => (err += d));
    c.on("close", (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(-500)}`));
      else resolve(count / s);
    });
  });
}

/** A loop running one swaks process per message, one after another. */
async function swaksLoop() {
  const t0 = process.hrtime.bigint();
  const body = "x".repeat(BODY);
  for (let i = 0; i < SWAKS; i++) {
    await new Promise((resolve, reject) => {
      const c = spawn("/usr/bin/swaks", ["--server", "127.0.0.1", "--port", String(port), "--from", "bench@example.com", "--to", `user${i}@example.com`, "--body", body, "--silent", "2"], { stdio: "ignore" });
      c.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`swaks exited ${code}`))));
    });
  }
  return SWAKS / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

async function waitForPort(p) {
  for (let i = 0; i < 100; i++) {
    const r = spawnSync(process.execPath, ["-e", `require("net").connect(${p},"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))`]);
    if (r.status === 0) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error("smtp-sink did not start");
}
