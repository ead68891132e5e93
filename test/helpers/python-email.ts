// Runs test/helpers/python-email.py: Python's own email package on the values a test gives it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What python3 wrote for one value: the From field's bytes (base64) per serialisation, or the error it raised. */
export interface PythonFrom {
  value: string;
  dify: string | { error: string };
  compat32: string | { error: string };
  default: string | { error: string };
}

/** Python's serialisations of each value and formataddr() of each pair; throws (naming python3) when python3 is missing. */
export function pythonEmail(values: string[], pairs: [string, string][] = []): { python: string; values: PythonFrom[]; formataddr: (string | { error: string })[] } {
  const script = fileURLToPath(new URL("./python-email.py", import.meta.url));
  const r = spawnSync("python3", [script], { input: JSON.stringify({ values, pairs }), encoding: "utf8", timeout: 30_000 });
  if (r.error) throw new Error(`these tests compare mailctl with Python's email package and need python3 on PATH: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`python3 ${script} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The field's text from python's base64. */
export const field = (b64: string | { error: string }): string => (typeof b64 === "string" ? Buffer.from(b64, "base64").toString("utf8") : `(raised ${b64.error})`);
