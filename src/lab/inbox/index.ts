import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { MailctlError } from "../../errors.js";
import { isLoopback, type Lab } from "../server.js";
import { baseHeaders, HttpError, presentedToken, sameSecret, text, TOKEN_COOKIE, type Route } from "./http.js";
import { labRoutes } from "./lab-api.js";
import { mailpitRoutes } from "./mailpit-api.js";
import { InboxStore } from "./store.js";

/** How to start the inbox. */
export interface InboxOptions {
  /** Listen address; default the lab's. */
  listen?: string;
  /** 0 picks a free port. */
  port: number;
  /** Required on every request when set; generated when the address is not loopback and none is given. */
  token?: string;
}

/** A running inbox. */
export interface Inbox {
  /** The page's address (without the token). */
  url: string;
  host: string;
  port: number;
  /** The token requests must present, or null on loopback without one. */
  token: string | null;
  /** True when the token was generated here (so it is shown once). */
  generated: boolean;
  close(): Promise<void>;
}

/** The page's policy: its own script and styles only, frames of its own origin (the message views), nothing else. */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ASSETS: Record<string, string> = { "inbox.js": "text/javascript; charset=utf-8", "inbox.css": "text/css; charset=utf-8", "index.html": "text/html; charset=utf-8", "favicon.svg": "image/svg+xml" };

/** Every asset, read once from the package (src/lab/inbox/page, copied to dist/lab/inbox/page by the build): no CDN, no network. */
function loadAssets(): Map<string, Buffer> {
  const dir = new URL("./page/", import.meta.url);
  return new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(new URL(name, dir))]));
}

/** Starts the web inbox for a running lab. */
export async function startInbox(lab: Lab, opts: InboxOptions): Promise<Inbox> {
  const listen = opts.listen ?? lab.listen;
  const loopback = isLoopback(listen);
  const generated = !opts.token && !loopback;
  const token = opts.token ?? (loopback ? null : randomBytes(18).toString("base64url"));
  const store = new InboxStore(lab);
  await store.load();
  const assets = loadAssets();
  const routes: Route[] = [...mailpitRoutes(store), ...labRoutes(store, lab)];
  const host = listen === "0.0.0.0" ? "127.0.0.1" : listen === "::" ? "::1" : listen;
  let port = opts.port;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      const status = err instanceof HttpError ? err.status : 500;
      // The text may carry bytes from a request or a message: controls are escaped before they reach a terminal.
      if (status === 500) lab.emit("warning", new Error(`inbox: ${req.method} ${req.url}: ${err.message}`.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)));
      if (res.headersSent) return void res.destroy();
      text(res, status === 500 ? "internal error" : err.message, status);
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxConnections = 256;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    baseHeaders(res);
    const url = new URL(req.url ?? "/", "http://inbox.invalid");
    // DNS rebinding: a web page whose name resolves to 127.0.0.1 could read the inbox; only our own names are served.
    if (loopback && !allowedHost(req.headers.host ?? "", port, listen)) throw new HttpError(403, "this inbox answers only to its own address (Host header not allowed)");
    if (token !== null) {
      const given = url.searchParams.get("token");
      if (req.method === "GET" && url.pathname === "/" && given !== null && sameSecret(given, token)) {
        // The token moves from the address (history, logs) into a cookie only this origin's requests carry.
        res.writeHead(303, { Location: "/", "Set-Cookie": `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` });
        return void res.end();
      }
      const presented = presentedToken(req);
      if (presented === null || !sameSecret(presented, token)) {
        res.setHeader("WWW-Authenticate", 'Basic realm="mailctl lab inbox"');
        throw new HttpError(401, "this inbox needs its token: open the address `mailctl lab --ui` printed, or send it as a Bearer token or the Basic auth password");
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      // A page elsewhere may not delete the user's mail (browsers send Origin on cross-site requests).
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`) throw new HttpError(403, "cross-origin request refused");
    }
    if (req.method === "GET" && (url.pathname === "/" || url.pathname === "/index.html" || url.pathname === "/search")) return page(res, "index.html");
    const asset = /^\/assets\/([\w.-]+)$/.exec(url.pathname)?.[1];
    if (req.method === "GET" && asset && assets.has(asset) && asset !== "index.html") return page(res, asset);
    let allowed = false;
    for (const r of routes) {
      const m = r.path.exec(url.pathname);
      if (!m) continue;
      allowed = true;
      if (r.method !== req.method) continue;
      return r.handle(req, res, url, m.slice(1).map((p) => decodeURIComponent(p)));
    }
    throw new HttpError(allowed ? 405 : 404, allowed ? "method not allowed" : "404 page not found");
  }

  function page(res: ServerResponse, name: string): void {
    const body = assets.get(name)!;
    res.setHeader("Content-Security-Policy", PAGE_CSP);
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.writeHead(200, { "Content-Type": ASSETS[name]!, "Content-Length": body.length });
    res.end(body);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "EADDRINUSE") reject(new MailctlError("unavailable", `port ${port} is already in use (${listen}:${port}) for the inbox`, "Stop the program that uses it or move the lab's ports with --port-base."));
        else reject(new MailctlError("unavailable", `cannot listen on ${listen}:${port} for the inbox: ${err.message}`));
      });
      server.listen(port, listen, () => resolve());
    });
  } catch (err) {
    store.close();
    throw err;
  }
  port = (server.address() as { port: number }).port;
  const where = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return {
    url: `http://${where}/`,
    host,
    port,
    token,
    generated,
    close: async () => {
      store.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The Host values of this inbox: its address, localhost and the loopback addresses, with its port. */
function allowedHost(hostHeader: string, port: number, listen: string): boolean {
  const h = hostHeader.toLowerCase();
  const names = ["127.0.0.1", "localhost", "[::1]", listen.includes(":") ? `[${listen}]` : listen];
  return names.some((n) => h === `${n}:${port}`);
}
