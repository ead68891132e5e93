// The optional token file: the last access token (and a rotated refresh token) kept between runs, so a script
// that sends every minute does not ask the token endpoint every minute. Written atomically with mode 0600 — a
// temporary file created 0600 in the same directory, then renamed over the old one — so no reader ever sees a
// half-written file and no other user can read it at any moment.

import { createHash } from "node:crypto";
import { INPUT_LIMITS, readInput } from "../fs/read-input.js";
import { writeFileAtomic } from "../fs/durable.js";

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
    text = await readInput(file, { label: file, max: INPUT_LIMITS.tokenFile, what: "a token file" });
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
  await writeFileAtomic(file, JSON.stringify(t, null, 2) + "\n", { mode: 0o600 });
}
