import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { isIP } from "node:net";
import os from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/durable.js";

/** The lab's TLS material: the CA clients trust (--ca) and the server certificate the lab presents. */
export interface LabCerts {
  caPath: string;
  caPem: string;
  key: string;
  cert: string;
  /** What this start had to create (false: reused from an earlier start). */
  created: { ca: boolean; server: boolean };
}

/** Names the server certificate always covers. */
export const LAB_HOSTS = ["localhost", "127.0.0.1", "::1"];

/** A server certificate this close to its end is replaced on start. */
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

const FILES = { ca: "ca.pem", caKey: "ca-key.pem", cert: "server.pem", key: "server-key.pem" } as const;

/** The default lab directory: $XDG_CACHE_HOME/mailctl/lab, else ~/.cache/mailctl/lab. */
export function defaultLabDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(os.homedir(), ".cache");
  return join(cache, "mailctl", "lab");
}

/**
 * Loads the lab's CA and server certificate from `dir`, creating what is missing or unusable: a CA that is
 * unreadable, expired or does not match its key is replaced (and with it the server certificate); a server
 * certificate is replaced when it was not issued by the CA, expires within 30 days, or does not cover `hosts`.
 */
export async function ensureLabCerts(dir: string, hosts: string[] = LAB_HOSTS): Promise<LabCerts> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const paths = { ca: join(dir, FILES.ca), caKey: join(dir, FILES.caKey), cert: join(dir, FILES.cert), key: join(dir, FILES.key) };
  const now = Date.now();

  let ca = await readPair(paths.ca, paths.caKey);
  let caCert = ca && usable(ca, now, 0);
  const created = { ca: false, server: false };
  const certs = await import("../tls/certs.js"); // @peculiar/x509 loads only when something must be generated
  if (!ca || !caCert) {
    ca = await certs.createCA({ commonName: "mailctl lab CA" });
    caCert = new X509Certificate(ca.cert);
    await writeSecret(paths.caKey, ca.key);
    await writePublic(paths.ca, ca.cert);
    created.ca = true;
  }

  let server = created.ca ? null : await readPair(paths.cert, paths.key);
  const leaf = server && usable(server, now, RENEW_BEFORE_MS);
  if (!server || !leaf || !leaf.checkIssued(caCert) || !leaf.verify(caCert.publicKey) || !covers(leaf, hosts)) {
    server = await certs.issueServerCert(ca, { hosts });
    await writeSecret(paths.key, server.key);
    await writeSecret(paths.cert, server.cert);
    created.server = true;
  }
  return { caPath: paths.ca, caPem: ca.cert, key: server.key, cert: server.cert, created };
}

async function readPair(certPath: string, keyPath: string): Promise<{ cert: string; key: string } | null> {
  try {
    return { cert: await readFile(certPath, "utf8"), key: await readFile(keyPath, "utf8") };
  } catch {
    return null;
  }
}

/** The parsed certificate when it parses, matches its key and stays valid for `margin` ms more; else null. */
function usable(pair: { cert: string; key: string }, now: number, margin: number): X509Certificate | null {
  try {
    const x = new X509Certificate(pair.cert);
    if (!x.checkPrivateKey(createPrivateKey(pair.key))) return null;
    if (Date.parse(x.validFrom) > now || Date.parse(x.validTo) - margin <= now) return null;
    return x;
  } catch {
    return null;
  }
}

function covers(x: X509Certificate, hosts: string[]): boolean {
  return hosts.every((h) => (isIP(h) ? x.checkIP(h) !== undefined : x.checkHost(h) !== undefined));
}

/** Private keys and the server certificate: 0600, written atomically so a reader never sees half a key. */
async function writeSecret(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text, { mode: 0o600 });
}

async function writePublic(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text, { mode: 0o644 });
}
