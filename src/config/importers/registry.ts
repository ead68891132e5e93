// The config dialects mailctl reads and writes fixes in, one line each (npm-check-updates' package-manager
// registry). Everything that lists dialects derives from this list: the Dialect type, --dialect's choices, the
// --from-config help and `config import`'s description, the names messages give them, the check of a profile's
// `dialect`, README's importers table (scripts/gen-docs.mjs). A dialect's code is its module in index.ts, whose
// map the compiler holds to this list.

/** One dialect: its name (--dialect, a profile's `dialect`), what messages call it, and — for the apps mailctl imports — how help lists it and README's columns. */
export interface DialectLine {
  name: string;
  /** e.g. "Dify .env": "Read as Dify .env", "in your Dify .env (docker/.env): …". */
  label: string;
  /** How help lists it among the apps --from-config reads. */
  help?: string;
  /** README's "file" column: which file of the app. */
  file?: string;
  /** README's "what is read" column: the app's keys, and how they are read. */
  reads?: string;
}

/** Every dialect, in the order detection tries them and lists show them; mailctl's own profile first. */
export const DIALECTS = [
  { name: "mailctl", label: "mailctl profile" },
  {
    name: "dify",
    label: "Dify .env",
    help: "Dify .env",
    file: "Dify `.env` (`docker/.env` or `api/.env`)",
    reads:
      "`MAIL_TYPE`, `SMTP_SERVER`, `SMTP_PORT`, `SMTP_USERNAME`, `SMTP_PASSWORD`, `SMTP_USE_TLS` + `SMTP_OPPORTUNISTIC_TLS` (implicit / STARTTLS / none as Dify's `libs/smtp.py` decides), `SMTP_LOCAL_HOSTNAME`, `MAIL_DEFAULT_SEND_FROM`; docker-compose's defaults for empty values",
  },
  {
    name: "ragflow",
    label: "RAGFlow service_conf.yaml",
    help: "RAGFlow service_conf.yaml",
    file: "RAGFlow `service_conf.yaml` (`smtp:` block)",
    reads: "`mail_server`, `mail_port`, `mail_use_ssl`, `mail_use_tls`, `mail_username`, `mail_password`, `mail_default_sender`; `${VAR:-default}` placeholders read as their defaults",
  },
  {
    name: "msmtp",
    label: "msmtprc",
    help: "msmtprc",
    file: "`~/.msmtprc`",
    reads:
      "one account (`--account`, else `default`) with `defaults` and inheritance: `host`, `port`, `tls`, `tls_starttls`, `tls_certcheck`, `tls_trust_file`, `auth`, `user`, `password`, `passwordeval`, `from`, `from_full_name`, `set_from_header`, `domain`, `timeout`. msmtp builds no message: the From header is your program's; msmtp writes `From: from_full_name <from>` only with `set_from_header on`, or `auto` (the default) into a message without one",
  },
  {
    name: "nodemailer",
    label: "nodemailer options",
    help: "nodemailer JSON",
    file: "transport options as JSON or a JS object literal",
    reads:
      "`host`, `port`, `secure`, `requireTLS`, `ignoreTLS`, `opportunisticTLS`, `service` (mapped to our presets), `auth.user`, `auth.pass` (`process.env.X` kept as a variable), `authMethod`, `tls.rejectUnauthorized`, `tls.servername`, `name`, `connectionTimeout`",
  },
  {
    name: "smtp-url",
    label: "SMTP URL",
    help: "SMTP URL",
    file: "one `smtp://` or `smtps://` URL",
    reads: "scheme, user, password, host, port, `requireTLS`, `ignoreTLS`, `tls.*`, `name`, `service`",
  },
  {
    name: "aiosmtplib",
    label: "aiosmtplib/smtplib settings",
    help: "aiosmtplib JSON",
    file: "aiosmtplib keyword arguments or smtplib settings, as JSON, a Python dict or `key=value` arguments",
    reads:
      "`hostname`, `port`, `use_tls`, `start_tls`, `username`, `password`, `validate_certs`, `cert_bundle`, `local_hostname`, `timeout`, `sender` (what the code puts in `message[\"From\"]`); `message_class` (`MIMEText`, `MIMEMultipart`, `Message` — the compat32 default — or `EmailMessage`); smtplib `class` (`SMTP` / `SMTP_SSL`) and `starttls`",
  },
] as const satisfies readonly DialectLine[];

/** The config dialects mailctl can read and write fixes in. */
export type Dialect = (typeof DIALECTS)[number]["name"];

/** Every dialect's name, in the registry's order. */
export const DIALECT_NAMES: readonly Dialect[] = DIALECTS.map((d) => d.name);

/** The apps' dialects, the ones --from-config and `config import` read (every dialect but mailctl's own). */
export const IMPORTED: readonly (DialectLine & { name: Dialect; help: string })[] = DIALECTS.filter((d) => "help" in d);

/** The dialects `--dialect` accepts. */
export const IMPORT_DIALECTS: readonly Dialect[] = IMPORTED.map((d) => d.name);

/** Human name of a dialect, e.g. "Dify .env". */
export function dialectLabel(dialect: Dialect): string {
  return DIALECTS.find((d) => d.name === dialect)!.label;
}

/** The apps --from-config reads, as help lists them: "Dify .env, RAGFlow service_conf.yaml, …". */
export function importedList(): string {
  return IMPORTED.map((d) => d.help).join(", ");
}
