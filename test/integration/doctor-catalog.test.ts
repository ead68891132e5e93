// Every catalog id doctor can find live, each produced by a real server on loopback (smtp-server configured to
// answer as a provider does, or a raw server where exact bytes matter) — never by a hand-made error object.
import { afterAll, describe, expect, it } from "vitest";
import type { SMTPServerOptions } from "smtp-server";
import { spawnSync } from "node:child_process";
import { BIN, runCli } from "../helpers/cli.js";
import { writeTemp } from "../helpers/ca-file.js";
import { startDnsServer } from "../helpers/dns-server.js";
import { startBlackhole } from "../helpers/blackhole.js";
import { startRawServer, startSmtpServer, startTlsRawServer, type StartedServer } from "../helpers/tls-servers.js";

const PASSWORD = "Tr0ub4dor&3-doctor";
const SECRET_FORMS = [PASSWORD, Buffer.from(PASSWORD).toString("base64"), Buffer.from(`\0alice@mailctl.test\0${PASSWORD}`).toString("base64")];
const closers: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(closers.map((c) => c())));
function keep<T extends StartedServer | { close(): Promise<void> }>(s: T): T {
  closers.push(() => s.close());
  return s;
}

/** Runs doctor with --json and checks the password appears nowhere in what it printed. */
async function doctor(args: string[], env: Record<string, string> = {}) {
  const r = await runCli(["doctor", "--host", "127.0.0.1", ...args, "--json", "--transcript"], { env: { MAILCTL_PASSWORD: PASSWORD, ...env } });
  for (const f of SECRET_FORMS) {
    expect(r.stdout).not.toContain(f);
    expect(r.stderr).not.toContain(f);
  }
  const doc = JSON.parse(r.stdout);
  return { code: r.code, doc, primary: doc.diagnoses.find((d: { severity: string }) => d.severity === "error"), stderr: r.stderr };
}

/** An smtp-server in plaintext (STARTTLS hidden) with AUTH, where hooks answer like a provider. */
async function server(opts: Partial<SMTPServerOptions> & { mode?: "plain" | "starttls" | "implicit" } = {}) {
  const { mode = "plain", ...rest } = opts;
  return keep(await startSmtpServer({ mode, auth: { user: "alice@mailctl.test", pass: PASSWORD }, ...rest }));
}
const reject = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
const login = ["--user", "alice@mailctl.test"];

