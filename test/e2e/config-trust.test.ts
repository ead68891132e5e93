// Trust boundaries of the built CLI: running mailctl inside someone else's directory (a cloned repository) runs
// none of that directory's code, sends the user's password to its host only with a warning, and every command
// warns before credentials go out without TLS.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpServer, type SmtpTestServer } from "../helpers/tls-servers.js";
import { runCli } from "../helpers/run-cli.js";

/** A cloned repository: `files` in it, and a home of its own (no user config). */
function repo(files: Record<string, string>): { dir: string; home: string; marker: string } {
  const root = mkdtempSync(join(tmpdir(), "mailctl-trust-"));
  const dir = join(root, "repo", "sub");
  mkdirSync(dir, { recursive: true });
  const marker = join(root, "PWNED");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, "repo", name), text.replaceAll("MARKER", marker));
  const home = join(root, "home");
  mkdirSync(home);
  return { dir, home, marker };
}

/** A config that writes a marker file if anything executes it. */
const CJS = `require("node:fs").writeFileSync("MARKER", "ran"); module.exports = { profiles: { default: { host: "evil.example", port: 25 } } };\n`;
const MJS = `import { writeFileSync } from "node:fs"; writeFileSync("MARKER", "ran"); export default { profiles: { default: { host: "evil.example", port: 25 } } };\n`;

describe("a JavaScript config found by searching is reported, not run", () => {
  const commands: string[][] = [
    ["config", "path"],
    ["config", "show"],
    ["probe", "--host", "127.0.0.1", "--port", "9", "--tls", "none", "--timeout", "1"],
    ["send", "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y", "--dry-run"],
    ["doctor", "--host", "127.0.0.1", "--port", "9", "--tls", "none", "--timeout", "1"],
  ];
  for (const [file, text] of [[".mailctlrc.cjs", CJS], ["mailctl.config.mjs", MJS], [".mailctlrc.js", CJS]] as const) {
    for (const args of commands) {
      it(`${file}: mailctl ${args.slice(0, 2).join(" ")} does not run it, and says so`, async () => {
        const r0 = repo({ [file]: text });
        const r = await runCli(args, { cwd: r0.dir, env: { HOME: r0.home } });
        expect(existsSync(r0.marker)).toBe(false);
        expect(r.stderr).toContain(`${join("..", file)} is not run: a JavaScript config found by searching`);
        expect(r.stdout + r.stderr).not.toContain("evil.example");
      });
    }
  }

  it("the same file named with --config is the user's choice: it runs", async () => {
    const r0 = repo({ ".mailctlrc.cjs": CJS });
    const r = await runCli(["config", "show", "--config", join("..", ".mailctlrc.cjs")], { cwd: r0.dir, env: { HOME: r0.home } });
    expect(r.code).toBe(0);
    expect(existsSync(r0.marker)).toBe(true);
    expect(r.stdout).toContain("evil.example");
  });

  it("a passwordCommand in a searched YAML config is not run either (exit 78)", async () => {
    const r0 = repo({ ".mailctlrc.yaml": "profiles:\n  default:\n    host: 127.0.0.1\n    port: 9\n    tls: none\n    user: me\n    passwordCommand: [sh, -c, 'echo ran > MARKER; echo pw']\n" });
    const r = await runCli(["send", "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y"], { cwd: r0.dir, env: { HOME: r0.home } });
    expect(r.code).toBe(78);
    expect(existsSync(r0.marker)).toBe(false);
    expect(r.stderr).toContain("passwordCommand is not run: it comes from a project config found by searching");
  });
});

describe("credentials and the hosts they go to", () => {
  let s: SmtpTestServer;
  beforeAll(async () => {
    s = await startSmtpServer({ mode: "plain", auth: { user: "me", pass: "env-Secret-1" } });
  });
  afterAll(() => s.close());

  it("warns when the password from the environment goes to a host a searched project config chose", async () => {
    const r0 = repo({ ".mailctlrc.yaml": `profiles:\n  default:\n    host: 127.0.0.1\n    port: ${s.port}\n    tls: none\n    user: me\n` });
    const r = await runCli(["send", "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y"], { cwd: r0.dir, env: { HOME: r0.home, MAILCTL_PASSWORD: "env-Secret-1" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: the password from MAILCTL_PASSWORD goes to 127.0.0.1, a host set by ${join("..", ".mailctlrc.yaml")}: a project config found by searching, not one you named`);
    expect(r.stdout + r.stderr).not.toContain("env-Secret-1");
    // Named by the user, the same file is trusted: no such warning.
    const named = await runCli(["send", "--config", join("..", ".mailctlrc.yaml"), "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y"], { cwd: r0.dir, env: { HOME: r0.home, MAILCTL_PASSWORD: "env-Secret-1" } });
    expect(named.stderr).not.toContain("a project config found by searching");
  });

  const conn = () => ["--host", "127.0.0.1", "--port", String(s.port), "--tls", "none", "-u", "me", "--timeout", "3"];
  const CLEAR = /warning: sending the credentials of me to 127\.0\.0\.1:\d+ without TLS \(--tls none\): anyone on the network path can read them/g;
  const dirs = () => {
    const d = mkdtempSync(join(tmpdir(), "mailctl-clear-"));
    writeFileSync(join(d, "rows.csv"), "key,to\nk1,b@example.com\nk2,c@example.com\nk3,d@example.com\n");
    writeFileSync(join(d, "t.txt"), "---\nsubject: hi\n---\nhello\n");
    return d;
  };
  const cases: [string, (d: string) => string[]][] = [
    ["doctor", () => ["doctor", ...conn()]],
    ["test-send", () => ["test-send", ...conn(), "--from", "a@example.com"]],
    ["send", () => ["send", ...conn(), "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y"]],
    ["send --batch (three connections)", (d) => ["send", ...conn(), "--from", "a@example.com", "--batch", join(d, "rows.csv"), "--template", join(d, "t.txt"), "--concurrency", "3", "--max-messages", "1"]],
  ];
  for (const [name, args] of cases) {
    it(`${name}: warns once before credentials go out without TLS`, async () => {
      const d = dirs();
      const r = await runCli(args(d), { cwd: d, env: { HOME: d, MAILCTL_PASSWORD: "env-Secret-1" } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.match(CLEAR)).toHaveLength(1);
    });
  }
});
