// Escape sequences from a hostile server (greeting, EHLO keywords, reply texts, transcript) and from explain's
// input never reach the terminal raw: human output shows them escaped, JSON keeps them as JSON escapes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { onLines } from "../helpers/hostile-smtp.js";
import { startRawServer, type StartedServer } from "../helpers/tls-servers.js";

const PWN = "\x1b]0;PWNED\x07\x1b[2J";
/** What a terminal would act on: ESC other than an SGR colour, BEL, CR, C1 controls, bidi overrides. */
const RAW = /\x1b(?!\[[0-9;]*m)|[\x07\r\u0080-\u009f\u202e]/;

describe("control characters from outside are escaped in human output", () => {
  let s: StartedServer;
  let conn: string[];
  beforeAll(async () => {
    s = await startRawServer((sock) => {
      sock.write(`220 mx ${PWN} ESMTP\r\n`);
      onLines(sock, (l) => {
        if (l.startsWith("EHLO")) sock.write(`250-mx ${PWN}\r\n250-X-${PWN}EVIL\r\n250 AUTH PLAIN\u009b2J\r\n`);
        else if (l.startsWith("MAIL")) sock.write(`550 5.7.1 denied ${PWN}\u202egnp.exe\r\n`);
        else if (l === "QUIT") sock.end("221 bye\r\n");
        else sock.write("250 ok\r\n");
      });
    });
    conn = ["--host", "127.0.0.1", "--port", String(s.port), "--tls", "none", "--timeout", "3"];
  });
  afterAll(() => s.close());

  const commands: [string, () => string[]][] = [
    ["probe", () => ["probe", ...conn, "--transcript"]],
    ["doctor --send", () => ["doctor", ...conn, "--from", "a@example.com", "--send", "--transcript"]],
    ["test-send", () => ["test-send", ...conn, "--from", "a@example.com", "--transcript"]],
    ["send", () => ["send", ...conn, "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y", "--transcript"]],
  ];
  for (const [name, args] of commands) {
    for (const colour of [{ NO_COLOR: "1" }, { FORCE_COLOR: "1" }]) {
      it(`${name} (${Object.keys(colour)[0]}): the server's escapes are shown, not obeyed`, async () => {
        const r = await runCli(args(), { env: colour });
        const all = r.stdout + r.stderr;
        expect(all).not.toMatch(RAW);
        expect(all).toContain("\\x1b]0;PWNED\\x07\\x1b[2J");
        if (colour.FORCE_COLOR) expect(all).toMatch(/\x1b\[3\dm/); // mailctl's own colours still pass
      });
    }
  }

  it("--json keeps the exact text, as JSON escapes (C1 and bidi controls too)", async () => {
    const r = await runCli(["send", ...conn, "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y", "--json", "--transcript"]);
    expect(r.stdout).not.toMatch(RAW);
    const doc = JSON.parse(r.stdout);
    expect(doc.failure.reply.text).toBe(`denied ${PWN}\u202egnp.exe`);
  });

  it("explain: escapes in the pasted text are shown, not obeyed", async () => {
    const r = await runCli(["explain", `535 5.7.8 Username and Password not accepted ${PWN}`]);
    expect(r.code).toBe(77);
    expect(r.stdout + r.stderr).not.toMatch(RAW);
    expect(r.stdout).toContain("\\x1b]0;PWNED");
  });
});

describe("an error that quotes a value with a line break stays on one line", () => {
  it("--var with a CR/LF in it", async () => {
    const r = await runCli(["send", "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--template", "t.txt", "--var", "a\r\nb", "--dry-run"]);
    expect(r.code).toBe(64);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain('--var "a\\r\\nb" is not name=value');
  });
});
