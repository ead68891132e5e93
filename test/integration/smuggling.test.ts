// SMTP smuggling (a bare CR before "." in the body): what reaches the wire, byte for byte, from every body source.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startHostile } from "../helpers/hostile-smtp.js";
import type { StartedServer } from "../helpers/tls-servers.js";

const servers: StartedServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

const EVIL = "line1\r.\r\nMAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nspoofed";

/** The DATA bytes of every message the client sent: from after the 354 to the terminating dot, inclusive. */
function dataSections(wire: Buffer): string[] {
  const text = wire.toString("latin1");
  const out: string[] = [];
  for (let at = text.indexOf("DATA\r\n"); at >= 0; at = text.indexOf("DATA\r\n", at + 1)) {
    const start = at + "DATA\r\n".length;
    const end = text.indexOf("\r\n.\r\n", start);
    if (end >= 0) out.push(text.slice(start, end + 5));
    at = end;
    if (end < 0) break;
  }
  return out;
}

/** Checks one DATA section: CR and LF only as CRLF, and no line that is a lone "." but the last. */
function expectSafe(section: string): void {
  expect(section).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  const lines = section.split("\r\n");
  expect(lines.slice(0, -2).includes(".")).toBe(false);
  expect(section).toContain("\r\n..\r\nMAIL FROM:<evil@attacker.example>\r\n");
}

async function capture(): Promise<StartedServer & { received: () => Buffer }> {
  const s = await startHostile("never", () => {});
  servers.push(s);
  return s;
}

const conn = (port: number) => ["--host", "127.0.0.1", "--port", String(port), "--tls", "none", "--from", "a@example.com"];

describe("a bare CR in the body reaches the wire as CRLF, dot-stuffed", () => {
  it("from --text", async () => {
    const s = await capture();
    const r = await runCli(["send", ...conn(s.port), "--to", "b@example.com", "-s", "x", "--text", EVIL]);
    expect(r.code).toBe(0);
    const sections = dataSections(s.received());
    expect(sections).toHaveLength(1);
    expectSafe(sections[0]!);
    expect(s.received().toString("latin1").match(/^MAIL FROM:/gm)).toHaveLength(2); // ours, and the one inside the body, stuffed
  });

  it("from a template variable", async () => {
    const s = await capture();
    const dir = mkdtempSync(join(tmpdir(), "mailctl-smuggle-"));
    writeFileSync(join(dir, "t.txt"), "---\nsubject: hi\n---\nHello {{name}}\n");
    const r = await runCli(["send", ...conn(s.port), "--to", "b@example.com", "--template", join(dir, "t.txt"), "--var", `name=${EVIL}`]);
    expect(r.code).toBe(0);
    expectSafe(dataSections(s.received())[0]!);
  });

  it("from a CSV cell in a batch", async () => {
    const s = await capture();
    const dir = mkdtempSync(join(tmpdir(), "mailctl-smuggle-"));
    writeFileSync(join(dir, "rows.csv"), `key,to,note\nk1,b@example.com,"${EVIL}"\n`);
    writeFileSync(join(dir, "t.txt"), "---\nsubject: hi\n---\nNote: {{note}}\n");
    const r = await runCli(["send", ...conn(s.port), "--batch", join(dir, "rows.csv"), "--template", join(dir, "t.txt"), "--json"]);
    expect(r.code).toBe(0);
    const sections = dataSections(s.received());
    expect(sections).toHaveLength(1);
    expectSafe(sections[0]!);
  });

  it("--dry-run prints the message with the same line ends the server will store", async () => {
    const r = await runCli(["send", "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", EVIL, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    expect(r.stdout).toContain("line1\r\n.\r\nMAIL FROM:<evil@attacker.example>\r\n");
  });
});
