import { describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli.js";

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
