#!/usr/bin/env node
// Writes docs/diagnoses.md from the catalog itself (ids, categories, titles, recognition signals, explanation
// and fix for a generic case), so the documentation cannot drift from the code. `--check` exits 1 if it differs.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CATALOG, DIAGNOSIS_IDS } from "../dist/diagnose/catalog/index.js";
import { RULES } from "../dist/diagnose/rules.js";
import { EXIT } from "../dist/exit-codes.js";

const out = fileURLToPath(new URL("../docs/diagnoses.md", import.meta.url));
// In recognition order (the rules by priority), then the causes only doctor's checks on the settings find.
const ORDER = [...new Set(RULES.map((r) => r.id)), ...DIAGNOSIS_IDS.filter((id) => !RULES.some((r) => r.id === id))];
const lines = [
  "# Diagnosis catalog",
  "",
  "Generated from the code by `node scripts/gen-diagnoses-doc.mjs` — do not edit by hand.",
  "",
  "Every failure doctor, explain, test-send and send report is named by one of these ids. The id, the exit code",
  "(from its category) and the JSON shape are part of mailctl's interface. Recognition reads what really arrives —",
  "reply codes, RFC 3463 enhanced codes, reply texts in several providers' wordings, socket and OpenSSL error codes",
  "and the stage reached; a provider's own reply signatures (presets/*.json) are checked first when the provider is known.",
  "Rules are tried in the order below; the first that matches names the cause.",
  "",
  "| id | exit | title |",
  "|---|---|---|",
  ...ORDER.map((id) => `| [${id}](#${id}) | ${EXIT[CATALOG.get(id).category].code} | ${CATALOG.get(id).title} |`),
  "",
];
const ctx = { e: { source: "text", text: "" }, provider: null };
for (const id of ORDER) {
  const en = CATALOG.get(id);
  lines.push(`## ${id}`, "", `**${en.title}** — exit ${EXIT[en.category].code} (${en.category})`, "");
  lines.push(`- Evidence: ${en.signals}`);
  lines.push(`- Why: ${en.explain(ctx)}`);
  lines.push("- Fix:");
  for (const f of en.fix(ctx)) lines.push(`  - ${f.text}`);
  lines.push("");
}
const text = lines.join("\n");
if (process.argv.includes("--check")) {
  const current = readFileSync(out, "utf8");
  if (current !== text) {
    console.error("docs/diagnoses.md is out of date: run node scripts/gen-diagnoses-doc.mjs");
    process.exit(1);
  }
} else writeFileSync(out, text);
