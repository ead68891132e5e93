import { renderDiagnosis } from "../../ui/render-diagnosis.js";
import { renderStages, renderTranscript } from "../../ui/stages.js";
import { printable } from "../../ui/printable.js";
import type { Ui } from "../../ui/ui.js";
import type { TestSendReport } from "./result.js";

/** test-send's human output: the stage checklist, then the message id, reply and time — or the diagnosis. */
export function renderTestSend(data: TestSendReport, ui: Ui): void {
  const t = ui.theme;
  ui.out(t.c.bold(`test message to ${data.to} via ${data.server.host}:${data.server.port}`));
  renderStages(data.stages, ui);
  if (data.ok) {
    ui.out(`${t.ok} sent`);
    ui.out(`  message id  ${data.messageId}`);
    ui.out(`  subject     ${data.subject}`);
    ui.out(`  reply       ${printable(data.reply ?? "")}`);
    ui.out(`  elapsed     ${data.ms} ms`);
  } else {
    ui.out(`${t.fail} not sent: the ${data.failure?.stage ?? "?"} stage failed`);
    for (const d of data.diagnoses) renderDiagnosis(d, ui);
  }
  renderTranscript(data.transcript, ui);
}
