// What the interop tests share: the servers' facts from env.json (written by setup.sh), the built CLI run as a
// child process with a secret check on everything it printed, and the maildir reader.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { spawnCli, type CliRun } from "../helpers/cli.js";

/** One listening port as env.json describes it. */
export interface InteropPort {
  port: number;
  tls: "starttls" | "implicit";
  tlsRequired: boolean;
  auth: boolean;
  authRequired: boolean;
}

/** One user on one server. */
export interface InteropUser {
  login: string;
  password: string;
  address: string;
  maildir: string;
}

/** One MTA as env.json describes it. */
export interface InteropServer {
  name: "postfix" | "exim";
  software: string;
  version: string;
  hostname: string;
  domain: string;
  ports: { smtp: InteropPort; submission: InteropPort; submissions: InteropPort };
  users: { alice: InteropUser; bob: InteropUser };
  unknownRecipient: string;
  externalRecipient: string;
}

/** env.json (test/interop/README.md documents the shape). */
export interface InteropEnv {
  dir: string;
  host: string;
  tls: { ca: string; untrustedCa: string };
  servers: { postfix: InteropServer; exim: InteropServer };
  msmtprc: string;
}

/** The state dir setup.sh used. */
export const INTEROP_DIR = process.env.MAILCTL_INTEROP_DIR ?? "/tmp/mailctl-interop";

/** Reads env.json; a missing file means setup.sh has not run (test/interop/run.sh runs it). */
export function loadEnv(): InteropEnv {
  const file = join(INTEROP_DIR, "env.json");
  if (!existsSync(file)) throw new Error(`${file} is missing: run the suite with \`npm run test:interop\` (it starts the servers)`);
  return JSON.parse(readFileSync(file, "utf8")) as InteropEnv;
}

/** A password that no server accepts, so its appearance in output can be checked too. */
export const WRONG_PASSWORD = "wrong-interop-pw-7f3a";

/** Every form a secret could leak in: the text, its base64, and the SASL PLAIN blob for each login. */
export function secretForms(env: InteropEnv): string[] {
  const out = new Set<string>();
  for (const s of Object.values(env.servers)) {
    for (const u of Object.values(s.users)) {
      for (const pw of [u.password, WRONG_PASSWORD]) {
        out.add(pw);
        out.add(Buffer.from(pw).toString("base64"));
        out.add(Buffer.from(`\0${u.login}\0${pw}`).toString("base64"));
      }
    }
  }
  return [...out];
}

/** A CLI run with its --json document parsed. */
export interface JsonRun<T = Record<string, unknown>> extends CliRun {
  doc: T;
}

/**
 * Runs `node bin/mailctl.js <args> --json --transcript` with the password in MAILCTL_PASSWORD, checks that no
 * secret appears on stdout or stderr (the transcript included), and parses the one JSON document.
 */
export async function mailctl<T = Record<string, unknown>>(env: InteropEnv, args: string[], password?: string, opts: { transcript?: boolean; timeoutMs?: number } = {}): Promise<JsonRun<T>> {
  const extra = opts.transcript === false ? ["--json"] : ["--json", "--transcript"];
  const r = await spawnCli([...args, ...extra], { env: password ? { MAILCTL_PASSWORD: password } : {}, timeoutMs: opts.timeoutMs ?? 50_000 });
  for (const f of secretForms(env)) {
    expect(r.stdout, `secret form ${f.slice(0, 4)}… on stdout`).not.toContain(f);
    expect(r.stderr, `secret form ${f.slice(0, 4)}… on stderr`).not.toContain(f);
  }
  let doc: T;
  try {
    doc = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`mailctl ${args.join(" ")} exited ${r.code} without one JSON document on stdout:\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, doc };
}

/** A diagnosis as doctor's --json prints it. */
export interface Diagnosis {
  id: string;
  severity: "error" | "warning";
  stage: string | null;
  title: string;
  evidence: string;
  fix: string[];
}

/** doctor's --json document (the fields these tests read). */
export interface DoctorDoc {
  ok: boolean;
  target: { host: string; port: number; tls: string };
  diagnoses: Diagnosis[];
  suggestion: { port: number; tls: string } | null;
  sent: { token: string; messageId: string; reply: string } | null;
  transcript?: { dir: string; text: string }[];
}

/** Runs doctor against 127.0.0.1 and returns its document, exit code and primary (first error) diagnosis. */
export async function doctor(env: InteropEnv, args: string[], password?: string): Promise<JsonRun<DoctorDoc> & { primary: Diagnosis | undefined }> {
  const r = await mailctl<DoctorDoc>(env, ["doctor", "--host", env.host, ...args], password);
  return { ...r, primary: r.doc.diagnoses.find((d) => d.severity === "error") };
}

/**
 * Waits for the message whose raw text contains `needle` to land in `<maildir>/new` and returns its path.
 * `since` is a Date.now() from before the message was sent. Both servers deliver after the 250 to DATA,
 * through their queue, so the file appears a moment later.
 */
export async function waitForMessageFile(maildir: string, needle: string, since: number, timeoutMs = 20_000): Promise<string> {
  const dir = join(maildir, "new");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(dir)) {
      for (const f of readdirSync(dir)) {
        const path = join(dir, f);
        // Maildirs are never emptied: only read what arrived since the caller started (slack for clock rounding).
        if (statSync(path).mtimeMs < since - 2000) continue;
        if (readFileSync(path).includes(needle)) return path;
      }
    }
    if (Date.now() > deadline) throw new Error(`no message containing ${needle} in ${dir} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The raw bytes of the message waitForMessageFile finds. */
export async function waitForMessage(maildir: string, needle: string, since: number, timeoutMs = 20_000): Promise<Buffer> {
  return readFileSync(await waitForMessageFile(maildir, needle, since, timeoutMs));
}

/** The two MTAs, for describe.each. */
export function servers(env: InteropEnv): InteropServer[] {
  return [env.servers.postfix, env.servers.exim];
}
