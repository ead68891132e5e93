// Where the password comes from, in this order: the profile's passwordCommand (run without a shell, like
// msmtp's passwordeval but with no shell syntax), its passwordEnv, MAILCTL_PASSWORD, a `password` field in
// the file (with a warning when the file is readable by others), and last a masked prompt on a terminal.
// `--password-env` on the command line replaces all of them. The secret itself never goes into a message.

import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import os from "node:os";
import { configError, MailctlError } from "../errors.js";
import type { Finding, SettingOrigin } from "../settings.js";

/** The password settings that won (from one layer), with where they came from. */
export interface SecretSpec {
  passwordCommand?: string | string[];
  passwordEnv?: string;
  password?: string;
  /** The file that holds `password`, for the permissions check. */
  file?: string;
  origin?: SettingOrigin;
  /** Set when --password-env was given: only that variable counts. */
  fromFlag?: boolean;
  /** The settings come from a project file found by searching: its passwordCommand is not run. */
  searched?: boolean;
}

/** The password found (or not) and how to describe where it was to come from. */
export interface SecretResult {
  password?: string;
  /** e.g. "environment variable SMTP_PASSWORD", for messages such as "no password: … is not set". */
  source: string;
  origin?: SettingOrigin;
  /** The environment variable the password was read from, when it was. */
  envVar?: string;
  findings: Finding[];
}

/** How long a password command may run (a keyring or gpg-agent may ask for a passphrase first). */
export const PASSWORD_COMMAND_TIMEOUT_MS = 60_000;

/** Reads the password from the first source that has one. `prompt` is called only as the last resort. */
export async function readSecret(spec: SecretSpec, env: NodeJS.ProcessEnv, prompt?: () => Promise<string | undefined>): Promise<SecretResult> {
  if (spec.passwordCommand !== undefined) {
    if (spec.searched) throw untrustedCommand(describeOrigin(spec.origin), "passwordCommand");
    const password = await runPasswordCommand(spec.passwordCommand, env, describeOrigin(spec.origin));
    return { password, source: `the password command (${commandText(spec.passwordCommand)})`, ...withOrigin(spec.origin), findings: [] };
  }
  if (spec.passwordEnv !== undefined) {
    return { ...envValue(env, spec.passwordEnv), source: `environment variable ${spec.passwordEnv}`, ...withOrigin(spec.origin), envVar: spec.passwordEnv, findings: [] };
  }
  if (env.MAILCTL_PASSWORD !== undefined && env.MAILCTL_PASSWORD !== "") {
    return { password: env.MAILCTL_PASSWORD, source: "environment variable MAILCTL_PASSWORD", origin: { source: "env", where: "MAILCTL_PASSWORD" }, envVar: "MAILCTL_PASSWORD", findings: [] };
  }
  if (spec.password !== undefined) {
    const findings = spec.file ? modeFindings(spec.file, spec.origin?.where) : [];
    return { password: spec.password, source: `the password in ${spec.origin?.where ?? "the config file"}`, ...withOrigin(spec.origin), findings };
  }
  const typed = prompt ? await prompt() : undefined;
  if (typed !== undefined) return { password: typed, source: "the password typed at the prompt", origin: { source: "prompt" }, findings: [] };
  return { source: "environment variable MAILCTL_PASSWORD (or a passwordEnv/passwordCommand in a profile)", findings: [] };
}

function envValue(env: NodeJS.ProcessEnv, name: string): { password?: string } {
  const v = env[name];
  return v === undefined ? {} : { password: v };
}

function withOrigin(origin: SettingOrigin | undefined): { origin?: SettingOrigin } {
  return origin ? { origin } : {};
}

function describeOrigin(origin: SettingOrigin | undefined): string {
  return origin?.where ? `${origin.where}${origin.key ? `: ${origin.key}` : ""}` : "passwordCommand";
}

/**
 * A command named by a project file found by searching: not run. That file may be anyone's (a cloned repository),
 * and mailctl runs no code from a directory the user did not name.
 */