describe("doctor finds each cause from what a real server does", () => {
  it("plaintext-to-implicit-tls, with a verified suggestion, without waiting out the greeting timeout", async () => {
    const s = await server({ mode: "implicit" });
    const ca = writeTemp("ca.pem", s.ca!);
    const { code, doc, primary } = await doctor(["--port", String(s.port), "--tls", "starttls", "--ca", ca, "--timeout", "60", ...login]);
    expect(code).toBe(76);
    expect(primary).toMatchObject({ id: "plaintext-to-implicit-tls", stage: "greeting" });
    expect(doc.suggestion).toEqual({ port: s.port, tls: "implicit" });
    expect(primary.fix.join("\n")).toContain(`--port ${s.port} --tls implicit`);
    expect(doc.target).toEqual({ host: "127.0.0.1", port: s.port, tls: "starttls" });
  });

  it("tls-to-plaintext-port, suggesting STARTTLS on the same port", async () => {
    const s = await server({ mode: "starttls" });
    const ca = writeTemp("ca.pem", s.ca!);
    const { code, primary, doc } = await doctor(["--port", String(s.port), "--tls", "implicit", "--ca", ca, ...login]);
    expect(code).toBe(76);
    expect(primary).toMatchObject({ id: "tls-to-plaintext-port", stage: "tls" });
    expect(doc.suggestion).toEqual({ port: s.port, tls: "starttls" });
  });

  it("starttls-after-implicit-tls only when the configured client really sends STARTTLS on the TLS connection (smtplib SMTP_SSL + starttls()): the server's 502 is the evidence", async () => {
    // A server that advertises STARTTLS on its implicit-TLS port and refuses it (what the qq persona used to do).
    const s = keep(
      await startTlsRawServer("valid", (sock) => {
        sock.write("220 smtp.qq.com Esmtp QQ Mail Server\r\n");
        sock.on("data", (d) => {
          const l = d.toString();
          if (l.startsWith("EHLO")) sock.write("250-smtp.qq.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN\r\n");
          else if (l.startsWith("STARTTLS")) sock.write("502 Invalid paramenters\r\n");
          else if (l.startsWith("QUIT")) sock.end("221 Bye\r\n");
        });
      }),
    );
    const ca = writeTemp("ca.pem", s.ca!);
    // mailctl itself, like nodemailer, aiosmtplib and msmtp, never sends STARTTLS on a TLS connection: nothing to say.
    const plain = await doctor(["--port", String(s.port), "--tls", "implicit", "--ca", ca]);
    expect(plain.code).toBe(0);
    expect(plain.doc.diagnoses.map((d: { id: string }) => d.id)).not.toContain("starttls-after-implicit-tls");
    expect(plain.doc.transcript.some((t: { dir: string; text: string }) => t.dir === "C" && /^STARTTLS/.test(t.text))).toBe(false);
    // smtplib.SMTP_SSL followed by starttls() does send it when it is advertised (Lib/smtplib.py starttls).
    const cfg = writeTemp("smtplib.json", JSON.stringify({ class: "SMTP_SSL", host: "127.0.0.1", port: s.port, starttls: true }));
    const app = await doctor(["--from-config", cfg, "--ca", ca]);
    expect(app.code).toBe(76);
    expect(app.primary).toMatchObject({ id: "starttls-after-implicit-tls", severity: "error", stage: "starttls" });
    expect(app.primary.evidence).toContain("502 Invalid paramenters");
    expect(app.primary.fix.join("\n")).toMatch(/in your aiosmtplib\/smtplib settings .*: starttls=False/);
  });

  it("starttls-required: AUTH before STARTTLS is refused", async () => {
    const s = await server({ mode: "starttls" });
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none", ...login]);
    expect(code).toBe(76);
    expect(primary).toMatchObject({ id: "starttls-required", stage: "auth" });
    expect(primary.evidence).toMatch(/538/);
  });

  it("starttls-unavailable: STARTTLS asked of a server that does not offer it", async () => {
    const s = await server({ mode: "plain" });
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "starttls", ...login]);
    expect(code).toBe(76);
    expect(primary).toMatchObject({ id: "starttls-unavailable", stage: "starttls" });
  });

  for (const [cert, id] of [["untrusted", "cert-untrusted"], ["self-signed", "cert-untrusted"], ["expired", "cert-expired"], ["wrong-host", "cert-hostname-mismatch"]] as const) {
    it(`${id} (${cert} certificate), and no password is sent`, async () => {
      const s = await server({ mode: "implicit", cert });
      const args = ["--port", String(s.port), "--tls", "implicit", ...login];
      if (s.ca) args.push("--ca", writeTemp("ca.pem", s.ca));
      const { code, primary, doc } = await doctor(args);
      expect(code).toBe(74);
      expect(primary).toMatchObject({ id, stage: "tls" });
      expect(doc.stages.find((x: { stage: string }) => x.stage === "auth")).toBeUndefined();
    });
  }

  it("tls-protocol-too-old: a TLS 1.0-only server", async () => {
    const s = await server({ mode: "implicit", minVersion: "TLSv1", maxVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" });
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "implicit", ...login]);
    expect(code).toBe(74);
    expect(primary.id).toBe("tls-protocol-too-old");
  });

  it("host-not-found: NXDOMAIN from a DNS server on loopback", async () => {
    const dns = keep(await startDnsServer({ "mail.mailctl.test": "127.0.0.1" }));
    const r = await runCli(["doctor", "--host", "smtp.typo.mailctl.test", "-p", "587", "--tls", "starttls", "--resolver", dns.spec, "--json"]);
    const doc = JSON.parse(r.stdout);
    expect(r.code).toBe(68);
    expect(doc.diagnoses[0]).toMatchObject({ id: "host-not-found", stage: "dns" });
    expect(dns.queries).toContain("smtp.typo.mailctl.test/1");
  });

  it("connection-refused, with the port that works suggested", async () => {
    const dead = await startRawServer(() => {});
    await dead.close();
    const { code, primary } = await doctor(["--port", String(dead.port), "--tls", "starttls"]);
    expect(code).toBe(69);
    expect(primary).toMatchObject({ id: "connection-refused", stage: "tcp" });
  });

  it("connect-timeout: a port whose SYNs are dropped, reported within --timeout", async () => {
    const bh = keep(await startBlackhole());
    const { code, primary } = await doctor(["--port", String(bh.port), "--tls", "starttls", "--timeout", "1"]);
    expect(code).toBe(75);
    expect(primary).toMatchObject({ id: "connect-timeout", stage: "tcp" });
  });

  it("greeting-timeout: TCP connects, nothing is said, and it is not TLS either", async () => {
    const s = keep(await startRawServer(() => {}));
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none", "--timeout", "1"]);
    expect(code).toBe(75);
    expect(primary).toMatchObject({ id: "greeting-timeout", stage: "greeting" });
  });

  it("server-unavailable: 421 instead of a greeting", async () => {
    const s = keep(await startRawServer((sock) => sock.end("421 4.3.2 Service not available, closing transmission channel\r\n")));
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none"]);
    expect(code).toBe(75);
    expect(primary).toMatchObject({ id: "server-unavailable", stage: "greeting" });
  });

  it("client-blocked: 554 greeting naming a blocklist", async () => {
    const s = await server({ onConnect: (_s, cb) => cb(reject(554, "5.7.1 Service unavailable; client [127.0.0.1] blocked using zen.spamhaus.org")) });
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none"]);
    expect(code).toBe(69);
    expect(primary.id).toBe("client-blocked");
  });

  it("connection-dropped: the server hangs up after EHLO", async () => {
    const s = keep(
      await startRawServer((sock) => {
        sock.write("220 drop.example ESMTP\r\n");
        sock.on("data", () => sock.destroy());
      }),
    );
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none"]);
    expect(code).toBe(75);
    expect(primary).toMatchObject({ id: "connection-dropped", stage: "ehlo" });
  });

  it("protocol-error: the port speaks HTTP", async () => {
    const s = keep(await startRawServer((sock) => sock.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")));
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none"]);
    expect(code).toBe(76);
    expect(primary.id).toBe("protocol-error");
  });

  it("ehlo-rejected: the server refuses the EHLO and HELO name", async () => {
    const s = keep(
      await startRawServer((sock) => {
        sock.write("220 strict.example ESMTP\r\n");
        sock.on("data", (d) => {
          const l = d.toString();
          if (/^(EHLO|HELO)/.test(l)) sock.write("504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname\r\n");
          else if (l.startsWith("QUIT")) sock.end("221 bye\r\n");
        });
      }),
    );
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none", "--name", "localhost"]);
    expect(code).toBe(76);
    expect(primary).toMatchObject({ id: "ehlo-rejected", stage: "ehlo" });
  });

  it("auth-not-offered: credentials for a server without AUTH", async () => {
    const s = keep(await startSmtpServer({ mode: "plain" }));
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none", ...login]);
    expect(code).toBe(77);
    expect(primary).toMatchObject({ id: "auth-not-offered", stage: "auth" });
  });

  it("auth-required: sending without a login", async () => {
    const s = await server();
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none", "--from", "alice@mailctl.test", "--send"]);
    expect(code).toBe(77);
    expect(primary).toMatchObject({ id: "auth-required", stage: "mail" });
  });

  it("credentials-missing: a user without a password (an unset variable)", async () => {
    const s = await server();
    const { code, primary } = await doctor(["--port", String(s.port), "--tls", "none", ...login, "--password-env", "SMTP_PASSWORD"]);
    expect(code).toBe(78);
    expect(primary).toMatchObject({ id: "credentials-missing", stage: "auth" });
    expect(primary.explanation).toContain("SMTP_PASSWORD");
  });

  const authReplies: [string, number, string, number][] = [
    ["auth-failed", 535, "5.7.8 Error: authentication failed: authentication failure", 77],
    ["auth-app-password-required", 534, "5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor", 77],
    ["auth-basic-disabled", 535, "5.7.139 Authentication unsuccessful, basic authentication is disabled.", 77],
    ["auth-authorization-code", 535, "Login Fail. Please enter your authorization code to login. More information in http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256", 77],
    ["rate-limited", 454, "4.7.0 Too many login attempts, please try again later.", 75],
  ];
  for (const [id, code, text, exit] of authReplies) {
    it(`${id}: AUTH answered ${code}`, async () => {
      const s = await server({ onAuth: (_a, _s, cb) => cb(reject(code, text)) });
      const r = await doctor(["--port", String(s.port), "--tls", "none", ...login]);
      expect(r.code).toBe(exit);
      expect(r.primary).toMatchObject({ id, stage: "auth" });
      expect(r.primary.evidence).toContain(text.slice(0, 20));
    });
  }

  const envelope: [string, Partial<SMTPServerOptions>, string, number][] = [
    ["sender-not-owned", { onMailFrom: (a, _s, cb) => cb(reject(553, `5.7.1 <${a.address}>: Sender address rejected: not owned by user alice@mailctl.test`)) }, "mail", 77],
    ["temporary-failure", { onMailFrom: (_a, _s, cb) => cb(reject(451, "4.3.0 Temporary local problem - please try later")) }, "mail", 75],
    ["relay-denied", { onRcptTo: (a, _s, cb) => cb(reject(554, `5.7.1 <${a.address}>: Relay access denied`)) }, "rcpt", 69],
    ["recipient-rejected", { onRcptTo: (a, _s, cb) => cb(reject(550, `5.1.1 <${a.address}>: Recipient address rejected: User unknown in local recipient table`)) }, "rcpt", 69],
    ["greylisted", { onRcptTo: (a, _s, cb) => cb(reject(450, `4.2.0 <${a.address}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/mailctl.test.html`)) }, "rcpt", 75],
    ["from-header-rejected", { onData: (st, _s, cb) => st.resume().on("end", () => cb(reject(550, 'The "From" header is missing or invalid. Please follow RFC5322, RFC2047, RFC822 standard protocol. https://service.mail.qq.com/detail/124/995.'))) }, "data", 69],
    ["content-rejected", { onData: (st, _s, cb) => st.resume().on("end", () => cb(reject(554, "DT:SPM 163 smtp10,DsCowAD3 1616000000, please see http://mail.163.com/help/help_spam_16.htm?ip=127.0.0.1"))) }, "data", 69],
  ];
  for (const [id, hooks, stage, exit] of envelope) {
    it(`${id}: refused at ${stage}`, async () => {
      const s = await server(hooks);
      const r = await doctor(["--port", String(s.port), "--tls", "none", ...login, "--from", "alice@mailctl.test", "--to", "bob@example.com", "--send"]);
      expect(r.code).toBe(exit);
      expect(r.primary).toMatchObject({ id, stage });
    });
  }

  it("message-too-large: the test message exceeds the server's SIZE, refused before DATA", async () => {
    const s = await server({ size: 200 });
    const r = await doctor(["--port", String(s.port), "--tls", "none", ...login, "--from", "alice@mailctl.test", "--send"]);
    expect(r.code).toBe(69);
    expect(r.primary).toMatchObject({ id: "message-too-large", stage: "mail" });
  });

  it("reports a working setup with exit 0 and sends the test message with its token", async () => {
    const s = await server({ mode: "starttls" });
    const ca = writeTemp("ca.pem", s.ca!);
    const r = await doctor(["--port", String(s.port), "--tls", "starttls", "--ca", ca, ...login, "--from", "Alice <alice@mailctl.test>", "--send"]);
    expect(r.code).toBe(0);
    expect(r.doc.ok).toBe(true);
    expect(r.doc.diagnoses).toEqual([]);
    expect(r.doc.sent.reply).toMatch(/^250 /);
    const received = (s as unknown as { messages: { raw: Buffer; user: unknown }[] }).messages;
    expect(received).toHaveLength(1);
    expect(received[0]!.raw.toString()).toContain(r.doc.sent.token);
    expect(received[0]!.user).toBe("alice@mailctl.test");
  });
});

