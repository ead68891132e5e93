// RAGFlow service_conf.yaml `smtp:` block. What RAGFlow really does, read from infiniflow/ragflow:
// - common/settings.py init_settings(): SMTP_CONF = get_base_config("smtp", {}); mail_server (""),
//   mail_port (000 — i.e. 0), mail_use_ssl (True when the key is absent), mail_use_tls (False),
//   mail_username (""), mail_password (""), mail_default_sender (kept only if a list of >= 2:
//   (name, address)), mail_frontend_url.
// - api/utils/web_utils.py send_email_html(): aiosmtplib.SMTP(hostname=MAIL_SERVER, port=MAIL_PORT,
//   use_tls=MAIL_USE_SSL, start_tls=MAIL_USE_TLS, timeout=10); connect(); login(user, password)
//   always; msg = MIMEText(...); msg["From"] = f"{SENDER[0]} <{SENDER[1]}>"; send_message(msg), which
//   flattens the compat32 message with BytesGenerator (aiosmtplib email.py flatten_message): a non-ASCII
//   name makes the whole value, address included, RFC 2047 words (src/headers/python-compat32.ts).
// - aiosmtplib src/aiosmtplib/smtp.py: _validate_config raises "The start_tls and use_tls options are
//   not compatible." when both are truthy; `if self.use_tls` (truthiness) picks implicit TLS;
//   _maybe_start_tls_on_connect upgrades only when start_tls `is True`, or when it is None and the
//   server offers STARTTLS. So mail_use_tls: false means no STARTTLS at all.
// - common/config_utils.py loads the file with ruamel YAML(typ="safe") (YAML 1.2: yes/no are strings);
//   conf/local.service_conf.yaml, when present, replaces whole top-level blocks.
// - docker/service_conf.yaml.template is rendered at container start, substituting ${VAR:-default}
//   from the environment (docs/configurations.md), so a placeholder's real value is the env var's.

import { parseDocument } from "yaml";
import type { ImportResult } from "../types.js";
import type { ProfileSettings } from "../../settings.js";
import { ImportError } from "./errors.js";
import { PASSWORD_PLACEHOLDER, ResultBuilder, pythonTruthy, toPort, type ParseOptions, type RenderContext } from "./common.js";

const KEYS = ["mail_server", "mail_port", "mail_use_ssl", "mail_use_tls", "mail_username", "mail_password", "mail_default_sender", "mail_frontend_url"];
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g;

