import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { writeTemp } from "../helpers/ca-file.js";
import { startRawServer, startSmtpServer, startTlsRawServer, type SmtpTestServer, type StartedServer } from "../helpers/tls-servers.js";

const servers: StartedServer[] = [];
async function smtp(opts: Parameters<typeof startSmtpServer>[0]): Promise<SmtpTestServer> {
  const s = await startSmtpServer(opts);
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Runs probe with --json and returns the document and the exit code. */
async function probeJson(args: string[], env: Record<string, string> = {}) {
  const r = await runCli(["probe", ...args, "--json"], { env });
  expect(r.stdout.trim().startsWith("{")).toBe(true);
  return { code: r.code, doc: JSON.parse(r.stdout), stderr: r.stderr };
}

describe("probe detects what a port speaks", () => {
  let implicit: SmtpTestServer, starttls: SmtpTestServer, plain: SmtpTestServer, caPath: string;
  beforeAll(async () => {
    implicit = await smtp({ mode: "implicit", auth: { user: "u", pass: "p" } });
    starttls = await smtp({ mode: "starttls", auth: { user: "u", pass: "p" } });
    plain = await smtp({ mode: "plain", auth: { user: "u", pass: "p" } });
    caPath = writeTemp("ca.pem", implicit.ca!);
  });

  it("recognises an implicit-TLS port by a handshake, not by waiting out the greeting timeout", async () => {
    // --timeout 60: had detection waited for a greeting, this test would hit vitest's 30 s limit.
    const { code, doc } = await probeJson(["127.0.0.1", "--port", String(implicit.port), "--ca", caPath, "--timeout", "60"]);
    expect(code).toBe(0);
    expect(doc).toMatchObject({ tls: "implicit", detectedBy: "tls-handshake", state: "open", ok: true });
    expect(doc.certificate).toMatchObject({ verified: true, verifyError: null, protocol: "TLSv1.3" });
    expect(doc.certificate.subjectAltNames).toContain("IP Address:127.0.0.1");
    expect(doc.certificate.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(doc.capabilities.auth).toEqual(expect.arrayContaining(["PLAIN", "LOGIN"]));
    expect(doc.stages.map((s: { stage: string; status: string }) => `${s.stage}:${s.status}`)).toEqual(
      expect.arrayContaining(["dns:ok", "tcp:ok", "tls:ok", "greeting:ok", "ehlo:ok", "starttls:skipped"]),
    );
  });

  it("recognises plaintext with STARTTLS and upgrades, reading the certificate over STARTTLS", async () => {
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(starttls.port), "--ca", caPath]);
    expect(code).toBe(0);
    expect(doc).toMatchObject({ tls: "starttls", detectedBy: "greeting", ok: true });
    const byStage = Object.fromEntries(doc.stages.map((s: { stage: string }) => [s.stage, s]));
    expect(byStage.starttls.status).toBe("ok");
    expect(byStage["ehlo-tls"].status).toBe("ok");
    expect(byStage.ehlo.detail.extensions.starttls).toBe(true);
    // smtp-server advertises AUTH before STARTTLS and refuses it with 538 only after the client has sent it.
    expect(doc.warnings.join(" ")).toMatch(/AUTH \(PLAIN LOGIN\) is offered before TLS/);
    expect(doc.certificate.verified).toBe(true);
  });

  it("recognises a plaintext-only port and warns that AUTH is offered without TLS", async () => {
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(plain.port)]);
    expect(code).toBe(0);
    expect(doc).toMatchObject({ tls: "none", certificate: null });
    expect(doc.capabilities.starttls).toBe(false);
    expect(doc.warnings.join("\n")).toMatch(/AUTH \(.*PLAIN.*\) is offered before TLS/);
  });

  it("without --port probes the ports at once and recommends the implicit-TLS one", async () => {
    const ports = [implicit.port, starttls.port, plain.port].join(",");
    const { code, doc } = await probeJson(["127.0.0.1", "--ports", ports, "--ca", caPath]);
    expect(code).toBe(0);
    expect(doc.ports.map((p: { port: number; tls: string }) => [p.port, p.tls])).toEqual([
      [implicit.port, "implicit"],
      [starttls.port, "starttls"],
      [plain.port, "none"],
    ]);
    expect(doc.recommended).toEqual({ port: implicit.port, tls: "implicit" });
  });

  it("prints a table on a terminal and tab-separated rows when piped", async () => {
    const ports = [implicit.port, plain.port].join(",");
    const piped = await runCli(["probe", "127.0.0.1", "--ports", ports, "--ca", caPath]);
    expect(piped.stdout.split("\n")[0]!.split("\t").slice(0, 3)).toEqual([String(implicit.port), "open", "implicit TLS"]);
    const tty = await runCli(["probe", "127.0.0.1", "--ports", ports, "--ca", caPath], { tty: true, env: { NO_COLOR: "1" } });
    expect(tty.stdout).toMatch(/PORT\s+STATE\s+MODE/);
    expect(tty.stdout).toContain(`use port ${implicit.port} with implicit TLS`);
    expect(tty.stdout).not.toMatch(/\u001b\[/); // NO_COLOR
  });

  it("reports a refused port with exit 69", async () => {
    const dead = await startRawServer(() => {});
    const port = dead.port;
    await dead.close();
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(port)]);
    expect(code).toBe(69);
    expect(doc).toMatchObject({ state: "refused", tls: null, failure: { stage: "tcp", kind: "refused", code: "ECONNREFUSED" } });
  });
});

