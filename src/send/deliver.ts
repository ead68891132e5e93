import type { Target } from "../config/target.js";
import { categoryOf } from "../diagnose/category.js";
import { noInputError } from "../errors.js";
import type { Category } from "../exit-codes.js";
import type { Failure, StageName } from "../session/failure.js";
import { formatReply } from "../session/reply.js";
import { reportOf, type SessionReport } from "../session/run.js";
import type { SessionOptions } from "../session/session.js";
import type { ComposedMessage } from "./message.js";

/** A diagnosis as doctor gives it (the catalog's shape). */
export interface Diagnosis {
  id: string;
  severity: "error" | "warning" | "info";
  stage: StageName | null;
  title: string;
  explanation: string;
  evidence: string[];
  fix: string[];
}

/** How a delivery attempt ended. */
export interface DeliverOutcome {
  report: SessionReport;
  /** Set when mailctl itself stopped after EHLO: an address needs SMTPUTF8 and the server does not offer it. */
  needsSmtputf8?: string[];
}

/** The stage groups a caller can show progress for. */
export type Phase = "connect" | "hello" | "auth" | "send";

/**
 * Runs one submission on the session engine — connect, EHLO (and STARTTLS), AUTH, then MAIL/RCPT/DATA with the
 * message streamed from nodemailer — reporting each phase as it starts. The engine refuses locally, before
 * MAIL, a message larger than the server's SIZE.
 */
export async function deliver(opts: SessionOptions, message: ComposedMessage, onPhase: (p: Phase) => void = () => {}): Promise<DeliverOutcome> {
  const { Session } = await import("../session/session.js");
  const s = new Session(opts);
  let delivery = null;
  let needsSmtputf8: string[] | undefined;
  try {
    onPhase("connect");
    if (!(await s.open())) return { report: reportOf(s) };
    onPhase("hello");
    if (!(await s.hello())) return { report: reportOf(s) };
    // RFC 6531 §3.4: a non-ASCII mailbox may only be given to a server that offers SMTPUTF8.
    if (message.utf8Addresses.length && !s.extensions?.smtputf8) {
      needsSmtputf8 = message.utf8Addresses;
      return { report: reportOf(s), needsSmtputf8 };
    }
    onPhase("auth");
    if (!(await s.authenticate())) return { report: reportOf(s) };
    onPhase("send");
    try {
      delivery = await s.send({
        from: message.envelope.from,
        to: message.envelope.to,
        data: message.stream(),
        size: message.size,
        // UTF-8 in the header fields: SMTPUTF8 (RFC 6531 §3.4), whose servers also take 8BITMIME (§3.1).
        ...(message.utf8Addresses.length ? { smtputf8: true, eightBit: true } : {}),
      });
    } catch (err) {
      // A file that vanished between the check and DATA: the connection is dropped without the final ".",
      // so the server discards the partial message (RFC 5321 §4.1.1.4).
      const e = err as NodeJS.ErrnoException & { path?: string };
      if (e.code && e.path) throw noInputError(e.path, e);
      throw err;
    }
    return { report: reportOf(s, delivery) };
  } finally {
    await s.close();
  }
}

/**
 * The one place a send's failure becomes an exit category and diagnoses. Until the diagnosis catalog lands,
 * the category comes from the failure's kind and the diagnosis restates the failure and the server's reply.
 */
export function diagnoseSend(report: SessionReport, _target: Target): { category: Category; diagnoses: Diagnosis[] } {
  const f = report.failure;
  if (!f) return { category: "ok", diagnoses: [] };
  return { category: categoryOf(f), diagnoses: [fallbackDiagnosis(f)] };
}

function fallbackDiagnosis(f: Failure): Diagnosis {
  const evidence = [f.message];
  if (f.reply && !f.message.includes(formatReply(f.reply))) evidence.push(`server replied: ${formatReply(f.reply)}`);
  if (f.code) evidence.push(`error code: ${f.code}`);
  return { id: f.kind, severity: "error", stage: f.stage, title: f.message, explanation: "", evidence, fix: [] };
}
