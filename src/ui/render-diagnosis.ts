import type { Diagnosis } from "../diagnose/diagnose.js";
import { printable } from "./printable.js";
import type { Ui } from "./ui.js";

/** One diagnosis for humans: title, what happened (the evidence, quoted), why, and the fix as numbered steps. */
export function renderDiagnosis(d: Diagnosis, ui: Ui, n?: number): void {
  const t = ui.theme;
  const mark = d.severity === "error" ? t.fail : t.warn;
  const head = `${n !== undefined ? `${n}. ` : ""}${d.title}`;
  ui.out(`${mark} ${t.c.bold(head)} ${t.c.dim(`[${d.id}${d.stage ? ` · ${d.stage}` : ""}]`)}`);
  ui.out(`  ${t.c.bold("what happened")}`);
  // The evidence and the explanation quote the server (or the pasted log line): escaped before a terminal sees them.
  for (const line of d.evidence.split("\n").slice(0, 6)) ui.out(`    ${t.c.cyan(printable(line))}`);
  ui.out(`  ${t.c.bold("why")}`);
  for (const line of wrap(printable(d.explanation), 96)) ui.out(`    ${line}`);
  ui.out(`  ${t.c.bold("fix")}`);
  d.fix.forEach((step, i) => {
    const [first, ...rest] = printable(step).split("\n");
    wrap(first!, 92).forEach((l, j) => ui.out(`    ${j === 0 ? `${i + 1}.` : "  "} ${l}`));
    for (const r of rest) ui.out(`       ${t.c.green(r)}`);
  });
}

/** Wraps text at word boundaries; long tokens (URLs) stay whole. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}
