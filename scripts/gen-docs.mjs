#!/usr/bin/env node
// Writes the documentation that is data in the code, so it cannot drift from it: docs/diagnoses.md from the
// catalog; in README.md, between `<!-- generated: NAME -->` and `<!-- /generated -->`, the connection-options and
// environment-variable tables (the settings registry, src/settings.ts), the importers table (the dialect registry,
// src/config/importers/registry.ts), the presets table (presets/*.json) and the exit-code table (src/exit-codes.ts);
// and the signature-id enum of presets/schema.json (the ids recognition knows). `--check` writes nothing and exits
// 1 naming what is out of date; test/unit/docs.test.ts runs it. Reads the compiled code: run `npm run build` first.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CATALOG, DIAGNOSIS_IDS } from "../dist/diagnose/catalog/index.js";
import { RULES } from "../dist/diagnose/rules.js";
import { EXIT } from "../dist/exit-codes.js";
import { IMPORT_DIALECTS, IMPORTED } from "../dist/config/importers/registry.js";
import { credentialLabel, listPresets } from "../dist/config/presets.js";
import { CONNECTION, ENVIRONMENT, flagName, flagsOf, OUTPUT, ROWS, SOURCES } from "../dist/settings.js";

const file = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const check = process.argv.includes("--check");
const stale = [];

/** Writes `text` to `path`, or with --check records that it differs. */
function put(path, text) {
  const current = readFileSync(file(path), "utf8");
  if (current === text) return;
  if (check) stale.push(path);
  else writeFileSync(file(path), text);
}

// ---- docs/diagnoses.md ---------------------------------------------------------------------------------------

function diagnosesMd() {
  // In recognition order (the rules by priority), then the causes only doctor's checks on the settings find.
  const order = [...new Set(RULES.map((r) => r.id)), ...DIAGNOSIS_IDS.filter((id) => !RULES.some((r) => r.id === id))];
  const lines = [
    "# Diagnosis catalog",
    "",
    "Generated from the code by `node scripts/gen-docs.mjs` — do not edit by hand.",
    "",
    "Every failure doctor, explain, test-send and send report is named by one of these ids. The id, the exit code",
    "(from its category) and the JSON shape are part of mailctl's interface. Recognition reads what really arrives —",
    "reply codes, RFC 3463 enhanced codes, reply texts in several providers' wordings, socket and OpenSSL error codes",
    "and the stage reached; a provider's own reply signatures (presets/*.json) are checked first when the provider is known.",
    "Rules are tried in the order below; the first that matches names the cause.",
    "",
    "| id | exit | title |",
    "|---|---|---|",
    ...order.map((id) => `| [${id}](#${id}) | ${EXIT[CATALOG.get(id).category].code} | ${CATALOG.get(id).title} |`),
    "",
  ];
  const ctx = { e: { source: "text", text: "" }, provider: null };
  for (const id of order) {
    const en = CATALOG.get(id);
    lines.push(`## ${id}`, "", `**${en.title}** — exit ${EXIT[en.category].code} (${en.category})`, "");
    lines.push(`- Evidence: ${en.signals}`);
    lines.push(`- Why: ${en.explain(ctx)}`);
    lines.push("- Fix:");
    for (const f of en.fix(ctx)) lines.push(`  - ${f.text}`);
    lines.push("");
  }
  return lines.join("\n");
}

// ---- README tables -------------------------------------------------------------------------------------------

const code = (s) => `\`${s}\``;
/** A Markdown table row; an empty cell is written "| |". */
const row = (...cells) => `|${cells.map((c) => (c ? ` ${c} ` : " ")).join("|")}|`;
/** What README says a row does: its docs, else its help; the dialect row lists the importers' dialects. */
const meaning = (row) => `${row.docs ?? row.help}${row.lookup === "dialect" ? `: ${IMPORT_DIALECTS.map(code).join(", ")}` : ""}`;

function optionsTable() {
  const envCell = (row) => (row.env ? code(row.env) : row.default?.text ? `(default ${code(row.default.text)})` : "");
  return [
    "| option | meaning | environment |",
    "|---|---|---|",
    ...[...CONNECTION, ...SOURCES, ...OUTPUT].map((r) => row(code(flagsOf(r)), meaning(r), envCell(r))),
  ].join("\n");
}

function environmentTable() {
  return [
    "| variable | meaning |",
    "|---|---|",
    // In the options table's order, then the variables of the settings that are not in it (MAILCTL_FROM).
    ...[...new Set([...CONNECTION, ...SOURCES, ...ROWS])].filter((r) => r.env).map((r) => row(code(r.env), `${code(flagName(r))}: ${meaning(r)}`)),
    ...ENVIRONMENT.map((v) => row(v.names.map(code).join(", "), v.meaning)),
  ].join("\n");
}

function importersTable() {
  return ["| dialect | file | what is read |", "|---|---|---|", ...IMPORTED.map((d) => row(code(d.name), d.file, d.reads))].join("\n");
}

/** One row per presets/*.json: a provider is one file, and README's table follows it. */
function presetsTable() {
  const host = (p) => {
    const r = p.params?.region;
    const regions = r ? ` (\`${p.name}:<region>\`${r.values.length <= 6 ? `: ${r.values.map(code).join(", ")}` : ""}; default ${code(r.default)})` : "";
    return `${code(p.host.replace("{region}", "<region>"))}${regions}${p.credential.fixedUser ? ` (user ${code(p.credential.fixedUser)})` : ""}`;
  };
  const credential = (c) => `${credentialLabel(c.kind)}${c.alternatives?.length ? ` (or ${c.alternatives.map(credentialLabel).join(", ")})` : ""}`;
  return [
    "| preset | provider | host | ports (preferred first) | credential |",
    "|---|---|---|---|---|",
    ...listPresets().map((p) => row(code(p.name), p.title, host(p), p.endpoints.map((e) => `${e.port} ${e.tls}`).join(", "), credential(p.credential))),
  ].join("\n");
}

function exitTable() {
  return ["| code | meaning |", "|---|---|", ...Object.values(EXIT).map((e) => row(String(e.code), e.docs ?? e.meaning))].join("\n");
}

/** README with each generated section replaced; a marker that is missing is an error (the table would silently go unchecked). */
function readme(sections) {
  let text = readFileSync(file("README.md"), "utf8");
  for (const [name, table] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- generated: ${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated -->)`);
    if (!re.test(text)) throw new Error(`README.md has no <!-- generated: ${name} --> … <!-- /generated --> section`);
    text = text.replace(re, (_m, open, close) => `${open}${table}${close}`);
  }
  return text;
}

// ---- presets/schema.json -------------------------------------------------------------------------------------

/** The schema with the ids a reply signature may name: those recognition knows (the settings-only ids are not replies). */
function schema() {
  const s = JSON.parse(readFileSync(file("presets/schema.json"), "utf8"));
  s.properties.signatures.items.properties.id.enum = DIAGNOSIS_IDS.filter((id) => CATALOG.get(id).rules?.length);
  return JSON.stringify(s, null, 2) + "\n";
}

put("docs/diagnoses.md", diagnosesMd());
put("README.md", readme({ options: optionsTable(), environment: environmentTable(), importers: importersTable(), presets: presetsTable(), "exit-codes": exitTable() }));
put("presets/schema.json", schema());
if (stale.length) {
  console.error(`out of date: ${stale.join(", ")} — run node scripts/gen-docs.mjs`);
  process.exit(1);
}
