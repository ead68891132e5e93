import type { Extensions } from "./extensions.js";
import type { Failure } from "./failure.js";
import { Session, type Delivery, type Outgoing, type SessionOptions } from "./session.js";
import { type StageResult } from "./stage-result.js";
import type { TlsFacts } from "./tls-facts.js";
import type { TranscriptEntry } from "./transcript.js";
import type { TlsMode } from "./tls-mode.js";

/** How far a session goes: the last stage group to run. */
export type Goal = "greeting" | "ehlo" | "auth" | "send";

/** Everything one session learned: the stages with their evidence, and the first failure. */
export interface SessionReport {
  target: { host: string; port: number; tls: TlsMode };
  ok: boolean;
  stages: StageResult[];
  failure: Failure | null;
  tls: TlsFacts | null;
  extensions: Extensions | null;
  greeting: string | null;
  secure: boolean;
  authenticated: boolean;
  delivery: Delivery | null;
  ms: number;
  transcript?: TranscriptEntry[];
}

/** The stage groups a caller can show progress for (send's and test-send's spinner). */
export type Phase = "connect" | "hello" | "auth" | "send";

/** What one session is asked to do, beyond the options that say where and how to connect. */
export interface SessionPlan {
  /** The last stage group to run. */
  goal: Goal;
  /** The message for goal "send"; a function is called only when MAIL FROM is due (a stream opened on use). */
  message?: Outgoing | (() => Outgoing);
  /**
   * Send STARTTLS once more after EHLO on an implicit-TLS connection, as smtplib's SMTP_SSL followed by starttls()
   * does (Lib/smtplib.py starttls checks the EHLO list, not the socket); when the server does not offer it the
   * session stops before AUTH, as the app does, and the run says so.
   */
  starttlsAgain?: boolean;
  /** Addresses that need SMTPUTF8: the session stops after EHLO when the server does not offer it (RFC 6531 §3.4). */
  requireSmtputf8?: string[];
  /** Told as each stage group starts. */
  onPhase?(phase: Phase): void;
  /** Given the session as soon as it exists (the pool's abort() must reach one that is still connecting). */
  onSession?(session: Session): void;
  /** Hand the session back open when every stage passed (the pool sends on it and closes it); closed otherwise. */
  keep?: boolean;
  /** Take the report before QUIT (send and the pool report up to the server's last answer; doctor's includes QUIT). */
  reportBeforeQuit?: boolean;
}

/** What one run of the driver found: the report, and the facts the session stopped on by the plan's own rules. */
export interface SessionRun {
  report: SessionReport;
  /** With `keep`, the open session when every stage passed. */
  session?: Session;
  /** The session stopped after EHLO: these addresses need SMTPUTF8 and the server does not offer it. */
  needsSmtputf8?: string[];
  /** The session stopped after EHLO: `starttlsAgain` was asked and this implicit-TLS connection does not offer STARTTLS. */
  starttlsNotOffered?: boolean;
}

/**
 * The one session driver (doctor, send, test-send, the batch pool and TLS-mode detection all run through it):
 * dns → tcp → tls → greeting, EHLO (and STARTTLS), AUTH, then MAIL/RCPT/DATA, as far as the plan's goal. It
 * always returns a report for a server's behaviour; it throws only what the caller's own input throws (a file
 * that vanished under the message stream). The short form `runSession(opts, goal, message?)` returns the report.
 */
export async function runSession(opts: SessionOptions, plan: SessionPlan): Promise<SessionRun>;
export async function runSession(opts: SessionOptions, goal: Goal, message?: Outgoing): Promise<SessionReport>;
export async function runSession(opts: SessionOptions, planOrGoal: SessionPlan | Goal, message?: Outgoing): Promise<SessionRun | SessionReport> {
  if (typeof planOrGoal === "string") return (await drive(opts, { goal: planOrGoal, ...(message ? { message } : {}) })).report;
  return drive(opts, planOrGoal);
}

async function drive(opts: SessionOptions, plan: SessionPlan): Promise<SessionRun> {
  const s = new Session(opts);
  plan.onSession?.(s);
  const phase = plan.onPhase ?? (() => {});
  const run: Omit<SessionRun, "report"> = {};
  let delivery: Delivery | null = null;
  let passed = false;
  let report: SessionReport | null = null;
  try {
    passed = await (async () => {
      phase("connect");
      if (!(await s.open())) return false;
      if (plan.goal === "greeting") return true;
      phase("hello");
      if (!(await s.hello())) return false;
      if (plan.starttlsAgain) {
        if (!s.extensions?.starttls) {
          run.starttlsNotOffered = true;
          return false;
        }
        await s.starttls();
        if (s.failure) return false;
      }
      if (plan.requireSmtputf8?.length && !s.extensions?.smtputf8) {
        run.needsSmtputf8 = plan.requireSmtputf8;
        return false;
      }
      if (plan.goal === "ehlo") return true;
      phase("auth");
      if (!(await s.authenticate())) return false;
      if (plan.goal !== "send" || !plan.message) return true;
      phase("send");
      delivery = await s.send(typeof plan.message === "function" ? plan.message() : plan.message);
      return true;
    })();
    if (plan.reportBeforeQuit) report = reportOf(s, delivery);
  } finally {
    if (!(plan.keep && passed)) await s.close();
  }
  return { report: report ?? reportOf(s, delivery), ...run, ...(plan.keep && passed ? { session: s } : {}) };
}

/** The report of a session (runSession's, and the pool's for a transaction on a kept session). */
export function reportOf(s: Session, delivery: Delivery | null = null): SessionReport {
  const report: SessionReport = {
    target: { host: s.opts.host, port: s.opts.port, tls: s.opts.tls },
    ok: s.failure === null,
    stages: s.stages,
    failure: s.failure,
    tls: s.tlsFacts,
    extensions: s.extensions,
    greeting: s.greeting?.text ?? null,
    secure: s.secure,
    authenticated: s.authenticated,
    delivery,
    ms: s.elapsed,
  };
  if (s.transcript) report.transcript = s.transcript.entries.map((e) => ({ ...e, text: s.redactor.scrub(e.text) }));
  return report;
}
