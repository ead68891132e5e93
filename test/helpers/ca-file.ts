// Writes a test server's CA to a temp file, as a user would pass it with --ca.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Writes PEM text to a fresh temp file and returns its path. */
export function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "mailctl-test-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
