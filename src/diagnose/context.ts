import type { Target } from "../config/target.js";
import type { ProfileSettings } from "../settings.js";
import type { SessionReport } from "../session/run.js";
import { findStage } from "../session/stage-result.js";
import type { DiagnoseCtx } from "./diagnose.js";
import { authFacts, fromFailure, type Evidence } from "./evidence.js";
import { recogniseProvider } from "./providers.js";
import type { Preset } from "../config/presets.js";
import type { FromFacts } from "./catalog/index.js";
import { mailboxOfValue } from "../headers/from-header.js";
import { formataddr } from "../headers/python-compat32.js";

/**
 * What doctor, send and test-send share to turn a session into diagnoses: the provider (from the preset or host,
 * else the greeting and EHLO banner), the evidence of the failure, and the context explanations and fixes use —
 * so the three commands explain a failure in the same words.
 */
export function providerOf(target: Target, report?: SessionReport): Preset | null {
  const byName = recogniseProvider({ ...(target.preset ? { preset: target.preset } : {}), host: target.host });
  if (byName || !report) return byName;
  const ehlo = findStage(report.stages, "ehlo", "ok")?.detail.server;
  return recogniseProvider({ banner: [report.greeting, ehlo].filter(Boolean).join(" ") });
}

/** The evidence in a session's failure, or null when it did not fail. */
export function evidenceOf(report: SessionReport, target: Target): Evidence | null {
  if (!report.failure) return null;
  return fromFailure(report.failure, { host: target.host, port: target.port, tls: target.tls, secure: report.secure, ...authFacts(report.stages) });
}

/** The context a diagnosis is explained in: the provider, the settings in use, and the dialect to write fixes in. */
export function contextFor(target: Target, provider: Preset | null): DiagnoseCtx {
  const from = target.rawFromHeader ?? target.from;
  return {
    provider,
    target: {
      host: target.host,
      port: target.port,
      tls: target.tls,
      ...(target.user ? { user: target.user } : {}),
      ...(from ? { from } : {}),
      ...(target.name ? { name: target.name } : {}),
      ...(target.passwordSource ? { passwordSource: target.passwordSource } : {}),
    },
    dialect: { dialect: target.dialect, ...(target.sourceFile ? { file: target.sourceFile } : {}), ...(target.importKeys ? { keys: target.importKeys } : {}), base: baseSettings(target) },
    ...(target.rawFromHeader !== undefined ? { from: fromFacts(target.rawFromHeader, target) } : {}),
  };
}

/** The settings in force as a fix may restate them: connection settings, never a secret. */
function baseSettings(t: Target): ProfileSettings {
  const base: ProfileSettings = { host: t.host, port: t.port, tls: t.tls, insecure: t.insecure };
  if (t.opportunisticTls) base.opportunisticTls = true;
  for (const k of ["user", "servername", "name", "from", "fromName", "fromFormat", "starttlsOnImplicit"] as const) if (t[k] !== undefined) (base as Record<string, unknown>)[k] = t[k];
  return base;
}

/** What the From header that goes out means, and how to write the same mailbox correctly. */
function fromFacts(header: string, target: Target): FromFacts {
  const box = mailboxOfValue(header);
  const app = target.appFrom ? { dialect: target.dialect, how: target.appFrom.how, keys: target.appFrom.keys } : undefined;
  const correct = box ? formataddr(box.name, box.address) : null;
  return { header, ...(box ? { name: box.name, address: box.address } : {}), ...(correct ? { correct } : {}), ...(app ? { app } : {}) };
}
