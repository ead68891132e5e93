// aiosmtplib.SMTP(...) / smtplib settings, as JSON, a Python dict, or keyword arguments.
// aiosmtplib, read from cole/aiosmtplib src/aiosmtplib/smtp.py:
// - __init__: use_tls=False, start_tls=None, validate_certs=True, timeout=60; _validate_config
//   raises ValueError("The start_tls and use_tls options are not compatible.") when both are truthy.
// - _get_default_port: 465 if use_tls, 587 if start_tls (truthy), else 25 — also for start_tls=None.
// - _maybe_start_tls_on_connect: start_tls is True -> starttls() (fails if not offered); None ->
//   STARTTLS only if the server offers it AND the connection is not already TLS (use_tls or an
//   existing sslcontext); False -> never.
// - _maybe_login_on_connect: login when username is not None (password defaults to "").
// - starttls() raises "Connection already using TLS" before sending anything when the connection is TLS, so
//   aiosmtplib never sends STARTTLS on an implicit-TLS connection, whatever start_tls says.
// - send_message(msg): the envelope sender is the From header's first address (email.py extract_sender,
//   email.utils.getaddresses); the message is flattened by email.py flatten_message — BytesGenerator with
//   policy compat32 for the email.mime classes (78-column folding), policy.SMTP for an EmailMessage.
// smtplib (CPython Lib/smtplib.py): SMTP_SSL is TLS from the first byte (default port 465), SMTP is
// plaintext (default port 25) and never upgrades unless starttls() is called, which raises
// SMTPNotSupportedError (sending nothing) when the server does not offer STARTTLS — and sends it even on an
// SMTP_SSL connection when the server does. Messages are sent as sendmail(from, to, msg.as_string()).
// Which message class the code builds is not a connection setting: `message_class` (MIMEText, MIMEMultipart,
// Message, or EmailMessage) says; without it the email.mime classes are assumed, as in Dify, RAGFlow and the
// aiosmtplib and smtplib examples.

import type { ImportResult } from "../types.js";
import type { ProfileSettings } from "../../settings.js";
import { ImportError } from "./errors.js";
import { PASSWORD_PLACEHOLDER, ResultBuilder, pythonTruthy, splitMailbox, toPort, type ParseOptions, type RenderContext } from "./common.js";
import { parseLoose } from "./js-object.js";

const KNOWN = /^(hostname|host|port|use_tls|start_tls|username|user|password|validate_certs|timeout|sender|from|local_hostname|cert_bundle|client_cert|client_key|source_address|class|starttls|recipients|message_class)$/;
const MESSAGE_CLASSES = /^(MIMEText|MIMEMultipart|Message|EmailMessage)$/;

/** Confidence that `text` holds aiosmtplib or smtplib connection settings. */
export function detect(text: string, fileName: string): number {
  let parsed;
  try { parsed = parseLoose(text); } catch { return 0; }
  const o = parsed.value;
  if (!o || typeof o !== "object" || Array.isArray(o)) return 0;
  let score = 0;
  for (const k of ["use_tls", "start_tls", "validate_certs", "hostname", "local_hostname"]) if (k in o) score += 0.25;
  if ("class" in o && /^SMTP(_SSL)?$/.test(String((o as Record<string, unknown>).class))) score += 0.6;
  if ("starttls" in o) score += 0.2;
  if (parsed.callee && /SMTP/.test(parsed.callee)) score += 0.5;
  if (/aiosmtplib|smtplib/i.test(fileName + text.slice(0, 200))) score += 0.2;
  return Math.min(1, score);
}

