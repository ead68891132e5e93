import type { BatchReport } from "../../send/batch/report.js";
import { renderDiagnosis } from "../../ui/render-diagnosis.js";
import { duration } from "./progress.js";
import { printable } from "../../ui/printable.js";
import { Ui } from "../../ui/ui.js";

/**
 * The end of a batch for humans: one summary line on stdout; the rows that need attention (dead, in doubt,
 * recipients refused), why the run stopped, and how to go on, on stderr.
 */
export function renderBatch(r: BatchReport, ui: Ui): void {
  const parts = [`${r.sent}/${r.rows} rows sent (${r.sentNow} now)`, `${r.retried} retried`, `${r.dead} dead`];
  if (r.inDoubt) parts.push(`${r.inDoubt} in doubt`);
  if (r.waiting) parts.push(`${r.waiting} waiting to retry`);
  if (r.pending) parts.push(`${r.pending} not tried`);
  if (r.pauses) parts.push(`${r.pauses} pause${r.pauses === 1 ? "" : "s"}`);
  parts.push(`${duration(r.elapsedMs)}, ${r.perSecond} msg/s`);
  ui.out(`batch ${r.batchId}: ${parts.join(", ")}`);
  // Replies are the server's words and keys come from the batch file: both escaped before a terminal sees them.
  for (const d of r.deadRows) ui.err(`dead: line ${d.line} (${printable(d.key)}): ${printable(d.reply)}${d.diagnosis ? ` [${d.diagnosis}]` : ""}`);
  for (const p of r.partialRows) for (const x of p.rejected) ui.err(`refused: line ${p.line} (${printable(p.key)}) ${x.address}: ${printable(x.reply)}`);
  for (const d of r.doubtRows) ui.err(`in doubt: line ${d.line} (${printable(d.key)}) ${d.messageId}: ${d.why}`);
  if (r.inDoubt) ui.err(`mailctl: ${r.inDoubt} row(s) may have been delivered and are not sent again; check them, or resend them with --at-least-once (same Message-ID)`);
  if (r.stopped?.reason === "interrupted") ui.err("mailctl: interrupted: the messages in flight were finished and the journal is up to date");
  else if (r.stopped) {
    ui.err(`mailctl: stopped: ${printable(r.stopped.message)}`);
    if (r.stopped.diagnosis) renderDiagnosis(r.stopped.diagnosis, new Ui({ ...ui.io, stdout: ui.io.stderr }, false, ui.redactor));
  }
  if (r.resume) ui.err(`Resume with: ${r.resume}`);
}
