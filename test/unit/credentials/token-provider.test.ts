// The token provider and the token endpoint client, against a real HTTP token endpoint on 127.0.0.1.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasScope, TokenProvider, TokenUnavailable, type OAuthSpec } from "../../../src/credentials/oauth2.js";
import { refreshAccessToken, TokenEndpointError } from "../../../src/credentials/token-endpoint.js";
import { SETTINGS } from "../../../src/settings.js";
import { fingerprint } from "../../../src/credentials/token-file.js";
import { isTokenFailure } from "../../../src/session/auth.js";
import { startTokenEndpoint, type TokenEndpoint } from "../../helpers/token-endpoint.js";

const ID = "client-1";
const SECRET = "client-secret-1";
const RT = "refresh-1";
let ep: TokenEndpoint;
const dir = mkdtempSync(path.join(os.tmpdir(), "mailctl-token-"));
beforeAll(async () => {
  ep = await startTokenEndpoint({ clientId: ID, clientSecret: SECRET, refreshToken: RT });
});
afterAll(() => ep.close());

function provider(spec: Partial<OAuthSpec> = {}, env: NodeJS.ProcessEnv = { RT, CS: SECRET }, now?: () => number) {
  const registered: string[] = [];
  const p = new TokenProvider(
    { user: "a@example.com", clientId: ID, tokenUrl: ep.url, refreshToken: { env: "RT", where: "test" }, clientSecret: { env: "CS", where: "test" }, ...spec },
    { env, register: (s) => registered.push(s), timeoutMs: 5000, ...(now ? { now } : {}) },
  );
  return { p, registered };
}

