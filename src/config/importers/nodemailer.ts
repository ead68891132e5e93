// nodemailer SMTP transport options, read from the installed nodemailer (dist/esm):
// - smtp-connection/index.js: port = options.port || (secure ? 465 : 587); `secure` unset on port 465
//   turns secure on; STARTTLS is sent when the server offers it unless ignoreTLS, and always with
//   requireTLS; requireTLS wins over ignoreTLS and opportunisticTLS (the constructor clears them);
//   opportunisticTLS keeps going in plaintext when STARTTLS fails.
// - smtp-transport/index.js: options = assign(options, urlData, wellKnown(service)) — the
//   well-known service's host/port/secure are applied last, over the user's own values.
// - well-known/index.js + services.json: service keys are matched case-insensitively, with aliases
//   and e-mail domains. `secureConnection` is not an option anywhere (old tutorials).

import { createRequire } from "node:module";
import type { ImportResult } from "../types.js";
import type { ProfileSettings } from "../../settings.js";
import { ImportError } from "./errors.js";
import { PASSWORD_PLACEHOLDER, ResultBuilder, splitMailbox, toPort, type ParseOptions } from "./common.js";
import { parseLoose, type EnvRef } from "./js-object.js";

type Service = { host?: string; port?: number; secure?: boolean; aliases?: string[]; domains?: string[]; authMethod?: string };
const KNOWN = /^(host|port|secure|requireTLS|ignoreTLS|opportunisticTLS|auth|authMethod|tls|name|service|connectionTimeout|greetingTimeout|socketTimeout|dnsTimeout|pool|maxConnections|maxMessages|logger|debug|localAddress|proxy|lmtp|secured|url|from|transactionLog|rateDelta|rateLimit)$/;

/** nodemailer's own lookup: service name, alias or e-mail domain → [canonical key, settings]. */
export function wellKnownService(name: string): [string, Service] | undefined {
  const services = createRequire(import.meta.url)("nodemailer/lib/well-known/services.json") as Record<string, Service>;
  const norm = (s: string) => s.replace(/[^a-zA-Z0-9.-]/g, "").toLowerCase();
  const want = norm(name.split("@").pop()!);
  return Object.entries(services).find(([k, s]) => [k, ...(s.aliases ?? []), ...(s.domains ?? [])].some((n) => norm(n) === want));
}

/** Confidence that `text` is a nodemailer transport options object. */
export function detect(text: string, fileName: string): number {
  let value: unknown;
  try { value = parseLoose(text).value; } catch { return 0; }
  if (!value || typeof value !== "object" || Array.isArray(value)) return 0;
  const o = value as Record<string, unknown>;
  let score = 0;
  if ("host" in o || "service" in o) score += 0.3;
  if ("port" in o) score += 0.1;
  for (const k of ["secure", "requireTLS", "ignoreTLS", "auth", "secureConnection", "service"]) if (k in o) score += 0.15;
  if (/createTransport|nodemailer/.test(text) || /nodemailer|transport|mailer/i.test(fileName)) score += 0.2;
  if (["hostname", "use_tls", "start_tls", "class", "starttls"].some((k) => k in o)) score -= 0.5;
  return Math.max(0, Math.min(1, score));
}

