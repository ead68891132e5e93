import type { ProfileSettings } from "../settings.js";
import type { Category } from "../exit-codes.js";
import type { StageName } from "../session/failure.js";
import { entry, type DiagnosisId, type ExplainCtx, type FixStep } from "./catalog/index.js";
import type { Evidence } from "./evidence.js";
import { renderFix, type FixDialect } from "./fix.js";
import { signatureId } from "./providers.js";
import type { Preset } from "../config/presets.js";
import { recognise, RULES } from "./rules.js";
import { tokenAuth } from "./signals.js";
import { categoryOf } from "./category.js";

/** A diagnosis as doctor, explain, test-send and send report it (the JSON shape is documented in README). */
export interface Diagnosis {
  id: DiagnosisId;
  severity: "error" | "warning";
  /** The stage where it happened (or, for a finding on the settings, where it will bite); null when unknown. */
  stage: StageName | "config" | null;
  title: string;
  explanation: string;
  /** What was seen: the server's reply or the socket/TLS error, quoted. */
  evidence: string;
  fix: string[];
  /** The settings change the first fix asks for, if any (machine-readable). */
  settings: ProfileSettings | null;
  /** The provider whose knowledge shaped the explanation. */
  provider: string | null;
}

/** What a diagnosis may use besides the evidence. */
export interface DiagnoseCtx {
  provider: Preset | null;
  target?: ExplainCtx["target"];
  suggestion?: ExplainCtx["suggestion"];
  dialect?: FixDialect;
  from?: ExplainCtx["from"];
}

/** Names the cause of one failure, or null when the evidence cannot be placed (never a guess). */
export function diagnose(e: Evidence, ctx: DiagnoseCtx): Diagnosis | null {
  const d = diagnoseDraft(e, ctx);
  return d ? finish(d, ctx.dialect) : null;
}

/** diagnose() with the fix steps still as data. */
export function diagnoseDraft(e: Evidence, ctx: DiagnoseCtx): DraftDiagnosis | null {
  const id = causeOf(e, ctx.provider);
  return id ? draft(id, e, ctx, "error") : null;
}

/** The catalog id for the evidence: the provider's own reply signatures first, then the rules. */
export function causeOf(e: Evidence, provider: Preset | null): DiagnosisId | null {
  // Provider signatures know, e.g., that 163's generic 535 means "use the authorization code". Their "auth-failed"
  // replies are about passwords: the same reply to a token (Microsoft's 535 5.7.3) means the token was refused.
  const sig = signatureId(provider, e.reply, e.text) as DiagnosisId | null;
  return (sig === "auth-failed" && (tokenAuth(e) || !!e.oauth) ? null : sig) ?? recognise(e);
}

/** A diagnosis before its fix steps are written out: doctor reconciles the steps of one screen first. */
export interface DraftDiagnosis extends Omit<Diagnosis, "fix" | "settings"> {
  steps: FixStep[];
}

/** Builds the diagnosis for a known id (static checks use this directly). */
export function build(id: DiagnosisId, e: Evidence, ctx: DiagnoseCtx, severity: Diagnosis["severity"], stage?: Diagnosis["stage"]): Diagnosis {
  return finish(draft(id, e, ctx, severity, stage), ctx.dialect);
}

/** The diagnosis for an id with its fix steps still as data. */
export function draft(id: DiagnosisId, e: Evidence, ctx: DiagnoseCtx, severity: Diagnosis["severity"], stage?: Diagnosis["stage"]): DraftDiagnosis {
  const en = entry(id);
  const c: ExplainCtx = { e, provider: ctx.provider, ...(ctx.target ? { target: ctx.target } : {}), ...(ctx.suggestion !== undefined ? { suggestion: ctx.suggestion } : {}), ...(ctx.from ? { from: ctx.from } : {}) };
  return {
    id,
    severity,
    stage: stage ?? e.stage ?? en.stage,
    title: en.title,
    explanation: en.explain(c),
    evidence: shownEvidence(e, id, ctx.provider),
    steps: en.fix(c),
    provider: ctx.provider?.name ?? null,
  };
}

/** The exit categories of failures the catalog could not place: their kind's (categoryOf), not their stand-in id's. */
const UNPLACED = new WeakMap<object, Category>();

/** The fix steps written out in the user's dialect. */
export function finish(d: DraftDiagnosis, dialect?: FixDialect): Diagnosis {
  const { steps, ...rest } = d;
  const out: Diagnosis = { ...rest, fix: renderFix(steps, dialect), settings: steps.find((s) => s.change)?.change ?? null };
  const unplaced = UNPLACED.get(d);
  if (unplaced) UNPLACED.set(out, unplaced);
  return out;
}

/**
 * The evidence as "what happened" shows it. A live failure is shown whole. A pasted log is cut to the lines that
 * name the cause (those the rule or the provider's signature matches on their own) — a traceback's frames and
 * source lines are not evidence — or, when the cause needs the lines together, to the text without frames.
 */
function shownEvidence(e: Evidence, id: DiagnosisId, provider: Preset | null): string {
  const text = e.text.trim();
  if (e.source !== "text") return text;
  const lines = text.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim());
  if (lines.length < 2) return text;
  const rules = RULES.filter((r) => r.id === id);
  const names = (line: string) => signatureId(provider, undefined, line) === id || rules.some((r) => r.test({ ...e, text: line }));
  const matched = lines.filter(names);
  if (matched.length > 0 && matched.length < lines.length) return matched.slice(-6).join("\n");
  const frame = /^\s*(Traceback \(most recent call last\):?|File ".*", line \d+.*|at .+:\d+(:\d+)?\)?|\^+|~+\^*~*|During handling of the above exception.*|The above exception was the direct cause.*)$/;
  const kept = lines.filter((l, i) => !frame.test(l) && !(i > 0 && /^\s*File ".*", line \d+/.test(lines[i - 1]!)));
  return (kept.length ? kept : lines).slice(-12).join("\n");
}

/** The exit category of a diagnosis: its catalog entry's, or for an unrecognised failure its kind's — the same in every command. */
export function categoryOfDiagnosis(d: Pick<Diagnosis, "id">): Category {
  return UNPLACED.get(d) ?? entry(d.id).category;
}

/** A failure the catalog cannot place still gets reported, honestly, as what it is. */
export function unrecognised(e: Evidence, ctx: DiagnoseCtx): Diagnosis {
  return finish(unrecognisedDraft(e, ctx), ctx.dialect);
}

/** unrecognised() with the fix steps still as data. */
export function unrecognisedDraft(e: Evidence, ctx: DiagnoseCtx): DraftDiagnosis {
  const d = draft(e.kind === "negative-reply" && (e.reply?.code ?? 500) < 500 ? "temporary-failure" : "protocol-error", e, ctx, "error");
  const out = { ...d, title: `Unrecognised failure at ${e.stage}`, explanation: `mailctl does not know this failure: ${e.text.split("\n")[0]}` };
  if (e.kind && e.stage) UNPLACED.set(out, categoryOf({ kind: e.kind, stage: e.stage, ...(e.reply ? { reply: e.reply } : {}) }));
  return out;
}
