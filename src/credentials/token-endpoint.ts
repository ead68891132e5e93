// The one HTTP request mailctl makes: the OAuth2 refresh-token grant (RFC 6749 §6) to the token endpoint the
// settings name, and nowhere else (redirects are refused). Errors come back as RFC 6749 §5.2 says — HTTP 400/401
// with {"error", "error_description"} — and become a TokenEndpointError that carries those two fields and never a
// secret: the request's secrets go in the POST body only, and nothing of the body is ever quoted.

import { MailctlError } from "../errors.js";
import type { TokenFacts } from "../session/auth.js";
import type { FailureKind } from "../session/failure.js";

/** An access token as the endpoint issued it (RFC 6749 §5.1). */
export interface IssuedToken {
  accessToken: string;
  /** When it stops working (ms since the epoch), from expires_in; unknown when the endpoint did not say. */
  expiresAt?: number;
  /** The scopes granted, when the endpoint lists them (§5.1: it may omit them when they equal the request). */
  scope?: string;
  /** A new refresh token, when the endpoint rotates them (§6: the client must then discard the old one). */
  refreshToken?: string;
}

/** One refresh request. */
export interface RefreshRequest {
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  refreshToken: string;
  /** Sent only when set: Microsoft's v2.0 endpoint wants the scopes again; RFC 6749 §6 makes them optional. */
  scope?: string;
  timeoutMs: number;
}

/** Why the endpoint gave no token: its RFC 6749 §5.2 error code and description, or "unreachable" / "bad-response". */
export class TokenEndpointError extends MailctlError {
  readonly failureKind: FailureKind = "oauth-refresh-failed";
  constructor(
    readonly error: string,
    readonly description: string | undefined,
    readonly tokenUrl: string,
    readonly httpStatus?: number,
  ) {
    super("noperm", endpointMessage(error, description, tokenUrl, httpStatus));
  }

  /** What a diagnosis shows of it. */
  get facts(): TokenFacts {
    return { endpointError: { error: this.error, ...(this.description ? { description: this.description } : {}), ...(this.httpStatus ? { httpStatus: this.httpStatus } : {}), tokenUrl: this.tokenUrl } };
  }
}

function endpointMessage(error: string, description: string | undefined, url: string, status?: number): string {
  if (error === "unreachable") return `the OAuth2 token endpoint ${url} could not be reached: ${description ?? "no answer"}`;
  if (error === "bad-response") return `the OAuth2 token endpoint ${url} answered${status ? ` HTTP ${status}` : ""} with ${description ?? "something that is not an OAuth2 token response"}`;
  return `the OAuth2 token endpoint ${url} refused to refresh the token: ${error}${description ? ` (${description})` : ""}${status ? ` [HTTP ${status}]` : ""}`;
}

/** The most of a token endpoint's answer that is read: a token response is a few KiB (RFC 6749 §5.1); more is refused, not buffered. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/** Exchanges a refresh token for an access token (RFC 6749 §6), POSTing the form the RFC's appendix B describes. */
export async function refreshAccessToken(req: RefreshRequest, now: () => number = Date.now): Promise<IssuedToken> {
  const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: req.refreshToken, client_id: req.clientId });
  // §2.3.1 allows the secret in the body; Google and Microsoft both document it there.
  if (req.clientSecret !== undefined) body.set("client_secret", req.clientSecret);
  if (req.scope) body.set("scope", req.scope);
  const started = now();
  let res: Response;
  try {
    res = await fetch(req.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      redirect: "error",
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (err) {
    throw new TokenEndpointError("unreachable", networkReason(err, req.timeoutMs), req.tokenUrl);
  }
  let text: string;
  try {
    text = await boundedText(res, MAX_TOKEN_RESPONSE_BYTES);
  } catch (err) {
    if (err instanceof TooLarge) throw new TokenEndpointError("bad-response", `more than ${MAX_TOKEN_RESPONSE_BYTES / 1024 / 1024} MiB (a token response is a few KiB; the rest was not read)`, req.tokenUrl, res.status);
    throw new TokenEndpointError("unreachable", networkReason(err, req.timeoutMs), req.tokenUrl);
  }
  const json = parseObject(text);
  if (!res.ok) {
    if (json && typeof json.error === "string") throw new TokenEndpointError(clean(json.error, 64), typeof json.error_description === "string" ? clean(json.error_description, 300) : undefined, req.tokenUrl, res.status);
    throw new TokenEndpointError("bad-response", describeBody(res, text), req.tokenUrl, res.status);
  }
  if (!json || typeof json.access_token !== "string" || json.access_token === "") {
    throw new TokenEndpointError("bad-response", json ? "JSON without an access_token" : describeBody(res, text), req.tokenUrl, res.status);
  }
  // §7.1: mailctl can only present bearer tokens (XOAUTH2 and OAUTHBEARER both say "auth=Bearer").
  if (typeof json.token_type === "string" && json.token_type.toLowerCase() !== "bearer") {
    throw new TokenEndpointError("bad-response", `a token of type "${clean(json.token_type, 32)}", not Bearer`, req.tokenUrl, res.status);
  }
  const out: IssuedToken = { accessToken: json.access_token };
  const expiresIn = Number(json.expires_in); // some endpoints send it as a string
  if (json.expires_in !== undefined && Number.isFinite(expiresIn) && expiresIn > 0) out.expiresAt = started + expiresIn * 1000;
  if (typeof json.scope === "string") out.scope = json.scope;
  if (typeof json.refresh_token === "string" && json.refresh_token !== "") out.refreshToken = json.refresh_token;
  return out;
}

class TooLarge extends Error {}

/** The body as UTF-8, read chunk by chunk and cancelled past `max` bytes (a Content-Length over it is refused unread). */
async function boundedText(res: Response, max: number): Promise<string> {
  if (Number(res.headers.get("content-length") ?? 0) > max) {
    await res.body?.cancel().catch(() => {});
    throw new TooLarge();
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function describeBody(res: Response, text: string): string {
  const type = res.headers.get("content-type")?.split(";")[0] ?? "no content type";
  return text.trim() === "" ? "an empty body" : `${type}, not an OAuth2 JSON response`;
}

/** A server-supplied string made safe for one line of a terminal: no control characters, bounded length. */
function clean(s: string, max: number): string {
  const one = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: NodeJS.ErrnoException & { message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${timeoutMs / 1000} s`;
  const cause = e?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${clean(cause.message, 120)})` : ""}`;
  return clean(e?.message ?? String(err), 120);
}
