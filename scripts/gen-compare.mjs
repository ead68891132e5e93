#!/usr/bin/env node
// Writes docs/compare.md: for each interop case, what swaks and msmtp report (trimmed output, exit code, time) next
// to what `mailctl doctor` reports, all run against the same real server (Postfix+Dovecot and Exim, started by
// test/interop/setup.sh). Regenerate with `node scripts/gen-compare.mjs` (after `npm run build` and setup.sh);
// never edit docs/compare.md by hand. Passwords (and their base64 forms) are redacted from everything shown.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(root, "bin/mailctl.js");
const OUT = join(root, "docs/compare.md");
const DIR = process.env.MAILCTL_INTEROP_DIR ?? "/tmp/mailctl-interop";
const TIMEOUT = 15; // mailctl's default --timeout; swaks and msmtp get the same
const WRONG = "wrong-interop-pw-7f3a";

const envFile = join(DIR, "env.json");
if (!existsSync(envFile)) fail(`${envFile} is missing: start the servers first (sudo bash test/interop/setup.sh)`);
for (const t of ["swaks", "msmtp"]) if (spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0) fail(`${t} not found — install with: sudo apt-get install swaks msmtp`);
if (!existsSync(join(root, "dist/cli.js"))) fail("dist/ is missing: run npm run build first");
const env = JSON.parse(readFileSync(envFile, "utf8"));
const tmp = mkdtempSync(join(tmpdir(), "mailctl-compare-"));

function fail(msg) {
  console.error(`gen-compare: ${msg}`);
  process.exit(1);
}

/**
 * The cases, as doctor's settings. port: which of the server's ports; tls: the mode the client is told to use;
 * login: alice's real password, the wrong one, or none; ca: whether the servers' CA is passed; send: the
 * envelope of a message (the case needs MAIL/RCPT/DATA to show); expect: the diagnosis id mailctl should give.
 */
const CASES = [
  { key: "plaintext-on-implicit", title: "STARTTLS (plaintext first) on the implicit-TLS port", port: "submissions", tls: "starttls", login: "alice", expect: "plaintext-to-implicit-tls" },
  { key: "implicit-on-submission", title: "implicit TLS on the submission (STARTTLS) port", port: "submission", tls: "implicit", login: "alice", expect: "tls-to-plaintext-port" },
  { key: "sender-not-owned", title: "a sender the user does not own (carol, logged in as alice)", port: "submission", tls: "starttls", login: "alice", send: (s) => [`carol@${s.domain}`, s.users.bob.address], expect: "sender-not-owned" },
  { key: "untrusted-ca", title: "an untrusted CA (the servers' CA not given)", port: "submission", tls: "starttls", login: "alice", ca: false, expect: "cert-untrusted" },
  { key: "relay-denied", title: "relay denied (port-25 role, no login, an off-host recipient)", port: "smtp", tls: "starttls", send: (s) => [s.users.alice.address, s.externalRecipient], expect: "relay-denied" },
  { key: "unknown-recipient", title: "an unknown recipient", port: "submission", tls: "starttls", login: "alice", send: (s) => [s.users.alice.address, s.unknownRecipient], expect: "recipient-rejected" },
  { key: "plaintext-mail", title: "no TLS at all on the submission port", port: "submission", tls: "none", send: (s) => [s.users.alice.address, s.users.bob.address], expect: "starttls-required" },
  { key: "not-logged-in", title: "sending on the submission port without logging in", port: "submission", tls: "starttls", send: (s) => [s.users.alice.address, s.users.bob.address], expect: "auth-required" },
  { key: "correct", title: "a correct setup (the message is delivered)", port: "submission", tls: "starttls", login: "alice", send: (s) => [s.users.alice.address, s.users.bob.address], expect: null },
  // Last: Dovecot delays every later login from an address that has failed one (its auth penalty), which would
  // slow the cases after it.
  { key: "wrong-password", title: "a wrong password", port: "submission", tls: "starttls", login: "wrong", expect: "auth-failed" },
];

