import { renderDoctor } from "../../ui/doctor-report.js";
import type { Ui } from "../../ui/ui.js";
import type { DemoResult } from "./result.js";

/** Human output of demo: each scenario as doctor prints it, under a heading, then a one-line verdict. */
export function renderDemo(r: DemoResult, ui: Ui): void {
  const t = ui.theme;
  r.scenarios.forEach((s, i) => {
    ui.out(t.c.bold.underline(`${i + 1}/${r.scenarios.length}  ${s.title}`));
    ui.out(t.c.dim(`$ ${s.command}`));
    renderDoctor(s.result, ui);
    // What the lab itself received, byte for byte: the demo's findings are about these headers, not about their absence.
    for (const r of s.lab.refused) for (const f of r.from ?? []) ui.out(t.c.dim(`  the lab refused the message with ${r.code}; its header was ${f}`));
    for (const f of s.lab.delivered) ui.out(t.c.dim(`  the lab kept the message; its header was ${f}`));
    if (s.found !== s.expected) ui.out(`${t.fail} expected ${s.expected ?? "no error"}, found ${s.found ?? "no error"}`);
    ui.out();
  });
  const right = r.scenarios.filter((s) => s.found === s.expected).length;
  ui.out(`${right === r.scenarios.length ? t.ok : t.fail} ${right} of ${r.scenarios.length} scenarios diagnosed as expected in ${(r.ms / 1000).toFixed(1)} s — all on a local lab; nothing left this machine.`);
  ui.out(t.c.dim("Next: `mailctl lab` to keep a lab running, `mailctl doctor --help` to check your own settings."));
}
