import { renderDiagnosis } from "../../ui/render-diagnosis.js";
import type { Ui } from "../../ui/ui.js";
import type { ExplainResult } from "./result.js";

/** Human output: the diagnosis, or an honest "not recognised". */
export function renderExplain(r: ExplainResult, ui: Ui): void {
  if (r.binary) {
    ui.out(`${ui.theme.fail} not recognised: the input is binary data, not text, so there is no error message in it to explain.`);
    return;
  }
  if (!r.recognised) {
    ui.out(`${ui.theme.fail} not recognised: mailctl cannot tell what caused this error.`);
    ui.out("  Run `mailctl doctor` with the same settings to find out by connecting, or pass more of the log.");
    return;
  }
  for (const d of r.diagnoses) renderDiagnosis(d, ui);
}
