import { summarizeExtensions } from "../../session/extensions.js";
import { renderCertificate, renderStages, renderTranscript } from "../../ui/stages.js";
import { printable } from "../../ui/printable.js";
import type { Ui } from "../../ui/ui.js";
import type { MultiReport, PortReport } from "./result.js";

const MODE_TEXT = { implicit: "implicit TLS", starttls: "plaintext + STARTTLS", none: "plaintext only" } as const;

/** Human output of probe: the checklist, certificate and capabilities for one port, or a table for several. */
export function renderProbe(data: PortReport | MultiReport, ui: Ui): void {
  if ("ports" in data) return renderMulti(data, ui);
  const t = ui.theme;
  ui.out(`${t.c.bold(`${data.host}:${data.port}`)}  ${modeLine(data)}`);
  renderStages(data.stages, ui);
  if (data.certificate) renderCertificate(data.certificate, ui, data.insecure);
  if (data.capabilities) {
    ui.out(t.c.bold("capabilities"));
    for (const c of summarizeExtensions(data.capabilities)) ui.out(`  ${printable(c)}`);
  }
  renderWarnings(data.warnings, ui);
  renderTranscript(data.transcript, ui);
}

function modeLine(r: PortReport): string {
  const t = r.tls ? MODE_TEXT[r.tls] : "mode unknown";
  const how = r.detectedBy === "tls-handshake" ? " (detected: silent in plaintext, TLS handshake succeeded)" : r.detectedBy === "greeting" ? " (detected)" : "";
  return `${t}${how}`;
}

function renderWarnings(warnings: string[], ui: Ui): void {
  for (const w of warnings) ui.out(`${ui.theme.warn} ${printable(w)}`);
}

/** Several ports: a table when humans read it, tab-separated rows when piped (GitHub CLI's rule). */
function renderMulti(data: MultiReport, ui: Ui): void {
  const t = ui.theme;
  const rows = data.ports.map((p) => [
    String(p.port),
    p.state,
    p.tls ? MODE_TEXT[p.tls] : "–",
    p.certificate?.protocol ?? p.legacyTls ?? "–",
    p.capabilities?.auth.length ? printable(p.capabilities.auth.join(" ")) : "–",
    `${p.ms} ms`,
    p.failure ? printable(p.failure.message) : "",
  ]);
  if (!ui.io.stdout.isTTY) {
    for (const r of rows) ui.out(r.join("\t"));
    return;
  }
  const head = ["PORT", "STATE", "MODE", "TLS", "AUTH", "TIME", "NOTE"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  ui.out(t.c.bold(`${data.host}`));
  ui.out("  " + head.map((h, i) => h.padEnd(widths[i]!)).join("  ").trimEnd());
  data.ports.forEach((p, n) => {
    const line = "  " + rows[n]!.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
    ui.out(p.ok ? line : t.c.dim(line));
  });
  if (data.recommended) ui.out(`${t.ok} use port ${data.recommended.port} with ${MODE_TEXT[data.recommended.tls]} (--port ${data.recommended.port} --tls ${data.recommended.tls})`);
  else ui.out(`${t.fail} no port answered SMTP`);
  for (const p of data.ports) renderWarnings(p.warnings.map((w) => `${p.port}: ${w}`), ui);
}
