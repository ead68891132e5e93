// Endless and special local inputs against the built CLI: /dev/zero as stdin, as a file and behind a symlink,
// named pipes with and without a writer, oversized files. Each is a one-line error naming the input and the
// limit, with a documented exit code (65/66) — never a V8 abort, a segfault, exit 70 or a hang.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs mailctl in `cwd` with stdin from `stdinFile` (or empty). */
function run(args: string[], o: { cwd?: string; stdinFile?: string; stdin?: Buffer } = {}): Promise<Run> {
  const started = performance.now();
  const fd = o.stdinFile ? openSync(o.stdinFile, "r") : undefined;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: o.cwd ?? tmpdir(),
    env: { PATH: process.env.PATH ?? "", HOME: o.cwd ?? tmpdir(), NO_COLOR: "1" },
    stdio: [fd ?? "pipe", "pipe", "pipe"],
  });
  if (fd !== undefined) closeSync(fd);
  else child.stdin!.end(o.stdin ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c) => (stdout += c));
  child.stderr!.on("data", (c) => (stderr += c));
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started) });
    }),
  );
}

function dir(): string {
  return mkdtempSync(join(tmpdir(), "mailctl-inputs-"));
}

function fifo(d: string, name: string): string {
  const p = join(d, name);
  expect(spawnSync("mkfifo", [p]).status).toBe(0);
  return p;
}

/** One line on stderr, the expected exit code, no stack trace. */
function expectOneLine(r: Run, code: number, text: string | RegExp): void {
  expect(r.signal).toBeNull();
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(typeof text === "string" ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : text);
}

const SEND = ["send", "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--dry-run"];

describe("/dev/zero and other endless inputs", () => {
  it("a message body on stdin from /dev/zero: exit 65 naming stdin and the 25 MiB limit", async () => {
    expectOneLine(await run(SEND, { stdinFile: "/dev/zero" }), 65, "mailctl: stdin: larger than 25 MiB, the limit for a message body; nothing was sent");
  });

  it("explain < /dev/zero: exit 65 naming the 1 MiB limit", async () => {
    expectOneLine(await run(["explain"], { stdinFile: "/dev/zero" }), 65, "mailctl: stdin: larger than 1 MiB, the limit for an error text to explain");
  });

  it("a batch file that is a symlink to /dev/zero: exit 66, a device", async () => {
    const d = dir();
    symlinkSync("/dev/zero", join(d, "rows.csv"));
    writeFileSync(join(d, "t.txt"), "hi\n");
    const r = await run(["send", "--host", "127.0.0.1", "--port", "9", "--from", "a@example.com", "--batch", "rows.csv", "--template", "t.txt"], { cwd: d });
    expectOneLine(r, 66, "mailctl: --batch rows.csv: is a device, not a file");
  });

  for (const [flag, extra] of [
    ["--text-file", []],
    ["--html-file", []],
    ["--template", []],
    ["--vars", ["--template", "t.txt"]],
  ] as const) {
    it(`${flag} /dev/zero: exit 66, a device`, async () => {
      const d = dir();
      writeFileSync(join(d, "t.txt"), "hi {{a}}\n");
      expectOneLine(await run([...SEND, ...extra, flag, "/dev/zero"], { cwd: d }), 66, `mailctl: ${flag} /dev/zero: is a device, not a file`);
    });
  }

  for (const flag of ["--config", "--from-config", "--ca"]) {
    it(`${flag} /dev/zero: exit 66, a device`, async () => {
      const r = await run(["probe", "--host", "127.0.0.1", "--port", "9", "--timeout", "1", flag, "/dev/zero"]);
      expectOneLine(r, 66, /mailctl: (\.\.)?\/dev\/zero: is a device, not a file/);
    });
  }

  it("a body file over 25 MiB: exit 65 naming the file and the limit", async () => {
    const d = dir();
    writeFileSync(join(d, "big.txt"), Buffer.alloc(26 * 1024 * 1024, "a"));
    expectOneLine(await run([...SEND, "--text-file", "big.txt"], { cwd: d }), 65, "mailctl: --text-file big.txt: larger than 25 MiB, the limit for a message body");
  });

  it("a CSV batch whose quote never closes: exit 65 at the row's line, not a string of every byte after it", async () => {
    const d = dir();
    writeFileSync(join(d, "rows.csv"), Buffer.concat([Buffer.from('to,note\nb@example.com,"'), Buffer.alloc(3 * 1024 * 1024, "x")]));
    writeFileSync(join(d, "t.txt"), "{{note}}\n");
    const r = await run(["send", "--host", "127.0.0.1", "--port", "9", "--from", "a@example.com", "--batch", "rows.csv", "--template", "t.txt"], { cwd: d });
    expectOneLine(r, 65, /rows\.csv line 2: a row longer than 1 MiB \(a quoted field that is never closed\?\); nothing was sent$/);
  });
});

