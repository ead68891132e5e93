// Guards for every explanation and fix mailctl can print, generated from the catalog, the presets and the dialect
// list rather than written out: each catalog id rendered with no target (explain), with a target (doctor), in each
// dialect, with and without a verified suggestion and the From facts; and every doctor screen the importer
// fixtures can produce, checked for two fix steps that set one setting to different values.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DIALECT_NAMES, dialectLabel } from "../../../src/config/importers/registry.js";
import { resolveTarget } from "../../../src/config/resolve.js";
import type { Target } from "../../../src/config/target.js";
import type { Dialect } from "../../../src/config/importers/registry.js";
import { CATALOG, entry, type DiagnosisId } from "../../../src/diagnose/catalog/index.js";
import { contextFor, providerOf } from "../../../src/diagnose/context.js";
import { build, type DiagnoseCtx, type Diagnosis } from "../../../src/diagnose/diagnose.js";
import { assemble, type DoctorResult } from "../../../src/diagnose/doctor.js";
import type { Evidence } from "../../../src/diagnose/evidence.js";
import { listPresets } from "../../../src/config/presets.js";
import { configFindings, staticChecks } from "../../../src/diagnose/static.js";
import { applyAppFrom } from "../../../src/send/app-from.js";
import { STAGES, type StageName } from "../../../src/session/failure.js";
import { renderDoctor } from "../../../src/ui/doctor-report.js";
import { Ui } from "../../../src/ui/ui.js";
import { fakeCtx, fakeIo } from "../../helpers/fake-io.js";

const IDS = [...CATALOG.keys()];
const SUGGESTIONS = [null, { port: 465, tls: "implicit" as const }, { port: 587, tls: "starttls" as const }];

/** What must never reach a user: a placeholder that leaked, or a fix list that starts with an alternative. */
function holes(d: Diagnosis): string[] {
  const out: string[] = [];
  for (const [what, text] of [["title", d.title], ["explanation", d.explanation], ...d.fix.map((f, i) => [`fix ${i + 1}`, f] as const)] as const) {
    if (/(^|[\s(:=])\?($|[\s.,;:)])/.test(text)) out.push(`${what} has a bare "?": ${text}`);
    const leak = /\b(undefined|null|NaN)\b|\[object Object\]/.exec(text.replace(/mail_use_tls: null/g, ""));
    if (leak) out.push(`${what} has "${leak[0]}": ${text}`);
  }
  if (d.fix.length === 0) out.push("no fix steps");
  else if (/^\s*or\b/i.test(d.fix[0]!)) out.push(`the first fix step begins with "Or": ${d.fix[0]}`);
  return out;
}

function evidenceFor(id: DiagnosisId, stage: StageName | undefined, live: boolean): Evidence {
  if (!live) return { source: "text", text: "" };
  return { source: "session", ...(stage ? { stage } : {}), text: `a failure recognised as ${id}`, host: "smtp.example.com", port: 587, secure: stage !== undefined && STAGES.indexOf(stage) > STAGES.indexOf("starttls"), reply: { code: 550, text: "5.0.0 refused" } };
}

describe("every catalog id renders completely", () => {
  const providers = [null, ...listPresets()];
  const from = { header: "=?utf-8?b?5byg5LiJIDxsYWJAbWFpbGN0bC50ZXN0Pg==?=", name: "张三", address: "lab@mailctl.test", correct: "=?utf-8?b?5byg5LiJ?= <lab@mailctl.test>" };
  for (const id of IDS) {
    it(id, () => {
      const problems: string[] = [];
      const check = (d: Diagnosis, where: string) => problems.push(...holes(d).map((h) => `${where}: ${h}`));
      for (const p of providers) {
        // explain: a pasted line, no target, no dialect.
        check(build(id, evidenceFor(id, undefined, false), { provider: p }, "error"), `explain, provider ${p?.name ?? "none"}`);
        for (const suggestion of SUGGESTIONS) {
          for (const dialect of DIALECT_NAMES) {
            const ctx: DiagnoseCtx = {
              provider: p,
              target: { host: "smtp.example.com", port: 587, tls: "starttls", user: "lab@mailctl.test", from: "lab@mailctl.test", name: "app.example.com" },
              suggestion,
              dialect: { dialect, file: "/srv/app/settings" },
              ...(p === null ? { from: { ...from, app: { dialect, how: `the ${dialectLabel(dialect)} writes it`, keys: ["SENDER"] } } } : {}),
            };
            check(build(id, evidenceFor(id, "mail", true), ctx, "error"), `doctor, ${dialect}, provider ${p?.name ?? "none"}, suggestion ${JSON.stringify(suggestion)}`);
          }
        }
      }
      expect([...new Set(problems)].slice(0, 10)).toEqual([]);
    });
  }
});

