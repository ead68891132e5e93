// msmtp configuration (~/.msmtprc, ~/.config/msmtp/config), per msmtp's man page (marlam/msmtp
// doc/msmtp.1, "CONFIGURATION FILES") and doc/msmtprc-user.example:
// - Lines whose first non-blank character is `#` are comments (a `#` later in a line is part of the
//   argument). An argument may be enclosed in double quotes. `cmd` with an empty argument means `on`.
// - `defaults` sets values for all following accounts; `account name [: a[,b…]]` starts an account,
//   filled with the current defaults, then inheriting every setting of the listed accounts.
//   `account default : name` is how a default account is usually chosen; msmtp uses the account
//   named "default" unless -a (or a matching --from) picks another.
// - port: 25, or 465 when TLS without STARTTLS (tls on + tls_starttls off); tls is off by default,
//   tls_starttls on by default. tls_certcheck off disables certificate checks. domain is the EHLO
//   argument. auth must be enabled for user/password to be used.
// - msmtp does not build messages: it sends the one the program pipes to it, From header included. It
//   writes a From header itself only with set_from_header on (replacing the message's), or auto (the
//   default; add_missing_from_header in older releases) when the message has none: "From: <from>", or
//   "From: <encoded from_full_name> <<from>>" (src/msmtp.c; src/tools.c encode_for_header base64-encodes a
//   name with non-ASCII bytes as a whole and leaves any other name unquoted).
// - passwordeval: msmtp runs the argument as a command (via the shell, popen-style) and uses its
//   stdout as the password, so it is kept as one shell command line string.

import type { ImportResult } from "../types.js";
import type { ProfileSettings } from "../../settings.js";
import { ImportError } from "./errors.js";
import { PASSWORD_PLACEHOLDER, ResultBuilder, toPort, type ParseOptions } from "./common.js";

type Settings = Map<string, { value: string; line: number }>;
const COMMANDS = /^(defaults|account|host|port|tls|tls_starttls|tls_certcheck|tls_trust_file|tls_fingerprint|user|password|passwordeval|from|auth|domain|timeout|logfile|syslog|aliases|auto_from|maildomain|protocol|tls_crl_file|tls_key_file|tls_cert_file|tls_priorities|tls_min_dh_prime_bits|tls_host_override|keepbcc|dsn_notify|dsn_return|ntlmdomain|set_from_header|undisclosed_recipients|remove_bcc_headers|source_ip|proxy_host|proxy_port|socket|eval|add_missing_from_header|add_missing_date_header|allow_from_override|from_full_name|set_date_header|set_msgid_header|set_to_header)$/;

