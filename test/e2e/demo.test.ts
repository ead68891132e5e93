import { describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli.js";
import { field, pythonEmail } from "../helpers/python-email.js";

describe("mailctl demo", () => {
  it("diagnoses a correct setup and four broken ones on in-process labs, then exits 0", async () => {
    const r = await spawnCli(["demo", "--json"], { timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.scenarios.map((s: { found: string | null }) => s.found)).toEqual([null, "plaintext-to-implicit-tls", "tls-to-plaintext-port", "from-header-rejected", "auth-failed"]);
    // The wrong-mode scenarios come with a verified way out.
    expect(doc.scenarios[1].result.suggestion).toMatchObject({ tls: "implicit" });
    expect(doc.scenarios[2].result.suggestion).toMatchObject({ tls: "starttls" });
    // The correct setup really delivered its test message.
    expect(doc.scenarios[0].result.sent.reply).toMatch(/^250 /);
    // The QQ scenario is about the bytes QQ got: what Dify writes for MAIL_DEFAULT_SEND_FROM=张三 <addr>, per Python
    // itself, refused at the end of DATA — not a missing header.
    const dify = field(pythonEmail(["张三 <lab@mailctl.test>"]).values[0]!.dify);
    expect(dify).toBe("From: =?utf-8?b?5byg5LiJIDxsYWJAbWFpbGN0bC50ZXN0Pg==?=");
    const qq = doc.scenarios[3];
    expect(qq.lab.delivered).toEqual([]);
    expect(qq.lab.refused).toEqual([expect.objectContaining({ command: "DATA", code: 550, from: [dify] })]);
    expect(qq.result.diagnoses[0].evidence).toContain('settings: From "=?utf-8?b?5byg5LiJIDxsYWJAbWFpbGN0bC50ZXN0Pg==?=": the From address is RFC 2047-encoded');
    // The correct setup's message arrived with its From.
    expect(doc.scenarios[0].lab.delivered).toEqual(["From: lab@mailctl.test"]);
    expect(r.stdout).not.toContain("lab-demo-password");
    expect(r.stdout).not.toContain("my-google-password");
  });

  it("prints each scenario as doctor does, on a terminal-less stdout without colour", async () => {
    const r = await spawnCli(["demo"], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1\/5 {2}A correct setup/);
    expect(r.stdout).toContain("✓ 5 of 5 scenarios diagnosed as expected");
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });
});
