// The live check `mailctl init` runs before saving a profile. One function, so that doctor's full
// diagnosis (src/diagnose/doctor.ts runDoctor) can replace the bare session here in one place.

import { categoryOf } from "../diagnose/category.js";
import type { Category } from "../exit-codes.js";
import type { StageResult } from "../session/session.js";
import { sessionOptions } from "./resolve.js";
import type { Target } from "./target.js";

/** The outcome of the check: ok, a one-line message (✓ what worked, or what failed), and the stages behind it. */
export interface LiveCheck {
  ok: boolean;
  message: string;
  category: Category;
  stages: StageResult[];
}

/** Connects, says EHLO, upgrades as the target asks and logs in (without a user: stops after EHLO). Sends no mail. */
export async function liveCheck(target: Target): Promise<LiveCheck> {
  const { runSession } = await import("../session/run.js");
  const report = await runSession(sessionOptions(target), target.user ? "auth" : "ehlo");
  const where = `${target.host}:${target.port}`;
  if (report.ok) {
    const tls = report.secure ? (report.tls?.protocol ?? "TLS") : "no TLS";
    return { ok: true, message: `${where} answered over ${tls}${report.authenticated ? ` and accepted the login of ${target.user}` : ""}`, category: "ok", stages: report.stages };
  }
  const f = report.failure!;
  return { ok: false, message: `${where}: ${f.stage}: ${f.message}`, category: categoryOf(f), stages: report.stages };
}