describe("named pipes", () => {
  it("a template, body or variables file that is a pipe nobody writes to: exit 66 after 10 s, saying so", async () => {
    const d = dir();
    writeFileSync(join(d, "t.txt"), "hi {{a}}\n");
    for (const name of ["tpl.fifo", "body.fifo", "vars.fifo", "config.fifo"]) fifo(d, name);
    const runs = await Promise.all([
      run([...SEND, "--template", "tpl.fifo"], { cwd: d }),
      run([...SEND, "--text-file", "body.fifo"], { cwd: d }),
      run([...SEND, "--template", "t.txt", "--vars", "vars.fifo"], { cwd: d }),
      run(["config", "show", "--config", "config.fifo"], { cwd: d }),
    ]);
    for (const [r, label] of runs.map((r, i) => [r, ["--template tpl.fifo", "--text-file body.fifo", "--vars vars.fifo", "config.fifo"][i]] as const)) {
      expectOneLine(r, 66, `${label}: a pipe with nothing written to it for 10 s (is anything writing to it?)`);
      expect(r.ms).toBeLessThan(15_000);
    }
  }, 40_000);

  it("a pipe with a writer is read (as a shell's <(…) would give it)", async () => {
    const d = dir();
    const p = fifo(d, "tpl.fifo");
    const done = run([...SEND, "--template", "tpl.fifo", "--var", "name=Ana"], { cwd: d });
    setTimeout(() => writeFileSync(p, "Hello {{name}} from a pipe\n"), 300);
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Hello Ana from a pipe");
  });

  it("a batch file, a journal or a searched config that is a pipe: refused at once (66), never waited on", async () => {
    const d = dir();
    writeFileSync(join(d, "t.txt"), "hi\n");
    fifo(d, "rows.csv");
    fifo(d, "j.journal");
    const batch = await run(["send", "--host", "127.0.0.1", "--port", "9", "--from", "a@example.com", "--batch", "rows.csv", "--template", "t.txt"], { cwd: d });
    expectOneLine(batch, 66, "mailctl: --batch rows.csv: is a pipe; a batch file is read once per pass and must be a regular file");
    const resume = await run(["send", "--resume", "j.journal"], { cwd: d });
    expectOneLine(resume, 66, "is a pipe, not a journal file");
    const d2 = dir();
    fifo(d2, ".mailctlrc.yaml");
    const searched = await run(["config", "path"], { cwd: d2 });
    expectOneLine(searched, 66, ".mailctlrc.yaml: is a pipe, not a config file");
    fifo(d2, "config.yaml");
    const init = await run(["init", "--host", "127.0.0.1", "--port", "25", "--tls", "none", "--from", "a@example.com", "--no-auth", "--no-check", "--config", "config.yaml", "--yes"], { cwd: d2 });
    expectOneLine(init, 78, "config.yaml: is a pipe, not a config file; not changed");
    for (const r of [batch, resume, searched, init]) expect(r.ms).toBeLessThan(5000);
  });
});

describe("explain on binary input", () => {
  it("random bytes are not recognised (65), whatever words they happen to contain", async () => {
    const bytes = Buffer.concat([randomBytes(2000), Buffer.from(" Rbl spamhaus 535 "), randomBytes(2000)]);
    const r = await run(["explain", "--json"], { stdin: bytes });
    expect(r.code).toBe(65);
    expect(JSON.parse(r.stdout)).toMatchObject({ recognised: false, binary: true, diagnoses: [] });
    const human = await run(["explain"], { stdin: bytes });
    expect(human.stdout).toContain("not recognised: the input is binary data, not text");
  });
});