/** Read aiosmtplib (or smtplib-style) settings in mailctl terms. */
export function parse(text: string, opts: ParseOptions = {}): ImportResult {
  const { value, callee } = parseLoose(text, opts.fileName);
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ImportError("expected keyword arguments or an object { hostname, port, … }", { file: opts.fileName });
  const o = value as Record<string, unknown>;
  const b = new ResultBuilder("aiosmtplib");
  for (const [k, v] of Object.entries(o)) if (v && typeof v === "object" && "$env" in v) b.warn(`${k} comes from an environment variable and is not read`);
  const hostKey = "hostname" in o ? "hostname" : "host";
  if (typeof o[hostKey] === "string" && o[hostKey]) b.set("host", o[hostKey] as string, [hostKey]);
  else b.warn(`${hostKey} is not set; the client connects to localhost`);
  const cls = typeof o.class === "string" ? o.class : /(^|\.)SMTP_SSL$/.test(callee ?? "") ? "SMTP_SSL" : /^smtplib\.SMTP$/.test(callee ?? "") ? "SMTP" : undefined;
  if (cls !== undefined) smtplib(b, o, cls);
  else aiosmtplib(b, o);

  const userKey = "username" in o ? "username" : "user";
  if (typeof o[userKey] === "string") b.set("user", o[userKey] as string, [userKey]);
  if (o.password !== undefined && o.password !== null && typeof o.password !== "object") b.set("password", String(o.password), ["password"]);
  if (o[userKey] === "") b.warn(`${userKey} is "" (not None), so aiosmtplib still tries to log in, with an empty name`);
  if (o.password !== undefined && o[userKey] === undefined) b.warn("password is set but username is not: no login happens");
  if (o.validate_certs === false) b.set("insecure", true, ["validate_certs"]);
  if (typeof o.cert_bundle === "string") b.set("ca", o.cert_bundle, ["cert_bundle"]);
  if (typeof o.local_hostname === "string") b.set("name", o.local_hostname, ["local_hostname"]);
  // aiosmtplib defaults to 60 s; smtplib to the socket default (no timeout), which mailctl leaves to its own default.
  if (typeof o.timeout === "number") b.set("timeoutSeconds", o.timeout, ["timeout"]);
  else if (cls === undefined) b.set("timeoutSeconds", 60, []);
  const senderKey = "sender" in o ? "sender" : "from";
  const mc = o.message_class;
  if (mc !== undefined && !(typeof mc === "string" && MESSAGE_CLASSES.test(mc))) b.warn(`message_class ${JSON.stringify(mc)} is not MIMEText, MIMEMultipart, Message or EmailMessage; the email.mime classes are assumed`);
  if (typeof o[senderKey] === "string") {
    const value = o[senderKey] as string;
    const { from, fromName } = splitMailbox(value);
    b.set("from", from, [senderKey]);
    b.set("fromName", fromName, [senderKey]);
    const modern = mc === "EmailMessage";
    const api = cls === undefined ? "aiosmtplib send_message" : "smtplib sendmail(from, to, msg.as_string())";
    b.result.fromHeader = {
      value,
      writer: modern ? { kind: "python-default" } : { kind: "python-compat32", fold: cls === undefined ? 78 : 0 },
      how: `the code sets message["From"] = ${senderKey} on ${modern ? "an email.message.EmailMessage" : `an email.mime message (${typeof mc === "string" && MESSAGE_CLASSES.test(mc) ? mc : "MIMEText/MIMEMultipart; set message_class if it is EmailMessage"})`} and sends it with ${api}`,
      keys: [senderKey, ...(mc !== undefined ? ["message_class"] : [])],
    };
  }
  for (const k of Object.keys(o)) if (!KNOWN.test(k)) b.warn(`${k} is not an aiosmtplib/smtplib connection setting`);
  return b.result;
}

function aiosmtplib(b: ResultBuilder, o: Record<string, unknown>): void {
  const useTls = pythonTruthy(o.use_tls);
  const startTls = "start_tls" in o ? o.start_tls : null;
  const keys = ["use_tls", "start_tls"];
  if (useTls && pythonTruthy(startTls)) {
    b.problem("use_tls and start_tls are both true: aiosmtplib raises \"The start_tls and use_tls options are not compatible.\"; set start_tls=False", keys);
  }
  if (useTls) b.set("tls", "implicit", keys);
  else if (startTls === true) b.set("tls", "starttls", keys);
  else {
    b.set("tls", "none", keys);
    b.set("opportunisticTls", startTls === null, keys);
  }
  const port = toPort(o.port);
  const dflt = useTls ? 465 : pythonTruthy(startTls) ? 587 : 25;
  if (port === undefined) b.warn(`port is not set; aiosmtplib uses ${dflt}`);
  b.set("port", port ?? dflt, ["port"]);
  if (useTls && pythonTruthy(startTls)) return; // the ValueError above comes first; port advice would be noise
  // Only the standard plaintext ports are judged: a server may run implicit TLS on any other port.
  if (useTls && (port === 25 || port === 587)) b.problem(`use_tls=True on port ${port}: TLS starts at once, but port ${port} expects plaintext and STARTTLS; use start_tls=True, use_tls=False`, ["use_tls", "port"]);
  if (startTls === true && port === 465) b.problem("start_tls=True on port 465: the server expects TLS from the first byte; use use_tls=True, start_tls=False", ["start_tls", "port"]);
}

