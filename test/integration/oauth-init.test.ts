// `mailctl init` with OAuth2 from flags: the refresh setup is checked live against a token endpoint and an SMTP
// server on 127.0.0.1, and the profile keeps only the variables' names (and the token file's path).
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../helpers/cli.js";
import { CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SECRETS_ENV, startOAuthWorld, USER, type OAuthWorld } from "../helpers/oauth-world.js";

let w: OAuthWorld;
beforeAll(async () => {
  w = await startOAuthWorld();
});
afterAll(() => w.close());

const workspace = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mailctl-oauth-init-"));
  return { dir, file: path.join(dir, "config.yaml"), env: { ...SECRETS_ENV, HOME: dir } };
};

describe("mailctl init with OAuth2 flags", () => {
  it("checks the refresh setup live and saves only references: client id, variable names, token endpoint, token file", async () => {
    const ws = workspace();
    const tokens = path.join(ws.dir, "tokens", "gmail.json");
    const r = await runCli(
      ["init", "--preset", "gmail", "--host", "127.0.0.1", "--port", String(w.smtp.port), "--tls", "none", "--from", USER, "--client-id", CLIENT_ID, "--client-secret-env", "LAB_CLIENT_SECRET", "--refresh-token-env", "LAB_REFRESH_TOKEN", "--token-url", w.endpoint.url, "--token-file", tokens, "--config", ws.file, "--yes"],
      { env: ws.env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✓ 127\.0\.0\.1:\d+ answered over no TLS and accepted the login of alice@mailctl\.test/);
    expect(r.stdout).toContain("mailctl reads the refresh token from LAB_REFRESH_TOKEN and the client secret from LAB_CLIENT_SECRET");
    expect(w.attempts.at(-1)).toMatchObject({ user: USER, ok: true });
    const text = readFileSync(ws.file, "utf8");
    for (const secret of [REFRESH_TOKEN, CLIENT_SECRET, ...w.endpoint.issued]) expect(text).not.toContain(secret);
    expect(parse(text).profiles.gmail).toEqual({
      tokenUrl: w.endpoint.url, tokenFile: tokens, preset: "gmail", host: "127.0.0.1", port: w.smtp.port, tls: "none", from: USER, user: USER,
      clientId: CLIENT_ID, refreshTokenEnv: "LAB_REFRESH_TOKEN", clientSecretEnv: "LAB_CLIENT_SECRET",
    });
    // The saved profile works as saved.
    const d = await runCli(["doctor", "--config", ws.file, "--profile", "gmail", "--json"], { env: ws.env });
    expect(d.code).toBe(0);
  });

  it("a refresh setup the token endpoint refuses is not saved (exit 77, the diagnosis in one line)", async () => {
    const ws = workspace();
    w.endpoint.options.fail = { status: 400, error: "invalid_grant", description: "Token has been expired or revoked." };
    const r = await runCli(
      ["init", "--preset", "gmail", "--host", "127.0.0.1", "--port", String(w.smtp.port), "--tls", "none", "--from", USER, "--client-id", CLIENT_ID, "--client-secret-env", "LAB_CLIENT_SECRET", "--refresh-token-env", "LAB_REFRESH_TOKEN", "--token-url", w.endpoint.url, "--config", ws.file, "--yes"],
      { env: ws.env },
    );
    delete w.endpoint.options.fail;
    expect(r.code).toBe(77);
    expect(r.stderr).toContain("The OAuth2 token could not be refreshed [oauth-refresh-failed]: the OAuth2 token endpoint");
    expect(r.stderr).toMatch(/fix: Sign in again/);
    expect(() => readFileSync(ws.file, "utf8")).toThrow();
  });

  it("names what is missing, and refuses a token endpoint without TLS that is not this machine", async () => {
    const ws = workspace();
    const base = ["init", "--host", "127.0.0.1", "--port", "2525", "--tls", "none", "--from", USER, "--config", ws.file, "--yes", "--no-check"];
    let r = await runCli([...base, "--client-id", CLIENT_ID, "--refresh-token-env", "RT"], { env: ws.env });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--token-url \(the preset does not know a token endpoint\) is required/);
    r = await runCli([...base, "--refresh-token-env", "RT", "--token-url", w.endpoint.url], { env: ws.env });
    expect(r.stderr).toMatch(/--client-id \(with --refresh-token-env\) is required/);
    r = await runCli([...base, "--client-id", "x", "--refresh-token-env", "RT", "--token-url", "http://tokens.example.com/token"], { env: ws.env });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/must be an https:\/\/ URL/);
  });
});
