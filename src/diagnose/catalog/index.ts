import type { DiagnosisId } from "../ids.js";
import { AUTH } from "./auth.js";
import { CONNECTION } from "./connection.js";
import { MESSAGE } from "./message.js";
import { SETTINGS } from "./settings.js";
import { TLS } from "./tls.js";
import type { Entry } from "./types.js";

export type { Entry, ExplainCtx, FixStep, FromFacts } from "./types.js";

/** Every catalog entry, by id. */
export const CATALOG: ReadonlyMap<DiagnosisId, Entry> = new Map([...CONNECTION, ...TLS, ...AUTH, ...MESSAGE, ...SETTINGS].map((e) => [e.id, e]));

/** The entry for an id (every id has one; a test checks it). */
export function entry(id: DiagnosisId): Entry {
  const e = CATALOG.get(id);
  if (!e) throw new Error(`no catalog entry for ${id}`);
  return e;
}