describe("probe reports certificate problems with their kind", () => {
  const cases = [
    { cert: "self-signed", kind: "cert-self-signed", error: "DEPTH_ZERO_SELF_SIGNED_CERT" },
    { cert: "expired", kind: "cert-expired", error: "CERT_HAS_EXPIRED" },
    { cert: "wrong-host", kind: "cert-hostname", error: "ERR_TLS_CERT_ALTNAME_INVALID" },
    { cert: "untrusted", kind: "cert-untrusted", error: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" },
  ] as const;
  for (const c of cases) {
    for (const mode of ["implicit", "starttls"] as const) {
      it(`${c.cert} certificate over ${mode} → ${c.kind}, exit 74, facts still shown`, async () => {
        const s = await smtp({ mode, cert: c.cert });
        const args = ["127.0.0.1", "-p", String(s.port)];
        if (s.ca) args.push("--ca", writeTemp("ca.pem", s.ca));
        const { code, doc } = await probeJson(args);
        expect(code).toBe(74);
        expect(doc.failure).toMatchObject({ stage: mode === "implicit" ? "tls" : "starttls", kind: c.kind, code: c.error });
        expect(doc.certificate).toMatchObject({ verified: false, verifyError: c.error, verifyKind: c.kind });
        expect(doc.tls).toBe(mode);
      });
    }
  }

  it("--insecure goes on past an untrusted certificate and says so", async () => {
    const s = await smtp({ mode: "implicit", cert: "self-signed" });
    const { code, doc, stderr } = await probeJson(["127.0.0.1", "-p", String(s.port), "--insecure"]);
    expect(code).toBe(0);
    expect(doc.insecure).toBe(true);
    expect(doc.certificate.verified).toBe(false);
    expect(stderr).toMatch(/certificate verification is off \(--insecure\)/);
    expect(doc.warnings.join(" ")).toMatch(/not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  });

  it("--servername checks the certificate against the name the server is known by", async () => {
    const s = await smtp({ mode: "implicit", cert: "wrong-host" });
    const ca = writeTemp("ca.pem", s.ca!);
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(s.port), "--ca", ca, "--servername", "mail.example.com"]);
    expect(code).toBe(0);
    expect(doc.certificate).toMatchObject({ verified: true, checkedName: "mail.example.com" });
  });

  it("names the old TLS version of a server that speaks only TLS 1.0", async () => {
    const s = await smtp({ mode: "implicit", minVersion: "TLSv1", maxVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" });
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(s.port), "--tls", "implicit"]);
    expect(code).toBe(74);
    expect(doc.failure.kind).toBe("tls-protocol-version");
    expect(doc.legacyTls).toBe("TLSv1");
    expect(doc.warnings.join(" ")).toMatch(/only TLSv1, below TLS 1.2/);
  });
});

