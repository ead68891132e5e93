// src/tls/certs.ts and test/helpers/tls-servers.ts against REAL TLS connections on loopback (no mocks).
//
// Node error codes observed on Node 20.20.2 / bundled OpenSSL 3.0.19 (asserted below):
//   CA-issued, client trusts CA ............................. authorized, no error
//   CA-issued, CA not trusted, server sends leaf only ....... UNABLE_TO_VERIFY_LEAF_SIGNATURE
//   CA-issued, CA not trusted, server sends leaf + CA ....... SELF_SIGNED_CERT_IN_CHAIN
//   self-signed leaf (with or without an unrelated ca) ...... DEPTH_ZERO_SELF_SIGNED_CERT
//   self-signed leaf given itself as `ca` (pinning) ......... authorized
//   expired (trusted CA, and also without ca) ............... CERT_HAS_EXPIRED
//   wrong host, CA trusted .................................. ERR_TLS_CERT_ALTNAME_INVALID
//   untrusted CA, leaf only / leaf + CA ..................... UNABLE_TO_VERIFY_LEAF_SIGNATURE / SELF_SIGNED_CERT_IN_CHAIN
//   TLS-1.0-only server, default client ..................... ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION
//       (server side logs ERR_SSL_UNSUPPORTED_PROTOCOL; the client only sees the alert, number 70)
//   TLS-1.0-only server, client minVersion TLSv1 but default SECLEVEL
//       .................................................... ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED
//   TLS-1.0-only server, client minVersion TLSv1 + DEFAULT@SECLEVEL=0 ... connects, protocol "TLSv1"
import { X509Certificate, createPrivateKey } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
// @peculiar/x509 needs the Reflect metadata API loaded before it.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCA, createSelfSigned, issueServerCert, type KeyPair } from "../../src/tls/certs.js";
import {
  VALID_HOSTS,
  WRONG_HOST,
  getCert,
  startRawServer,
  startSmtpServer,
  startTlsRawServer,
  type StartedServer,
} from "../helpers/tls-servers.js";

const DAY = 24 * 3600_000;

// ---------------------------------------------------------------------------------------------
// small real-socket helpers

interface Probe {
  authorized: boolean;
  authorizationError: string | undefined;
  protocol: string | null;
  peer: tls.DetailedPeerCertificate;
  cipher: tls.CipherNameAndProtocol;
}

/** Handshake with rejectUnauthorized:false and report what Node decided about the peer. */
function probe(port: number, opts: tls.ConnectionOptions = {}): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port, servername: "localhost", rejectUnauthorized: false, ...opts });
    s.once("secureConnect", () => {
      const err = s.authorizationError as unknown;
      resolve({
        authorized: s.authorized,
        authorizationError: err === null || err === undefined ? undefined : String((err as { code?: string }).code ?? err),
        protocol: s.getProtocol(),
        peer: s.getPeerCertificate(true),
        cipher: s.getCipher(),
      });
      s.destroy();
    });
    s.once("error", reject);
  });
}

/** Handshake with default (strict) verification; resolve the error Node raises, or null on success. */
function strictError(port: number, opts: tls.ConnectionOptions = {}): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ...opts });
    s.once("secureConnect", () => {
      s.destroy();
      resolve(null);
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e));
  });
}

