// An OAuth2 world on loopback: a token endpoint (test/helpers/token-endpoint.ts) and an smtp-server that takes
// XOAUTH2 only with a token that endpoint issued and did not revoke, refusing others as Gmail does (a 334 error
// challenge, then 535) or as Microsoft does (535 5.7.3, no challenge). Profiles go into a temp config file.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTokenEndpoint, type TokenEndpoint, type TokenEndpointOptions } from "./token-endpoint.js";
import { startSmtpServer, type SmtpTestServer } from "./tls-servers.js";

export const USER = "alice@mailctl.test";
export const CLIENT_ID = "1234-lab.apps.googleusercontent.com";
export const CLIENT_SECRET = "GOCSPX-lab-client-secret-9f8e7d";
export const REFRESH_TOKEN = "1//0lab-refresh-token-a1b2c3d4e5f6";

/** How the SMTP server refuses a token it does not know. */
export type Refusal = "google" | "google-403" | "microsoft";

/** The endpoint, the server, and the auth attempts the server saw. */
export interface OAuthWorld {
  endpoint: TokenEndpoint;
  smtp: SmtpTestServer;
  /** Each XOAUTH2 attempt: the user and token presented, and whether it was accepted. */
  attempts: { user: string; token: string; ok: boolean }[];
  /** Which user the server accepts tokens for (a token of another account is refused). */
  account: string;
  refusal: Refusal;
  dir: string;
  /** Writes a config file with one profile (defaults: this world's server and endpoint) and returns its path. */
  profile(extra?: Record<string, unknown>, name?: string): string;
  close(): Promise<void>;
}

/** Starts a world; `methods` are the AUTH mechanisms the server offers. */
export async function startOAuthWorld(opts: { refusal?: Refusal; methods?: string[]; endpoint?: Partial<TokenEndpointOptions> } = {}): Promise<OAuthWorld> {
  const endpoint = await startTokenEndpoint({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN, ...opts.endpoint });
  const attempts: OAuthWorld["attempts"] = [];
  const world = { attempts, account: USER, refusal: opts.refusal ?? "google" } as OAuthWorld;
  world.smtp = await startSmtpServer({
    mode: "plain",
    auth: { user: USER, pass: "no password works here", methods: opts.methods ?? ["PLAIN", "LOGIN", "XOAUTH2"] },
    onAuth: (a, _session, cb) => {
      if (a.method !== "XOAUTH2") return cb(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
      const ok = a.username === world.account && endpoint.valid(a.accessToken ?? "");
      attempts.push({ user: a.username ?? "", token: a.accessToken ?? "", ok });
      if (ok) return cb(null, { user: a.username });
      if (world.refusal === "microsoft") return cb(Object.assign(new Error("5.7.3 Authentication unsuccessful [LAB0PR00CA0018.namprd00.prod.outlook.com]"), { responseCode: 535 }));
      const status = world.refusal === "google-403" ? "403" : "400";
      cb(null, { data: { status, schemes: "Bearer", scope: "https://mail.google.com/" } });
    },
  });
  world.endpoint = endpoint;
  world.dir = mkdtempSync(path.join(os.tmpdir(), "mailctl-oauth-"));
  world.profile = (extra = {}, name = "lab") => {
    const p = { host: "127.0.0.1", port: world.smtp.port, tls: "none", user: USER, from: USER, clientId: CLIENT_ID, clientSecretEnv: "LAB_CLIENT_SECRET", refreshTokenEnv: "LAB_REFRESH_TOKEN", tokenUrl: endpoint.url, ...extra };
    for (const [k, v] of Object.entries(p)) if (v === undefined) delete (p as Record<string, unknown>)[k];
    const file = path.join(world.dir, `${name}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ profiles: { [name]: p } }, null, 2));
    return file;
  };
  world.close = async () => {
    await Promise.all([world.smtp.close(), endpoint.close()]);
  };
  return world;
}

/** The environment that holds the refresh setup's secrets. */
export const SECRETS_ENV = { LAB_CLIENT_SECRET: CLIENT_SECRET, LAB_REFRESH_TOKEN: REFRESH_TOKEN };

/** Every form a secret could leak in: itself, base64, and the XOAUTH2 / PLAIN initial responses that carry it. */
export function leakForms(secret: string, user = USER): string[] {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  return [secret, b64(secret), encodeURIComponent(secret), b64(`user=${user}\u0001auth=Bearer ${secret}\u0001\u0001`), b64(`n,a=${user},\u0001auth=Bearer ${secret}\u0001\u0001`), b64(`\u0000${user}\u0000${secret}`)];
}
