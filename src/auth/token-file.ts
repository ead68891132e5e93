// The optional token file: the last access token (and a rotated refresh token) kept between runs, so a script
// that sends every minute does not ask the token endpoint every minute. Written atomically with mode 0600 — a
// temporary file created 0600 in the same directory, then renamed over the old one — so no reader ever sees a
// half-written file and no other user can read it at any moment.

import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";

/** What the file holds. `user`, `tokenUrl` and `clientId` tie it to one account and app registration. */
export interface StoredToken {
  version: 1;
  user: string;
  tokenUrl: string;
  clientId: string;
  accessToken: string;
  /** ISO time the access token expires; without it the token is not reused. */
  expiresAt?: string;
  scope?: string;
  /** A refresh token the endpoint issued in place of the configured one (RFC 6749 §6). */
  refreshToken?: string;
  /** Fingerprint of the configured refresh token it replaces: a newly configured one wins over it. */
  replaces?: string;
}

/** A short fingerprint of a secret (never the secret), to notice that the configured refresh token changed. */
export function fingerprint(secret: string): string {
  return createHash("sha256").update(secret).digest("hex").slice(0, 16);
}

/** Reads the file; null when it is missing or is not a token file (it is then simply rewritten). */
export async function readTokenFile(file: string): Promise<StoredToken | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as Partial<StoredToken>;
    if (v.version !== 1 || typeof v.accessToken !== "string" || typeof v.user !== "string" || typeof v.tokenUrl !== "string" || typeof v.clientId !== "string") return null;
    return v as StoredToken;
  } catch {
    return null;
  }
}

/** Writes the file atomically with mode 0600 (its directory is created 0700 when missing). */
export async function writeTokenFile(file: string, t: StoredToken): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.writeFile(JSON.stringify(t, null, 2) + "\n", "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
