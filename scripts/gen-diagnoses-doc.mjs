#!/usr/bin/env node
// Writes docs/diagnoses.md from the catalog itself (ids, categories, titles, recognition signals, explanation
// and fix for a generic case), so the documentation cannot drift from the code. `--check` exits 1 if it differs.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DIAGNOSIS_IDS } from "../dist/diagnose/ids.js";
import { CATALOG } from "../dist/diagnose/catalog/index.js";
import { RULES } from "../dist/diagnose/rules.js";
import { EXIT } from "../dist/exit-codes.js";

const out = fileURLToPath(new URL("../docs/diagnoses.md", import.meta.url));
const STATIC = {
  "from-header-invalid": "the From header as it will go out — with --from-config the bytes the app's own writer makes of its sender setting (Dify's and RAGFlow's compat32 messages, aiosmtplib/smtplib, nodemailer, msmtp), else the --header-from value or the --from mailbox — judged before connecting by the same strict reader as the lab's QQ persona (RFC 5322 §3.4, RFC 2047 §5)",
  "ehlo-name-not-fqdn": "the configured EHLO name is neither a fully-qualified domain name nor an address literal",
  "tls-verification-off": "--insecure, or insecure/rejectUnauthorized: false in the settings",
  "password-file-readable": "the config file that holds the password is readable by group or others",
  "config-problem": "an app's settings contradict each other (from the importers)",
};
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
  ...DIAGNOSIS_IDS.map((id) => `| [${id}](#${id}) | ${EXIT[CATALOG.get(id).category].code} | ${CATALOG.get(id).title} |`),
  "",
];
const ctx = { e: { source: "text", text: "" }, provider: null };
for (const id of DIAGNOSIS_IDS) {
  const en = CATALOG.get(id);
  // An id may have more than one rule (a certain one from the session first, the wordings of logs later).
  const signals = RULES.filter((r) => r.id === id).map((r) => r.signals);
  lines.push(`## ${id}`, "", `**${en.title}** — exit ${EXIT[en.category].code} (${en.category})`, "");
  lines.push(`- Evidence: ${signals.length ? signals.join("; ") : STATIC[id] ?? "found by doctor's checks on the settings"}`);
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