/** Read nodemailer transport options (JSON or a JS object literal) in mailctl terms. */
export function parse(text: string, opts: ParseOptions = {}): ImportResult {
  const { value } = parseLoose(text, opts.fileName);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ImportError("expected an options object { host, port, … }", { file: opts.fileName });
  const o = value as Record<string, unknown>;
  const b = new ResultBuilder("nodemailer");
  // A process.env reference: use its literal fallback if written, and say so.
  const lit = (v: unknown, key: string): unknown => {
    if (!v || typeof v !== "object" || !("$env" in v)) return v;
    const ref = v as EnvRef;
    // Echo only a scalar fallback, never an object (it could hold auth.pass).
    const shown = ref.fallback !== null && ["string", "number", "boolean"].includes(typeof ref.fallback);
    b.warn(`${key} comes from process.env.${ref.$env}${shown ? `; reading its fallback ${JSON.stringify(ref.fallback)}` : ""}`);
    return ref.fallback;
  };
  const tls = (lit(o.tls, "tls") ?? {}) as Record<string, unknown>;
  const auth = (lit(o.auth, "auth") ?? {}) as Record<string, unknown>;

  let host = lit(o.host, "host");
  let port = toPort(lit(o.port, "port"));
  let secure = lit(o.secure, "secure");
  // With a known service, its host/port/secure are what nodemailer uses: `service` is the key that decides.
  let hostKeys = ["host"];
  let portKeys = ["port"];
  let secureKey = "secure";
  if (o.service !== undefined) {
    const found = wellKnownService(String(lit(o.service, "service")));
    if (!found) b.warn(`service "${String(o.service)}" is not one nodemailer knows; it is ignored`);
    else {
      const [key, svc] = found;
      if ((o.host !== undefined && svc.host !== host) || (o.port !== undefined && svc.port !== port)) {
        b.warn(`service "${String(o.service)}" overrides host/port: nodemailer applies ${svc.host}:${svc.port}`);
      }
      b.set("preset", key.toLowerCase(), ["service"]);
      if (svc.host) [host, hostKeys] = [svc.host, ["service"]];
      if (svc.port) [port, portKeys] = [svc.port, ["service"]];
      if (svc.secure !== undefined) [secure, secureKey] = [svc.secure, "service"];
    }
  }
  if (typeof host === "string" && host) b.set("host", host, hostKeys);
  else b.warn("host is not set; nodemailer connects to localhost");
  if ("secureConnection" in o) {
    b.problem("secureConnection is not a nodemailer option and is ignored; use secure: true for port 465 or requireTLS: true for 587", ["secureConnection"]);
  }
  if (secure === undefined && port === 465) b.warn("secure is not set; nodemailer turns it on because the port is 465");
  const isSecure = secure === undefined ? port === 465 : secure === true || secure === "true";
  port ??= isSecure ? 465 : 587;
  b.set("port", port, portKeys);

  const tlsKeys = [secureKey, ...["requireTLS", "ignoreTLS", "opportunisticTLS"].filter((k) => k in o)];
  const requireTLS = lit(o.requireTLS, "requireTLS") === true;
  if (isSecure) {
    b.set("tls", "implicit", tlsKeys);
    if (requireTLS) b.warn("requireTLS has no effect with secure: true (TLS is already on from the first byte)");
  } else if (requireTLS) {
    b.set("tls", "starttls", tlsKeys);
    if (o.ignoreTLS === true || o.opportunisticTLS === true) b.warn("requireTLS wins over ignoreTLS/opportunisticTLS: nodemailer requires STARTTLS");
  } else {
    b.set("tls", "none", tlsKeys);
    b.set("opportunisticTls", lit(o.ignoreTLS, "ignoreTLS") !== true, tlsKeys);
  }
  // Only the standard plaintext ports are judged: a server may run implicit TLS on any other port.
  if (isSecure && (port === 25 || port === 587)) {
    b.problem(`secure: true on port ${port}: nodemailer starts TLS at once, but port ${port} expects plaintext and STARTTLS`, ["secure", "port"]);
  } else if (!isSecure && port === 465) {
    b.problem("secure: false on port 465: nodemailer speaks plaintext to an implicit-TLS port and the greeting never comes", ["secure", "port"]);
  }

  b.set("user", lit(auth.user, "auth.user") as string | undefined, ["auth.user"]);
  const pass = auth.pass;
  if (pass && typeof pass === "object" && "$env" in pass) b.set("passwordEnv", (pass as EnvRef).$env, ["auth.pass"]);
  else b.set("password", pass === undefined ? undefined : String(pass), ["auth.pass"]);
  if (auth.type !== undefined && String(auth.type).toLowerCase() === "oauth2") b.warn("auth.type OAuth2 uses tokens, not a password; mailctl tests the connection only");
  b.set("authMethod", lit(o.authMethod, "authMethod") as string | undefined, ["authMethod"]);

  if (lit(tls.rejectUnauthorized, "tls.rejectUnauthorized") === false) b.set("insecure", true, ["tls.rejectUnauthorized"]);
  b.set("servername", lit(tls.servername, "tls.servername") as string | undefined, ["tls.servername"]);
  if (typeof tls.ciphers === "string" && /sslv3/i.test(tls.ciphers)) {
    b.warn(`tls.ciphers "${tls.ciphers}" (from old Outlook tutorials) limits TLS 1.2 to legacy cipher suites; remove it`);
  }
  b.set("name", lit(o.name, "name") as string | undefined, ["name"]);
  const ms = Number(lit(o.connectionTimeout, "connectionTimeout"));
  if (ms > 0) b.set("timeoutSeconds", Math.ceil(ms / 1000), ["connectionTimeout"]);
  const from = lit(o.from, "from");
  const box = fromOption(from);
  if (box) {
    b.set("from", box.from, ["from"]);
    b.set("fromName", box.fromName, ["from"]);
    // nodemailer builds the header itself from the option (lib/mime-node _convertAddresses), so doctor runs it.
    b.result.fromHeader = {
      value: typeof from === "string" ? from : { name: box.fromName ?? "", address: box.from },
      writer: { kind: "nodemailer" },
      how: "nodemailer writes the From header from the from option (mime-node _convertAddresses: the name is quoted or RFC 2047-encoded, the address left alone)",
      keys: ["from"],
    };
  }
  for (const k of Object.keys(o)) if (!KNOWN.test(k) && k !== "secureConnection") b.warn(`${k} is not a nodemailer SMTP option`);
  return b.result;
}

