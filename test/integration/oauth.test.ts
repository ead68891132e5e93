// OAuth2 sign-in end to end, against a real smtp-server taking XOAUTH2 and a real token endpoint, both on 127.0.0.1:
// tokens are fetched, cached in a 0600 token file, refreshed when expired or refused (once), and every failure —
// at the token endpoint or at AUTH — is named from the catalog with the right cause. Nothing leaves loopback.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startSmtpServer } from "../helpers/tls-servers.js";
import { CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SECRETS_ENV, startOAuthWorld, USER, type OAuthWorld } from "../helpers/oauth-world.js";

let w: OAuthWorld;
beforeAll(async () => {
  w = await startOAuthWorld();
});
afterAll(() => w.close());
afterEach(() => {
  // Each test starts from a well-behaved world.
  Object.assign(w, { refusal: "google", account: USER });
  delete w.endpoint.options.fail;
  Object.assign(w.endpoint.options, { scope: undefined, expiresIn: undefined, rotate: undefined });
});

async function doctor(cfg: string, extra: string[] = [], env: Record<string, string> = SECRETS_ENV) {
  const r = await runCli(["doctor", "--config", cfg, "--profile", "lab", "--json", "--transcript", ...extra], { env });
  const doc = JSON.parse(r.stdout);
  const auth = doc.stages.find((s: { stage: string }) => s.stage === "auth");
  return { ...r, doc, auth, primary: doc.diagnoses.find((d: { severity: string }) => d.severity === "error") };
}

const tokenFile = (name: string) => path.join(w.dir, `${name}.json`);
const stored = (file: string) => JSON.parse(readFileSync(file, "utf8"));

