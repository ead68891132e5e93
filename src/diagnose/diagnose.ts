import type { ProfileSettings } from "../config/types.js";
import type { Category } from "../exit-codes.js";
import type { StageName } from "../session/failure.js";
import { entry, type ExplainCtx } from "./catalog/index.js";
import type { Evidence } from "./evidence.js";
import { renderFix, type FixDialect } from "./fix.js";
import type { DiagnosisId } from "./ids.js";
import { signatureId, type Provider } from "./providers.js";
import { recognise, tokenAuth } from "./rules.js";
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
  provider: Provider | null;
  target?: ExplainCtx["target"];
  suggestion?: ExplainCtx["suggestion"];
  dialect?: FixDialect;
}

/** Where each cause typically shows, for explain (a pasted line has no stage). */
const TYPICAL_STAGE: Partial<Record<DiagnosisId, StageName>> = {
  "plaintext-to-implicit-tls": "greeting",
  "tls-to-plaintext-port": "tls",
  "starttls-after-implicit-tls": "starttls",
  "starttls-unavailable": "starttls",
  "cert-untrusted": "tls",
  "cert-expired": "tls",
  "cert-hostname-mismatch": "tls",
  "tls-protocol-too-old": "tls",
  "tls-cipher-mismatch": "tls",
  "host-not-found": "dns",
  "connection-refused": "tcp",
  "connect-timeout": "tcp",
  "greeting-timeout": "greeting",
  "data-unconfirmed": "data",
  "ehlo-rejected": "ehlo",
  "auth-not-offered": "auth",
  "credentials-missing": "auth",
  "auth-failed": "auth",
  "auth-app-password-required": "auth",
  "auth-basic-disabled": "auth",
  "auth-authorization-code": "auth",
  "oauth-token-rejected": "auth",
  "oauth-scope-missing": "auth",
  "oauth-refresh-failed": "auth",
  "sender-not-owned": "mail",
  "relay-denied": "rcpt",
  "recipient-rejected": "rcpt",
  "greylisted": "rcpt",
  "from-header-rejected": "data",
  "message-too-large": "data",
  "content-rejected": "data",
};

/** Names the cause of one failure, or null when the evidence cannot be placed (never a guess). */
export function diagnose(e: Evidence, ctx: DiagnoseCtx): Diagnosis | null {
  // The provider's own reply signatures first: they know, e.g., that 163's generic 535 means "use the authorization code".
  // Their "auth-failed" replies are about passwords: the same reply to a token (Microsoft's 535 5.7.3) means the token was refused.
  const sig = signatureId(ctx.provider, e.reply, e.text) as DiagnosisId | null;
  const id = (sig === "auth-failed" && (tokenAuth(e) || !!e.oauth) ? null : sig) ?? recognise(e);
  return id ? build(id, e, ctx, "error") : null;
}

/** Builds the diagnosis for a known id (static checks use this directly). */
export function build(id: DiagnosisId, e: Evidence, ctx: DiagnoseCtx, severity: Diagnosis["severity"], stage?: Diagnosis["stage"]): Diagnosis {
  const en = entry(id);
  const c: ExplainCtx = { e, provider: ctx.provider, ...(ctx.target ? { target: ctx.target } : {}), ...(ctx.suggestion !== undefined ? { suggestion: ctx.suggestion } : {}) };
  const steps = en.fix(c);
  return {
    id,
    severity,
    stage: stage ?? e.stage ?? TYPICAL_STAGE[id] ?? null,
    title: en.title,
    explanation: en.explain(c),
    evidence: e.text.trim(),
    fix: renderFix(steps, ctx.dialect),
    settings: steps.find((s) => s.change)?.change ?? null,
    provider: ctx.provider?.name ?? null,
  };
}

/** The exit categories of failures the catalog could not place: their kind's (categoryOf), not their stand-in id's. */
const UNPLACED = new WeakMap<object, Category>();

/** The exit category of a diagnosis: its catalog entry's, or for an unrecognised failure its kind's — the same in every command. */
export function categoryOfDiagnosis(d: Pick<Diagnosis, "id">): Category {
  return UNPLACED.get(d) ?? entry(d.id).category;
}

/** A failure the catalog cannot place still gets reported, honestly, as what it is. */
export function unrecognised(e: Evidence, ctx: DiagnoseCtx): Diagnosis {
  const d = build(e.kind === "negative-reply" && (e.reply?.code ?? 500) < 500 ? "temporary-failure" : "protocol-error", e, ctx, "error");
  const out = { ...d, title: `Unrecognised failure at ${e.stage}`, explanation: `mailctl does not know this failure: ${e.text.split("\n")[0]}` };
  if (e.kind && e.stage) UNPLACED.set(out, categoryOf({ kind: e.kind, stage: e.stage, ...(e.reply ? { reply: e.reply } : {}) }));
  return out;
}
