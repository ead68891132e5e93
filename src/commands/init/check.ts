// The live check `mailctl init` runs before saving a profile: doctor itself, so the wizard explains a failure
// the same way doctor does (the primary diagnosis and its first fix) instead of a bare stage error.

import type { Category } from "../../exit-codes.js";
import type { StageResult } from "../../session/stage-result.js";
import type { Target } from "../../config/target.js";

/** The outcome of the check: ok, a one-line message (✓ what worked, or the diagnosis), and the stages behind it. */
export interface LiveCheck {
  ok: boolean;
  message: string;
  category: Category;
  stages: StageResult[];
  /** The first fix step of the primary diagnosis, when the check failed. */
  fix?: string;
}

/** Runs doctor on the target (connect, EHLO, TLS, login; no mail is sent) and sums it up in one line. */
export async function liveCheck(target: Target, warn?: (message: string) => void): Promise<LiveCheck> {
  const [{ runDoctor }, { categoryOfDiagnosis }] = await Promise.all([import("../../diagnose/doctor.js"), import("../../diagnose/diagnose.js")]);
  const r = await runDoctor(target, warn ? { warn } : {});
  const where = `${target.host}:${target.port}`;
  const primary = r.diagnoses.find((d) => d.severity === "error");
  if (!primary) {
    const tls = r.stages.find((s) => (s.stage === "tls" || s.stage === "starttls") && s.status === "ok");
    const protocol = tls ? String((tls.stage === "tls" ? tls.detail.protocol : tls.stage === "starttls" ? tls.detail.tls?.protocol : undefined) ?? "TLS") : "no TLS";
    const authed = r.stages.some((s) => s.stage === "auth" && s.status === "ok");
    return { ok: true, message: `${where} answered over ${protocol}${authed ? ` and accepted the login of ${target.user}` : ""}`, category: "ok", stages: r.stages };
  }
  return {
    ok: false,
    message: `${where}: ${primary.title} [${primary.id}]: ${primary.evidence.split("\n")[0]}`,
    category: categoryOfDiagnosis(primary),
    stages: r.stages,
    ...(primary.fix[0] ? { fix: primary.fix[0] } : {}),
  };
}