export function untrustedCommand(where: string, field: string): MailctlError {
  return configError(
    `${where}: ${field} is not run: it comes from a project config found by searching, which could be anyone's (a cloned repository, say)`,
    "Name that file with --config if you trust it, or move the setting to your own config file (mailctl config path shows it).",
  );
}

/** The command as a config file shows it (commands are settings, not secrets). */
export function commandText(cmd: string | string[]): string {
  return Array.isArray(cmd) ? cmd.map((w) => (/[\s"'\\]/.test(w) ? JSON.stringify(w) : w)).join(" ") : cmd;
}

/**
 * Splits a command line into words without a shell: quotes group ('…' literally, "…" with \" and \\), a backslash
 * escapes the next character, a leading ~/ is the home directory. Nothing else is special: `;`, `|`, `$(…)`, `*`
 * are ordinary characters, so a command cannot run a second one.
 */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error("unbalanced ' quote");
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let part = "";
      for (; j < line.length && line[j] !== '"'; j++) part += line[j] === "\\" && /["\\]/.test(line[j + 1] ?? "") ? line[++j] : line[j];
      if (j >= line.length) throw new Error('unbalanced " quote');
      word = (word ?? "") + part;
      i = j;
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else if (c === "~" && word === null && (line[i + 1] === "/" || i + 1 === line.length || /\s/.test(line[i + 1]!))) {
      word = os.homedir();
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/**
 * Runs a password command with execFile (no shell) and a timeout; stdout minus its trailing line break is the password.
 * A failure is one line naming the command and how it failed — never its output, which may hold the secret.
 * `field` names the setting in messages (oauthTokenCommand, refreshTokenCommand… use the same runner).
 */
export async function runPasswordCommand(cmd: string | string[], env: NodeJS.ProcessEnv, where: string, field = "passwordCommand"): Promise<string> {
  let argv: string[];
  try {
    argv = Array.isArray(cmd) ? cmd : splitCommand(cmd);
  } catch (err) {
    throw configError(`${where}: ${field} cannot be split into words: ${(err as Error).message}`);
  }
  if (argv.length === 0) throw configError(`${where}: ${field} is empty`);
  const [file, ...args] = argv as [string, ...string[]];
  return await new Promise<string>((resolve, reject) => {
    const fail = (why: string) => reject(configError(`${where}: ${field} ${JSON.stringify(file)} ${why}`, "The command's output is not shown: it may hold the secret."));
    execFile(file, args, { env, timeout: PASSWORD_COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024, windowsHide: true, encoding: "utf8" }, (err, stdout) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number };
        if (e.code === "ENOENT") return fail("was not found (it runs without a shell: no pipes, variables or aliases)");
        if (e.code === "EACCES") return fail("cannot be executed (permission denied)");
        if (e.killed && e.signal === "SIGTERM") return fail(`did not finish within ${PASSWORD_COMMAND_TIMEOUT_MS / 1000} s`);
        if (e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") return fail("printed more than 64 KiB");
        if (typeof e.code === "number") return fail(`failed with exit status ${e.code}`);
        return fail(e.signal ? `was killed by ${e.signal}` : "failed");
      }
      const password = stdout.replace(/(\r?\n)+$/, "");
      if (password === "") return fail("printed nothing");
      resolve(password);
    });
  }).catch((err: unknown) => {
    throw err instanceof MailctlError ? err : configError(`${where}: ${field} failed`);
  });
}

/** A warning when a file holding a password can be read by group or others (msmtp refuses such files outright). */
export function modeFindings(file: string, display = file): Finding[] {
  if (process.platform === "win32") return [];
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return [];
  }
  if ((mode & 0o077) === 0) return [];
  const who = [mode & 0o070 ? "group" : "", mode & 0o007 ? "others" : ""].filter(Boolean).join(" and ");
  return [{
    id: "password-file-readable",
    severity: "warning",
    message: `${display} holds a password and is readable by ${who} (mode ${mode.toString(8).padStart(4, "0")}); run: chmod 600 ${display}`,
    keys: ["password"],
  }];
}
