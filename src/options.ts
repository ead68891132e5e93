import type { Command } from "commander";
import { InvalidArgumentError, Option } from "./commander.js";
import { timeoutProblem } from "./config/target.js";
import { MECHANISMS } from "./session/sasl.js";

/** One command-line option as data (npm-check-updates' pattern): the same table registers flags and documents them. */
export interface OptionSpec {
  flags: string;
  description: string;
  /** MAILCTL_* environment variable that supplies the value when the flag is absent. */
  env?: string;
  /** Choices shown in help and checked when parsing. */
  choices?: readonly string[];
  parse?: (value: string) => unknown;
  /** Shown as the default in help; the real default is applied when settings are resolved. */
  defaultText?: string;
}

/** Parses a TCP port. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port number (1–65535)`);
  return n;
}

/** Parses a timeout in seconds (fractions allowed; see timeoutProblem). */
export function parseSeconds(value: string): number {
  const problem = timeoutProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return Number(value);
}

/** Parses the name of an environment variable. */
export function parseEnvName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw new InvalidArgumentError(`"${value}" is not an environment variable name`);
  return value;
}

/** Parses an EHLO name: a domain or an address literal, no spaces or line breaks (RFC 5321 §4.1.1.1). */
export function parseEhloName(value: string): string {
  if (!/^(\[[0-9A-Fa-f:.IPv]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/.test(value))
    throw new InvalidArgumentError(`"${value}" is not a host name or address literal`);
  return value;
}

/** Parses a SASL mechanism name, in any case. */
export function parseMechanism(value: string): string {
  const m = value.toUpperCase();
  if (!MECHANISMS.includes(m)) throw new InvalidArgumentError(`"${value}" is not a mechanism mailctl can use (${MECHANISMS.join(", ")})`);
  return m;
}

/** Parses a host name or IP address. */
export function parseHost(value: string): string {
  if (!/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?)$/.test(value))
    throw new InvalidArgumentError(`"${value}" is not a host name or IP address`);
  return value;
}

/** Parses a DNS server address: an IPv4 or IPv6 address, optionally with a port. */
export function parseResolver(value: string): string {
  if (!/^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[[0-9A-Fa-f:]+\](:\d{1,5})?|[0-9A-Fa-f:]+)$/.test(value))
    throw new InvalidArgumentError(`"${value}" is not a DNS server address (ip or ip:port)`);
  return value;
}

/** Connection options shared by every command that connects. */
export const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  { flags: "--host <host>", description: "SMTP server host name or IP address", env: "MAILCTL_HOST", parse: parseHost },
  { flags: "-p, --port <port>", description: "TCP port", env: "MAILCTL_PORT", parse: parsePort },
  { flags: "--tls <mode>", description: "TLS mode: implicit (465), starttls (587), none; probe also takes auto", env: "MAILCTL_TLS", choices: ["auto", "implicit", "starttls", "none"] },
  { flags: "-u, --user <user>", description: "user name for AUTH", env: "MAILCTL_USER" },
  { flags: "--password-env <VAR>", description: "read the password from this environment variable (never from a flag)", parse: parseEnvName, defaultText: "MAILCTL_PASSWORD" },
  { flags: "--oauth-token-env <VAR>", description: "sign in with OAuth2 (XOAUTH2/OAUTHBEARER) using the access token in this environment variable", parse: parseEnvName },
  { flags: "--auth <mechanism>", description: "use this SASL mechanism only, and fail if the server does not offer it", env: "MAILCTL_AUTH", choices: MECHANISMS, parse: parseMechanism },
  { flags: "--ca <file>", description: "also trust the CA certificate(s) in this PEM file", env: "MAILCTL_CA" },
  { flags: "--insecure", description: "do not verify the server's certificate (the output says so)" },
  { flags: "--servername <name>", description: "name to verify the certificate against (and send as SNI), when it differs from --host" },
  { flags: "--timeout <seconds>", description: "limit for each wait: connect, greeting, each command", env: "MAILCTL_TIMEOUT", parse: parseSeconds, defaultText: "15" },
  { flags: "--name <ehlo-name>", description: "name to send with EHLO (default: this host's FQDN, else its address literal)", parse: parseEhloName },
  { flags: "--resolver <ip[:port]>", description: "resolve the host with this DNS server instead of the system resolver", parse: parseResolver },
  { flags: "-4, --ipv4", description: "connect over IPv4 only" },
  { flags: "-6, --ipv6", description: "connect over IPv6 only" },
];

/** The sender, shared by the commands that send (send, test-send). */
export const SENDER_OPTIONS: readonly OptionSpec[] = [
  { flags: "--from <address>", description: 'sender: "address" or "Name <address>"', env: "MAILCTL_FROM" },
];

/** Where settings come from, shared by every command that connects (see README "Configuration"). */
export const PROFILE_OPTIONS: readonly OptionSpec[] = [
  { flags: "--profile <name>", description: "use this profile from the config files", env: "MAILCTL_PROFILE" },
  { flags: "--preset <name[:region]>", description: "provider preset, e.g. gmail, qq, ses:eu-west-1 (see mailctl presets)", env: "MAILCTL_PRESET" },
  { flags: "--config <file>", description: "read this config file only (instead of searching)", env: "MAILCTL_CONFIG" },
  { flags: "--from-config <file>", description: "use an app's own settings: Dify .env, RAGFlow service_conf.yaml, msmtprc, nodemailer JSON, SMTP URL, aiosmtplib JSON" },
  { flags: "--dialect <dialect>", description: "the app config's dialect, when it is not detected", choices: ["dify", "ragflow", "msmtp", "nodemailer", "smtp-url", "aiosmtplib"] },
  { flags: "--account <name>", description: "msmtp account to read with --from-config (default: the account named default)" },
];

/** Output options shared by every command. */
export const OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { flags: "--json", description: "print one JSON document on stdout and nothing else" },
  { flags: "--transcript", description: "print the SMTP dialogue (credentials redacted)" },
];

/** Adds options from a table to a command. */
export function addOptions(cmd: Command, specs: readonly OptionSpec[], except: string[] = []): Command {
  for (const spec of specs) {
    if (except.some((e) => spec.flags.includes(e))) continue;
    const desc = spec.env ? `${spec.description} [env ${spec.env}]` : spec.description;
    const opt = new Option(spec.flags, desc);
    if (spec.choices) opt.choices(spec.choices);
    if (spec.parse) opt.argParser((v) => spec.parse!(v));
    if (spec.defaultText) opt.default(undefined, spec.defaultText);
    cmd.addOption(opt);
  }
  return cmd;
}