describe("doctor's checks on the settings, before connecting", () => {
  it("from-header-invalid: an unquoted comma in the display name", async () => {
    const s = await server();
    const r = await doctor(["--port", String(s.port), "--tls", "none", ...login, "--from", "Doe, John <alice@mailctl.test>"]);
    expect(r.code).toBe(65);
    expect(r.primary).toMatchObject({ id: "from-header-invalid", stage: "data" });
  });

  it("ehlo-name-not-fqdn and tls-verification-off are warnings, not the cause", async () => {
    const s = await server({ mode: "implicit", cert: "self-signed" });
    const r = await doctor(["--port", String(s.port), "--tls", "implicit", "--insecure", "--name", "myhost", ...login]);
    expect(r.code).toBe(0);
    expect(r.doc.diagnoses.map((d: { id: string; severity: string }) => `${d.id}:${d.severity}`).sort()).toEqual(["ehlo-name-not-fqdn:warning", "tls-verification-off:warning"]);
    expect(r.stderr).toMatch(/verification is off/);
  });

  it("a port/mode combination that cannot work is flagged before connecting and confirmed live", async () => {
    const s = await server({ mode: "implicit" });
    const r = await doctor(["--port", "465", "--tls", "starttls", ...login], {});
    // Nothing listens on 465 here: the live stage fails differently, but the settings finding stays an error.
    expect(r.doc.diagnoses.map((d: { id: string }) => d.id)).toContain("plaintext-to-implicit-tls");
    void s;
  });
});

