// Batch files, templates and what a lab captured, for the send --batch tests.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lab } from "../../src/lab/server.js";
import { replay } from "../../src/send/batch/journal.js";

/** A fresh directory for one test's batch, template and journal. */
export function batchDir(): string {
  return mkdtempSync(join(tmpdir(), "mailctl-batch-"));
}

/** Writes a file in `dir` and returns its path. */
export function put(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A CSV with a key column: rows k1…kn to r<i>@mailctl.test (the lab's own domain takes mail without AUTH). */
export function keyedCsv(n: number, to = (i: number) => `r${i}@mailctl.test`): string {
  return ["key,to,name", ...Array.from({ length: n }, (_, i) => `k${i + 1},${to(i + 1)},Reader ${i + 1}`)].join("\n") + "\n";
}

/** A template whose subject carries the row key, so a capture can be traced to its row without the Message-ID. */
export const TEMPLATE = "---\nsubject: Row {{key}} for {{name}}\n---\nHello {{name}},\nthis is row {{key}}.\n";

/** One captured message: which row its subject names, and its Message-ID. */
export interface Capture {
  key: string | null;
  messageId: string | null;
  to: string[];
}

/** Every message the lab captured, with the row key from its subject and its Message-ID header. */
export async function captured(lab: Lab): Promise<Capture[]> {
  const out: Capture[] = [];
  for (const e of await lab.captures()) {
    const head = (await readFile(join(lab.captureDir, e.file), "utf8")).split("\r\n\r\n")[0]!;
    out.push({
      key: /^Subject: Row (\S+) for/m.exec(head)?.[1] ?? null,
      messageId: /^Message-ID: (<[^>]+>)/im.exec(head)?.[1] ?? null,
      to: e.envelope.rcptTo,
    });
  }
  return out;
}

/** Captures per row key. */
export function perRow(captures: Capture[]): Map<string, Capture[]> {
  const m = new Map<string, Capture[]>();
  for (const c of captures) m.set(c.key ?? "?", [...(m.get(c.key ?? "?") ?? []), c]);
  return m;
}

/** The journal's records of one kind, parsed (for assertions on what was recorded). */
export function journalLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Each row's last state as a later run will see it. */
export async function states(path: string, keys: string[]): Promise<Map<string, string>> {
  const { index } = await replay(path);
  return new Map(keys.map((k) => [k, index.get(k).state]));
}
