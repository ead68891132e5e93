// No OAuth2 secret leaves mailctl in any output: not the access tokens (issued, cached, ready-made), not the refresh
// token (configured or rotated), not the client secret — in any of the forms they could take: as themselves,
// base64, URL-encoded, or inside the XOAUTH2 / OAUTHBEARER initial response. Every command and every failure path
// that handles them runs here, with --json, --transcript and the human renderer.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { CLIENT_SECRET, leakForms, REFRESH_TOKEN, SECRETS_ENV, startOAuthWorld, USER, type OAuthWorld } from "../helpers/oauth-world.js";

const READY = "ya29.ready-made-token-7f3a9c2e1d";
let w: OAuthWorld;
const outputs: { run: string; text: string }[] = [];

async function run(name: string, args: string[], env: Record<string, string> = {}) {
  const r = await runCli(args, { env: { ...SECRETS_ENV, READY_TOKEN: READY, ...env } });
  outputs.push({ run: name, text: r.stdout + "\n" + r.stderr });
  return r;
}

beforeAll(async () => {
  w = await startOAuthWorld({ endpoint: { rotate: true } });
  const file = path.join(w.dir, "tokens.json");
  const cfg = w.profile({ tokenFile: file });
  const lab = ["--config", cfg, "--profile", "lab"];
  const send = ["--to", "bob@mailctl.test", "-s", "hello", "--text", "hi"];
  // Successes: a fresh token, the cached one, renewal after a refusal.
  await run("doctor json", ["doctor", ...lab, "--json", "--transcript"]);
  await run("doctor human", ["doctor", ...lab, "--transcript"]);
  await run("test-send", ["test-send", ...lab, "--json", "--transcript"]);
  w.endpoint.revokeAll();
  await run("send after revocation", ["send", ...lab, ...send, "--transcript"]);
  await run("send json", ["send", ...lab, ...send, "--json", "--transcript"]);
  // Refusals: a ready token, then every token (after one renewal), Microsoft style too.
  await run("ready token refused", ["doctor", ...lab, "--oauth-token-env", "READY_TOKEN", "--transcript"]);
  w.account = "other@mailctl.test";
  await run("all refused json", ["doctor", ...lab, "--json", "--transcript"]);
  w.refusal = "microsoft";
  await run("all refused microsoft", ["test-send", ...lab, "--transcript"]);
  w.account = USER;
  w.refusal = "google";
  // Refresh failures, one that quotes the refresh token back in its description.
  w.endpoint.options.fail = { status: 400, error: "invalid_grant", description: `Bad refresh token ${REFRESH_TOKEN}` };
  w.endpoint.options.expiresIn = 30;
  await run("refresh failed", ["doctor", "--config", w.profile(), "--profile", "lab", "--transcript"]);
  await run("refresh failed json", ["send", "--config", w.profile(), "--profile", "lab", ...send, "--json", "--transcript"]);
  delete w.endpoint.options.fail;
  // Settings, shown; and a secret given literally in a config file.
  await run("config show", ["config", "show", ...lab]);
  await run("config show json", ["config", "show", "--config", w.profile({ clientSecretEnv: undefined, clientSecret: CLIENT_SECRET }), "--profile", "lab", "--json"]);
});
afterAll(() => w.close());

describe("OAuth2 secrets never appear in any output", () => {
  it("ran every path, and the runs did what they were meant to", () => {
    expect(outputs.length).toBe(12);
    expect(w.endpoint.issued.length).toBeGreaterThanOrEqual(4);
    expect(outputs.find((o) => o.run === "refresh failed")!.text).toContain("Bad refresh token <redacted>");
    expect(outputs.find((o) => o.run === "doctor json")!.text).toContain("AUTH XOAUTH2 <redacted>");
  });

  it("no access token, refresh token (configured or rotated) or client secret, in any form", () => {
    const secrets = [...w.endpoint.issued, READY, REFRESH_TOKEN, ...[...w.endpoint.refreshTokens].filter((t) => t !== REFRESH_TOKEN), CLIENT_SECRET];
    expect(secrets.length).toBeGreaterThan(6);
    for (const secret of secrets) {
      for (const form of leakForms(secret)) {
        for (const o of outputs) expect(o.text, `${o.run} leaks ${secret.slice(0, 12)}…`).not.toContain(form);
      }
    }
  });
});
