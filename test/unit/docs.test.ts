// The documentation that is data in the code — docs/diagnoses.md, README's option, environment and exit-code
// tables, the signature ids of presets/schema.json — is written by scripts/gen-docs.mjs and must match it.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOCS = ["README.md", "docs/diagnoses.md", "presets/schema.json"];

/** Runs the generator in `root` (the repository, or a copy of the files it reads and writes). */
function gen(root: string, ...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, "scripts/gen-docs.mjs"), ...args], { encoding: "utf8" });
}

/** A copy of the generated files and the script, over the repository's build. */
function copy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "mailctl-docs-"));
  for (const f of [...DOCS, "scripts/gen-docs.mjs"]) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(dir, f));
  }
  symlinkSync(path.join(ROOT, "dist"), path.join(dir, "dist"));
  return dir;
}

describe("the generated documentation", () => {
  it("matches the code", () => {
    const r = gen(ROOT, "--check");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("notices a table edited by hand, names the file, and writes it back from the code", () => {
    const dir = copy();
    const readme = path.join(dir, "README.md");
    const original = readFileSync(readme, "utf8");
    writeFileSync(readme, original.replace("| `-p, --port <port>` | TCP port | `MAILCTL_PORT` |", "| `-p, --port <port>` | the port | `MAILCTL_PORT` |"));
    const r = gen(dir, "--check");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("README.md");
    expect(gen(dir).status).toBe(0);
    expect(readFileSync(readme, "utf8")).toBe(original);
  });

  it("refuses a README without a section's markers rather than leaving that table unchecked", () => {
    const dir = copy();
    const readme = path.join(dir, "README.md");
    writeFileSync(readme, readFileSync(readme, "utf8").replace("<!-- generated: exit-codes -->\n", ""));
    const r = gen(dir, "--check");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("<!-- generated: exit-codes -->");
  });
});
