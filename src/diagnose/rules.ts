import { ENTRIES, type DiagnosisId, type Entry, type Rule } from "./catalog/index.js";
import type { Evidence } from "./evidence.js";

/** Every recognition rule of the catalog with its entry's id and signals, in the order they are tried (ascending priority). */
export const RULES: readonly (Rule & { id: DiagnosisId; signals: string })[] = ENTRIES.flatMap((e: Entry<DiagnosisId>) => (e.rules ?? []).map((r) => ({ ...r, id: e.id, signals: e.signals }))).sort((a, b) => a.priority - b.priority);

/** The first rule that matches, or null when nothing in the evidence can be placed. */
export function recognise(e: Evidence): DiagnosisId | null {
  return RULES.find((r) => r.test(e))?.id ?? null;
}