/** Confidence that `text` is an msmtp configuration file. */
export function detect(text: string, fileName: string): number {
  const lines = text.split(/\r?\n/).filter((l) => !/^\s*(#|$)/.test(l));
  if (lines.length === 0 || /^\s*[{[]/.test(lines[0]!)) return 0;
  const known = lines.filter((l) => COMMANDS.test(l.trim().split(/\s+/)[0]!)).length;
  let score = (known / lines.length) * 0.5;
  if (lines.some((l) => /^\s*account\s+\S+/.test(l))) score += 0.3;
  if (lines.some((l) => /^\s*tls_starttls\b|^\s*passwordeval\b/.test(l))) score += 0.1;
  if (/msmtp/i.test(fileName)) score += 0.2;
  return lines.some((l) => /^\s*(host|account)\s/.test(l)) ? Math.min(1, score) : 0;
}

/** Read one account (opts.account, else "default", else the first) with defaults and inheritance applied. */
export function parse(text: string, opts: ParseOptions = {}): ImportResult {
  const b = new ResultBuilder("msmtp");
  const defaults: Settings = new Map();
  const accounts = new Map<string, Settings>();
  let current: Settings | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*(#|$)/.test(raw)) return;
    const m = /^\s*(\S+)\s*(.*?)\s*$/.exec(raw)!;
    const cmd = m[1]!;
    let arg = m[2]!;
    if (/^".*"$/.test(arg)) arg = arg.slice(1, -1).replace(/\\(["\\])/g, "$1");
    if (cmd === "defaults") {
      current = defaults;
    } else if (cmd === "account") {
      const am = /^([^:\s]+)\s*(?::\s*(.*))?$/.exec(arg);
      if (!am) throw new ImportError("account needs a name", { file: opts.fileName, line });
      const name = am[1]!;
      if (accounts.has(name)) b.problem(`account ${name} is defined twice (line ${line}); msmtp refuses the file`, ["account"]);
      current = new Map(defaults);
      for (const parent of (am[2] ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
        const p = accounts.get(parent);
        if (p) for (const [k, v] of p) current.set(k, v);
        else b.problem(`account ${name} inherits from unknown account ${parent} (line ${line}); msmtp refuses the file`, ["account"]);
      }
      accounts.set(name, current);
    } else {
      if (!COMMANDS.test(cmd)) b.warn(`line ${line}: unknown command "${cmd}"`);
      if (!current) b.warn(`line ${line}: "${cmd}" comes before any defaults or account line`);
      (current ?? defaults).set(cmd, { value: arg, line });
    }
  });
  if (accounts.size === 0) throw new ImportError("no account is defined", { file: opts.fileName });
  let name = opts.account ?? (accounts.has("default") ? "default" : [...accounts.keys()][0]!);
  if (!accounts.has(name)) throw new ImportError(`no account named "${name}" (accounts: ${[...accounts.keys()].join(", ")})`, { file: opts.fileName });
  if (!opts.account && name !== "default") b.warn(`no account named "default"; reading "${name}", which msmtp uses only with -a ${name} or a matching --from`);
  applyAccount(b, name, accounts.get(name)!);
  return b.result;
}

function applyAccount(b: ResultBuilder, account: string, s: Settings): void {
  const val = (k: string) => s.get(k)?.value;
  const onOff = (k: string, dflt: boolean): boolean => {
    const v = val(k);
    if (v === undefined) return dflt;
    if (v === "" || v === "on") return true;
    if (v === "off") return false;
    b.problem(`${k} "${v}" must be on or off (line ${s.get(k)!.line}); msmtp refuses the file`, [k]);
    return dflt;
  };
  const host = val("host");
  if (host) b.set("host", host, ["host"]);
  else b.problem(`account ${account} has no host; msmtp requires one`, ["host"]);

  const tls = onOff("tls", false);
  const starttls = onOff("tls_starttls", true);
  b.set("tls", tls ? (starttls ? "starttls" : "implicit") : "none", ["tls", "tls_starttls"]);
  if (!tls && s.has("tls_starttls") && !starttls) b.warn("tls_starttls off has no effect while tls is off: the connection is plaintext");
  const port = val("port");
  if (port !== undefined) {
    b.set("port", toPort(port), ["port"]);
    if (toPort(port) === undefined) b.problem(`port "${port}" is not a port number`, ["port"]);
  } else {
    const dflt = tls && !starttls ? 465 : 25;
    b.set("port", dflt, ["port"]);
    b.warn(`port is not set; msmtp uses ${dflt}`);
  }
  if (!onOff("tls_certcheck", true)) b.set("insecure", true, ["tls_certcheck"]);
  const trust = val("tls_trust_file");
  if (trust && trust !== "system") b.set("ca", trust, ["tls_trust_file"]);
  if (val("tls_fingerprint")) b.warn("tls_fingerprint pins one certificate; mailctl checks the certificate chain instead");

  const auth = val("auth");
  const authOn = auth !== undefined && auth !== "off";
  if (auth && auth !== "on" && auth !== "off") b.set("authMethod", auth.toUpperCase(), ["auth"]);
  b.set("user", val("user"), ["user"]);
  if (val("user") && !authOn) b.warn("user is set but auth is not on: msmtp only logs in when auth is enabled");
  b.set("password", val("password"), ["password"]);
  const evalCmd = val("passwordeval");
  if (evalCmd) b.set("passwordCommand", evalCmd, ["passwordeval"]);
  if (authOn && val("password") === undefined && !evalCmd) b.warn("auth is on without password or passwordeval: msmtp looks in ~/.netrc, the keyring, or prompts");

  b.set("from", val("from"), ["from"]);
  const from = val("from");
  const fullName = val("from_full_name");
  if (fullName) b.set("fromName", fullName, ["from_full_name"]);
  const set = val("set_from_header") ?? (val("add_missing_from_header") === "off" ? "off" : "auto");
  if (from && (set === "on" || set === "auto" || set === "")) {
    b.result.fromHeader = {
      value: { name: fullName ?? "", address: from },
      writer: { kind: "msmtp", set: set === "on" || set === "" ? "on" : "auto" },
      how: set === "on" || set === "" ? "msmtp replaces the message's From header with from_full_name <from> (set_from_header on)" : "msmtp adds From: from_full_name <from> to a message that has no From header (set_from_header auto); a message's own From goes out as the program wrote it",
      keys: ["from", ...(fullName ? ["from_full_name"] : []), ...(s.has("set_from_header") ? ["set_from_header"] : [])],
    };
  }
  b.set("name", val("domain"), ["domain"]);
  const timeout = val("timeout");
  if (timeout && timeout !== "off" && /^\d+$/.test(timeout)) b.set("timeoutSeconds", Number(timeout), ["timeout"]);
}

const arg = (v: string) => (/^\s|\s$|^$|"/.test(v) ? `"${v.replace(/(["\\])/g, "\\$1")}"` : v);

/** The change as msmtprc command lines for the account; a TLS mode writes tls and, when it matters, tls_starttls. */
export function render(change: ProfileSettings): string[] {
  const out: string[] = [];
  if (change.host !== undefined) out.push(`host ${arg(change.host)}`);
  if (change.port !== undefined) out.push(`port ${change.port}`);
  if (change.tls === "none") out.push("tls off");
  else if (change.tls !== undefined) out.push("tls on", `tls_starttls ${change.tls === "starttls" ? "on" : "off"}`);
  if (change.insecure !== undefined) out.push(`tls_certcheck ${change.insecure ? "off" : "on"}`);
  if (change.ca !== undefined) out.push(`tls_trust_file ${arg(change.ca)}`);
  if (change.user !== undefined || change.authMethod !== undefined) out.push(`auth ${change.authMethod?.toLowerCase() ?? "on"}`);
  if (change.user !== undefined) out.push(`user ${arg(change.user)}`);
  if (change.passwordCommand !== undefined) {
    const cmd = Array.isArray(change.passwordCommand) ? change.passwordCommand.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ") : change.passwordCommand;
    out.push(`passwordeval ${cmd}`);
  } else if (change.password !== undefined) out.push(`password ${arg(PASSWORD_PLACEHOLDER)}`);
  if (change.from !== undefined) out.push(`from ${arg(change.from)}`);
  if (change.name !== undefined) out.push(`domain ${arg(change.name)}`);
  if (change.timeoutSeconds !== undefined) out.push(`timeout ${change.timeoutSeconds}`);
  return out;
}
