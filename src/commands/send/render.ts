import type { BatchReport } from "../../send/batch/report.js";
import { renderBatch } from "./render-batch.js";
import type { Diagnosis } from "../../diagnose/diagnose.js";
import { formatTranscript, type TranscriptEntry } from "../../session/transcript.js";
import { renderDiagnosis } from "../../ui/render-diagnosis.js";
import { printable } from "../../ui/printable.js";
import { Ui } from "../../ui/ui.js";
import type { DryRunReport, SendReport } from "./result.js";

/**
 * send's human output. stdout carries exactly one line per message sent (`sent <id> to N recipients: <reply>`),
 * or the raw message for --dry-run; refusals, diagnoses and transcripts go to stderr.
 */
export function renderSend(data: SendReport | DryRunReport | BatchReport, ui: Ui): void {
  if ("kind" in data) return renderBatch(data, ui);
  if (data.dryRun) {
    // The message as the server will store it: on the wire only the dot-stuffing (RFC 5321 §4.5.2) and the final "." differ.
    if (data.raw) ui.io.stdout.write(data.raw);
    return;
  }
  for (const r of data.rejected) ui.err(`rejected ${r.address}: ${printable(r.reply)}`);
  if (data.reply) {
    const n = data.accepted.length;
    ui.out(`sent ${data.messageId} to ${n} recipient${n === 1 ? "" : "s"}: ${printable(data.reply)}`);
    if (data.rejected.length && !data.allowPartial) {
      ui.err(`mailctl: ${data.rejected.length} of ${data.recipients.length} recipients refused; the others got the message (--allow-partial makes this exit 0)`);
    }
  } else if (data.failure) {
    ui.err(`mailctl: not sent: the ${data.failure.stage} stage failed`);
    renderDiagnosesErr(data.diagnoses, ui);
  }
  renderTranscriptErr(data.transcript, ui);
}

/** The diagnoses as doctor prints them, but on stderr: send's stdout carries only the result line. */
function renderDiagnosesErr(diagnoses: Diagnosis[], ui: Ui): void {
  const errUi = new Ui({ ...ui.io, stdout: ui.io.stderr }, false, ui.redactor);
  for (const d of diagnoses) renderDiagnosis(d, errUi);
}

function renderTranscriptErr(entries: TranscriptEntry[] | undefined, ui: Ui): void {
  if (!entries?.length) return;
  ui.err("transcript");
  for (const line of formatTranscript(entries)) ui.err("  " + printable(line));
}