// ---- every doctor screen of the dialect fixtures --------------------------------------------------------

const FIXTURES = fileURLToPath(new URL("../../fixtures/importers/", import.meta.url));

/** The settings lines of a rendered screen as key → values ("in your Dify .env (…): A=1  B=2", "with mailctl: --port 1"). */
function settingsOnScreen(text: string, dialect: Dialect): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  const put = (k: string, v: string) => {
    if (!seen.has(k)) seen.set(k, new Set());
    seen.get(k)!.add(v);
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const app = /^in your .*?: (.*)$/.exec(line);
    if (app) {
      for (const item of app[1]!.split(/ {2,}/)) {
        // An SMTP URL is one value; msmtp lines are "command argument"; the others "key=value" or "key: value".
        const m = dialect === "smtp-url" ? ["", "url", item] : dialect === "msmtp" ? /^(\S+) (.*)$/.exec(item) : /^([\w.]+)\s*(?:=|:)\s*(.*)$/.exec(item);
        if (m) put(`${dialect}:${m[1]}`, m[2]!);
      }
    }
    const flags = /^with mailctl: (.*)$/.exec(line);
    if (flags) for (const m of flags[1]!.matchAll(/(--[\w-]+) (\S+)/g)) put(`flag:${m[1]}`, m[2]!);
  }
  return seen;
}

describe("every doctor screen for the dialect fixtures", () => {
  const files = readdirSync(FIXTURES).filter((f) => !f.startsWith("."));
  for (const file of files) {
    it(file, async () => {
      const ctxIo = fakeCtx(FIXTURES, { HOME: "/nonexistent", XDG_CONFIG_HOME: "/nonexistent" });
      const target: Target = await resolveTarget({ fromConfig: FIXTURES + file }, ctxIo, { needPort: true, auth: false });
      await applyAppFrom(target);
      const provider = providerOf(target);
      const findings = [...configFindings(target), ...staticChecks(target, provider)];
      const problems: string[] = [];
      let screens = 0;
      // smtplib's SMTP_SSL + starttls(): doctor's own finding of the live run comes on top.
      const extras = [undefined, ...(target.starttlsOnImplicit ? [{ id: "starttls-after-implicit-tls" as const, severity: "error" as const, evidence: { source: "session" as const, stage: "starttls" as const, secure: true, text: "smtplib starttls(): SMTPNotSupportedError" } }] : [])];
      for (const [liveId, extra] of [null, ...IDS].flatMap((id) => extras.map((x) => [id, x] as const))) {
        for (const suggestion of SUGGESTIONS) {
          const stage = liveId ? (entry(liveId).stage ?? "mail") : "quit";
          const ctx = { ...contextFor(target, provider), suggestion };
          const evidence = liveId ? evidenceFor(liveId, stage, true) : null;
          // The stages before the failing one passed (a static finding about a passed stage becomes a warning).
          const report = { stages: STAGES.slice(0, STAGES.indexOf(stage)).map((s) => ({ stage: s, status: "ok" as const, ms: 1, detail: {} })) };
          const diagnoses = assemble({ evidence, ...(liveId ? { liveId } : {}), extra, findings, report, ctx });
          const result: DoctorResult = { ok: !diagnoses.some((d) => d.severity === "error"), target: { host: target.host, port: target.port, tls: target.tls }, provider: provider?.name ?? null, stages: [], diagnoses, suggestion, discovery: null, sent: null, ms: 1 };
          const io = fakeIo({ NO_COLOR: "1" });
          renderDoctor(result, new Ui(io, false));
          screens++;
          const label = `${liveId ?? "no live failure"}${extra ? " + the live STARTTLS finding" : ""}, suggestion ${JSON.stringify(suggestion)}`;
          for (const d of diagnoses) problems.push(...holes(d).map((h) => `${label}, ${d.id}: ${h}`));
          for (const [key, values] of settingsOnScreen(io.stdout.text, target.dialect)) {
            if (values.size > 1) problems.push(`${label}: ${key} is set to ${[...values].join(" and ")}\n${io.stdout.text}`);
          }
          // No step asks for what is already set (fix 1 must not be the user's current setting).
          const current: Record<string, string> = { "--host": target.host, "--port": String(target.port), "--tls": target.tls, ...(target.name ? { "--name": target.name } : {}) };
          for (const line of io.stdout.text.split("\n").filter((l) => /^\s*with mailctl: /.test(l))) {
            const pairs = [...line.matchAll(/(--[\w-]+) (\S+)/g)];
            if (pairs.length && pairs.every((m) => current[m[1]!] === m[2])) problems.push(`${label}: a step sets what is already set: ${line.trim()}`);
          }
        }
      }
      expect(screens).toBeGreaterThan(IDS.length);
      expect([...new Set(problems)].slice(0, 5)).toEqual([]);
    });
  }
});