describe("probe against misbehaving servers", () => {
  it("a 421 greeting is a temporary failure (75) with the reply as evidence", async () => {
    const s = await startRawServer((sock) => sock.end("421 4.3.2 Service not available, closing transmission channel\r\n"));
    servers.push(s);
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(s.port), "--tls", "none"]);
    expect(code).toBe(75);
    expect(doc.failure).toMatchObject({ stage: "greeting", kind: "negative-reply", reply: { code: 421, enhanced: "4.3.2" } });
  });

  it("a server silent after the greeting hits the command timeout (75), not a hang", async () => {
    const s = await startRawServer((sock) => sock.write("220 quiet.example ESMTP\r\n"));
    servers.push(s);
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(s.port), "--timeout", "0.5"]);
    expect(code).toBe(75);
    expect(doc.failure).toMatchObject({ stage: "ehlo", kind: "reply-timeout" });
  });

  it("a silent plaintext port that is not TLS either ends in a greeting timeout", async () => {
    const s = await startRawServer(() => {});
    servers.push(s);
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(s.port), "--timeout", "1"]);
    expect(code).toBe(75);
    expect(doc.failure).toMatchObject({ stage: "greeting", kind: "greeting-timeout" });
  });

  it("a reply that is not SMTP is a protocol error (76)", async () => {
    const s = await startRawServer((sock) => sock.write("HTTP/1.1 400 Bad Request\r\n\r\n"));
    servers.push(s);
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(s.port), "--tls", "none"]);
    expect(code).toBe(76);
    expect(doc.failure).toMatchObject({ stage: "greeting", kind: "protocol" });
    expect(doc.failure.message).toContain("HTTP/1.1 400");
  });

  it("implicit TLS asked on a plaintext port fails fast with the wrong-version error (76)", async () => {
    const s = await smtp({ mode: "plain" });
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(s.port), "--tls", "implicit"]);
    expect(code).toBe(76);
    expect(doc.failure).toMatchObject({ stage: "tls", kind: "tls-wrong-version" });
  });

  it("plaintext asked on an implicit-TLS port names the real mode", async () => {
    const s = await startTlsRawServer("valid", (sock) => sock.write("220 tls.example ESMTP\r\n"));
    servers.push(s);
    const { code, doc } = await probeJson(["127.0.0.1", "-p", String(s.port), "--tls", "none", "--timeout", "60"]);
    expect(code).toBe(76);
    expect(doc.tls).toBe("implicit");
    expect(doc.failure).toMatchObject({ stage: "greeting", kind: "implicit-tls-port" });
  });
});

describe("probe over IPv6", () => {
  it("-6 connects to ::1 and reports the address used", async () => {
    const s = await startRawServer((sock) => {
      sock.write("220 v6.example ESMTP\r\n");
      sock.on("data", (d) => {
        const line = d.toString();
        if (line.startsWith("EHLO")) sock.write("250-v6.example\r\n250 8BITMIME\r\n");
        if (line.startsWith("QUIT")) sock.end("221 bye\r\n");
      });
    }, { host: "::1" });
    servers.push(s);
    const { code, doc } = await probeJson(["::1", "-p", String(s.port), "-6"]);
    expect(code).toBe(0);
    const tcp = doc.stages.find((x: { stage: string }) => x.stage === "tcp");
    expect(tcp.detail).toMatchObject({ address: "::1", family: 6 });
    const ehlo = doc.stages.find((x: { stage: string }) => x.stage === "ehlo");
    expect(ehlo.detail.name).toMatch(/^\[IPv6:|\./);
  });

  it("-4 with an IPv6 literal is refused before connecting", async () => {
    const { code, doc } = await probeJson(["::1", "-p", "25", "-4"]);
    expect(code).toBe(68);
    expect(doc.failure.stage).toBe("dns");
  });
});
