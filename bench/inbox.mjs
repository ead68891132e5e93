#!/usr/bin/env node
// The web inbox's costs, as ratios against a baseline measured in the same run:
//  - start-up: `mailctl lab --ui` until its JSON document is out, against `mailctl lab` (interleaved runs);
//  - answers with 1,000 captures: the Mailpit list, a cold search (every message parsed once) and a warm one,
//    against GET /livez on the same server (the HTTP round trip alone).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";

const bin = fileURLToPath(new URL("../bin/mailctl.js", import.meta.url));
const { startLab } = await import("../dist/lab/server.js");
const { startInbox } = await import("../dist/lab/inbox/index.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 8);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** Milliseconds until `mailctl lab … --json` has printed its document; then it is stopped. */
async function ready(args, dir) {
  const t = performance.now();
  const child = spawn(process.execPath, [bin, "lab", "--port-base", "0", "--dir", dir, "--json", ...args], { env: { ...process.env, MAILCTL_LAB_PASSWORD: "bench-password" } });
  let out = "";
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (c) => {
      out += c;
      try {
        JSON.parse(out);
        resolve();
      } catch {
        // not the whole document yet
      }
    });
    child.on("close", (code) => reject(new Error(`lab exited ${code}`)));
  });
  const ms = performance.now() - t;
  child.removeAllListeners("close");
  const closed = new Promise((r) => child.on("close", r));
  child.kill("SIGTERM");
  await closed;
  return ms;
}

const dir = await mkdtemp(join(os.tmpdir(), "mailctl-bench-inbox-"));
try {
  const plain = [];
  const ui = [];
  await ready([], dir); // certificates made once, file cache warm
  for (let i = 0; i < RUNS; i++) {
    plain.push(await ready([], dir));
    ui.push(await ready(["--ui"], dir));
  }
  console.log(`start-up, ${RUNS} interleaved runs (median; ratio to mailctl lab)`);
  console.log(`  mailctl lab        ${median(plain).toFixed(0).padStart(6)} ms  1.00×`);
  console.log(`  mailctl lab --ui   ${median(ui).toFixed(0).padStart(6)} ms  ${(median(ui) / median(plain)).toFixed(2)}×`);

  const lab = await startLab({ dir: join(dir, "answers"), portBase: 0, password: "bench-password" });
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: lab.endpoints.plain.port, ignoreTLS: true, pool: true, maxConnections: 4 });
  await Promise.all(
    Array.from({ length: MESSAGES }, (_, i) =>
      t.sendMail({ from: "app@example.org", to: `user${i}@mailctl.test`, subject: i % 10 === 0 ? `Invoice ${i}` : `Hello ${i}`, text: `Message number ${i}. `.repeat(20), html: `<p>Message <b>${i}</b></p>` }),
    ),
  );
  t.close();
  const inbox = await startInbox(lab, { port: 0 });
  const time = async (path) => {
    const s = performance.now();
    const res = await fetch(inbox.url + path);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return performance.now() - s;
  };
  const base = [];
  for (let i = 0; i < 20; i++) base.push(await time("livez"));
  const list = await time("api/v1/messages");
  const cold = await time("api/v1/search?query=subject:invoice");
  const warm = [];
  for (let i = 0; i < 5; i++) warm.push(await time("api/v1/search?query=subject:invoice"));
  const b = median(base);
  console.log(`\ninbox answers with ${MESSAGES} captures (ratio to GET /livez, ${b.toFixed(1)} ms)`);
  console.log(`  list, first page (parses 50)       ${list.toFixed(0).padStart(6)} ms  ${(list / b).toFixed(0)}×`);
  console.log(`  search, cold (parses every message) ${cold.toFixed(0).padStart(5)} ms  ${(cold / b).toFixed(0)}×`);
  console.log(`  search, warm (median of 5)         ${median(warm).toFixed(0).padStart(6)} ms  ${(median(warm) / b).toFixed(0)}×`);
  await inbox.close();
  await lab.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
