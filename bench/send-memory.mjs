#!/usr/bin/env node
// Peak RSS of `mailctl send` with a 25 MiB attachment to a local sink, against a baseline: the same process
// sending a tiny message. Attachments are streamed (nodemailer's MailComposer → the session engine's DATA), so
// the 25 MiB case should cost little over the baseline; the goal is < 150 MB peak. Runs interleaved, medians.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SMTPServer } from "smtp-server";

const bin = fileURLToPath(new URL("../bin/mailctl.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1024 * 1024;

// The sink: accepts everything on 127.0.0.1 and throws the bytes away, counting them.
let received = 0;
const server = new SMTPServer({
  logger: false,
  disableReverseLookup: true,
  authOptional: true,
  disabledCommands: ["AUTH", "STARTTLS"],
  onData(stream, _session, cb) {
    stream.on("data", (c) => (received += c.length));
    stream.on("end", () => cb());
  },
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.server.address().port;

const dir = mkdtempSync(join(tmpdir(), "mailctl-bench-"));
const big = join(dir, "25mib.bin");
// Random bytes: incompressible, and base64 grows them to ~34 MB on the wire.
writeFileSync(big, randomBytes(25 * MiB));
const base = ["send", "--host", "127.0.0.1", "--port", String(port), "--tls", "none", "--from", "bench@example.com", "--to", "sink@example.com", "-s", "bench", "--text", "x"];
const cases = { "tiny message": base, "25 MiB attachment": [...base, "--attach", big] };

const useTime = existsSync("/usr/bin/time") && process.env.BENCH_RSS !== "vmhwm";
// Without GNU time: the child reads its own high-water mark (VmHWM, Linux) as it exits and prints it on stderr.
const hwmHook =
  "data:text/javascript,import{readFileSync}from'node:fs';process.on('exit',()=>{" +
  "process.stderr.write('VmHWM_KB='+/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status','utf8'))[1]+'\\n')})";

/** Peak RSS in MB of one run, and its wall time. */
async function once(args) {
  const before = received;
  const t = process.hrtime.bigint();
  const cmd = useTime ? ["/usr/bin/time", ["-v", process.execPath, bin, ...args]] : [process.execPath, ["--import", hwmHook, bin, ...args]];
  // Asynchronously: this process also runs the sink.
  const r = await new Promise((resolve) => {
    const c = spawn(cmd[0], cmd[1], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    c.stdout.on("data", (d) => (out += d));
    c.stderr.on("data", (d) => (err += d));
    c.on("close", (status) => resolve({ status, out, err }));
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`mailctl ${args.join(" ")} exited ${r.status}: ${r.err}`);
  const kb = useTime ? /Maximum resident set size \(kbytes\): (\d+)/.exec(r.err)?.[1] : /VmHWM_KB=(\d+)/.exec(r.err)?.[1];
  if (!kb) throw new Error(`no peak RSS in: ${r.err}`);
  return { mb: Number(kb) / 1024, ms, bytes: received - before };
}

const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
try {
  for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(cases)) results[k].push(await once(args));
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const rows = Object.entries(results).map(([k, v]) => ({
  case: k,
  peakMB: +median(v.map((x) => x.mb)).toFixed(1),
  ms: Math.round(median(v.map((x) => x.ms))),
  wireBytes: v[0].bytes,
}));
const ratio = rows[1].peakMB / rows[0].peakMB;
if (process.argv.includes("--json")) console.log(JSON.stringify({ runs, method: useTime ? "/usr/bin/time -v" : "VmHWM", rows, ratio: +ratio.toFixed(2) }, null, 2));
else {
  console.log(`send memory, ${runs} interleaved runs each (median peak RSS via ${useTime ? "/usr/bin/time -v" : "/proc/self/status VmHWM"}; goal < 150 MB)`);
  for (const r of rows) console.log(`  ${r.case.padEnd(18)} ${String(r.peakMB).padStart(7)} MB peak  ${String(r.ms).padStart(6)} ms  ${String(r.wireBytes).padStart(9)} bytes received by the sink`);
  console.log(`  ratio 25 MiB / tiny: ${ratio.toFixed(2)}×`);
}
process.exitCode = rows[1].peakMB < 150 ? 0 : 1;
