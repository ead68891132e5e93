import { sessionOptions } from "../config/resolve.js";
import type { Target } from "../config/target.js";
import type { ProfileSettings } from "../settings.js";
import type { TlsMode } from "../session/tls-mode.js";
import { STAGES, type StageName } from "../session/failure.js";
import { formatReply } from "../session/reply.js";
import { runSession, type SessionReport } from "../session/run.js";
import type { Outgoing } from "../session/session.js";
import { type StageResult } from "../session/stage-result.js";
import type { TranscriptEntry } from "../session/transcript.js";
import { causeOf, diagnoseDraft, draft, finish, unrecognisedDraft, type DiagnoseCtx, type Diagnosis, type DraftDiagnosis } from "./diagnose.js";
import type { FixStep } from "./catalog/index.js";
import { entry, type DiagnosisId } from "./catalog/index.js";
import { discover, type Discovery } from "./discover.js";
import { contextFor, evidenceOf, providerOf } from "./context.js";
import type { Evidence } from "./evidence.js";
import { configFindings, staticChecks, type StaticFinding } from "./static.js";

/** doctor's result (the --json document; documented in README). */
export interface DoctorResult {
  ok: boolean;
  target: { host: string; port: number; tls: TlsMode };
  /** Certificate verification was off (--insecure). */
  insecure: boolean;
  provider: string | null;
  stages: StageResult[];
  diagnoses: Diagnosis[];
  suggestion: { port: number; tls: TlsMode } | null;
  /** What discovery tried, when it ran. */
  discovery: Discovery["tried"] | null;
  /** With --send: the test message's token and the server's final reply. */
  sent: { token: string; messageId: string; reply: string } | null;
  ms: number;
  transcript?: TranscriptEntry[];
}

/** What doctor needs besides the target. */
export interface DoctorOptions {
  /** Send a test message (built by the caller) after AUTH. */
  message?: Outgoing & { token: string; messageId: string };
  transcript?: boolean;
  /** Told before credentials go out without TLS (a warning on stderr). */
  warn?: (message: string) => void;
}

/**
 * Runs doctor: static checks on the settings, the live stages through the session engine, a diagnosis of the
 * first failure from the catalog, and — when a different port or TLS mode could cure it — a verified suggestion.
 */
export async function runDoctor(target: Target, opts: DoctorOptions = {}): Promise<DoctorResult> {
  const started = performance.now();
  let provider = providerOf(target);
  const findings = [...configFindings(target), ...staticChecks(target, provider)];
  const base = sessionOptions(target, { transcript: Boolean(opts.transcript), ...(opts.warn ? { warn: opts.warn } : {}) });

  const { report, extra } = await live(target, base, opts.message);
  provider ??= providerOf(target, report);

  const liveEvidence = evidenceOf(report, target);
  const ctx = contextFor(target, provider);
  const primaryId = (liveEvidence ? causeOf(liveEvidence, provider) : null) ?? firstError(findings, report)?.id ?? null;
  let discovery: Discovery | null = null;
  if (primaryId && entry(primaryId).discoverable) {
    discovery = await discover(base, { port: target.port, tls: target.tls }, provider, Boolean(target.user));
    ctx.suggestion = discovery.suggestion;
  }

  const diagnoses = assemble({ evidence: liveEvidence, extra: extra && !report.failure ? extra : undefined, findings, report, ctx });
  const result: DoctorResult = {
    ok: !diagnoses.some((d) => d.severity === "error"),
    target: { host: target.host, port: target.port, tls: target.tls },
    insecure: target.insecure,
    provider: provider?.name ?? null,
    stages: report.stages,
    diagnoses,
    suggestion: discovery?.suggestion ?? null,
    discovery: discovery?.tried ?? null,
    sent: opts.message && report.delivery?.reply ? { token: opts.message.token, messageId: opts.message.messageId, reply: formatReply(report.delivery.reply) } : null,
    ms: Math.round(performance.now() - started),
  };
  if (report.transcript) result.transcript = report.transcript;
  return result;
}

/**
 * The live stages. A STARTTLS on a connection that is already TLS is sent only when the configured client
 * really sends one there: smtplib's SMTP_SSL followed by starttls() (Lib/smtplib.py starttls checks the EHLO
 * list, not the socket). nodemailer (smtp-connection: only when not secure), aiosmtplib (smtp.py starttls
 * raises "Connection already using TLS") and msmtp never do, so a server that advertises STARTTLS there is not
 * a problem for them. When the server does not advertise it, smtplib raises SMTPNotSupportedError without
 * sending anything — the app fails there, so doctor stops there too.
 */
async function live(target: Target, base: ReturnType<typeof sessionOptions>, message: DoctorOptions["message"]): Promise<{ report: SessionReport; extra?: { id: DiagnosisId; severity: "error" | "warning"; evidence: Evidence } }> {
  const run = await runSession(base, { goal: message ? "send" : "auth", ...(message ? { message } : {}), starttlsAgain: target.tls === "implicit" && target.starttlsOnImplicit });
  if (!run.starttlsNotOffered) return { report: run.report };
  const extra = {
    id: "starttls-after-implicit-tls" as const,
    severity: "error" as const,
    evidence: { source: "session" as const, stage: "starttls" as const, secure: true, port: target.port, text: 'smtplib starttls(): SMTPNotSupportedError("STARTTLS extension not supported by server.") — raised before sending anything, because this implicit-TLS connection does not advertise STARTTLS' },
  };
  return { report: run.report, extra };
}

