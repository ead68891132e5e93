import type { ProfileSettings } from "../settings.js";
import type { Dialect } from "./importers/registry.js";

/**
 * How an app turns its sender setting into the From header, read from the app's own source: nodemailer's
 * composer (a `from` string through its addressparser, or {name, address}); Python's email package on a
 * compat32 message (email.mime: the value is stored as given and encoded as a whole when serialised; `fold` is
 * the line length of the generator that writes it, 0 for Message.as_string()) or on an EmailMessage
 * (policy.default: parsed as an address when set); or msmtp, which passes the message's own From through and
 * writes `From: from_full_name <from>` itself only when told to (set_from_header on, or auto and none there).
 */
export type FromWriter = { kind: "nodemailer" } | { kind: "python-compat32"; fold: 0 | 78 } | { kind: "python-default" } | { kind: "msmtp"; set: "auto" | "on" };

/** The From header as an app writes it: the value it assigns, the writer, where in the app that happens, and the app's keys behind the value. */
export interface AppFrom {
  value: string | { name: string; address: string };
  writer: FromWriter;
  /** e.g. `api/libs/smtp.py: msg["From"] = MAIL_DEFAULT_SEND_FROM on a MIMEMultipart, sent as msg.as_string()`. */
  how: string;
  keys: string[];
}

/** What an importer returns: settings in mailctl's terms, plus for each setting the key(s) it came from in the app's own dialect. */
export interface ImportResult {
  dialect: Dialect;
  settings: ProfileSettings;
  /** mailctl field name → the app's key(s) that produced it, e.g. { tls: ["SMTP_USE_TLS", "SMTP_OPPORTUNISTIC_TLS"] } */
  keys: Partial<Record<keyof ProfileSettings, string[]>>;
  /** Problems found while reading that are not fatal (unknown keys, values that look wrong). One line each. */
  warnings: string[];
  /** Settings that the app cannot express or that are contradictory, each with the app's keys involved. */
  problems: { message: string; keys: string[] }[];
  /** The catalog id of a warning or problem the importer recognised as a known cause, by its message (doctor names it). */
  ids?: Record<string, string>;
  /** The environment variable the app itself reads the password from when it runs (Dify's SMTP_PASSWORD, a RAGFlow `${VAR}`): a profile saved from this config reads it too. */
  passwordVariable?: string;
  /** How the app writes its From header from these settings, when it builds messages itself. */
  fromHeader?: AppFrom;
}