const secrets = [...new Set(Object.values(env.servers).flatMap((s) => Object.values(s.users).flatMap((u) => [u.password, WRONG].flatMap((p) => [p, b64(p), b64(`\0${u.login}\0${p}`)]))))];
function b64(s) {
  return Buffer.from(s).toString("base64");
}
/** Every password and its base64/SASL forms replaced; temp paths shortened; control bytes (a TLS alert read as
 * text, say) shown as \xNN. */
function redact(text) {
  // eslint-disable-next-line no-control-regex
  let t = text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  for (const s of secrets) t = t.split(s).join("<redacted>");
  return t.split(tmp).join("<tmp>").split(DIR).join("$DIR");
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const t = performance.now();
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], ...opts });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (err += c));
    child.on("close", (code) => resolve({ code, stdout: out, stderr: err, s: (performance.now() - t) / 1000 }));
    child.stdin.end(opts.input ?? "");
  });
}

/** The settings of one case on one server, in the terms every client needs. */
function settings(c, srv) {
  const p = srv.ports[c.port];
  const user = c.login ? srv.users.alice.login : null;
  const password = c.login === "wrong" ? WRONG : c.login ? srv.users.alice.password : null;
  const [from, to] = c.send ? c.send(srv) : [srv.users.alice.address, srv.users.bob.address];
  return { port: p.port, tls: c.tls, user, password, ca: c.ca === false ? null : env.tls.ca, send: Boolean(c.send), from, to, subject: `mailctl compare ${c.key} ${srv.name}` };
}

async function swaks(s) {
  const args = ["--server", `${env.host}:${s.port}`, "--timeout", String(TIMEOUT), "--from", s.from, "--to", s.to];
  if (s.tls === "starttls") args.push("--tls");
  if (s.tls === "implicit") args.push("--tlsc");
  // swaks does not verify certificates unless told to; mailctl and msmtp always do, so it is told to.
  if (s.tls !== "none") args.push("--tls-verify", ...(s.ca ? ["--tls-ca-path", s.ca] : []));
  if (s.user) args.push("--auth-user", s.user, "--auth-password", s.password);
  if (s.send) args.push("--header", `Subject: ${s.subject}`);
  else args.push("--quit-after", s.user ? "AUTH" : "EHLO");
  const r = await run("swaks", args);
  const lines = (r.stdout + r.stderr).split("\n");
  // Errors are what swaks marks with "*": its own (***) and the server's negative replies (<** / <~*), each with
  // the command it answered; on success, the server's last reply before QUIT.
  const keep = [];
  lines.forEach((l, i) => {
    if (/^(\*\*\*|<\*\*|<~\*)/.test(l)) {
      const cmd = lines.slice(0, i).reverse().find((x) => /^ (->|~>) /.test(x));
      if (/^<[*~]\*/.test(l) && cmd && !keep.includes(cmd)) keep.push(cmd);
      keep.push(l);
    }
  });
  if (!keep.length) keep.push(...lines.filter((l) => /^<[-~] {1,2}\d{3} /.test(l) && !/^<[-~] {1,2}221 /.test(l)).slice(-1));
  return { cmd: `swaks ${args.map(q).join(" ")}`, code: r.code, s: r.s, out: redact(keep.join("\n")) };
}

async function msmtp(s, name) {
  const conf = join(tmp, `msmtprc-${name}`);
  const lines = [
    "account compare",
    `host ${env.host}`,
    `port ${s.port}`,
    `timeout ${TIMEOUT}`,
    `tls ${s.tls === "none" ? "off" : "on"}`,
    `tls_starttls ${s.tls === "implicit" ? "off" : "on"}`,
    ...(s.ca ? [`tls_trust_file ${s.ca}`] : []),
    `auth ${s.user ? "on" : "off"}`,
    ...(s.user ? [`user ${s.user}`, `password ${s.password}`] : []),
    `from ${s.from}`,
  ];
  writeFileSync(conf, lines.join("\n") + "\n", { mode: 0o600 });
  // msmtp always sends: where the case has no message of its own, a test message to bob (never delivered,
  // because every such case fails before DATA).
  const message = `From: ${s.from}\r\nTo: ${s.to}\r\nSubject: ${s.subject}\r\n\r\nmsmtp compare\r\n`;
  const r = await run("msmtp", ["-C", conf, "-a", "compare", s.to], { input: message });
  return { cmd: `msmtp -C msmtprc -a compare ${s.to}`, conf: redact(lines.join("\n")), code: r.code, s: r.s, out: redact((r.stdout + r.stderr).trim()) };
}