/** The address and name in a `from` option: "Name <addr>" or { name, address }. */
function fromOption(from: unknown): { from: string; fromName?: string } | undefined {
  if (typeof from === "string") return splitMailbox(from);
  if (!from || typeof from !== "object") return undefined;
  const { name, address } = from as Record<string, unknown>;
  if (typeof address !== "string") return undefined;
  return typeof name === "string" && name ? { from: address, fromName: name } : { from: address };
}

/** The change as JS object-literal lines; a TLS mode writes every key that decides it under nodemailer's precedence. */
export function render(change: ProfileSettings): string[] {
  const q = (s: string) => JSON.stringify(s);
  const out: string[] = [];
  if (change.host !== undefined) out.push(`host: ${q(change.host)}`);
  if (change.port !== undefined) out.push(`port: ${change.port}`);
  if (change.tls === "implicit") out.push("secure: true");
  else if (change.tls === "starttls") out.push("secure: false", "requireTLS: true");
  else if (change.tls === "none") out.push("secure: false", "requireTLS: false", `ignoreTLS: ${!change.opportunisticTls}`);
  if (change.user !== undefined || change.password !== undefined || change.passwordEnv !== undefined) {
    const pass = change.passwordEnv ? `process.env.${change.passwordEnv}` : q(PASSWORD_PLACEHOLDER);
    out.push(`auth: { user: ${q(change.user ?? "")}, pass: ${pass} }`);
  }
  if (change.authMethod !== undefined) out.push(`authMethod: ${q(change.authMethod)}`);
  const tlsOpts = [
    change.insecure !== undefined ? `rejectUnauthorized: ${!change.insecure}` : "",
    change.servername !== undefined ? `servername: ${q(change.servername)}` : "",
  ].filter(Boolean);
  if (tlsOpts.length) out.push(`tls: { ${tlsOpts.join(", ")} }`);
  if (change.name !== undefined) out.push(`name: ${q(change.name)}`);
  if (change.timeoutSeconds !== undefined) out.push(`connectionTimeout: ${change.timeoutSeconds * 1000}`);
  return out;
}
