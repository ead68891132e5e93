import { AUTH } from "./auth.js";
import { CONNECTION } from "./connection.js";
import { MESSAGE } from "./message.js";
import { SETTINGS } from "./settings.js";
import { TLS } from "./tls.js";
import type { Entry } from "./types.js";

export type { Entry, ExplainCtx, FixStep, FromFacts, Rule } from "./types.js";

/** Every catalog entry. */
export const ENTRIES = [...CONNECTION, ...TLS, ...AUTH, ...MESSAGE, ...SETTINGS];

/** A diagnosis id: part of mailctl's interface (JSON output, tests and docs/diagnoses.md use them). */
export type DiagnosisId = (typeof ENTRIES)[number]["id"];

/** Every diagnosis id, in catalog order. */
export const DIAGNOSIS_IDS: readonly DiagnosisId[] = ENTRIES.map((e) => e.id);

/** Every catalog entry, by id. */
export const CATALOG: ReadonlyMap<DiagnosisId, Entry<DiagnosisId>> = new Map(ENTRIES.map((e) => [e.id, e]));

/** The entry for an id (every id has one, by construction). */
export function entry(id: DiagnosisId): Entry<DiagnosisId> {
  return CATALOG.get(id)!;
}
