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

/** Runs one conversation up to `goal` and always returns a report (it never throws for a server's behaviour). */
export async function runSession(opts: SessionOptions, goal: Goal, message?: Outgoing): Promise<SessionReport> {
  const s = new Session(opts);
  let delivery: Delivery | null = null;
  try {
    if ((await s.open()) && goal !== "greeting" && (await s.hello()) && goal !== "ehlo" && (await s.authenticate()) && goal === "send" && message) {
      delivery = await s.send(message);
    }
  } finally {
    await s.close();
  }
  return reportOf(s, delivery);
}

/** The report of a session (used by runSession and by callers that drive a Session themselves). */
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