/** Confidence that `text` is a RAGFlow service_conf.yaml with an smtp block. */
export function detect(text: string, fileName: string): number {
  const block = /^smtp:\s*(#.*)?$/m.test(text);
  const keys = KEYS.filter((k) => new RegExp(`^\\s+${k}\\s*:`, "m").test(text)).length;
  let score = (block ? 0.3 : 0) + Math.min(0.6, keys * 0.12);
  if (/service_conf\.ya?ml(\.template)?$/.test(fileName)) score += 0.2;
  if (/^(ragflow|mysql|minio|es|infinity|redis):\s*$/m.test(text)) score += 0.1;
  return keys === 0 ? 0 : Math.min(1, score);
}

/** Read RAGFlow's smtp block (placeholders resolved to their defaults, as the container would without env). */
export function parse(text: string, opts: ParseOptions = {}): ImportResult {
  const b = new ResultBuilder("ragflow");
  const placeholders: { line: number; key: string; expr: string; value: string }[] = [];
  const resolved = text.split(/\r?\n/).map((line, i) =>
    line.replace(PLACEHOLDER, (expr, _v: string, def: string | undefined) => {
      placeholders.push({ line: i + 1, key: /^\s*([\w-]+)\s*:/.exec(line)?.[1] ?? "", expr, value: def ?? "" });
      return def ?? "";
    }),
  );
  const doc = parseDocument(resolved.join("\n"));
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ImportError(`not valid YAML: ${e.message.split("\n")[0]}`, { file: opts.fileName, line: e.linePos?.[0].line });
  }
  const root: unknown = doc.toJS();
  const smtp = root && typeof root === "object" ? (root as Record<string, unknown>).smtp : undefined;
  if (!smtp || typeof smtp !== "object") {
    const commented = /^#\s*smtp:/m.test(text);
    b.problem(commented ? "the smtp: block is commented out, so RAGFlow cannot send mail" : "no smtp: block, so RAGFlow cannot send mail", ["smtp"]);
    return b.result;
  }
  const conf = smtp as Record<string, unknown>;
  const start = resolved.findIndex((l) => /^smtp:/.test(l)) + 1;
  for (const p of placeholders) {
    if (p.line > start && KEYS.includes(p.key) && p.key !== "mail_password") {
      b.warn(`${p.key} is ${p.expr}: read as "${p.value}", but the container's environment variable overrides it`);
    } else if (p.line > start && p.key === "mail_password") {
      b.warn(`mail_password is a \${…} placeholder; the container's environment variable provides it`);
    }
  }

  const host = conf.mail_server;
  if (typeof host === "string" && host !== "") b.set("host", host, ["mail_server"]);
  else b.problem("mail_server is empty, so RAGFlow has no server to connect to", ["mail_server"]);

  const port = toPort(conf.mail_port);
  b.set("port", port, ["mail_port"]);
  if (port === undefined) b.problem(`mail_port is ${conf.mail_port === undefined ? "not set (RAGFlow uses 0)" : `"${String(conf.mail_port)}", not a port`}`, ["mail_port"]);

  const ssl = "mail_use_ssl" in conf ? conf.mail_use_ssl : true;
  const starttls = "mail_use_tls" in conf ? conf.mail_use_tls : false;
  const tlsKeys = ["mail_use_ssl", "mail_use_tls"];
  if (!("mail_use_ssl" in conf)) b.warn("mail_use_ssl is not set; RAGFlow defaults it to true (implicit TLS)");
  // A quoted 'false' is a non-empty string, which Python (and so aiosmtplib) reads as true.
  const looksTrue = (v: unknown) => /^(true|yes|on|1)$/i.test(String(v).trim());
  if (typeof ssl === "string" || typeof ssl === "number") {
    const msg = `mail_use_ssl is ${JSON.stringify(ssl)}, not true/false; Python reads it as ${pythonTruthy(ssl)}`;
    if (pythonTruthy(ssl) !== looksTrue(ssl)) b.problem(msg, ["mail_use_ssl"]);
    else b.warn(msg);
  }
  if (starttls !== null && typeof starttls !== "boolean") {
    const msg = `mail_use_tls is ${JSON.stringify(starttls)}, not true/false; aiosmtplib upgrades only for the value true, so no STARTTLS`;
    if (looksTrue(starttls)) b.problem(msg, ["mail_use_tls"]);
    else b.warn(msg);
  }
  if (pythonTruthy(ssl) && pythonTruthy(starttls)) {
    b.problem("mail_use_ssl and mail_use_tls are both true: aiosmtplib raises \"The start_tls and use_tls options are not compatible.\"", tlsKeys);
  }
  if (pythonTruthy(ssl)) b.set("tls", "implicit", tlsKeys);
  else if (starttls === true) b.set("tls", "starttls", tlsKeys);
  else {
    b.set("tls", "none", tlsKeys);
    // An empty `mail_use_tls:` is None, which aiosmtplib reads as "STARTTLS if the server offers it".
    b.set("opportunisticTls", starttls === null, tlsKeys);
  }

  const user = typeof conf.mail_username === "string" ? conf.mail_username : "";
  const password = conf.mail_password === undefined || conf.mail_password === null ? "" : String(conf.mail_password);
  b.set("user", user, ["mail_username"]);
  b.set("password", password, ["mail_password"]);
  if (user === "") b.warn("mail_username is empty, but RAGFlow always calls login(); servers reject an empty login");
  if (password === "") b.warn("mail_password is empty, but RAGFlow always calls login() with it", "credentials-missing");
  // docker/service_conf.yaml.template: mail_password: '${VAR:-…}' is filled from the container's environment.
  const variable = /^\s+mail_password:\s*['"]?\$\{([A-Za-z_][A-Za-z0-9_]*)/m.exec(text)?.[1];
  if (variable) b.result.passwordVariable = variable;

  const sender = conf.mail_default_sender;
  if (Array.isArray(sender) && sender.length >= 2 && typeof sender[1] === "string" && sender[1] !== "") {
    b.set("from", sender[1], ["mail_default_sender"]);
    b.set("fromName", pyStr(sender[0]), ["mail_default_sender"]);
    b.set("fromFormat", "name-addr", ["mail_default_sender"]);
    b.result.fromHeader = {
      value: `${pyStr(sender[0])} <${sender[1]}>`,
      writer: { kind: "python-compat32", fold: 78 },
      how: 'RAGFlow sets msg["From"] = f"{mail_default_sender[0]} <{mail_default_sender[1]}>" on a MIMEText and sends it with aiosmtplib send_message (api/utils/web_utils.py)',
      keys: ["mail_default_sender"],
    };
  } else {
    b.problem("mail_default_sender must be a list [display name, address]; otherwise RAGFlow fails building the From header", ["mail_default_sender"]);
  }
  if (!conf.mail_frontend_url) b.warn("mail_frontend_url is empty; links in invitation emails will be broken");
  // api/utils/web_utils.py passes timeout=10 to aiosmtplib.
  b.set("timeoutSeconds", 10, []);
  for (const k of Object.keys(conf)) if (!KEYS.includes(k)) b.warn(`smtp.${k} is not a RAGFlow setting and is ignored`);
  return b.result;
}

/** str() of a YAML scalar as Python prints it: True/False/None, not true/false/null. */
function pyStr(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  return String(v);
}

/** The change as lines of the `smtp:` block; a TLS mode always writes both mail_use_ssl and mail_use_tls. */
export function render(change: ProfileSettings, ctx?: RenderContext): string[] {
  const out: string[] = [];
  const q = (s: string) => JSON.stringify(s);
  if (change.host !== undefined) out.push(`mail_server: ${q(change.host)}`);
  if (change.port !== undefined) out.push(`mail_port: ${change.port}`);
  if (change.tls !== undefined) {
    const startTls = change.tls === "starttls" ? "true" : change.tls === "none" && change.opportunisticTls ? "null" : "false";
    out.push(`mail_use_ssl: ${change.tls === "implicit"}`, `mail_use_tls: ${startTls}`);
  }
  if (change.user !== undefined) out.push(`mail_username: ${q(change.user)}`);
  if (change.password !== undefined) out.push(`mail_password: ${q(PASSWORD_PLACEHOLDER)}`);
  // [name, address] is one value: the name in force stays unless the change gives one.
  if (change.from !== undefined) out.push(`mail_default_sender: [${q(change.fromName ?? ctx?.base?.fromName ?? "")}, ${q(change.from)}]`);
  return out;
}
