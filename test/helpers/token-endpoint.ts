// A real OAuth2 token endpoint on 127.0.0.1 for tests: it checks the refresh-token grant (RFC 6749 §6) as
// Google's and Microsoft's do — client id, client secret, refresh token — issues access tokens it remembers, and can
// be told to fail with any RFC 6749 §5.2 error. An SMTP server in the same test asks it whether a token is valid.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One token request as the endpoint received it. */
export interface TokenRequest {
  form: URLSearchParams;
  contentType: string | undefined;
}

/** How the endpoint behaves; tests change it between runs. */
export interface TokenEndpointOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Seconds each issued token lives (expires_in). */
  expiresIn?: number;
  /** The scopes it says it granted (RFC 6749 §5.1 "scope"); omitted when null. */
  scope?: string | null;
  /** Answer every request with this error instead (RFC 6749 §5.2). */
  fail?: { status: number; error: string; description?: string };
  /** Issue a new refresh token with each access token (Microsoft rotates them). */
  rotate?: boolean;
}

/** A started endpoint. */
export interface TokenEndpoint {
  url: string;
  requests: TokenRequest[];
  /** Every access token issued, in order. */
  issued: string[];
  /** Refresh tokens it accepts (the configured one, plus rotated ones). */
  refreshTokens: Set<string>;
  options: TokenEndpointOptions;
  /** True for a token this endpoint issued and did not revoke. */
  valid(token: string): boolean;
  revokeAll(): void;
  close(): Promise<void>;
}

/** Starts the endpoint on 127.0.0.1 at a free port; its path is /token. */
export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<TokenEndpoint> {
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  const live = new Set<string>();
  const refreshTokens = new Set([options.refreshToken]);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      requests.push({ form, contentType: req.headers["content-type"] });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
        res.end(JSON.stringify(body));
      };
      const o = endpoint.options;
      if (req.method !== "POST" || req.url !== "/token") return send(404, { error: "not_found" });
      if (o.fail) return send(o.fail.status, { error: o.fail.error, ...(o.fail.description ? { error_description: o.fail.description } : {}) });
      if (form.get("grant_type") !== "refresh_token") return send(400, { error: "unsupported_grant_type" });
      if (form.get("client_id") !== o.clientId || form.get("client_secret") !== o.clientSecret) return send(401, { error: "invalid_client", error_description: "The OAuth client was not found." });
      if (!refreshTokens.has(form.get("refresh_token") ?? "")) return send(400, { error: "invalid_grant", error_description: "Token has been expired or revoked." });
      const token = `ya29.lab-${issued.length + 1}-${randomBytes(12).toString("hex")}`;
      issued.push(token);
      live.add(token);
      const body: Record<string, unknown> = { access_token: token, token_type: "Bearer", expires_in: o.expiresIn ?? 3599 };
      if (o.scope !== null) body.scope = o.scope ?? "https://mail.google.com/";
      if (o.rotate) {
        const next = `1//lab-rotated-${randomBytes(12).toString("hex")}`;
        refreshTokens.add(next);
        body.refresh_token = next;
      }
      send(200, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoint: TokenEndpoint = {
    url: `http://127.0.0.1:${port}/token`,
    requests,
    issued,
    refreshTokens,
    options,
    valid: (t) => live.has(t),
    revokeAll: () => live.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return endpoint;
}
