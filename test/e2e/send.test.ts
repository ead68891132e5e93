import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, spawnCli } from "../helpers/cli.js";
import { startMailSink, type MailSink } from "../helpers/mail-sink.js";

describe("the mailctl binary sends for scripts", () => {
  let s: MailSink;
  let conn: string[];
  const env = { MAILCTL_FROM: "Build Bot <bot@example.com>", MAILCTL_PASSWORD: "e2e-Secret-77" };
  beforeAll(async () => {
    s = await startMailSink({ mode: "plain", auth: { user: "bot", pass: "e2e-Secret-77" } });
    conn = ["--host", "127.0.0.1", "--port", String(s.port), "--tls", "none", "-u", "bot"];
  });
  afterAll(() => s.close());

  it("lists send and test-send in --help, and each has examples", async () => {
    const r = await spawnCli(["--help"]);
    expect(r.stdout).toMatch(/send\s+send a message from a terminal or a script/);
    expect(r.stdout).toMatch(/test-send\s+send a diagnostic test message/);
    for (const c of ["send", "test-send"]) expect((await spawnCli([c, "--help"])).stdout).toContain("Examples:");
  });

  it("prints exactly one line on stdout and exits 0; the body comes from stdin", async () => {
    const r = await spawnCli(["send", ...conn, "--to", "ops@example.com", "-s", "nightly"], { env, stdin: "all good\n" });
    expect(r.code).toBe(0);
    // The sink speaks plaintext: the one line on stderr is the warning that the password goes out without TLS.
    expect(r.stderr).toMatch(/^warning: sending the credentials of bot to 127\.0\.0\.1:\d+ without TLS \(--tls none\): anyone on the network path can read them\n$/);
    expect(r.stdout).toMatch(/^sent <[^>]+@example\.com> to 1 recipient: 250 [^\n]*\n$/);
    const m = await s.parsed(s.messages.length - 1);
    expect(m.text).toBe("all good\n");
    expect(m.from?.value).toEqual([{ name: "Build Bot", address: "bot@example.com" }]);
  });

  it("--json prints one parseable document with accepted, rejected, id, reply and ms", async () => {
    const r = await spawnCli(["send", ...conn, "--to", "ops@example.com", "-s", "json", "--text", "x", "--json"], { env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, accepted: ["ops@example.com"], rejected: [], from: "bot@example.com" });
    expect(doc.messageId).toMatch(/^<.+@example\.com>$/);
    expect(doc.reply).toMatch(/^250 /);
    expect(Number.isInteger(doc.ms)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain("e2e-Secret-77");
  });

  it("header injection: exit 65, one line on stderr, nothing on stdout, nothing sent", async () => {
    const before = s.messages.length;
    const r = await spawnCli(["send", ...conn, "--to", "ops@example.com", "-s", "x\r\nBcc: victim@example.com", "--text", "x"], { env });
    expect(r.code).toBe(65);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(s.messages.length).toBe(before);
  });

  it("--dry-run writes the exact message to stdout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailctl-e2e-"));
    const bytes = randomBytes(300_000);
    writeFileSync(join(dir, "big.bin"), bytes);
    const r = await spawnCli(["send", "--dry-run", "--to", "ops@example.com", "-s", "dry", "--text", "x", "--attach", join(dir, "big.bin")], { env });
    expect(r.code).toBe(0);
    const m = await simpleParser(r.stdout);
    expect(m.attachments[0]!.content.equals(bytes)).toBe(true);

    // A reader that stops early (| head) closes the pipe: mailctl stops quietly rather than crashing.
    const cmd = `"${process.execPath}" "${BIN}" send --dry-run --to ops@example.com -s dry --text x --attach "${join(dir, "big.bin")}" | head -c 100 >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
    const p = spawnSync("bash", ["-c", cmd], { env: { ...process.env, ...env }, encoding: "utf8" });
    expect(p.stdout.trim()).toBe("status=0");
    expect(p.stderr).toBe("");
  });
});
