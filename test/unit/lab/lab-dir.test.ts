import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultLabDir, ensureLabCerts } from "../../../src/lab/lab-dir.js";
import { issueServerCert } from "../../../src/tls/certs.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(os.tmpdir(), "mailctl-labdir-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DAY = 24 * 3600_000;

describe("lab certificates", () => {
  it("creates a CA and a server certificate for localhost, 127.0.0.1 and ::1, keys readable by the owner only", async () => {
    const c = await ensureLabCerts(dir);
    expect(c.created).toEqual({ ca: true, server: true });
    const leaf = new X509Certificate(c.cert);
    expect(leaf.checkHost("localhost")).toBe("localhost");
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkIP("::1")).toBe("::1");
    expect(leaf.verify(new X509Certificate(c.caPem).publicKey)).toBe(true);
    for (const f of ["ca-key.pem", "server-key.pem", "server.pem"]) expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
    expect(c.caPath).toBe(join(dir, "ca.pem"));
  });

  it("reuses both on the next start", async () => {
    const first = await ensureLabCerts(dir);
    const again = await ensureLabCerts(dir);
    expect(again.created).toEqual({ ca: false, server: false });
    expect(again.caPem).toBe(first.caPem);
    expect(again.cert).toBe(first.cert);
  });

  it("replaces a server certificate that expires within 30 days, and keeps the CA", async () => {
    const first = await ensureLabCerts(dir);
    const ca = { cert: first.caPem, key: await readFile(join(dir, "ca-key.pem"), "utf8") };
    const soon = await issueServerCert(ca, { hosts: ["localhost", "127.0.0.1", "::1"], notAfter: new Date(Date.now() + 10 * DAY) });
    await writeFile(join(dir, "server.pem"), soon.cert);
    await writeFile(join(dir, "server-key.pem"), soon.key);
    const again = await ensureLabCerts(dir);
    expect(again.created).toEqual({ ca: false, server: true });
    expect(again.caPem).toBe(first.caPem);
    expect(Date.parse(new X509Certificate(again.cert).validTo)).toBeGreaterThan(Date.now() + 30 * DAY);
  });

  it("replaces a CA that does not parse, and with it the server certificate", async () => {
    const first = await ensureLabCerts(dir);
    await writeFile(join(dir, "ca.pem"), "not a certificate\n");
    const again = await ensureLabCerts(dir);
    expect(again.created).toEqual({ ca: true, server: true });
    expect(again.caPem).not.toBe(first.caPem);
  });

  it("reissues the server certificate when it does not cover an extra listen address", async () => {
    await ensureLabCerts(dir);
    const again = await ensureLabCerts(dir, ["localhost", "127.0.0.1", "::1", "127.0.0.2"]);
    expect(again.created).toEqual({ ca: false, server: true });
    expect(new X509Certificate(again.cert).checkIP("127.0.0.2")).toBe("127.0.0.2");
  });

  it("lives under $XDG_CACHE_HOME, else ~/.cache", () => {
    expect(defaultLabDir({ XDG_CACHE_HOME: "/x/cache" })).toBe("/x/cache/mailctl/lab");
    expect(defaultLabDir({})).toBe(join(os.homedir(), ".cache", "mailctl", "lab"));
  });
});