/** Reads SMTP replies (multi-line aware) from a socket. */
class ReplyReader {
  private buf = "";
  private waiter: (() => void) | undefined;
  private readonly onData = (d: Buffer): void => {
    this.buf += d.toString("latin1");
    this.waiter?.();
  };
  constructor(private readonly sock: net.Socket) {
    sock.on("data", this.onData);
  }
  detach(): void {
    this.sock.off("data", this.onData);
  }
  private take(): string | undefined {
    const lines = this.buf.split("\r\n");
    let used = 0;
    for (let i = 0; i < lines.length - 1; i++) {
      used += lines[i]!.length + 2;
      if (/^\d{3}(?: |$)/.test(lines[i]!)) {
        const reply = this.buf.slice(0, used);
        this.buf = this.buf.slice(used);
        return reply;
      }
    }
    return undefined;
  }
  read(timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        const r = this.take();
        if (r === undefined) return;
        clearTimeout(t);
        this.waiter = undefined;
        resolve(r);
      };
      const t = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no SMTP reply within ${timeoutMs} ms (buffer: ${JSON.stringify(this.buf)})`));
      }, timeoutMs);
      this.waiter = done;
      done();
    });
  }
  async command(line: string): Promise<string> {
    this.sock.write(line + "\r\n");
    return this.read();
  }
}

function connectPlain(port: number, host = "127.0.0.1"): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => resolve(s));
    s.once("error", reject);
  });
}

function connectTls(opts: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", servername: "localhost", ...opts }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Bytes a server sends within `ms` of connecting, and whether it closed the connection. */
function collectFor(port: number, ms: number): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let closed = false;
    const s = net.connect({ host: "127.0.0.1", port });
    s.on("data", (c) => chunks.push(c));
    s.on("close", () => (closed = true));
    s.on("error", reject);
    setTimeout(() => {
      s.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    }, ms);
  });
}

interface SendResult {
  err?: NodeJS.ErrnoException & { responseCode?: number };
  secure?: boolean;
}

/** Full client session with nodemailer's SMTPConnection: connect, optional login, send one message. */
function nodemailerSend(
  opts: ConstructorParameters<typeof SMTPConnection>[0],
  auth: { user: string; pass: string } | undefined,
  message: string,
): Promise<SendResult> {
  return new Promise((resolve) => {
    const conn = new SMTPConnection({ host: "127.0.0.1", ...opts });
    let settled = false;
    const finish = (r: SendResult): void => {
      if (settled) return;
      settled = true;
      const secure = conn.secure;
      conn.close();
      resolve({ ...r, secure });
    };
    conn.once("error", (err: NodeJS.ErrnoException) => finish({ err }));
    conn.connect((err) => {
      if (err) return finish({ err });
      const send = (): void =>
        conn.send({ from: "alice@example.com", to: ["bob@example.com"] }, message, (e) => finish(e ? { err: e } : {}));
      if (!auth) return send();
      conn.login({ credentials: auth }, (e) => (e ? finish({ err: e }) : send()));
    });
  });
}

const MESSAGE = "From: alice@example.com\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nhello\r\n";

// ---------------------------------------------------------------------------------------------

const servers: StartedServer[] = [];
async function track<T extends StartedServer>(p: Promise<T>): Promise<T> {
  const s = await p;
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

let ipv6 = false;
beforeAll(async () => {
  ipv6 = await new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(0, "::1", () => s.close(() => resolve(true)));
  });
});

describe("generation timings", () => {
  it("measures each kind of generation (ms)", async () => {
    const time = async (n: number, f: () => Promise<unknown>): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await f();
        out.push(performance.now() - t);
      }
      return out;
    };
    const ecCA = await createCA();
    const rsaCA = await createCA({ keyType: "rsa" });
    const rows: Record<string, number[]> = {
      "createCA ec": await time(5, () => createCA()),
      "issueServerCert ec (ec CA)": await time(5, () => issueServerCert(ecCA, { hosts: VALID_HOSTS })),
      "createSelfSigned ec": await time(5, () => createSelfSigned({ hosts: VALID_HOSTS })),
      "createCA rsa": await time(3, () => createCA({ keyType: "rsa" })),
      "issueServerCert rsa (rsa CA)": await time(3, () => issueServerCert(rsaCA, { hosts: VALID_HOSTS, keyType: "rsa" })),
      "createSelfSigned rsa": await time(3, () => createSelfSigned({ hosts: VALID_HOSTS, keyType: "rsa" })),
    };
    const fmt = (xs: number[]): string => {
      const s = [...xs].sort((a, b) => a - b);
      return `min ${s[0]!.toFixed(1)}  median ${s[Math.floor(s.length / 2)]!.toFixed(1)}  max ${s[s.length - 1]!.toFixed(1)}`;
    };
    console.log(
      "certificate generation timings (ms):\n" +
        Object.entries(rows)
          .map(([k, v]) => `  ${k.padEnd(30)} ${fmt(v)}`)
          .join("\n"),
    );
    // Loose bound: EC must stay cheap enough to generate per test file.
    for (const k of ["createCA ec", "issueServerCert ec (ec CA)", "createSelfSigned ec"]) {
      expect(Math.min(...rows[k]!)).toBeLessThan(2000);
    }
  });
});

describe("certificate contents", () => {
  let ca: KeyPair;
  let leaf: KeyPair;
  let rsaLeaf: KeyPair;
  beforeAll(async () => {
    ca = await createCA();
    leaf = await issueServerCert(ca, { hosts: ["localhost", "127.0.0.1", "::1", "mx.example.org"] });
    rsaLeaf = await issueServerCert(ca, { hosts: ["localhost"], keyType: "rsa" });
  });

  it("CA: critical cA=TRUE, keyCertSign+cRLSign, SKI, ~10 years, backdated 1 h", () => {
    const c = new x509.X509Certificate(ca.cert);
    const bc = c.getExtension(x509.BasicConstraintsExtension)!;
    expect(bc.ca).toBe(true);
    expect(bc.critical).toBe(true);
    const ku = c.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ku.critical).toBe(true);
    expect(c.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(c.subject).toBe(c.issuer);
    expect(Math.abs(c.notBefore.getTime() - (Date.now() - 3600_000))).toBeLessThan(120_000);
    const years = (c.notAfter.getTime() - c.notBefore.getTime()) / (365.25 * DAY);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    const node = new X509Certificate(ca.cert);
    expect(node.ca).toBe(true);
    expect(node.checkPrivateKey(createPrivateKey(ca.key))).toBe(true);
    expect(node.publicKey.asymmetricKeyType).toBe("ec");
  });

  it("server: SAN with DNS + IPv4 + IPv6, EKU serverAuth, AKI = CA SKI, CN = first host, 825 days", () => {
    const c = new x509.X509Certificate(leaf.cert);
    const caCert = new x509.X509Certificate(ca.cert);
    const node = new X509Certificate(leaf.cert);
    expect(node.subjectAltName).toBe(
      "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:mx.example.org",
    );
    expect(node.subject).toBe("CN=localhost");
    expect(node.issuer).toBe(new X509Certificate(ca.cert).subject);
    expect(node.ca).toBe(false);
    expect(node.checkIssued(new X509Certificate(ca.cert))).toBe(true);
    expect(node.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
    expect(node.checkPrivateKey(createPrivateKey(leaf.key))).toBe(true);
    expect(node.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]); // Node's keyUsage is the EKU list
    expect(c.getExtension(x509.KeyUsagesExtension)!.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(c.getExtension(x509.BasicConstraintsExtension)!.ca).toBe(false);
    expect(c.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(
      caCert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId,
    );
    expect(c.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId).not.toBe(
      caCert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId,
    );
    expect(c.notAfter.getTime() - c.notBefore.getTime()).toBe(825 * DAY);
    expect(leaf.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/); // PKCS#8
  });

  it("RSA leaf: 2048-bit, digitalSignature + keyEncipherment", () => {
    const c = new x509.X509Certificate(rsaLeaf.cert);
    expect(c.getExtension(x509.KeyUsagesExtension)!.usages).toBe(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    );
    const key = createPrivateKey(rsaLeaf.key);
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(rsaLeaf.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it("serials are 16 random bytes with the high bit cleared", async () => {
    const serials = [ca, leaf, rsaLeaf, await createSelfSigned({ hosts: ["a"] })].map(
      (k) => new X509Certificate(k.cert).serialNumber,
    );
    for (const s of serials) {
      expect(s).toMatch(/^[0-7][0-9A-F]{31}$/);
    }
    expect(new Set(serials).size).toBe(serials.length);
  });

  it("self-signed leaf: cA=FALSE, issuer = subject, verifies with its own key", async () => {
    const ss = await createSelfSigned({ hosts: ["localhost", "::1"] });
    const node = new X509Certificate(ss.cert);
    expect(node.ca).toBe(false);
    expect(node.issuer).toBe(node.subject);
    expect(node.verify(node.publicKey)).toBe(true);
    expect(node.subjectAltName).toBe("DNS:localhost, IP Address:0:0:0:0:0:0:0:1");
  });

  it("honours explicit validity and rejects inverted dates and nameless certs", async () => {
    const notBefore = new Date("2020-01-01T00:00:00Z");
    const notAfter = new Date("2021-01-01T00:00:00Z");
    const c = new X509Certificate((await issueServerCert(ca, { hosts: ["x"], notBefore, notAfter })).cert);
    expect(new Date(c.validFrom).toISOString()).toBe(notBefore.toISOString());
    expect(new Date(c.validTo).toISOString()).toBe(notAfter.toISOString());
    await expect(issueServerCert(ca, { hosts: ["x"], notBefore: notAfter, notAfter: notBefore })).rejects.toThrow(
      /notAfter/,
    );
    await expect(issueServerCert(ca, {})).rejects.toThrow(/hosts or commonName/);
  });

  it("accepts bracketed and IPv4-mapped IPv6 hosts, wildcards and IDNs (as punycode)", async () => {
    const c = await issueServerCert(ca, {
      hosts: ["[2001:db8::1]", "::ffff:192.0.2.1", "*.Example.com", "bücher.example"],
    });
    expect(new X509Certificate(c.cert).subjectAltName).toBe(
      "IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:C000:201, DNS:*.example.com, DNS:xn--bcher-kva.example",
    );
  });

  it("an RSA CA can issue an EC leaf (signing algorithm follows the CA key)", async () => {
    const rsaCA = await createCA({ keyType: "rsa" });
    const l = await issueServerCert(rsaCA, { hosts: ["localhost"] });
    const node = new X509Certificate(l.cert);
    expect(node.publicKey.asymmetricKeyType).toBe("ec");
    expect(node.verify(new X509Certificate(rsaCA.cert).publicKey)).toBe(true);
  });
});

describe("real TLS verification", () => {
  it("CA-issued: authorized with ca, UNABLE_TO_VERIFY_LEAF_SIGNATURE without", async () => {
    const srv = await track(startTlsRawServer("valid", (s) => s.end()));
    expect(srv.ca).toBeDefined();
    const ok = await probe(srv.port, { ca: srv.ca });
    expect(ok.authorized).toBe(true);
    expect(ok.authorizationError).toBeUndefined();
    expect(ok.peer.issuerCertificate.subject.CN).toMatch(/trusted test CA/);
    expect(await strictError(srv.port, { ca: srv.ca })).toBeNull();

    expect((await probe(srv.port)).authorizationError).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    const err = await strictError(srv.port);
    expect(err?.code).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    expect(err?.message).toBe("unable to verify the first certificate");
  });

  it("CA-issued with the chain sent: SELF_SIGNED_CERT_IN_CHAIN without ca, authorized with it", async () => {
    const srv = await track(startTlsRawServer("valid", (s) => s.end(), { chain: true }));
    expect((await probe(srv.port, { ca: srv.ca })).authorized).toBe(true);
    const p = await probe(srv.port);
    expect(p.authorizationError).toBe("SELF_SIGNED_CERT_IN_CHAIN");
    expect((await strictError(srv.port))?.code).toBe("SELF_SIGNED_CERT_IN_CHAIN");
  });

  it("self-signed: DEPTH_ZERO_SELF_SIGNED_CERT; pinning the cert itself as ca authorizes", async () => {
    const srv = await track(startTlsRawServer("self-signed", (s) => s.end()));
    expect(srv.ca).toBeUndefined();
    expect((await probe(srv.port)).authorizationError).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    const other = await getCert("valid");
    expect((await strictError(srv.port, { ca: other.ca }))?.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect((await strictError(srv.port))?.message).toBe("self-signed certificate");
    expect((await probe(srv.port, { ca: srv.cert })).authorized).toBe(true);
  });

  it("expired: CERT_HAS_EXPIRED (even with the issuing CA trusted)", async () => {
    const srv = await track(startTlsRawServer("expired", (s) => s.end()));
    const err = await strictError(srv.port, { ca: srv.ca });
    expect(err?.code).toBe("CERT_HAS_EXPIRED");
    expect(err?.message).toBe("certificate has expired");
    expect((await probe(srv.port)).authorizationError).toBe("CERT_HAS_EXPIRED");
  });

  it("wrong host: chain is fine, identity fails with ERR_TLS_CERT_ALTNAME_INVALID for localhost and 127.0.0.1", async () => {
    const srv = await track(startTlsRawServer("wrong-host", (s) => s.end()));
    const p = await probe(srv.port, { ca: srv.ca, checkServerIdentity: () => undefined });
    expect(p.authorized).toBe(true);
    const forLocalhost = tls.checkServerIdentity("localhost", p.peer);
    expect(forLocalhost).toBeInstanceOf(Error);
    expect((forLocalhost as NodeJS.ErrnoException).code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    const forIp = tls.checkServerIdentity("127.0.0.1", p.peer);
    expect((forIp as NodeJS.ErrnoException).code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(forIp?.message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
    expect(tls.checkServerIdentity(WRONG_HOST, p.peer)).toBeUndefined();

    const viaSni = await strictError(srv.port, { ca: srv.ca });
    expect(viaSni?.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    // no servername: Node checks the IP we dialled
    const viaIp = await strictError(srv.port, { ca: srv.ca, servername: "" });
    expect(viaIp?.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
  });

  it("untrusted CA: UNABLE_TO_VERIFY_LEAF_SIGNATURE even with the test CA trusted", async () => {
    const srv = await track(startTlsRawServer("untrusted", (s) => s.end()));
    expect(srv.ca).toBeUndefined();
    const trusted = await getCert("valid");
    expect((await strictError(srv.port, { ca: trusted.ca }))?.code).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    const chained = await track(startTlsRawServer("untrusted", (s) => s.end(), { chain: true }));
    expect((await strictError(chained.port, { ca: trusted.ca }))?.code).toBe("SELF_SIGNED_CERT_IN_CHAIN");
  });

  it("IPv6 SAN: ::1 matches, and a real connection over ::1 is authorized", async () => {
    const srv = await track(startTlsRawServer("valid", (s) => s.end()));
    const p = await probe(srv.port, { ca: srv.ca });
    expect(tls.checkServerIdentity("::1", p.peer)).toBeUndefined();
    const v4only = await issueServerCert(await createCA(), { hosts: ["127.0.0.1"] });
    const peerV4 = { subject: { CN: "127.0.0.1" }, subjectaltname: new X509Certificate(v4only.cert).subjectAltName };
    expect(
      (tls.checkServerIdentity("::1", peerV4 as unknown as tls.PeerCertificate) as NodeJS.ErrnoException).code,
    ).toBe("ERR_TLS_CERT_ALTNAME_INVALID");

    if (!ipv6) return; // loopback IPv6 missing on this machine: the SAN check above still ran
    const v6 = await track(startTlsRawServer("valid", (s) => s.end(), { host: "::1" }));
    const p6 = await probe(v6.port, { host: "::1", servername: "", ca: v6.ca });
    expect(p6.authorized).toBe(true);
    expect(await strictError(v6.port, { host: "::1", servername: "", ca: v6.ca })).toBeNull();
  });

  it("RSA chain works, including TLS 1.2 RSA key transport (needs keyEncipherment)", async () => {
    const srv = await track(startTlsRawServer("valid", (s) => s.end(), { keyType: "rsa" }));
    const p = await probe(srv.port, { ca: srv.ca });
    expect(p.authorized).toBe(true);
    expect(p.peer.bits).toBe(2048);
    expect(p.peer.issuerCertificate.bits).toBe(2048);
    const kx = await probe(srv.port, { ca: srv.ca, maxVersion: "TLSv1.2", ciphers: "AES128-GCM-SHA256" });
    expect(kx.authorized).toBe(true);
    expect(kx.protocol).toBe("TLSv1.2");
    expect(kx.cipher.name).toBe("AES128-GCM-SHA256");
  });

  it("TLS-1.0-only server: default client fails with ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", async () => {
    const srv = await track(
      startTlsRawServer("valid", (s) => s.end(), {
        keyType: "rsa",
        minVersion: "TLSv1",
        maxVersion: "TLSv1",
        ciphers: "DEFAULT@SECLEVEL=0",
      }),
    );
    const err = await strictError(srv.port, { ca: srv.ca });
    // Node 20.20.2 / OpenSSL 3.0.19: code ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION, reason
    // "tlsv1 alert protocol version", message "...ssl3_read_bytes:tlsv1 alert protocol version...SSL alert number 70"
    expect(err?.code).toBe("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION");
    expect((err as { reason?: string } | null)?.reason).toBe("tlsv1 alert protocol version");
    expect(err?.message).toMatch(/SSL alert number 70/);
    // The server side sees the client's hello as ERR_SSL_UNSUPPORTED_PROTOCOL.
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.errors.map((e) => (e as NodeJS.ErrnoException).code)).toContain("ERR_SSL_UNSUPPORTED_PROTOCOL");

    // minVersion alone is not enough: OpenSSL 3 at SECLEVEL 1 refuses TLS 1.0's MD5+SHA1 signatures.
    const half = await strictError(srv.port, { ca: srv.ca, minVersion: "TLSv1" });
    expect(half?.code).toBe("ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED");
    // A deliberately legacy client gets through.
    const legacy = await probe(srv.port, { ca: srv.ca, minVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" });
    expect(legacy.protocol).toBe("TLSv1");
    expect(legacy.authorized).toBe(true);
  });
});

describe("smtp-server helper", () => {
  it("caches certificate material per kind", async () => {
    const a = await getCert("valid");
    const t = performance.now();
    const b = await getCert("valid");
    expect(performance.now() - t).toBeLessThan(5);
    expect(b).toBe(a);
    expect((await getCert("valid", "rsa")).pair.cert).not.toBe(a.pair.cert);
  });

  it("starttls: 220 greeting, STARTTLS offered, upgrade verifies against ca, mail arrives", async () => {
    const srv = await track(startSmtpServer({ mode: "starttls", auth: { user: "u", pass: "p" } }));
    const sock = await connectPlain(srv.port);
    const r = new ReplyReader(sock);
    expect(await r.read()).toMatch(/^220 /);
    const ehlo = await r.command("EHLO client.test");
    expect(ehlo).toMatch(/^250[- ]STARTTLS\r$/m);
    expect(await r.command("AUTH PLAIN AHUAcA==")).toMatch(/^538 /); // no creds before TLS
    expect(await r.command("STARTTLS")).toMatch(/^220 /);
    r.detach();
    const secure = await connectTls({ socket: sock, ca: srv.ca });
    expect(secure.authorized).toBe(true);
    const r2 = new ReplyReader(secure);
    expect(await r2.command("EHLO client.test")).toMatch(/AUTH PLAIN LOGIN/);
    secure.destroy();

    const res = await nodemailerSend({ port: srv.port, requireTLS: true, tls: { ca: srv.ca, servername: "localhost" } }, { user: "u", pass: "p" }, MESSAGE);
    expect(res.err).toBeUndefined();
    expect(res.secure).toBe(true);
    expect(srv.messages).toHaveLength(1);
    const m = srv.messages[0]!;
    expect(m.secure).toBe(true);
    expect(m.user).toBe("u");
    expect(m.envelope.mailFrom && m.envelope.mailFrom.address).toBe("alice@example.com");
    expect(m.envelope.rcptTo.map((a) => a.address)).toEqual(["bob@example.com"]);
    expect(m.raw.toString()).toBe(MESSAGE);
  });

  it("implicit: no greeting in plaintext within 500 ms, 220 over TLS, mail arrives", async () => {
    const srv = await track(startSmtpServer({ mode: "implicit" }));
    const { data } = await collectFor(srv.port, 500);
    expect(data.length).toBe(0);

    const sock = await connectTls({ port: srv.port, ca: srv.ca });
    expect(sock.authorized).toBe(true);
    const r = new ReplyReader(sock);
    expect(await r.read()).toMatch(/^220 /);
    expect(await r.command("EHLO client.test")).not.toMatch(/STARTTLS/);
    sock.destroy();

    const res = await nodemailerSend({ port: srv.port, secure: true, tls: { ca: srv.ca, servername: "localhost" } }, undefined, MESSAGE);
    expect(res.err).toBeUndefined();
    expect(srv.messages).toHaveLength(1);
    expect(srv.messages[0]!.secure).toBe(true);
  });

  it("plain: no STARTTLS offered, AUTH allowed in clear, wrong password gets 535", async () => {
    const srv = await track(startSmtpServer({ mode: "plain", auth: { user: "u", pass: "p" } }));
    expect(srv.ca).toBeUndefined();
    const sock = await connectPlain(srv.port);
    const r = new ReplyReader(sock);
    expect(await r.read()).toMatch(/^220 /);
    const ehlo = await r.command("EHLO client.test");
    expect(ehlo).not.toMatch(/STARTTLS/);
    expect(ehlo).toMatch(/AUTH PLAIN LOGIN/);
    const wrong = Buffer.from("\0u\0nope").toString("base64");
    expect(await r.command(`AUTH PLAIN ${wrong}`)).toBe("535 Authentication failed\r\n");
    sock.destroy();

    const bad = await nodemailerSend({ port: srv.port, ignoreTLS: true }, { user: "u", pass: "nope" }, MESSAGE);
    expect(bad.err?.responseCode).toBe(535);
    const good = await nodemailerSend({ port: srv.port, ignoreTLS: true }, { user: "u", pass: "p" }, MESSAGE);
    expect(good.err).toBeUndefined();
    expect(good.secure).toBe(false);
    expect(srv.messages.map((m) => [m.user, m.secure])).toEqual([["u", false]]);
  });

  it("presents the chosen cert kind (implicit + wrong-host → ERR_TLS_CERT_ALTNAME_INVALID)", async () => {
    const srv = await track(startSmtpServer({ mode: "implicit", cert: "wrong-host" }));
    expect((await strictError(srv.port, { ca: srv.ca }))?.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    const starttlsExpired = await track(startSmtpServer({ mode: "starttls", cert: "expired" }));
    const res = await nodemailerSend(
      { port: starttlsExpired.port, requireTLS: true, tls: { ca: starttlsExpired.ca, servername: "localhost" } },
      undefined,
      MESSAGE,
    );
    // nodemailer 10.6 wraps the TLS failure: code ESOCKET, Node's code kept as originalCode.
    expect(res.err?.code).toBe("ESOCKET");
    expect((res.err as { originalCode?: string } | undefined)?.originalCode).toBe("CERT_HAS_EXPIRED");
    expect(res.err?.message).toBe("certificate has expired");
  });

  it("TLS-1.0-only smtp-server (minVersion/maxVersion passthrough)", async () => {
    const srv = await track(
      startSmtpServer({
        mode: "implicit",
        keyType: "rsa",
        minVersion: "TLSv1",
        maxVersion: "TLSv1",
        ciphers: "DEFAULT@SECLEVEL=0",
      }),
    );
    expect((await strictError(srv.port, { ca: srv.ca }))?.code).toBe("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION");
    const sock = await connectTls({ port: srv.port, ca: srv.ca, minVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" });
    expect(sock.getProtocol()).toBe("TLSv1");
    expect(await new ReplyReader(sock).read()).toMatch(/^220 /);
    sock.destroy();
  });
});

describe("raw server helpers", () => {
  it("startRawServer delivers exact bytes (GBK greeting), silence, immediate close and 421", async () => {
    const gbk = Buffer.concat([Buffer.from("220 "), Buffer.from([0xc4, 0xe3, 0xba, 0xc3]), Buffer.from("\r\n")]); // 你好
    const greet = await track(startRawServer((s) => s.write(gbk)));
    expect((await collectFor(greet.port, 200)).data.equals(gbk)).toBe(true);

    const silent = await track(startRawServer(() => undefined));
    const quiet = await collectFor(silent.port, 300);
    expect(quiet.data.length).toBe(0);
    expect(quiet.closed).toBe(false);

    const slam = await track(startRawServer((s) => s.destroy()));
    expect((await collectFor(slam.port, 200)).closed).toBe(true);

    const busy = await track(startRawServer((s) => s.end("421 4.3.2 Service not available\r\n")));
    const b = await collectFor(busy.port, 200);
    expect(b.data.toString()).toBe("421 4.3.2 Service not available\r\n");
    expect(b.closed).toBe(true);
  });

  it("startTlsRawServer accepts an explicit KeyPair and close() ends live connections", async () => {
    const ca = await createCA();
    const pair = await issueServerCert(ca, { hosts: ["localhost"] });
    const srv = await startTlsRawServer(pair, (s) => s.write("hello"));
    const sock = await connectTls({ port: srv.port, ca: ca.cert });
    expect(sock.authorized).toBe(true);
    const closed = new Promise<void>((r) => sock.on("close", () => r()));
    const t = performance.now();
    await srv.close();
    await closed;
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
