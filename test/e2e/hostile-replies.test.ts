// Hostile servers against the built CLI: memory and wall time stay bounded, whatever the server sends.
import { afterAll, describe, expect, it } from "vitest";
import { flood, startHostile } from "../helpers/hostile-smtp.js";
import { runMeasured } from "../helpers/measured.js";
import type { StartedServer } from "../helpers/tls-servers.js";

const servers: StartedServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

const TIMEOUT_S = 2;
const conn = (port: number) => ["--host", "127.0.0.1", "--port", String(port), "--tls", "none", "--timeout", String(TIMEOUT_S)];
const SEND = ["--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y"];

describe("an endless multi-line reply", () => {
  const cases: { name: string; at: "greeting" | "EHLO"; line: string; args: (port: number) => string[] }[] = [
    { name: "probe, a 220- greeting", at: "greeting", line: "220-mx.hostile.test still greeting you\r\n", args: (p) => ["probe", ...conn(p)] },
    { name: "doctor, a 220- greeting", at: "greeting", line: "220-mx.hostile.test still greeting you\r\n", args: (p) => ["doctor", ...conn(p)] },
    { name: "send, a 250- EHLO reply", at: "EHLO", line: "250-X-ENDLESS-EXTENSION\r\n", args: (p) => ["send", ...conn(p), ...SEND] },
    { name: "test-send, a 250- EHLO reply", at: "EHLO", line: "250-X-ENDLESS-EXTENSION\r\n", args: (p) => ["test-send", ...conn(p), "--from", "a@example.com"] },
  ];
  for (const c of cases) {
    for (const mode of [[], ["--json", "--transcript"]]) {
      it(`${c.name}${mode.length ? " (--json --transcript)" : ""}: a protocol error naming the limit, under 100 MB, within --timeout + 1 s`, async () => {
        const s = await startHostile(c.at, (sock) => void flood(sock, c.line));
        servers.push(s);
        const r = await runMeasured([...c.args(s.port), ...mode], { killAfterMs: 20_000 });
        expect(r.signal).toBeNull();
        expect(r.code).toBe(76);
        expect(r.peakRssMb).toBeLessThan(100);
        expect(r.ms).toBeLessThan((TIMEOUT_S + 1) * 1000);
        expect(r.stdout + r.stderr).toContain("more than 256 lines");
        expect(r.stderr).not.toContain("internal error");
        if (mode.length) {
          const doc = JSON.parse(r.stdout);
          expect(JSON.stringify(doc).length).toBeLessThan(200_000);
        }
      });
    }
  }

  it("a reply line that never ends is refused at 16 KiB", async () => {
    const s = await startHostile("greeting", (sock) => void flood(sock, "220 x".padEnd(4096, "x")));
    servers.push(s);
    const r = await runMeasured(["probe", ...conn(s.port), "--json"]);
    expect(r.code).toBe(76);
    expect(JSON.parse(r.stdout).failure.message).toContain("longer than 16 KiB");
    expect(r.peakRssMb).toBeLessThan(100);
  });
});
