// A config file holding a password that others can read: every command that reads the password says so, once.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startSmtpServer, type SmtpTestServer } from "../helpers/tls-servers.js";

describe("a world-readable file with a password in it", () => {
  let s: SmtpTestServer;
  let home: string;
  let file: string;
  beforeAll(async () => {
    s = await startSmtpServer({ mode: "plain", auth: { user: "me", pass: "file-Secret-9" } });
    home = mkdtempSync(join(tmpdir(), "mailctl-pwfile-"));
    mkdirSync(join(home, ".config", "mailctl"), { recursive: true });
    file = join(home, ".config", "mailctl", "config.yaml");
    writeFileSync(file, `profiles:\n  default:\n    host: 127.0.0.1\n    port: ${s.port}\n    tls: none\n    user: me\n    password: file-Secret-9\n    from: a@example.com\n`);
    chmodSync(file, 0o644);
    writeFileSync(join(home, "rows.csv"), "key,to\nk1,b@example.com\nk2,c@example.com\n");
    writeFileSync(join(home, "t.txt"), "---\nsubject: hi\n---\nhello\n");
  });
  afterAll(() => s.close());

  // The path is shown relative to the working directory when it is near, else as ~/…: either form names the file.
  const READABLE = /warning: (~|[./\w-]*)\/\.config\/mailctl\/config\.yaml holds a password and is readable by group and others \(mode 0644\); run: chmod 600/g;
  const cases: [string, () => string[]][] = [
    ["send", () => ["send", "--to", "b@example.com", "-s", "x", "--text", "y"]],
    ["test-send", () => ["test-send"]],
    ["send --batch", () => ["send", "--batch", join(home, "rows.csv"), "--template", join(home, "t.txt"), "--journal", join(home, `j-${Math.random()}.journal`)]],
  ];
  for (const [name, args] of cases) {
    it(`${name} warns once on stderr`, async () => {
      const r = await runCli(args(), { env: { HOME: home } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.match(READABLE)).toHaveLength(1);
      expect(r.stdout + r.stderr).not.toContain("file-Secret-9");
    });
  }

  it("doctor shows it as a finding, not twice", async () => {
    const r = await runCli(["doctor"], { env: { HOME: home } });
    expect(r.stdout).toContain("holds a password and is readable by group and others");
    expect(r.stderr).not.toMatch(READABLE);
  });

  it("probe does not read the password, and says nothing about it", async () => {
    const r = await runCli(["probe"], { env: { HOME: home } });
    expect(r.stderr).not.toMatch(READABLE);
  });
});
