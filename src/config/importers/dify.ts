// Dify `.env` (docker/.env or api/.env). What Dify really does, read from langgenius/dify:
// - api/configs/feature/__init__.py MailConfig: MAIL_TYPE (None), SMTP_SERVER, SMTP_PORT (465),
//   SMTP_USERNAME, SMTP_PASSWORD, SMTP_USE_TLS (False), SMTP_OPPORTUNISTIC_TLS (False),
//   SMTP_LOCAL_HOSTNAME (EHLO name, newer releases), MAIL_DEFAULT_SEND_FROM.
// - api/extensions/ext_mail.py: SMTP settings apply only when MAIL_TYPE == "smtp"; it raises
//   "SMTP_SERVER and SMTP_PORT are required" and "SMTP_OPPORTUNISTIC_TLS is not supported without
//   enabling SMTP_USE_TLS".
// - api/libs/smtp.py SMTPClient.send: USE_TLS and not OPPORTUNISTIC -> smtplib.SMTP_SSL (implicit);
//   USE_TLS and OPPORTUNISTIC -> smtplib.SMTP + ehlo + starttls() (which raises when STARTTLS is not
//   offered, so it is required STARTTLS, not "opportunistic"); USE_TLS false -> smtplib.SMTP, no
//   STARTTLS at all. timeout=10. login() only when username and password are both non-blank.
// - api/libs/smtp.py, and api/libs/mail/smtp.py SMTPMessageBuilder / mail/smtp_basic.py in newer releases:
//   msg = MIMEMultipart(); msg["From"] = MAIL_DEFAULT_SEND_FROM; smtp.sendmail(from, to, msg.as_string()).
//   A compat32 message keeps the value as given and encodes it whole when serialised, so a non-ASCII
//   "张三 <addr>" becomes one RFC 2047 word, address included (src/headers/python-compat32.ts).
// - docker/docker-compose.yaml passes every key as ${KEY:-default} (MAIL_TYPE:-resend,
//   SMTP_PORT:-465, SMTP_USE_TLS:-true, SMTP_OPPORTUNISTIC_TLS:-false), so in a docker install an
//   empty or missing value means that default, which differs from the pydantic default.
// Booleans are read by pydantic: 1/0, true/false, yes/no, on/off, t/f, y/n, any case.

import type { ImportResult } from "../types.js";
import type { ProfileSettings } from "../../settings.js";
import { PASSWORD_PLACEHOLDER, ResultBuilder, envValue, splitMailbox, toPort, type ParseOptions, type RenderContext } from "./common.js";
import { parseDotenv, type EnvEntry } from "./dotenv.js";

