import type { DoctorResult } from "../diagnose/doctor.js";
import { renderDiagnosis } from "./render-diagnosis.js";
import { renderStages, renderTranscript } from "./stages.js";
import { printable } from "./printable.js";
import type { Ui } from "./ui.js";

const MODE = { implicit: "implicit TLS", starttls: "STARTTLS", none: "plaintext" } as const;

/** The doctor screen (doctor, and each of demo's scenarios): the checklist, then each problem, then what works. */
export function renderDoctor(r: DoctorResult, ui: Ui): void {
  const t = ui.theme;
  ui.out(`${t.c.bold(`${r.target.host}:${r.target.port}`)} with ${MODE[r.target.tls]}${r.provider ? t.c.dim(`  (${r.provider})`) : ""}`);
  renderStages(r.stages, ui);
  ui.out();
  const errors = r.diagnoses.filter((d) => d.severity === "error").length;
  if (r.diagnoses.length === 0) ui.out(`${t.ok} no problems found (${r.ms} ms)`);
  r.diagnoses.forEach((d, i) => {
    renderDiagnosis(d, ui, r.diagnoses.length > 1 ? i + 1 : undefined);
    ui.out();
  });
  if (r.suggestion) ui.out(`${t.ok} ${t.c.bold("what works:")} port ${r.suggestion.port} with ${MODE[r.suggestion.tls]} (checked just now: it reaches EHLO)`);
  if (r.sent) ui.out(`${t.ok} test message sent: subject token ${r.sent.token}, ${r.sent.messageId}: ${printable(r.sent.reply)}`);
  if (errors) ui.out(t.c.dim(`${errors} error${errors > 1 ? "s" : ""}; the first one is the cause to fix first (${r.ms} ms)`));
  renderTranscript(r.transcript, ui);
}
