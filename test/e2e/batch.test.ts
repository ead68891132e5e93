// The built binary's batch path: the engine and compose threads (used from dist/ for batches of 200 rows and more),
// what they build, how their errors come back, and what a human sees.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, describe, expect, it } from "vitest";
import { batchDir, put } from "../helpers/batch.js";
import { spawnCli } from "../helpers/cli.js";
import { closeTestLabs, testLab } from "../helpers/lab.js";

afterAll(closeTestLabs);

describe("send --batch from the built binary", () => {
  it("builds 250 messages on the compose thread exactly as nodemailer would: names, subjects and bodies in UTF-8", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const rows = put(dir, "rows.jsonl", Array.from({ length: 250 }, (_, i) => JSON.stringify({ id: `u${i}`, to: `r${i}@mailctl.test`, name: `Zoë ${i} 李`, amount: i * 3 })).join("\n"));
    const template = put(dir, "t.txt", "---\nsubject: Facture n° {{id}} — {{name}}\n---\nBonjour {{name}},\nvotre total est {{amount}} €.\n" + "ligne longue ".repeat(12) + "\n");
    const r = await spawnCli(["send", "--batch", rows, "--template", template, "--host", "127.0.0.1", "--port", String(lab.endpoints.plain.port), "--tls", "none", "--from", "Billing <billing@mailctl.test>"], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^batch [0-9a-f]{16}: 250\/250 rows sent \(250 now\), 0 retried, 0 dead, .* msg\/s\n$/);
    const entries = await lab.captures();
    expect(entries).toHaveLength(250);
    const sample = entries.filter((_, i) => i % 50 === 7);
    for (const e of sample) {
      const m = await simpleParser(await readFile(join(lab.captureDir, e.file)));
      const i = Number(/^<r(\d+)@/.exec(`<${e.envelope.rcptTo[0]}`)?.[1]);
      expect(m.subject).toBe(`Facture n° u${i} — Zoë ${i} 李`);
      expect(m.to).toMatchObject({ value: [{ name: `Zoë ${i} 李`, address: `r${i}@mailctl.test` }] });
      expect(m.from).toMatchObject({ value: [{ name: "Billing", address: "billing@mailctl.test" }] });
      expect(m.text).toContain(`votre total est ${i * 3} €.`);
      expect(m.messageId).toMatch(new RegExp(`^<[0-9a-f]{16}\\.u${i}@mailctl\\.test>$`));
    }
  }, 90_000);

  it("a bad row found on the engine thread is the same one-line error and exit code (65), and nothing is sent", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const rows = put(dir, "rows.csv", ["to,name", ...Array.from({ length: 300 }, (_, i) => (i === 211 ? "bad address,X" : `r${i}@mailctl.test,N${i}`))].join("\n"));
    const r = await spawnCli(["send", "--batch", rows, "--template", put(dir, "t.txt", "---\nsubject: Hi\n---\nHi {{name}}\n"), "--host", "127.0.0.1", "--port", String(lab.endpoints.plain.port), "--tls", "none", "--from", "a@mailctl.test"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/^mailctl: .*rows\.csv line 213: to: invalid address "bad address"/);
    expect(r.stdout).toBe("");
    expect(await lab.captures()).toHaveLength(0);
  }, 30_000);
});
