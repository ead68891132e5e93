import type { Target } from "../config/target.js";
import type { Diagnosis } from "../diagnose/diagnose.js";
import { noInputError } from "../errors.js";
import type { Category } from "../exit-codes.js";
import { runSession, type Phase, type SessionReport } from "../session/run.js";
import type { SessionOptions } from "../session/session.js";
import type { ComposedMessage } from "./message.js";

/** A diagnosis as doctor gives it (the catalog's shape). */
export type { Diagnosis };

/** How a delivery attempt ended. */
export interface DeliverOutcome {
  report: SessionReport;
  /** Set when mailctl itself stopped after EHLO: an address needs SMTPUTF8 and the server does not offer it. */
  needsSmtputf8?: string[];
}

/** The stage groups a caller can show progress for. */
export type { Phase };

/**
 * Runs one submission on the session engine — connect, EHLO (and STARTTLS), AUTH, then MAIL/RCPT/DATA with the
 * message streamed from nodemailer — reporting each phase as it starts. The engine refuses locally, before
 * MAIL, a message larger than the server's SIZE.
 */
export async function deliver(opts: SessionOptions, message: ComposedMessage, onPhase: (p: Phase) => void = () => {}): Promise<DeliverOutcome> {
  let phase: Phase | null = null;
  try {
    const run = await runSession(opts, {
      goal: "send",
      // RFC 6531 §3.4: a non-ASCII mailbox may only be given to a server that offers SMTPUTF8.
      requireSmtputf8: message.utf8Addresses,
      onPhase: (p) => {
        phase = p;
        onPhase(p);
      },
      reportBeforeQuit: true,
      message: () => ({
        from: message.envelope.from,
        to: message.envelope.to,
        data: message.stream(),
        size: message.size,
        // UTF-8 in the header fields: SMTPUTF8 (RFC 6531 §3.4), whose servers also take 8BITMIME (§3.1).
        ...(message.utf8Addresses.length ? { smtputf8: true, eightBit: true } : {}),
      }),
    });
    return { report: run.report, ...(run.needsSmtputf8 ? { needsSmtputf8: run.needsSmtputf8 } : {}) };
  } catch (err) {
    // A file that vanished between the check and DATA: the connection is dropped without the final ".",
    // so the server discards the partial message (RFC 5321 §4.1.1.4).
    const e = err as NodeJS.ErrnoException & { path?: string };
    if (phase === "send" && e.code && e.path) throw noInputError(e.path, e);
    throw err;
  }
}

/**
 * The one place a send's failure becomes diagnoses and an exit category: the same catalog and the same steps
 * as doctor (evidence from the failure, the provider from the preset, host or banner, fixes in the settings'
 * dialect), so send, test-send and doctor explain a failure in the same words and exit with the same code.
 */
export async function diagnoseSend(report: SessionReport, target: Target): Promise<{ category: Category; diagnoses: Diagnosis[] }> {
  const f = report.failure;
  if (!f) return { category: "ok", diagnoses: [] };
  const [{ diagnose, categoryOfDiagnosis, unrecognised }, { contextFor, evidenceOf, providerOf }] = await Promise.all([import("../diagnose/diagnose.js"), import("../diagnose/context.js")]);
  const evidence = evidenceOf(report, target)!;
  const ctx = contextFor(target, providerOf(target, report));
  const d = diagnose(evidence, ctx) ?? unrecognised(evidence, ctx);
  return { category: categoryOfDiagnosis(d), diagnoses: [d] };
}
