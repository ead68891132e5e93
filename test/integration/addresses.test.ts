// Addresses the parser would have to guess at are refused before anything connects: exit 65, nothing sent.
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startHostile } from "../helpers/hostile-smtp.js";
import type { StartedServer } from "../helpers/tls-servers.js";

const servers: StartedServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

describe("ambiguous addresses", () => {
  for (const to of ["Bob <a@example.com> <b@example.com>", "<bob@example.com", "bob@[300.1.1.1]"]) {
    it(`send --to ${JSON.stringify(to)}: exit 65 naming it, and the server never hears from mailctl`, async () => {
      let connected = false;
      const s = await startHostile("greeting", () => (connected = true));
      servers.push(s);
      const r = await runCli(["send", "--host", "127.0.0.1", "--port", String(s.port), "--tls", "none", "--from", "a@example.com", "--to", to, "-s", "x", "--text", "y"]);
      expect(r.code).toBe(65);
      expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(`--to: invalid address "${to}"`)]);
      await new Promise((res) => setTimeout(res, 50));
      expect(connected).toBe(false);
    });
  }

  it("a batch row with two <…> in its to column is refused by line before anything is sent", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const d = mkdtempSync(join(tmpdir(), "mailctl-addr-"));
    writeFileSync(join(d, "rows.csv"), 'key,to\nk1,ok@example.com\nk2,"Bob <a@example.com> <b@example.com>"\n');
    writeFileSync(join(d, "t.txt"), "---\nsubject: hi\n---\nhello\n");
    let connected = false;
    const s = await startHostile("greeting", () => (connected = true));
    servers.push(s);
    const r = await runCli(["send", "--host", "127.0.0.1", "--port", String(s.port), "--tls", "none", "--from", "a@example.com", "--batch", join(d, "rows.csv"), "--template", join(d, "t.txt")]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/rows\.csv line 3: .*more than one address in angle brackets/);
    expect(connected).toBe(false);
  });
});