const KNOWN = ["SMTP_SERVER", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_USE_TLS", "SMTP_OPPORTUNISTIC_TLS", "SMTP_LOCAL_HOSTNAME"];
const WEIGHTS: Record<string, number> = {
  SMTP_OPPORTUNISTIC_TLS: 0.45, MAIL_DEFAULT_SEND_FROM: 0.3, MAIL_TYPE: 0.15, SMTP_USE_TLS: 0.15,
  SMTP_SERVER: 0.15, SMTP_PORT: 0.05, SMTP_USERNAME: 0.05, SMTP_PASSWORD: 0.05,
};
const DOCKER_DEFAULTS: Record<string, string> = { MAIL_TYPE: "resend", SMTP_PORT: "465", SMTP_USE_TLS: "true", SMTP_OPPORTUNISTIC_TLS: "false" };
const SOURCE_DEFAULTS: Record<string, string> = { SMTP_PORT: "465", SMTP_USE_TLS: "false", SMTP_OPPORTUNISTIC_TLS: "false" };

/** Confidence that `text` is a Dify .env with mail settings. */
export function detect(text: string, fileName: string): number {
  let score = 0;
  for (const [key, w] of Object.entries(WEIGHTS)) {
    if (new RegExp(`^\\s*(?:export\\s+)?${key}\\s*=`, "m").test(text)) score += w;
  }
  if (score > 0 && /(^|[\\/])\.env(\.[\w-]+)?$|\.env$/.test(fileName)) score += 0.1;
  return Math.min(1, score);
}

/** Read Dify's mail settings from .env text. */
export function parse(text: string, opts: ParseOptions = {}): ImportResult {
  const b = new ResultBuilder("dify");
  const env = parseDotenv(text, opts.fileName);
  env.warnings.forEach((w) => b.warn(w));
  const docker = /(^|[\\/])docker[\\/]/.test(opts.fileName ?? "") || ["EXPOSE_NGINX_PORT", "COMPOSE_PROFILES", "NGINX_SERVER_NAME"].some((k) => env.entries.has(k));
  const defaults = docker ? DOCKER_DEFAULTS : SOURCE_DEFAULTS;
  const where = docker ? "docker-compose.yaml's default" : "Dify's default";

  // The value Dify ends up with: compose's ${KEY:-default} turns empty into the default too.
  const get = (key: string): { value: string | undefined; entry: EnvEntry | undefined } => {
    const entry = env.entries.get(key);
    if (entry && (entry.value !== "" || !docker)) return { value: entry.value, entry };
    if (defaults[key] !== undefined) b.warn(`${key} is ${entry ? "empty" : "not set"}; Dify uses ${where} ${defaults[key]}`);
    return { value: defaults[key], entry };
  };
  const bool = (key: string): boolean => {
    const v = get(key).value ?? "false";
    if (/^(1|true|t|yes|y|on)$/i.test(v.trim())) return true;
    if (/^(0|false|f|no|n|off)$/i.test(v.trim())) return false;
    b.problem(`${key}=${v || "(empty)"} is not a boolean Dify accepts (true/false); the api service fails to start`, [key]);
    return false;
  };

  const mailType = get("MAIL_TYPE").value;
  if (mailType !== "smtp") {
    b.warn(`MAIL_TYPE is ${mailType ? `"${mailType}"` : "not set"}, so Dify does not use these SMTP settings; set MAIL_TYPE=smtp`);
  }
  const host = get("SMTP_SERVER").value;
  b.set("host", host || undefined, ["SMTP_SERVER"]);
  if (!host) b.problem("SMTP_SERVER is empty; Dify raises \"SMTP_SERVER and SMTP_PORT are required\"", ["SMTP_SERVER"]);

  const rawPort = get("SMTP_PORT").value;
  const port = toPort(rawPort);
  b.set("port", port, ["SMTP_PORT"]);
  if (port === undefined) b.problem(`SMTP_PORT=${rawPort ?? ""} is not a port number`, ["SMTP_PORT"]);

  const useTls = bool("SMTP_USE_TLS");
  const opportunistic = bool("SMTP_OPPORTUNISTIC_TLS");
  const tlsKeys = ["SMTP_USE_TLS", "SMTP_OPPORTUNISTIC_TLS"];
  b.set("tls", useTls ? (opportunistic ? "starttls" : "implicit") : "none", tlsKeys);
  if (!useTls && opportunistic) {
    b.problem("SMTP_OPPORTUNISTIC_TLS=true without SMTP_USE_TLS=true: Dify raises \"SMTP_OPPORTUNISTIC_TLS is not supported without enabling SMTP_USE_TLS\"", tlsKeys);
  }

  const user = env.entries.get("SMTP_USERNAME")?.value;
  const password = env.entries.get("SMTP_PASSWORD")?.value;
  b.set("user", user, ["SMTP_USERNAME"]);
  b.set("password", password, ["SMTP_PASSWORD"]);
  // Dify reads it from its environment (docker/.env is the container's environment): a saved profile does the same.
  if (password !== undefined) b.result.passwordVariable = "SMTP_PASSWORD";
  if (password !== undefined && password.trim() === "") {
    b.warn("SMTP_PASSWORD is empty: Dify skips AUTH when the username or password is blank, so a server that requires login rejects the mail", "credentials-missing");
  } else if (password === undefined) {
    b.warn("SMTP_PASSWORD is not set: Dify sends without logging in", "credentials-missing");
  }

  const sender = env.entries.get("MAIL_DEFAULT_SEND_FROM")?.value;
  if (sender) {
    const { from, fromName } = splitMailbox(sender);
    b.set("from", from, ["MAIL_DEFAULT_SEND_FROM"]);
    b.set("fromName", fromName, ["MAIL_DEFAULT_SEND_FROM"]);
    b.set("fromFormat", fromName ? "name-addr" : "address-only", ["MAIL_DEFAULT_SEND_FROM"]);
    b.result.fromHeader = {
      value: sender,
      writer: { kind: "python-compat32", fold: 0 },
      how: 'Dify sets msg["From"] = MAIL_DEFAULT_SEND_FROM on a MIMEMultipart and sends msg.as_string() (api/libs/smtp.py)',
      keys: ["MAIL_DEFAULT_SEND_FROM"],
    };
  } else {
    b.warn("MAIL_DEFAULT_SEND_FROM is not set; Dify raises \"mail from is not set\" when sending");
  }
  b.set("name", env.entries.get("SMTP_LOCAL_HOSTNAME")?.value || undefined, ["SMTP_LOCAL_HOSTNAME"]);
  // libs/smtp.py hard-codes timeout=10 for every connection.
  b.set("timeoutSeconds", 10, []);

  for (const key of env.entries.keys()) {
    if (key.startsWith("SMTP_") && !KNOWN.includes(key)) b.warn(`${key} is not a Dify setting and is ignored`);
  }
  return b.result;
}

/** The change as Dify .env lines; a TLS mode always writes both TLS keys, a sender the whole MAIL_DEFAULT_SEND_FROM (its name from the settings in force unless the change has one). */
export function render(change: ProfileSettings, ctx?: RenderContext): string[] {
  const out: string[] = [];
  if (change.host !== undefined) out.push(`SMTP_SERVER=${envValue(change.host)}`);
  if (change.port !== undefined) out.push(`SMTP_PORT=${change.port}`);
  if (change.tls !== undefined) {
    // Dify has no "STARTTLS if offered": none (opportunistic or not) is plain smtplib.SMTP.
    out.push(`SMTP_USE_TLS=${change.tls !== "none"}`, `SMTP_OPPORTUNISTIC_TLS=${change.tls === "starttls"}`);
  }
  if (change.user !== undefined) out.push(`SMTP_USERNAME=${envValue(change.user)}`);
  if (change.password !== undefined) out.push(`SMTP_PASSWORD=${envValue(PASSWORD_PLACEHOLDER)}`);
  if (change.from !== undefined) {
    const name = change.fromName ?? ctx?.base?.fromName;
    const format = change.fromFormat ?? ctx?.base?.fromFormat;
    const mailbox = name && format !== "address-only" ? `${name} <${change.from}>` : change.from;
    out.push(`MAIL_DEFAULT_SEND_FROM=${envValue(mailbox)}`);
  }
  if (change.name !== undefined) out.push(`SMTP_LOCAL_HOSTNAME=${envValue(change.name)}`);
  return out;
}