function smtplib(b: ResultBuilder, o: Record<string, unknown>, cls: string): void {
  const keys = ["class", "starttls"];
  const ssl = cls === "SMTP_SSL";
  if (cls !== "SMTP" && !ssl) b.problem(`class ${cls} is neither SMTP nor SMTP_SSL`, ["class"]);
  const starttls = o.starttls === true;
  b.set("tls", ssl ? "implicit" : starttls ? "starttls" : "none", keys);
  // smtplib never upgrades on its own: without starttls() the session stays plaintext.
  if (!ssl && !starttls) b.set("opportunisticTls", false, keys);
  if (ssl && starttls) {
    // doctor sends the second STARTTLS too and shows the server's answer.
    b.problem("starttls() on an SMTP_SSL connection: the connection is TLS already; smtplib sends STARTTLS again when the server advertises it (servers refuse it) and raises SMTPNotSupportedError when it does not", keys, "starttls-after-implicit-tls");
    b.set("starttlsOnImplicit", true, keys);
  }
  const port = toPort(o.port);
  b.set("port", port ?? (ssl ? 465 : 25), ["port"]);
  if (port === undefined) b.warn(`port is not set; smtplib uses ${ssl ? 465 : 25}`);
  if (ssl && (port === 25 || port === 587)) b.problem(`SMTP_SSL on port ${port}: that port expects plaintext and STARTTLS; use SMTP with starttls()`, ["class", "port"]);
  if (!ssl && port === 465) b.problem("smtplib.SMTP on port 465: plaintext to an implicit-TLS port; use SMTP_SSL", ["class", "port"]);
}

/**
 * The change as aiosmtplib.SMTP keyword arguments (a TLS mode always writes both use_tls and start_tls), or — for
 * settings read in smtplib's terms (class, starttls) — as those keys.
 */
export function render(change: ProfileSettings, ctx?: RenderContext): string[] {
  const q = (s: string) => JSON.stringify(s);
  const out: string[] = [];
  const smtplib = ctx?.keys?.tls?.includes("class") ?? false;
  if (change.host !== undefined) out.push(`${smtplib ? "host" : "hostname"}=${q(change.host)}`);
  if (change.port !== undefined) out.push(`port=${change.port}`);
  if (smtplib && change.tls !== undefined) out.push(`class=${change.tls === "implicit" ? "SMTP_SSL" : "SMTP"}`, `starttls=${change.tls === "starttls" ? "True" : "False"}`);
  else if (change.tls !== undefined) {
    const startTls = change.tls === "starttls" ? "True" : change.tls === "none" && change.opportunisticTls ? "None" : "False";
    out.push(`use_tls=${change.tls === "implicit" ? "True" : "False"}`, `start_tls=${startTls}`);
  }
  // smtplib.SMTP_SSL followed by starttls(): the fix is to drop the call (aiosmtplib never makes one itself).
  if (change.starttlsOnImplicit === false && (change.tls ?? ctx?.base?.tls) === "implicit" && change.tls === undefined) out.push(smtplib ? "starttls=False" : "start_tls=False");
  if (change.user !== undefined) out.push(`username=${q(change.user)}`);
  if (change.password !== undefined) out.push(`password=${q(PASSWORD_PLACEHOLDER)}`);
  if (change.insecure !== undefined) out.push(`validate_certs=${change.insecure ? "False" : "True"}`);
  if (change.ca !== undefined) out.push(`cert_bundle=${q(change.ca)}`);
  if (change.name !== undefined) out.push(`local_hostname=${q(change.name)}`);
  if (change.timeoutSeconds !== undefined) out.push(`timeout=${change.timeoutSeconds}`);
  return out;
}
