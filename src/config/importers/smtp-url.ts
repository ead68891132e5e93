// SMTP connection URLs as nodemailer reads them (dist/esm/shared/index.js parseConnectionUrl):
// smtp: -> secure false, smtps: -> secure true; port from the URL, else smtp-connection's default
// (465 when secure, otherwise 587 — an explicit secure:false on 465 is NOT turned on); user and
// password are percent-decoded; query values "true"/"false" and numbers are converted; `tls.x=`
// sets tls.x; other dotted keys are ignored; a query key never overrides scheme, host, port or auth.
// The password is read into settings only — never into warnings, problems or render output.

import type { ImportResult } from "../types.js";
import type { ProfileSettings } from "../../settings.js";
import { ImportError } from "./errors.js";
import { ResultBuilder, toPort, type ParseOptions, type RenderContext } from "./common.js";
import { wellKnownService } from "./nodemailer.js";

const URL_RE = /^\s*["']?(smtps?):\/\/\S+?["']?\s*$/i;

/** Confidence that `text` is a single smtp:// or smtps:// URL. */
export function detect(text: string, _fileName: string): number {
  const lines = text.split(/\r?\n/).filter((l) => !/^\s*(#|$)/.test(l));
  return lines.length === 1 && URL_RE.test(lines[0]!) ? 0.95 : 0;
}

/** Read an SMTP URL in mailctl terms. */
export function parse(text: string, opts: ParseOptions = {}): ImportResult {
  const raw = text.split(/\r?\n/).find((l) => !/^\s*(#|$)/.test(l))?.trim().replace(/^["']|["']$/g, "") ?? "";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not echoing the text: it may hold a password.
    throw new ImportError("not a valid URL", { file: opts.fileName });
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme !== "smtp" && scheme !== "smtps") throw new ImportError(`scheme ${scheme}: is not smtp: or smtps:`, { file: opts.fileName });
  const decode = (s: string, what: string): string => {
    try { return decodeURIComponent(s); } catch { throw new ImportError(`the ${what} in the URL has a broken %-escape`, { file: opts.fileName }); }
  };
  const b = new ResultBuilder("smtp-url");
  const q = new Map<string, unknown>();
  for (const [k, v] of url.searchParams) {
    if (k.includes(".") && !k.startsWith("tls.")) { b.warn(`query parameter ${k} is ignored by nodemailer`); continue; }
    q.set(k, v === "true" ? true : v === "false" ? false : v !== "" && !isNaN(Number(v)) ? Number(v) : v);
  }

  let host = url.hostname.replace(/^\[|\]$/g, "");
  let port = toPort(url.port);
  let secure = scheme === "smtps";
  const service = q.get("service");
  if (typeof service === "string") {
    const found = wellKnownService(service);
    if (found) {
      const [key, svc] = found;
      b.set("preset", key.toLowerCase(), ["service"]);
      host = svc.host ?? host;
      port = svc.port ?? port;
      if (svc.secure !== undefined) secure = svc.secure;
      b.warn(`service=${service} makes nodemailer use ${svc.host}:${svc.port} whatever the URL says`);
    } else b.warn(`service=${service} is not one nodemailer knows; it is ignored`);
  }
  if (host) b.set("host", host, ["host"]);
  else b.problem("the URL has no host", ["host"]);
  if (port === undefined) b.warn(`no port in the URL; nodemailer uses ${secure ? 465 : 587}`);
  port ??= secure ? 465 : 587;
  b.set("port", port, ["port"]);

  const tlsKeys = ["scheme", ...["requireTLS", "ignoreTLS", "opportunisticTLS"].filter((k) => q.has(k))];
  if (secure) b.set("tls", "implicit", tlsKeys);
  else if (q.get("requireTLS") === true) b.set("tls", "starttls", tlsKeys);
  else {
    b.set("tls", "none", tlsKeys);
    b.set("opportunisticTls", q.get("ignoreTLS") !== true, tlsKeys);
  }
  if (secure && (port === 25 || port === 587)) b.problem(`smtps:// on port ${port}: TLS starts at once, but port ${port} expects plaintext and STARTTLS`, ["scheme", "port"]);
  if (!secure && port === 465) b.problem("smtp:// on port 465: plaintext to an implicit-TLS port; use smtps://", ["scheme", "port"]);

  if (url.username) b.set("user", decode(url.username, "user name"), ["username"]);
  if (url.password) b.set("password", decode(url.password, "password"), ["password"]);
  else if (url.username) b.warn("the URL has a user but no password");
  if (q.get("tls.rejectUnauthorized") === false) b.set("insecure", true, ["tls.rejectUnauthorized"]);
  if (typeof q.get("tls.servername") === "string") b.set("servername", q.get("tls.servername") as string, ["tls.servername"]);
  if (typeof q.get("name") === "string") b.set("name", q.get("name") as string, ["name"]);
  if (typeof q.get("authMethod") === "string") b.set("authMethod", q.get("authMethod") as string, ["authMethod"]);
  const ms = q.get("connectionTimeout");
  if (typeof ms === "number" && ms > 0) b.set("timeoutSeconds", Math.ceil(ms / 1000), ["connectionTimeout"]);
  if (url.pathname && url.pathname !== "/") b.warn("the URL path is ignored");
  return b.result;
}

/**
 * The change as one complete URL (never with a password; scheme and TLS query keys always agree). A URL is one
 * value, so it is written whole: the settings in force (ctx.base) with the change applied.
 */
export function render(delta: ProfileSettings, ctx?: RenderContext): string[] {
  const change: ProfileSettings = { ...ctx?.base, ...delta };
  if (delta.tls !== undefined && delta.opportunisticTls === undefined) delete change.opportunisticTls;
  const implicit = change.tls === "implicit" || (change.tls === undefined && change.port === 465);
  const user = change.user ? `${encodeURIComponent(change.user)}@` : "";
  const host = change.host ?? "<host>";
  const query: string[] = [];
  if (change.tls === "starttls") query.push("requireTLS=true");
  if (change.tls === "none" && !change.opportunisticTls) query.push("ignoreTLS=true");
  if (change.insecure) query.push("tls.rejectUnauthorized=false");
  if (change.servername) query.push(`tls.servername=${encodeURIComponent(change.servername)}`);
  if (change.name) query.push(`name=${encodeURIComponent(change.name)}`);
  if (change.timeoutSeconds) query.push(`connectionTimeout=${change.timeoutSeconds * 1000}`);
  const port = change.port !== undefined ? `:${change.port}` : "";
  return [`${implicit ? "smtps" : "smtp"}://${user}${host.includes(":") ? `[${host}]` : host}${port}${query.length ? `?${query.join("&")}` : ""}`];
}
