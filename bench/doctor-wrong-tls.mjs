#!/usr/bin/env node
// doctor's wall time on the commonest misconfiguration — STARTTLS (plaintext first) against an implicit-TLS port —
// against the same machine's `mailctl probe` of that port in the right mode, as a ratio of medians over
// interleaved runs. Then, once each, how long the usual clients take to fail the same way with their defaults
// (nodemailer verify() with secure: false, swaks --tls): they wait out a greeting timeout.
// BENCH_RUNS (default 10) sets the runs; BENCH_SLOW=0 skips the once-only clients (about 30 s, run in parallel).
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, fmt, median, run, which } from "./_lib.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 10);
const slow = process.env.BENCH_SLOW !== "0";
const json = process.argv.includes("--json");

const { createCA, issueServerCert } = await import("../dist/tls/certs.js");
const { SMTPServer } = await import("smtp-server");
const ca = await createCA({ commonName: "mailctl bench CA" });
const leaf = await issueServerCert(ca, { hosts: ["localhost", "127.0.0.1"] });
const caFile = join(mkdtempSync(join(tmpdir(), "mailctl-bench-")), "ca.pem");
writeFileSync(caFile, ca.cert);

const server = new SMTPServer({ secure: true, key: leaf.key, cert: leaf.cert, logger: false, disableReverseLookup: true, authOptional: true, disabledCommands: ["AUTH"] });
server.on("error", () => {}); // clients that give up mid-handshake are the point of this benchmark
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.server.address().port;

/** One mailctl run; asserts the exit code, so a figure never comes from a run that did something else. */
async function mailctl(args, want) {
  const r = await run(process.execPath, [BIN, ...args]);
  if (r.code !== want) throw new Error(`mailctl ${args.join(" ")} exited ${r.code}, expected ${want}: ${r.stderr || r.stdout}`);
  return r.ms;
}

const cases = {
  "mailctl probe --tls implicit (right mode)": (p, c) => mailctl(["probe", "127.0.0.1", "-p", String(p), "--tls", "implicit", ...c], 0),
  "mailctl probe (mode auto-detected)": (p, c) => mailctl(["probe", "127.0.0.1", "-p", String(p), ...c], 0),
  "mailctl doctor --tls starttls (wrong mode)": (p, c) => mailctl(["doctor", "--host", "127.0.0.1", "-p", String(p), "--tls", "starttls", ...c], 76),
};

/** Interleaved runs of every case against one port; medians and the ratio to the first case. */
async function measure(p, caArgs) {
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const f of Object.values(cases)) await f(p, caArgs); // warm the file cache
  for (let i = 0; i < runs; i++) for (const [k, f] of Object.entries(cases)) times[k].push(await f(p, caArgs));
  const base = median(Object.values(times)[0]);
  return Object.entries(times).map(([k, v]) => ({ case: k, medianMs: Math.round(median(v)), ratio: +(median(v) / base).toFixed(2) }));
}

/** A client's own defaults, run once: how long until it reports the failure, and what it says. */
async function nodemailerWrongMode(p) {
  const { default: nodemailer } = await import("nodemailer");
  const t = performance.now();
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port: p, secure: false, tls: { ca: readFileSync(caFile) } });
  const error = await transport.verify().then(() => null, (e) => e);
  return { client: "nodemailer verify(), secure: false (defaults)", ms: Math.round(performance.now() - t), said: error ? `${error.code}: ${error.message}` : "succeeded?!" };
}
async function swaksWrongMode(p) {
  if (!which("swaks")) return { client: "swaks --tls", ms: null, said: "skipped: swaks not found — install with: sudo apt-get install swaks" };
  const r = await run("swaks", ["--server", `127.0.0.1:${p}`, "--tls", "--quit-after", "EHLO", "--tls-ca-path", caFile]);
  const said = (r.stdout + r.stderr).split("\n").filter((l) => /^\*\*\*|timeout|Timeout/.test(l)).join(" / ").trim();
  return { client: "swaks --tls (defaults)", ms: Math.round(r.ms), said: `exit ${r.code}: ${said}` };
}

const local = await measure(port, ["--ca", caFile]);
const slowOnes = slow ? await Promise.all([nodemailerWrongMode(port), swaksWrongMode(port)]) : [];

// The interop servers, when setup.sh has run: the same measurement against Postfix's implicit-TLS port.
let postfix = null;
const envFile = join(process.env.MAILCTL_INTEROP_DIR ?? "/tmp/mailctl-interop", "env.json");
if (existsSync(envFile)) {
  const env = JSON.parse(readFileSync(envFile, "utf8"));
  const p = env.servers.postfix.ports.submissions.port;
  postfix = await measure(p, ["--ca", env.tls.ca]).catch((e) => ({ error: e.message.split("\n")[0] }));
}
server.close();

if (json) console.log(JSON.stringify({ runs, local, slow: slowOnes, postfix }, null, 2));
else {
  const show = (rows) => rows.forEach((r) => console.log(`  ${r.case.padEnd(44)} ${fmt(r.medianMs).padStart(6)} ms  ${r.ratio.toFixed(2)}×`));
  console.log(`doctor on the wrong TLS mode: STARTTLS against an implicit-TLS port (smtp-server on 127.0.0.1), ${runs} interleaved runs, median; ratio to probe in the right mode`);
  show(local);
  if (slowOnes.length) {
    const doctorMs = local.find((r) => r.case.includes("doctor")).medianMs;
    console.log("  the same mistake in other clients, defaults, one run each (at the same time):");
    for (const s of slowOnes) console.log(`  ${s.client.padEnd(44)} ${s.ms === null ? "     –" : fmt(s.ms).padStart(6)} ms  ${s.ms === null ? "" : `${(s.ms / doctorMs).toFixed(1)}× doctor  `}${s.said}`);
  }
  if (postfix?.error) console.log(`  Postfix (interop servers): ${postfix.error}`);
  else if (postfix) {
    console.log(`against Postfix's implicit-TLS port (interop servers, test/interop/setup.sh), ${runs} interleaved runs:`);
    show(postfix);
  }
}