/** A finding on the settings that predicted what the live run then saw: one cause, said once, with both pieces of evidence. */
const SAME_CAUSE: Partial<Record<DiagnosisId, DiagnosisId>> = { "from-header-invalid": "from-header-rejected" };

/** What one doctor screen is made of: the live failure (if any), a finding of the live run, the static findings. */
export interface ScreenParts {
  evidence: Evidence | null;
  /** The id the live evidence is known to mean (tests render every id); recognised from the evidence otherwise. */
  liveId?: DiagnosisId;
  extra?: { id: DiagnosisId; severity: "error" | "warning"; evidence: Evidence } | undefined;
  findings: StaticFinding[];
  report: Pick<SessionReport, "stages">;
  ctx: DiagnoseCtx;
}

/**
 * The diagnoses of one doctor screen: the live diagnosis first, then the static findings the live run did not
 * settle, ordered by stage, errors before warnings — and one set of settings changes for the whole screen.
 */
export function assemble(p: ScreenParts): Diagnosis[] {
  const { report, ctx } = p;
  const out: DraftDiagnosis[] = [];
  if (p.evidence) out.push((p.liveId ? draft(p.liveId, p.evidence, ctx, "error") : diagnoseDraft(p.evidence, ctx)) ?? unrecognisedDraft(p.evidence, ctx));
  if (p.extra) out.push({ ...draft(p.extra.id, p.extra.evidence, ctx, p.extra.severity), stage: "starttls" });
  const passed = (stage: StageName | "config") => stage !== "config" && report.stages.some((s) => s.stage === stage && s.status === "ok");
  for (const f of p.findings) {
    const same = out.find((d) => d.id === f.id || SAME_CAUSE[f.id] === d.id);
    if (same) {
      same.evidence = `${same.evidence}\nsettings: ${f.evidence.text}`;
      continue;
    }
    // The server accepted what the settings looked wrong for: keep it as a warning, not as the cause.
    const severity = f.severity === "error" && passed(f.stage) ? "warning" : f.severity;
    const d = draft(f.id, f.evidence, ctx, severity, f.stage);
    if (f.changes) d.steps.unshift(...f.changes.map((change) => ({ text: "Change the settings to:", change })));
    out.push(d);
  }
  const order = (d: DraftDiagnosis) => (d.severity === "error" ? 0 : 100) + (d.stage === "config" || d.stage === null ? 0 : STAGES.indexOf(d.stage) + 1);
  out.sort((a, b) => order(a) - order(b));
  const chosen = reconcile(out, ctx.target);
  // A value written whole (an SMTP URL) shows every change of the screen, so all its lines agree.
  const dialect = ctx.dialect ? { ...ctx.dialect, base: { ...ctx.dialect.base, ...chosen } } : undefined;
  return out.map((d) => finish(d, dialect));
}

/**
 * One screen, one answer per setting. Walking the diagnoses in the order shown, a step that would set a
 * setting to what it already is (no change at all) or to another value than an earlier step does is dropped:
 * the first error's fix decides, and a finding's alternatives ("465 with implicit TLS, or 587 with STARTTLS")
 * keep only the one that agrees with it.
 */
function reconcile(drafts: DraftDiagnosis[], target: DiagnoseCtx["target"]): ProfileSettings {
  const chosen: Record<string, unknown> = {};
  const current: Record<string, unknown> = target ? { host: target.host, port: target.port, tls: target.tls, ...(target.name ? { name: target.name } : {}) } : {};
  for (const d of drafts) {
    const kept: FixStep[] = [];
    let alternativeTaken = false;
    let clashed = false;
    for (const step of d.steps) {
      if (!step.change) {
        kept.push(step);
        continue;
      }
      const entries = Object.entries(step.change);
      const noop = entries.length > 0 && entries.every(([k, v]) => current[k] === v);
      const clash = entries.some(([k, v]) => k in chosen && chosen[k] !== v);
      // "Change the settings to:" steps are alternatives of one finding: the first that fits is enough.
      const alternative = step.text === "Change the settings to:";
      if (clash) clashed = true;
      if (noop || clash || (alternative && alternativeTaken)) continue;
      if (alternative) alternativeTaken = true;
      for (const [k, v] of entries) chosen[k] = v;
      kept.push(step);
    }
    if (!kept.length) kept.push({ text: clashed ? "The fix of the first error above covers it; check again after applying it." : "No settings change is needed for this: the settings already have the values a fix would set." });
    d.steps = kept;
  }
  return chosen as ProfileSettings;
}

function firstError(findings: StaticFinding[], report: SessionReport): StaticFinding | undefined {
  return findings.find((f) => f.severity === "error" && !report.stages.some((s) => s.stage === f.stage && s.status === "ok"));
}
