#!/usr/bin/env node
// The naive script batch-throughput.mjs compares against: nodemailer's own SMTP pool, no journal, no retries.
//   node _nodemailer-pool.mjs <port> <messages> <connections> <body bytes>
import nodemailer from "nodemailer";

const [port, n, conc, size] = process.argv.slice(2).map(Number);
const transport = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, secure: false, ignoreTLS: true, maxConnections: conc, maxMessages: Infinity });
const body = `Hello,\n${("x".repeat(70) + "\n").repeat(13)}${"y".repeat(Math.max(0, size - 13 * 71 - 20))}\n`;
let next = 0;
let failed = null;
async function lane() {
  while (next < n && !failed) {
    const i = next++;
    await transport.sendMail({ from: "bench@example.com", to: `user${i}@example.com`, subject: `Your report n${i}`, text: body }).catch((e) => (failed = e));
  }
}
// Twice as many sends in flight as connections keeps every connection busy (the pool queues the rest).
await Promise.all(Array.from({ length: conc * 2 }, lane));
transport.close();
if (failed) {
  console.error(failed);
  process.exit(1);
}
