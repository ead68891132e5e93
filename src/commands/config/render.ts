import { dialectLabel } from "../../config/importers/registry.js";
import type { ConfigPaths, ConfigShow, ImportReport } from "./result.js";
import type { Finding, SettingOrigin } from "../../settings.js";
import type { Ui } from "../../ui/ui.js";

/** Where a setting came from, in words: `mailctl.config.yaml: profiles.work.port`, `environment MAILCTL_PORT`, `flag --port`, `preset gmail`. */
export function originText(o: SettingOrigin): string {
  switch (o.source) {
    case "file":
    case "import":
      return `${o.where}${o.key ? `: ${o.key}` : ""}`;
    case "env":
      return `environment ${o.where}`;
    case "flag":
      return `flag ${o.where}`;
    case "preset":
      return `preset ${o.where}`;
    case "prompt":
      return "typed at the prompt";
    default:
      return o.where ? `default (${o.where})` : "default";
  }
}

/** `config show`: one aligned row per setting with its origin, the password masked, then the findings. */
export function renderConfigShow(d: ConfigShow, ui: Ui): void {
  const t = ui.theme;
  const head = d.profile ? `profile ${t.c.bold(d.profile)}` : d.sourceFile ? `settings from ${d.sourceFile}` : "no profile";
  ui.out(`${head}${d.preset ? ` · preset ${d.preset}` : ""}${d.dialect !== "mailctl" ? ` · dialect ${d.dialect}` : ""}`);
  const rows = d.settings.map((s) => [s.field, String(s.value), originText(s.origin)]);
  const pw = d.password;
  const pwOrigin = !pw.origin ? pw.source : pw.origin.source === "file" || pw.origin.source === "env" ? originText(pw.origin) : `${pw.source} · ${originText(pw.origin)}`;
  if (pw.set !== false || d.oauth.length === 0) rows.push(["password", pw.set === true ? "******** (set)" : pw.set === false ? "(not set)" : "(from a command)", pwOrigin]);
  for (const o of d.oauth) rows.push([o.name, o.set === true ? "******** (set)" : o.set === false ? "(not set)" : "(from a command)", `${o.source} · ${originText(o.origin)}`]);
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  for (const [k, v, o] of rows) ui.out(`  ${k!.padEnd(w0)}  ${v!.padEnd(w1)}  ${t.c.dim(o!)}`);
  if (!d.settings.some((s) => s.field === "host")) ui.out(`${t.warn} no host: pass --host, --preset or --profile, or run mailctl init`);
  renderFindings(d.findings, ui);
  if (d.files.length === 0 && !d.sourceFile) ui.out(t.c.dim("no config file found (mailctl config path shows where mailctl looks)"));
}

/** Findings as a checklist: ✗ for errors, ! for warnings, – for notes. */
export function renderFindings(findings: Finding[], ui: Ui): void {
  if (findings.length === 0) return;
  const t = ui.theme;
  ui.out(t.c.bold("findings"));
  for (const f of findings) ui.out(`  ${f.severity === "error" ? t.fail : f.severity === "warning" ? t.warn : t.skip} ${f.message}`);
}

/** `config path`: scope and path per file; tab-separated when piped. */
export function renderConfigPath(d: ConfigPaths, ui: Ui): void {
  const tty = ui.io.stdout.isTTY;
  for (const f of d.files) {
    const line = [tty ? f.scope.padEnd(8) : f.scope, f.path, f.exists ? "" : "(not found)"].join(tty ? "  " : "\t").trimEnd();
    ui.out(f.exists ? line : ui.theme.c.dim(line));
  }
}

/** Human output: what was saved, and how the password will be found. */
export function renderImport(d: ImportReport, ui: Ui): void {
  const verb = d.replaced ? "Replaced" : "Saved";
  ui.out(`${ui.theme.ok} ${verb} profile "${d.profile}" in ${d.configFile}${d.madeDefault ? " (now the default profile)" : ""}`);
  ui.out(`  from ${dialectLabel(d.dialect)} ${d.sourceFile}; doctor will write its fixes in that file's terms`);
  if (d.passwordNote) ui.out(`  ${d.passwordNote}`);
  ui.out(`  next: mailctl config show --profile ${d.profile}`);
}