describe("a refresh setup gets a token, keeps it in the token file (0600) and reuses it", () => {
  it("refreshes with the RFC 6749 §6 grant, signs in with XOAUTH2, and writes the token file with mode 0600", async () => {
    const file = tokenFile("fresh");
    const before = w.endpoint.requests.length;
    const { code, auth } = await doctor(w.profile({ tokenFile: file }));
    expect(code).toBe(0);
    expect(auth).toMatchObject({ status: "ok", detail: { mechanism: "XOAUTH2", oauth: { fresh: true, source: `token endpoint ${w.endpoint.url}` } } });
    expect(w.endpoint.requests.length).toBe(before + 1);
    const req = w.endpoint.requests.at(-1)!;
    expect(req.contentType).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(req.form)).toEqual({ grant_type: "refresh_token", refresh_token: REFRESH_TOKEN, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(w.attempts.at(-1)).toEqual({ user: USER, token: w.endpoint.issued.at(-1), ok: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(stored(file)).toMatchObject({ version: 1, user: USER, clientId: CLIENT_ID, tokenUrl: w.endpoint.url, accessToken: w.endpoint.issued.at(-1) });
  });

  it("reuses a still-valid token from the file without asking the token endpoint", async () => {
    const file = tokenFile("reuse");
    const cfg = w.profile({ tokenFile: file });
    await doctor(cfg);
    const requests = w.endpoint.requests.length;
    const { code, auth } = await doctor(cfg);
    expect(code).toBe(0);
    expect(w.endpoint.requests.length).toBe(requests);
    expect(auth.detail.oauth).toMatchObject({ source: `token file ${file}`, fresh: false, renewed: false });
    expect(w.attempts.at(-1)).toMatchObject({ token: stored(file).accessToken, ok: true });
  });

  it("refreshes a token the file says has expired (expires_in), and replaces the file", async () => {
    const file = tokenFile("expired");
    const cfg = w.profile({ tokenFile: file });
    await doctor(cfg);
    const old = stored(file);
    writeFileSync(file, JSON.stringify({ ...old, expiresAt: new Date(Date.now() - 1000).toISOString() }), { mode: 0o644 });
    const requests = w.endpoint.requests.length;
    const { code, auth } = await doctor(cfg);
    expect(code).toBe(0);
    expect(w.endpoint.requests.length).toBe(requests + 1);
    expect(auth.detail.oauth).toMatchObject({ fresh: true, renewed: false });
    expect(stored(file).accessToken).toBe(w.endpoint.issued.at(-1));
    expect(stored(file).accessToken).not.toBe(old.accessToken);
    // Replaced by an atomic rename of a file created 0600, whatever the old file's mode was.
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("a token that lives 60 s or less is not reused: it could expire between AUTH and the server's check", async () => {
    w.endpoint.options.expiresIn = 30;
    const file = tokenFile("short");
    const cfg = w.profile({ tokenFile: file });
    await doctor(cfg);
    const requests = w.endpoint.requests.length;
    await doctor(cfg);
    expect(w.endpoint.requests.length).toBe(requests + 1);
  });

  it("keeps a rotated refresh token in the file and uses it next time (RFC 6749 §6), never printing it", async () => {
    w.endpoint.options.rotate = true;
    w.endpoint.options.expiresIn = 30; // forces a refresh on every run
    const file = tokenFile("rotate");
    const cfg = w.profile({ tokenFile: file });
    await doctor(cfg);
    const rotated = stored(file).refreshToken as string;
    expect(rotated).toMatch(/^1\/\/lab-rotated-/);
    w.endpoint.refreshTokens.delete(REFRESH_TOKEN); // from now on only the rotated one works
    const r = await doctor(cfg);
    expect(r.code).toBe(0);
    expect(w.endpoint.requests.at(-1)!.form.get("refresh_token")).toBe(rotated);
    expect(r.stdout + r.stderr).not.toContain(rotated);
    w.endpoint.refreshTokens.add(REFRESH_TOKEN);
  });
});

describe("a refused token is renewed once and AUTH tried again", () => {
  it("Gmail-style refusal (334 challenge, then 535) of a cached token: one refresh, then success on the same connection", async () => {
    const file = tokenFile("revoked");
    const cfg = w.profile({ tokenFile: file });
    await doctor(cfg);
    w.endpoint.revokeAll(); // the file's token is valid by its expiry, but the server no longer takes it
    const requests = w.endpoint.requests.length;
    const { code, auth, doc } = await doctor(cfg);
    expect(code).toBe(0);
    expect(w.endpoint.requests.length).toBe(requests + 1);
    expect(auth.detail.firstAttempt).toEqual({ reply: "535 Error: Username and Password not accepted", oauthChallenge: { status: "400", schemes: "Bearer", scope: "https://mail.google.com/" } });
    expect(auth.detail.oauth).toMatchObject({ renewed: true, fresh: true });
    const auths = doc.transcript.filter((e: { dir: string; text: string }) => e.dir === "C" && e.text.startsWith("AUTH"));
    expect(auths.map((e: { text: string }) => e.text)).toEqual(["AUTH XOAUTH2 <redacted>", "AUTH XOAUTH2 <redacted>"]);
    expect(stored(file).accessToken).toBe(w.endpoint.issued.at(-1));
  });

  it("Microsoft-style refusal (535 5.7.3, no challenge) of a ready token: renewed with the refresh setup", async () => {
    w.refusal = "microsoft";
    const { code, auth } = await doctor(w.profile({ oauthTokenEnv: "STALE_TOKEN" }), [], { ...SECRETS_ENV, STALE_TOKEN: "EwBAAl3-stale-ready-token" });
    expect(code).toBe(0);
    expect(auth.detail.firstAttempt).toEqual({ reply: "535 5.7.3 Authentication unsuccessful [LAB0PR00CA0018.namprd00.prod.outlook.com]" });
    expect(w.attempts.slice(-2).map((a) => a.ok)).toEqual([false, true]);
  });

  it("still refused after renewal → oauth-token-rejected, exit 77, one refresh only, the challenge decoded", async () => {
    const file = tokenFile("wrong-account");
    const cfg = w.profile({ tokenFile: file });
    await doctor(cfg);
    w.account = "someone-else@mailctl.test"; // the tokens are alice's; the server now wants another account
    const requests = w.endpoint.requests.length;
    const { code, primary, auth } = await doctor(cfg);
    expect(code).toBe(77);
    expect(w.endpoint.requests.length).toBe(requests + 1);
    expect(primary).toMatchObject({ id: "oauth-token-rejected", stage: "auth" });
    expect(auth.detail.oauthChallenge).toEqual({ status: "400", schemes: "Bearer", scope: "https://mail.google.com/" });
    expect(primary.explanation).toContain('{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}');
    expect(primary.explanation).toContain("mailctl fetched a new token after the first was refused");
    expect(primary.explanation).toMatch(/moments ago, so it has not expired: it belongs to another account/);
  });

  it("a token the endpoint issued in this very run is not renewed again when refused", async () => {
    w.account = "someone-else@mailctl.test";
    const requests = w.endpoint.requests.length;
    const { code, primary, auth } = await doctor(w.profile());
    expect(code).toBe(77);
    expect(w.endpoint.requests.length).toBe(requests + 1);
    expect(auth.detail.firstAttempt).toBeUndefined();
    expect(primary.id).toBe("oauth-token-rejected");
    expect(primary.explanation).toContain("moments ago, so it has not expired");
  });

  it("a ready token with no refresh setup is refused: explained as most likely expired, with the refresh setup as the fix", async () => {
    const cfg = w.profile({ oauthTokenEnv: "READY", clientId: undefined, clientSecretEnv: undefined, refreshTokenEnv: undefined, tokenUrl: undefined });
    const { code, primary } = await doctor(cfg, [], { READY: "ya29.expired-ready-token" });
    expect(code).toBe(77);
    expect(primary.id).toBe("oauth-token-rejected");
    expect(primary.explanation).toContain("comes ready-made from environment variable READY");
    expect(primary.fix[0]).toMatch(/refresh setup/);
  });
});

describe("scopes: named as the cause only when the evidence says so", () => {
  it("the token endpoint granted gmail.send, not https://mail.google.com/ → oauth-scope-missing", async () => {
    w.endpoint.options.scope = "https://www.googleapis.com/auth/gmail.send";
    w.account = "nobody-takes-these@mailctl.test";
    const { code, primary } = await doctor(w.profile({ scope: "https://mail.google.com/" }));
    expect(code).toBe(77);
    expect(primary.id).toBe("oauth-scope-missing");
    expect(primary.explanation).toContain('granted the scopes "https://www.googleapis.com/auth/gmail.send", without https://mail.google.com/');
    expect(primary.fix[0]).toContain("https://mail.google.com/");
  });

  it("a 403 challenge (insufficient scope, RFC 6750 §3.1) → oauth-scope-missing", async () => {
    w.refusal = "google-403";
    const cfg = w.profile({ oauthTokenEnv: "READY", clientId: undefined, clientSecretEnv: undefined, refreshTokenEnv: undefined, tokenUrl: undefined });
    const { primary } = await doctor(cfg, [], { READY: "ya29.token-without-mail-scope" });
    expect(primary.id).toBe("oauth-scope-missing");
    expect(primary.explanation).toContain('"status":"403"');
  });

  it("Gmail's usual 400 challenge alone is not read as a missing scope", async () => {
    const cfg = w.profile({ oauthTokenEnv: "READY", clientId: undefined, clientSecretEnv: undefined, refreshTokenEnv: undefined, tokenUrl: undefined });
    const { primary } = await doctor(cfg, [], { READY: "ya29.unknown-token" });
    expect(primary.id).toBe("oauth-token-rejected");
    expect(primary.explanation).toContain("not one the token lacks");
  });
});

describe("the token endpoint refuses: oauth-refresh-failed with its error and the fix for it, exit 77", () => {
  const cases = [
    { fail: { status: 400, error: "invalid_grant", description: "Token has been expired or revoked." }, why: /refresh token is no longer valid/, fix: /Sign in again/ },
    { fail: { status: 401, error: "invalid_client", description: "The OAuth client was not found." }, why: /client id or secret is wrong/, fix: /Check clientId and the client secret/ },
    { fail: { status: 400, error: "unauthorized_client", description: "Unauthorized" }, why: /may not use the refresh-token grant/, fix: /Allow the flow in the app registration/ },
  ];
  for (const c of cases) {
    it(`${c.fail.error} (HTTP ${c.fail.status})`, async () => {
      w.endpoint.options.fail = c.fail;
      const { code, primary, auth, stderr } = await doctor(w.profile());
      expect(code).toBe(77);
      expect(stderr).toBe("");
      expect(primary).toMatchObject({ id: "oauth-refresh-failed", stage: "auth" });
      expect(primary.evidence).toBe(`the OAuth2 token endpoint ${w.endpoint.url} refused to refresh the token: ${c.fail.error} (${c.fail.description}) [HTTP ${c.fail.status}]`);
      expect(primary.explanation).toMatch(c.why);
      expect(primary.fix[0]).toMatch(c.fix);
      expect(auth.detail.oauth.endpointError).toEqual({ error: c.fail.error, description: c.fail.description, httpStatus: c.fail.status, tokenUrl: w.endpoint.url });
      expect(w.attempts.at(-1)?.token).not.toBe("x"); // no AUTH was attempted with a made-up token
    });
  }

  it("an unreachable token endpoint is the same diagnosis, saying it could not be reached", async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const { code, primary } = await doctor(w.profile({ tokenUrl: `http://127.0.0.1:${port}/token` }));
    expect(code).toBe(77);
    expect(primary.id).toBe("oauth-refresh-failed");
    expect(primary.evidence).toMatch(/could not be reached: ECONNREFUSED/);
    expect(primary.fix[0]).toMatch(/Check the tokenUrl/);
  });

  it("human output: the cause in one screen, no stack trace", async () => {
    w.endpoint.options.fail = { status: 400, error: "invalid_grant", description: "Token has been expired or revoked." };
    const r = await runCli(["doctor", "--config", w.profile(), "--profile", "lab"], { env: SECRETS_ENV });
    expect(r.code).toBe(77);
    expect(r.stdout).toContain("The OAuth2 token could not be refreshed [oauth-refresh-failed · auth]");
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("missing OAuth2 settings are named, not guessed at", () => {
  it("an unset refresh-token variable → credentials-missing naming it (exit 78)", async () => {
    const { code, primary } = await doctor(w.profile(), [], { LAB_CLIENT_SECRET: CLIENT_SECRET });
    expect(code).toBe(78);
    expect(primary.id).toBe("credentials-missing");
    expect(primary.evidence).toMatch(/^no OAuth2 refresh token: environment variable LAB_REFRESH_TOKEN is not set/);
  });

  it("a refresh token without clientId is a configuration error before connecting", async () => {
    const r = await runCli(["doctor", "--config", w.profile({ clientId: undefined }), "--profile", "lab"], { env: SECRETS_ENV });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/refreshTokenEnv: a refresh token needs clientId too/);
  });
});

describe("--auth forces one mechanism", () => {
  it("a mechanism the server does not offer fails clearly (exit 77) and nothing is tried instead", async () => {
    const requests = w.endpoint.requests.length;
    const { code, primary, auth } = await doctor(w.profile(), ["--auth", "oauthbearer"]);
    expect(code).toBe(77);
    expect(auth.failure).toMatchObject({ kind: "auth-mechanism-not-offered", message: "AUTH OAUTHBEARER was asked for, but the server offers only PLAIN, LOGIN, XOAUTH2" });
    expect(primary.id).toBe("auth-not-offered");
    expect(primary.explanation).toContain("AUTH OAUTHBEARER was asked for");
    expect(primary.fix[0]).toMatch(/Drop --auth/);
    expect(w.endpoint.requests.length).toBe(requests); // no token fetched for a mechanism that cannot run
  });

  it("with a password too, a server without XOAUTH2 gets PLAIN, and no token is fetched", async () => {
    const plain = await startSmtpServer({ mode: "plain", auth: { user: USER, pass: "pw-for-plain" } });
    try {
      const requests = w.endpoint.requests.length;
      const { code, auth } = await doctor(w.profile({ port: plain.port, passwordEnv: "PW" }), [], { ...SECRETS_ENV, PW: "pw-for-plain" });
      expect(code).toBe(0);
      expect(auth.detail.mechanism).toBe("PLAIN");
      expect(auth.detail.oauth).toBeUndefined();
      expect(w.endpoint.requests.length).toBe(requests);
    } finally {
      await plain.close();
    }
  });

  it("MAILCTL_AUTH forces the mechanism like --auth", async () => {
    const { code, auth } = await doctor(w.profile(), [], { ...SECRETS_ENV, MAILCTL_AUTH: "oauthbearer" });
    expect(code).toBe(77);
    expect(auth.failure.kind).toBe("auth-mechanism-not-offered");
  });

  it("--auth PLAIN with only OAuth2 credentials: a password is needed, and the message says so", async () => {
    const { code, auth } = await doctor(w.profile(), ["--auth", "PLAIN"]);
    expect(code).toBe(78);
    expect(auth.failure.message).toMatch(/^AUTH PLAIN needs a password/);
  });
});

describe("send and test-send use the same token and retry path", () => {
  it("test-send delivers over XOAUTH2 with a refresh setup", async () => {
    const before = w.smtp.messages.length;
    const r = await runCli(["test-send", "--config", w.profile(), "--profile", "lab", "--json"], { env: SECRETS_ENV });
    expect(r.code).toBe(0);
    expect(w.smtp.messages.length).toBe(before + 1);
    expect(w.smtp.messages.at(-1)!.user).toBe(USER);
  });

  it("send renews a refused ready token once and delivers", async () => {
    const before = w.smtp.messages.length;
    const r = await runCli(["send", "--config", w.profile({ oauthTokenEnv: "STALE" }), "--profile", "lab", "--to", "bob@mailctl.test", "-s", "hi", "--text", "hello"], { env: { ...SECRETS_ENV, STALE: "ya29.stale" } });
    // The lab world speaks plaintext: the only thing on stderr is the warning that the token goes out without TLS.
    expect(r.stderr).toMatch(/^warning: sending the credentials of \S+ to 127\.0\.0\.1:\d+ without TLS \(--tls none\): anyone on the network path can read them\n$/);
    expect(r.code).toBe(0);
    expect(w.smtp.messages.length).toBe(before + 1);
    expect(w.attempts.slice(-2).map((a) => a.ok)).toEqual([false, true]);
  });

  it("send with a refresh failure explains it like doctor (exit 77)", async () => {
    w.endpoint.options.fail = { status: 400, error: "invalid_grant", description: "Bad Request" };
    const r = await runCli(["send", "--config", w.profile(), "--profile", "lab", "--to", "bob@mailctl.test", "-s", "hi", "--text", "hello", "--json"], { env: SECRETS_ENV });
    expect(r.code).toBe(77);
    expect(JSON.parse(r.stdout).diagnoses[0].id).toBe("oauth-refresh-failed");
  });

  it("--oauth-token-env gives a ready token from the command line", async () => {
    const r = await runCli(["send", "--config", w.profile({ clientId: undefined, clientSecretEnv: undefined, refreshTokenEnv: undefined, tokenUrl: undefined }), "--profile", "lab", "--oauth-token-env", "MY_TOKEN", "--to", "bob@mailctl.test", "-s", "hi", "--text", "x", "--json"], {
      env: { MY_TOKEN: "ya29.not-issued-here" },
    });
    expect(r.code).toBe(77);
    expect(w.attempts.at(-1)).toMatchObject({ token: "ya29.not-issued-here", ok: false });
  });
});
