// A server that stops reading after 354, against the built CLI: send --attach and send --batch --attach end
// within their bounds, and an orderly stop of a batch (SIGTERM) cannot be held up by a message that never finishes.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { batchDir, put } from "../helpers/batch.js";
import { BIN } from "../helpers/cli.js";
import { startHostile } from "../helpers/hostile-smtp.js";
import type { StartedServer } from "../helpers/tls-servers.js";

const servers: StartedServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
const TIMEOUT_S = 3;

/** A server that answers up to DATA, then reads nothing: `stalled` resolves once the client is writing into a full window. */
async function stopsReading(): Promise<StartedServer & { stalled: Promise<void> }> {
  let stalled!: () => void;
  const p = new Promise<void>((r) => (stalled = r));
  const s = await startHostile("DATA", (sock) => {
    sock.write("354 go ahead\r\n");
    sock.pause();
    setTimeout(stalled, 500);
  });
  servers.push(s);
  return Object.assign(s, { stalled: p });
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function start(args: string[]): { child: ReturnType<typeof spawn>; done: Promise<Run> } {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c) => (stdout += c));
  child.stderr!.on("data", (c) => (stderr += c));
  const guard = setTimeout(() => child.kill("SIGKILL"), 40_000);
  const done = new Promise<Run>((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, ms: Math.round(performance.now() - started) });
    }),
  );
  return { child, done };
}

/** 20 MiB of random bytes: about 27 MB of base64 on the wire, more than the loopback socket buffers hold. */
function bigFile(dir: string): string {
  const file = join(dir, "big.bin");
  writeFileSync(file, randomBytes(20 * 1024 * 1024));
  return file;
}

const conn = (port: number) => ["--host", "127.0.0.1", "--port", String(port), "--tls", "none", "--timeout", String(TIMEOUT_S)];

describe("a server that stops reading after 354", () => {
  it("send --attach fails the data stage after --timeout without progress (exit 75), well within the 60 s bound", async () => {
    const s = await stopsReading();
    const dir = batchDir();
    const { done } = start(["send", ...conn(s.port), "--from", "a@example.com", "--to", "b@example.com", "-s", "x", "--text", "y", "--attach", bigFile(dir), "--json"]);
    const r = await done;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(75);
    expect(r.ms).toBeLessThan(TIMEOUT_S * 1000 + 5000);
    expect(JSON.parse(r.stdout).failure).toMatchObject({ stage: "data", kind: "reply-timeout" });
  });

  it("send --batch --attach: the first SIGTERM stops it within --timeout (exit 130); the unfinished row is not in doubt", async () => {
    const s = await stopsReading();
    const dir = batchDir();
    const csv = put(dir, "rows.csv", "key,to\nk1,b@example.com\n");
    const tpl = put(dir, "t.txt", "---\nsubject: x\n---\nhello\n");
    const { child, done } = start(["send", ...conn(s.port), "--from", "a@example.com", "--batch", csv, "--template", tpl, "--attach", bigFile(dir), "--json"]);
    await s.stalled;
    const signalled = performance.now();
    child.kill("SIGTERM");
    const r = await done;
    expect(r.code).toBe(130);
    expect(performance.now() - signalled).toBeLessThan(TIMEOUT_S * 1000 + 3000);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ inDoubt: 0, sent: 0, stopped: { reason: "interrupted" } });
    expect(doc.pending + doc.waiting).toBe(1);
  });

  it("send --batch: an orderly stop waits for a reply after the final dot for at most --timeout, and the row is then in doubt", async () => {
    let dotSeen!: () => void;
    const dot = new Promise<void>((r) => (dotSeen = r));
    const s = await startHostile("data-end", () => dotSeen()); // the message arrives whole; no reply ever comes
    servers.push(s);
    const dir = batchDir();
    const csv = put(dir, "rows.csv", "key,to\nk1,b@example.com\n");
    const tpl = put(dir, "t.txt", "---\nsubject: x\n---\nhello\n");
    const { child, done } = start(["send", ...conn(s.port), "--from", "a@example.com", "--batch", csv, "--template", tpl, "--json"]);
    await dot;
    const signalled = performance.now();
    child.kill("SIGTERM");
    const r = await done;
    expect(r.code).toBe(130);
    // The end of DATA alone may take 60 s (README: 4× --timeout, at least 60); the stop does not wait for it.
    expect(performance.now() - signalled).toBeLessThan(TIMEOUT_S * 1000 + 3000);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ inDoubt: 1, sent: 0, stopped: { reason: "interrupted" }, doubtRows: [{ key: "k1" }] });
  });

  it("send --batch --attach: a second SIGTERM ends it at once", async () => {
    const s = await stopsReading();
    const dir = batchDir();
    const csv = put(dir, "rows.csv", "key,to\nk1,b@example.com\n");
    const tpl = put(dir, "t.txt", "---\nsubject: x\n---\nhello\n");
    const { child, done } = start(["send", ...conn(s.port), "--from", "a@example.com", "--batch", csv, "--template", tpl, "--attach", bigFile(dir), "--timeout", "30"]);
    await s.stalled;
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    const second = performance.now();
    child.kill("SIGTERM");
    const r = await done;
    expect(r.signal === "SIGTERM" || r.code === 143).toBe(true);
    expect(performance.now() - second).toBeLessThan(2000);
  });
});