describe("the token endpoint client (RFC 6749 §5, §6)", () => {
  it("accepts https URLs, and http only to this machine", () => {
    const check = SETTINGS.tokenUrl.check;
    expect(check("https://oauth2.googleapis.com/token")).toBeUndefined();
    expect(check("http://127.0.0.1:8080/token")).toBeUndefined();
    expect(check("http://login.example.com/token")).toMatch(/must be an https:\/\/ URL/);
    expect(check("not a url")).toMatch(/is not a URL/);
  });

  /** A one-shot HTTP server answering with the given status, type and body. */
  async function answering(status: number, type: string, body: string) {
    const s = http.createServer((_req, res) => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/token`, close: () => new Promise((r) => s.close(r)) };
  }

  it("parses expires_in given as a string and the granted scope", async () => {
    const s = await answering(200, "application/json", JSON.stringify({ access_token: "at", token_type: "bearer", expires_in: "3600", scope: "a b" }));
    const t = await refreshAccessToken({ tokenUrl: s.url, clientId: ID, refreshToken: RT, timeoutMs: 5000 }, () => 1_000);
    expect(t).toEqual({ accessToken: "at", expiresAt: 3_601_000, scope: "a b" });
    await s.close();
  });

  it("an HTML page is a bad-response error naming what came back, not a crash", async () => {
    const s = await answering(404, "text/html; charset=utf-8", "<html>Not Found</html>");
    const err = await refreshAccessToken({ tokenUrl: s.url, clientId: ID, refreshToken: RT, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenEndpointError);
    expect((err as Error).message).toBe(`the OAuth2 token endpoint ${s.url} answered HTTP 404 with text/html, not an OAuth2 JSON response`);
    await s.close();
  });

  /** An endpoint that streams `mb` megabytes of JSON-looking text (no Content-Length); resolves the bytes it got out before the client hung up. */
  async function flooding(mb: number, contentLength?: boolean) {
    let sent = 0;
    let done!: (n: number) => void;
    const finished = new Promise<number>((r) => (done = r));
    const s = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", ...(contentLength ? { "content-length": String(mb * 1024 * 1024) } : {}) });
      const chunk = Buffer.alloc(64 * 1024, "a");
      const pump = () => {
        while (sent < mb * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.socket!.once("close", () => done(sent));
      res.write('{"access_token":"');
      pump();
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/token`, finished, close: () => new Promise((r) => s.close(r)) };
  }

  it("stops reading a response over 1 MiB: a bad-response error, and the 50 MB the endpoint pushes are never taken in", async () => {
    const s = await flooding(50);
    const err = await refreshAccessToken({ tokenUrl: s.url, clientId: ID, refreshToken: RT, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenEndpointError);
    expect((err as TokenEndpointError).error).toBe("bad-response");
    expect((err as Error).message).toContain("more than 1 MiB (a token response is a few KiB; the rest was not read)");
    // What left the server before the client hung up: the limit plus what sockets buffer, far from 50 MB.
    expect(await s.finished).toBeLessThan(16 * 1024 * 1024);
    await s.close();
  });

  it("refuses a Content-Length over 1 MiB without reading the body", async () => {
    const s = await flooding(50, true);
    const err = await refreshAccessToken({ tokenUrl: s.url, clientId: ID, refreshToken: RT, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect((err as TokenEndpointError).error).toBe("bad-response");
    expect(await s.finished).toBeLessThan(16 * 1024 * 1024);
    await s.close();
  });

  it("refuses a token type it cannot present (RFC 6749 §7.1: only Bearer)", async () => {
    const s = await answering(200, "application/json", JSON.stringify({ access_token: "at", token_type: "mac" }));
    await expect(refreshAccessToken({ tokenUrl: s.url, clientId: ID, refreshToken: RT, timeoutMs: 5000 })).rejects.toThrow(/a token of type "mac", not Bearer/);
    await s.close();
  });

  it("keeps control characters of an error description out of the terminal", async () => {
    const s = await answering(400, "application/json", JSON.stringify({ error: "invalid_grant", error_description: "bad\u001b[31m token\r\nreally" }));
    const err = (await refreshAccessToken({ tokenUrl: s.url, clientId: ID, refreshToken: RT, timeoutMs: 5000 }).catch((e: unknown) => e)) as TokenEndpointError;
    expect(err.description).toBe("bad [31m token really");
    expect(isTokenFailure(err)).toBe(true);
    expect(err.facts).toEqual({ endpointError: { error: "invalid_grant", description: "bad [31m token really", httpStatus: 400, tokenUrl: s.url } });
    await s.close();
  });
});

describe("the token provider", () => {
  it("registers every secret it reads or receives before using it", async () => {
    const { p, registered } = provider();
    const token = await p.token();
    expect(registered).toEqual([RT, SECRET, token]);
  });

  it("a ready token is used as given, and renewed through the refresh setup when refused", async () => {
    const { p } = provider({ token: { env: "AT", where: "test" } }, { AT: "ready", RT, CS: SECRET });
    expect(await p.token()).toBe("ready");
    const fresh = await p.renew();
    expect(fresh).toBe(ep.issued.at(-1));
    expect(await p.renew()).toBeNull(); // once
    expect(p.facts()).toMatchObject({ renewed: true, fresh: true });
  });

  it("does not renew a token the endpoint has just issued", async () => {
    const { p } = provider();
    await p.token();
    expect(await p.renew()).toBeNull();
  });

  it("refreshes when the token it holds has expired (by expires_in)", async () => {
    let now = Date.now();
    const { p } = provider({}, undefined, () => now);
    const first = await p.token();
    expect(await p.token()).toBe(first);
    now += 3600 * 1000;
    const second = await p.token();
    expect(second).not.toBe(first);
  });

  it("a missing variable is a TokenUnavailable naming it (credentials-missing)", async () => {
    const { p } = provider({}, { CS: SECRET });
    const err = await p.token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenUnavailable);
    expect(err).toMatchObject({ failureKind: "credentials-missing", category: "config", message: "no OAuth2 refresh token: environment variable RT is not set (test)" });
  });

  it("a failing token command names the setting, never its output", async () => {
    const { p } = provider({ token: { command: ["false"], where: "cfg: profiles.x.oauthTokenCommand" }, refreshToken: undefined });
    await expect(p.token()).rejects.toThrow('cfg: profiles.x.oauthTokenCommand: oauthTokenCommand "false" failed with exit status 1');
  });

  it("reports the scopes granted and which required one is missing", async () => {
    ep.options.scope = "https://www.googleapis.com/auth/gmail.send";
    const { p } = provider({ requiredScope: "https://mail.google.com/" });
    await p.token();
    expect(p.facts()).toMatchObject({ grantedScope: "https://www.googleapis.com/auth/gmail.send", missingScope: "https://mail.google.com/" });
    ep.options.scope = undefined;
  });

  it("a token file for another account or app is ignored, and replaced (0600)", async () => {
    const file = path.join(dir, "other.json");
    writeFileSync(file, JSON.stringify({ version: 1, user: "b@example.com", tokenUrl: ep.url, clientId: ID, accessToken: "not-mine", expiresAt: new Date(Date.now() + 3_600_000).toISOString() }), { mode: 0o644 });
    const { p } = provider({ tokenFile: file });
    const token = await p.token();
    expect(token).not.toBe("not-mine");
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ user: "a@example.com", accessToken: token });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("a rotated refresh token is kept only while the configured one is unchanged", async () => {
    const file = path.join(dir, "rotated.json");
    writeFileSync(file, JSON.stringify({ version: 1, user: "a@example.com", tokenUrl: ep.url, clientId: ID, accessToken: "old", refreshToken: "refresh-rotated", replaces: fingerprint("refresh-previous") }));
    ep.refreshTokens.add("refresh-rotated");
    await provider({ tokenFile: file }).p.token(); // configured RT differs from the one the rotation replaced
    expect(ep.requests.at(-1)!.form.get("refresh_token")).toBe(RT);
    writeFileSync(file, JSON.stringify({ version: 1, user: "a@example.com", tokenUrl: ep.url, clientId: ID, accessToken: "old", refreshToken: "refresh-rotated", replaces: fingerprint(RT) }));
    const { p, registered } = provider({ tokenFile: file });
    await p.token();
    expect(ep.requests.at(-1)!.form.get("refresh_token")).toBe("refresh-rotated");
    expect(registered).toContain("refresh-rotated");
  });

  it("sends the scope on a refresh only when told to (Microsoft wants it; RFC 6749 §6 makes it optional)", async () => {
    await provider({ scope: "https://outlook.office.com/SMTP.Send offline_access" }).p.token();
    expect(ep.requests.at(-1)!.form.has("scope")).toBe(false);
    await provider({ scope: "https://outlook.office.com/SMTP.Send offline_access", sendScope: true }).p.token();
    expect(ep.requests.at(-1)!.form.get("scope")).toBe("https://outlook.office.com/SMTP.Send offline_access");
  });
});

describe("granted scopes", () => {
  it("match exactly, or by the short name Microsoft may list", () => {
    expect(hasScope("https://mail.google.com/ openid", "https://mail.google.com/")).toBe(true);
    expect(hasScope("https://www.googleapis.com/auth/gmail.send", "https://mail.google.com/")).toBe(false);
    expect(hasScope("SMTP.Send User.Read", "https://outlook.office.com/SMTP.Send")).toBe(true);
    expect(hasScope("https://outlook.office.com/SMTP.Send", "https://outlook.office.com/SMTP.Send")).toBe(true);
    expect(hasScope("https://graph.microsoft.com/Mail.Send", "https://outlook.office.com/SMTP.Send")).toBe(false);
  });
});