async function mailctl(s) {
  const args = ["doctor", "--host", env.host, "--port", String(s.port), "--tls", s.tls, "--timeout", String(TIMEOUT)];
  if (s.user) args.push("--user", s.user);
  if (s.ca) args.push("--ca", s.ca);
  if (s.send) args.push("--send", "--from", s.from, "--to", s.to);
  const r = await run(process.execPath, [BIN, ...args, "--json"], { env: { PATH: process.env.PATH, HOME: process.env.HOME ?? "/tmp", ...(s.password ? { MAILCTL_PASSWORD: s.password } : {}) } });
  let doc = null;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    return { cmd: `mailctl ${args.map(q).join(" ")}`, code: r.code, s: r.s, id: null, out: redact(r.stderr.trim()) };
  }
  const d = doc.diagnoses.find((x) => x.severity === "error");
  return {
    cmd: `${s.password ? "MAILCTL_PASSWORD=… " : ""}mailctl ${args.map(q).join(" ")}`,
    code: r.code,
    s: r.s,
    id: d?.id ?? null,
    stage: d?.stage ?? null,
    title: d?.title ?? (doc.sent ? `no error; delivered: ${doc.sent.reply}` : "no error"),
    fix: d?.fix?.[0]?.split("\n")[0] ?? null,
    evidence: d ? redact(d.evidence.split("\n")[0]) : null,
    suggestion: doc.suggestion,
  };
}

function q(a) {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
}

const results = [];
for (const c of CASES) {
  for (const srv of [env.servers.postfix, env.servers.exim]) {
    const s = settings(c, srv);
    process.stderr.write(`gen-compare: ${c.key} on ${srv.name}…\n`);
    // One client after another, so one's failures cannot slow another's run (Dovecot delays failed logins).
    const sw = await swaks(s);
    const ms = await msmtp(s, `${c.key}-${srv.name}`);
    const mc = await mailctl(s);
    results.push({ c, srv, s, sw, ms, mc });
  }
}

const version = (cmd, args, re) => (spawnSync(cmd, args, { encoding: "utf8" }).stdout.match(re) ?? [])[1] ?? "?";
const swaksV = version("swaks", ["--version"], /version (\S+)/);
const msmtpV = version("msmtp", ["--version"], /msmtp version (\S+)/);
const mailctlV = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
const firstLine = (t) => (t.split("\n").find((l) => /^(\*\*\*|<\*\*|<~\*|msmtp: )/.test(l)) ?? t.split("\n").pop() ?? "").replace(/^msmtp: /, "");
const cell = (t) => (t === "" ? "(no output)" : `\`${t.replace(/`/g, "'").replace(/\|/g, "\\|").slice(0, 90)}\``);
const secs = (x) => `${x.toFixed(1)} s`;

