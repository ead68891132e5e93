import { sessionOptions } from "../config/resolve.js";
import type { Target } from "../config/target.js";
import type { TlsMode } from "../config/types.js";
import { STAGES, type StageName } from "../session/failure.js";
import { formatReply } from "../session/reply.js";
import { reportOf, type SessionReport } from "../session/run.js";
import { Session, type Outgoing, type StageResult } from "../session/session.js";
import type { TranscriptEntry } from "../session/transcript.js";
import { build, diagnose, unrecognised, type DiagnoseCtx, type Diagnosis } from "./diagnose.js";
import { discover, DISCOVERABLE, type Discovery } from "./discover.js";
import { contextFor, evidenceOf, providerOf } from "./context.js";
import type { Evidence } from "./evidence.js";
import type { DiagnosisId } from "./ids.js";
import { configFindings, staticChecks, type StaticFinding } from "./static.js";
import { renderFix } from "./fix.js";

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
  const first = liveEvidence ? diagnose(liveEvidence, ctx) : null;
  const primaryId = first?.id ?? firstError(findings, report)?.id ?? null;
  let discovery: Discovery | null = null;
  if (primaryId && DISCOVERABLE.has(primaryId)) {
    discovery = await discover(base, { port: target.port, tls: target.tls }, provider, Boolean(target.user));
    ctx.suggestion = discovery.suggestion;
  }

  const diagnoses = merge(
    liveEvidence ? (diagnose(liveEvidence, ctx) ?? unrecognised(liveEvidence, ctx)) : null,
    extra && !report.failure ? { ...build(extra.id, extra.evidence, ctx, extra.severity), stage: "starttls" as const } : null,
    findings,
    report,
    ctx,
  );
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
 * The live stages. On an implicit-TLS connection whose server still advertises STARTTLS (QQ Mail does, and
 * answers it with "502 Invalid paramenters"), a second STARTTLS is what some clients send: doctor sends it too
 * when the settings say the app will, so the server's real answer becomes the evidence.
 */
async function live(target: Target, base: ReturnType<typeof sessionOptions>, message: DoctorOptions["message"]): Promise<{ report: SessionReport; extra?: { id: DiagnosisId; severity: "error" | "warning"; evidence: Evidence } }> {
  const s = new Session(base);
  let extra: { id: DiagnosisId; severity: "error" | "warning"; evidence: Evidence } | undefined;
  let delivery = null;
  try {
    if ((await s.open()) && (await s.hello())) {
      if (target.tls === "implicit" && s.extensions?.starttls) {
        if (target.starttlsOnImplicit) {
          await s.starttls();
        } else {
          extra = {
            id: "starttls-after-implicit-tls",
            // A warning: only a client that sends STARTTLS again would fail (aiosmtplib ≥1.0 does not, per its source).
            severity: "warning",
            evidence: { source: "session", stage: "starttls", secure: true, port: target.port, text: "the server advertises STARTTLS on a connection that is already TLS (RFC 3207 §4.2 says it must not): clients that upgrade whenever STARTTLS is offered send it again here and are refused" },
          };
        }
      }
      if (!s.failure && (await s.authenticate()) && message) delivery = await s.send(message);
    }
  } finally {
    await s.close();
  }
  return { report: reportOf(s, delivery), ...(extra ? { extra } : {}) };
}

/** Live diagnosis first, then the static findings the live run did not settle, ordered by stage; errors before warnings. */
function merge(liveD: Diagnosis | null, extraD: Diagnosis | null, findings: StaticFinding[], report: SessionReport, ctx: DiagnoseCtx): Diagnosis[] {
  const out: Diagnosis[] = [];
  if (liveD) out.push(liveD);
  if (extraD) out.push(extraD);
  const passed = (stage: StageName | "config") => stage !== "config" && report.stages.some((s) => s.stage === stage && s.status === "ok");
  for (const f of findings) {
    const same = out.find((d) => d.id === f.id);
    if (same) {
      same.evidence = `${same.evidence}\nsettings: ${f.evidence.text}`;
      continue;
    }
    // The server accepted what the settings looked wrong for: keep it as a warning, not as the cause.
    const severity = f.severity === "error" && passed(f.stage) ? "warning" : f.severity;
    const d = build(f.id, f.evidence, ctx, severity, f.stage);
    if (f.changes) d.fix.unshift(...renderFix(f.changes.map((change) => ({ text: "Change the settings to:", change })), ctx.dialect));
    out.push(d);
  }
  const order = (d: Diagnosis) => (d.severity === "error" ? 0 : 100) + (d.stage === "config" || d.stage === null ? 0 : STAGES.indexOf(d.stage) + 1);
  return out.sort((a, b) => order(a) - order(b));
}

function firstError(findings: StaticFinding[], report: SessionReport): StaticFinding | undefined {
  return findings.find((f) => f.severity === "error" && !report.stages.some((s) => s.stage === f.stage && s.status === "ok"));
}
