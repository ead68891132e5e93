import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** A route's handler: the request, the response, the parsed URL and the pattern's captures. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, params: string[]) => Promise<void> | void;

/** One route: a method, a path pattern (anchored), a handler. */
export interface Route {
  method: string;
  path: RegExp;
  handle: Handler;
}

/** A request the client got wrong: answered with `status` and the message as text. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Headers on every response: nothing is sniffed, cached, framed or sent with a referrer (Mailpit sets the last too). */
export function baseHeaders(res: ServerResponse): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("X-DNS-Prefetch-Control", "off");
  res.setHeader("Content-Security-Policy", DATA_CSP);
}

/** For anything that is data (JSON, text, raw messages, attachments): rendered, it may do nothing at all. */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

/** Sends JSON (Mailpit's API answers 200 with a JSON body). */
export function json(res: ServerResponse, body: unknown, status = 200): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": data.length });
  res.end(data);
}

/** Sends plain text (Mailpit's "ok", and its errors). */
export function text(res: ServerResponse, body: string, status = 200): void {
  const data = Buffer.from(body);
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": data.length });
  res.end(data);
}

/** Reads a request body of at most `limit` bytes (Mailpit caps its API bodies at 5 MB; the lab's are small). */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const tooBig = () => {
    // The rest is read and dropped (the server's requestTimeout bounds it), so the client sees the 413 rather than a reset.
    req.resume();
    return new HttpError(413, `request body over ${limit} bytes`);
  };
  if (Number(req.headers["content-length"] ?? 0) > limit) throw tooBig();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooBig();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A JSON body, or undefined when there is none; anything else that does not parse is a 400. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = (await readBody(req)).toString("utf8").trim();
  if (!body) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    throw new HttpError(400, "the request body is not JSON");
  }
}

/** Compares secrets in constant time (hashes first, so lengths match). */
export function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(h(a), h(b));
}

/** The name of the cookie that carries the inbox token for the browser. */
export const TOKEN_COOKIE = "mailctl_lab_token";

/** The token a request presents: Bearer, Basic (as the password, so Mailpit clients' basic auth works), or the cookie. */
export function presentedToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+(\S+)$/i.exec(auth);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    return decoded.slice(decoded.indexOf(":") + 1);
  }
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join("="));
  }
  return null;
}