const md = [];
md.push("# swaks, msmtp and mailctl on the same failures");
md.push("");
md.push("<!-- Generated by scripts/gen-compare.mjs from runs against the interop servers. Do not edit by hand: run `node scripts/gen-compare.mjs`. -->");
md.push("");
md.push(`Each case was run with swaks ${swaksV}, msmtp ${msmtpV} and mailctl ${mailctlV} (\`doctor --json\`) against the`);
md.push(`same real server: Postfix ${env.servers.postfix.version} with Dovecot SASL, and Exim ${env.servers.exim.version}, on 127.0.0.1 (test/interop/setup.sh).`);
md.push(`Every client got the same settings and the same ${TIMEOUT} s timeout. swaks is told to verify certificates (\`--tls-verify\`),`);
md.push("as msmtp and mailctl do by default. msmtp has no \"stop after AUTH\", so where a case has no message of its own it sends a");
md.push("test message to bob (none is delivered: every such case fails first). Outputs are trimmed to the lines that report");
md.push("the failure; passwords and their base64 forms are redacted; `$DIR` is the servers' state dir. The clients ran one after");
md.push("another, in the order shown.");
md.push("Times are wall-clock, process start included. Dovecot (Postfix's SASL) holds every failed login about 2 s, and");
md.push("the later logins from an address that has failed before longer still (its auth penalty): the wrong-password");
md.push("rows therefore come last, and their Postfix times grow from one client to the next.");
md.push("");
md.push("| case | server | swaks | msmtp | mailctl |");
md.push("|---|---|---|---|---|");
for (const r of results) {
  const mc = r.mc.id ? `exit ${r.mc.code} **${r.mc.id}**${r.mc.stage ? ` at ${r.mc.stage}` : ""}` : `exit ${r.mc.code} ${r.mc.title}`;
  md.push(`| ${r.c.title} | ${r.srv.software} | exit ${r.sw.code}, ${secs(r.sw.s)}: ${cell(firstLine(r.sw.out))} | exit ${r.ms.code}, ${secs(r.ms.s)}: ${cell(firstLine(r.ms.out))} | ${mc}, ${secs(r.mc.s)} |`);
}
md.push("");
const mismatches = results.filter((r) => r.mc.id !== r.c.expect);
md.push(mismatches.length ? `**${mismatches.length} case(s) where mailctl's diagnosis differs from the expected id:** ${mismatches.map((r) => `${r.c.key} on ${r.srv.name} (got ${r.mc.id}, expected ${r.c.expect})`).join("; ")}.` : "mailctl gave the expected diagnosis in every case.");
md.push("");
md.push("## The cases in detail");
for (const c of CASES) {
  md.push("");
  md.push(`### ${c.title}`);
  md.push("");
  md.push(`Expected diagnosis: ${c.expect ? `\`${c.expect}\`` : "none (exit 0)"}.`);
  for (const r of results.filter((x) => x.c === c)) {
    md.push("");
    md.push(`#### ${r.srv.software} ${r.srv.version}, port ${r.s.port}, ${r.s.tls === "none" ? "no TLS" : r.s.tls === "implicit" ? "implicit TLS" : "STARTTLS"}`);
    md.push("");
    md.push(`swaks — exit ${r.sw.code} after ${secs(r.sw.s)}:`);
    md.push("```console");
    md.push(`$ ${redact(r.sw.cmd)}`);
    md.push(r.sw.out || "(no output)");
    md.push("```");
    md.push(`msmtp — exit ${r.ms.code} after ${secs(r.ms.s)}; its config: ${r.ms.conf.split("\n").slice(1).join(" · ")}`);
    md.push("```console");
    md.push(`$ ${r.ms.cmd}`);
    md.push(r.ms.out || "(no output)");
    md.push("```");
    md.push(`mailctl — exit ${r.mc.code} after ${secs(r.mc.s)}:`);
    md.push("```console");
    md.push(`$ ${redact(r.mc.cmd)}`);
    if (r.mc.id) {
      md.push(`id:         ${r.mc.id} (at ${r.mc.stage})`);
      md.push(`title:      ${r.mc.title}`);
      md.push(`evidence:   ${r.mc.evidence}`);
      md.push(`first fix:  ${r.mc.fix}`);
      if (r.mc.suggestion) md.push(`suggestion: port ${r.mc.suggestion.port} with ${r.mc.suggestion.tls} (verified: it reaches EHLO)`);
    } else md.push(r.mc.title + (r.mc.out ? `\n${r.mc.out}` : ""));
    md.push("```");
  }
}
writeFileSync(OUT, md.join("\n") + "\n");
console.error(`gen-compare: wrote ${OUT} (${results.length} runs${mismatches.length ? `, ${mismatches.length} unexpected diagnoses` : ""})`);
