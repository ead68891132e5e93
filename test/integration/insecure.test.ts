// --insecure is said once, on stderr, by every command that connects — and in the JSON of send, batch and test-send.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startSmtpServer, type SmtpTestServer } from "../helpers/tls-servers.js";

const WARNING = /warning: certificate verification is off \(--insecure\)/g;

describe("--insecure says so in every command that connects", () => {
  let s: SmtpTestServer;
  let dir: string;
  let conn: string[];
  beforeAll(async () => {
    s = await startSmtpServer({ mode: "implicit", cert: "self-signed" });
    conn = ["--host", "127.0.0.1", "--port", String(s.port), "--tls", "implicit", "--insecure", "--timeout", "3"];
    dir = mkdtempSync(join(tmpdir(), "mailctl-insecure-"));
    writeFileSync(join(dir, "rows.csv"), "key,to\nk1,b@example.com\nk2,c@example.com\n");
    writeFileSync(join(dir, "t.txt"), "---\nsubject: hi\n---\nhello\n");
  });
  afterAll(() => s.close());

  const commands: [string, () => string[]][] = [
    ["probe", () => ["probe", ...conn]],
    ["doctor", () => ["doctor", ...conn, "--from", "a@example.com"]],
    ["test-send", () => ["test-send", ...conn, "--from", "a@example.com"]],
    ["send", () => ["send", ...conn, "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y"]],
    ["send --batch", () => ["send", ...conn, "--from", "a@example.com", "--batch", join(dir, "rows.csv"), "--template", join(dir, "t.txt"), "--journal", join(dir, `j-${Math.random()}.journal`)]],
    ["init", () => ["init", ...conn, "--from", "a@example.com", "--no-auth", "--config", join(dir, `c-${Math.random()}.yaml`), "--yes"]],
  ];
  for (const [name, args] of commands) {
    for (const json of [false, true]) {
      it(`${name}${json ? " --json" : ""}: the warning once on stderr${json && name !== "init" ? ", insecure: true in the document" : ""}`, async () => {
        const r = await runCli([...args(), ...(json ? ["--json"] : [])]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr.match(WARNING)).toHaveLength(1);
        if (json && name !== "init") expect(JSON.parse(r.stdout).insecure).toBe(true);
      });
    }
  }

  it("send --dry-run connects to nothing and gives no warning", async () => {
    const r = await runCli(["send", ...conn, "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });
});