describe("network-unreachable: no route at all, told apart from a refusal", () => {
  // A network namespace of its own (unshare -n: only a loopback interface, down) has no route anywhere, so the
  // connect fails at once with ENETUNREACH and no packet can leave the machine. Needs root, as the suite does.
  const hasNetns = spawnSync("unshare", ["-n", "true"]).status === 0;
  it.skipIf(!hasNetns)("doctor inside a namespace without a network: network-unreachable (not connection-refused), exit 69, fixes for IPv4 and the container's network", () => {
    const r = spawnSync("unshare", ["-n", process.execPath, BIN, "doctor", "--host", "192.0.2.25", "-p", "587", "--tls", "starttls", "--timeout", "5", "--json"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: "/tmp" } });
    expect(r.status).toBe(69);
    const doc = JSON.parse(r.stdout);
    expect(doc.diagnoses[0]).toMatchObject({ id: "network-unreachable", stage: "tcp" });
    expect(doc.diagnoses[0].evidence).toMatch(/ENETUNREACH/);
    const fix = doc.diagnoses[0].fix.join("\n");
    expect(fix).toMatch(/IPv4: mailctl -4/);
    expect(fix).toMatch(/--network none/);
  });

  it("explain tells Python's and Node's wordings from connection-refused", async () => {
    for (const text of ["OSError: [Errno 101] Network is unreachable", "Error: connect ENETUNREACH 2a00:1450:400c:c07::6c:587 - Local (:::0)", "[Errno 113] No route to host"]) {
      const r = await runCli(["explain", "--json", text]);
      expect(JSON.parse(r.stdout).diagnoses[0].id, text).toBe("network-unreachable");
      expect(r.code).toBe(69);
    }
    expect(JSON.parse((await runCli(["explain", "--json", "[Errno 111] Connection refused"])).stdout).diagnoses[0].id).toBe("connection-refused");
  });

  it("aiosmtplib's SMTPConnectTimeoutError is a connect timeout", async () => {
    const r = await runCli(["explain", "--json", "aiosmtplib.errors.SMTPConnectTimeoutError: Timed out connecting to smtp.qq.com on port 465"]);
    expect(JSON.parse(r.stdout).diagnoses[0]).toMatchObject({ id: "connect-timeout", provider: "qq" });
    expect(r.code).toBe(75);
  });
});
