// send --batch killed with SIGKILL at many points and resumed, and stopped with Ctrl-C: what the lab captured,
// row by row, shows that the default never sends a message twice and --at-least-once never loses one.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { Lab } from "../../src/lab/server.js";
import { replay } from "../../src/send/batch/journal.js";
import { PIPELINE_DEPTH } from "../../src/send/batch/outbox.js";
import type { BatchReport } from "../../src/send/batch/report.js";
import { batchDir, captured, keyedCsv, perRow, put, TEMPLATE } from "../helpers/batch.js";
import { BIN } from "../helpers/cli.js";
import { closeTestLabs, testLab } from "../helpers/lab.js";

afterAll(closeTestLabs);

const ROWS = 200;
const CONCURRENCY = 3;
/** What may be marked "sending" and unsettled at once: the most one crash may leave in doubt. */
const IN_FLIGHT = CONCURRENCY * PIPELINE_DEPTH;

/** A deterministic random sequence (the kill points differ from run to run of one scenario, not between test runs). */
function random(seed: number): (n: number) => number {
  return (n) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs mailctl; `kill(child)` may end it early. */
function run(args: string[], kill?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
    kill?.(child);
  });
}

/** Rows whose last record is "sending", with their attempt numbers. */
async function sending(journal: string, keys: string[]): Promise<Map<string, number>> {
  if (!existsSync(journal)) return new Map();
  const { index } = await replay(journal);
  return new Map(keys.filter((k) => index.get(k).state === "sending").map((k) => [k, index.get(k).attempts]));
}

/** Kills the batch at 10 different points (by captured messages, and by time), then lets it finish. */
async function crashAndResume(lab: Lab, extra: string[], seed: number) {
  const dir = batchDir();
  const rows = put(dir, "rows.csv", keyedCsv(ROWS));
  const journal = `${rows}.journal`;
  const keys = Array.from({ length: ROWS }, (_, i) => `k${i + 1}`);
  const args = ["send", "--batch", rows, "--template", put(dir, "t.txt", TEMPLATE), "--host", "127.0.0.1", "--port", String(lab.endpoints.plain.port), "--tls", "none", "--from", "app@mailctl.test", "--concurrency", String(CONCURRENCY), "--rate", "50/s", "--json", ...extra];
  const rnd = random(seed);
  const kills: string[] = [];
  for (let tries = 0; kills.length < 10 && tries < 25; tries++) {
    const before = await sending(journal, keys);
    const byCaptures = tries % 2 === 0;
    const captures = (await lab.captures()).length;
    const target = captures + 1 + rnd(6);
    const delay = 200 + rnd(500);
    const r = await run(args, (child) => {
      if (byCaptures) {
        const onMessage = () => {
          if (lab.listenerCount("message") && ++seen >= target - captures) {
            lab.off("message", onMessage);
            child.kill("SIGKILL"); // before the lab's 250 leaves: the message is captured, the client never hears so
          }
        };
        let seen = 0;
        lab.on("message", onMessage);
        child.on("close", () => lab.off("message", onMessage));
      } else setTimeout(() => child.kill("SIGKILL"), delay);
    });
    if (r.signal !== "SIGKILL") continue; // it finished before the kill point: not a crash
    kills.push(byCaptures ? `after ${target - captures} message(s)` : `after ${delay} ms`);
    // A crash leaves in doubt only rows it had marked "sending": at most the messages in flight.
    const after = await sending(journal, keys);
    const newDoubts = [...after].filter(([k, a]) => (before.get(k) ?? 0) < a);
    expect(newDoubts.length, `kill ${kills.at(-1)}`).toBeLessThanOrEqual(IN_FLIGHT);
  }
  expect(kills.length).toBe(10);
  const last = await run(args);
  expect(last.signal).toBeNull();
  return { report: JSON.parse(last.stdout) as BatchReport, code: last.code, keys, kills };
}

describe("send --batch survives SIGKILL", () => {
  it("by default no row is delivered twice, and every row is delivered or reported in doubt", async () => {
    const lab = await testLab();
    const { report, code, keys } = await crashAndResume(lab, [], 11);
    const byRow = perRow(await captured(lab));
    for (const k of keys) expect(byRow.get(k)?.length ?? 0, `row ${k}`).toBeLessThanOrEqual(1);
    const doubts = new Set(report.doubtRows.map((d) => d.key));
    for (const k of keys) if (!byRow.has(k)) expect(doubts.has(k), `row ${k} neither delivered nor in doubt`).toBe(true);
    expect(report.sent + report.inDoubt).toBe(ROWS);
    expect(code).toBe(report.inDoubt ? 74 : 0);
    // The kills at a capture stopped the client between the server's copy and its 250: such rows were delivered
    // and are in doubt, and were not sent again.
    expect([...doubts].filter((k) => byRow.get(k)?.length === 1).length).toBeGreaterThan(0);
  }, 60_000);

  it("with --at-least-once every row is delivered, and a row delivered twice carries the same Message-ID both times", async () => {
    const lab = await testLab();
    const { report, code, keys } = await crashAndResume(lab, ["--at-least-once"], 23);
    expect(code).toBe(0);
    expect(report).toMatchObject({ sent: ROWS, inDoubt: 0 });
    const byRow = perRow(await captured(lab));
    for (const k of keys) {
      const caps = byRow.get(k) ?? [];
      expect(caps.length, `row ${k}`).toBeGreaterThanOrEqual(1);
      expect(new Set(caps.map((c) => c.messageId)), `row ${k}`).toEqual(new Set([`<${report.batchId}.${k}@mailctl.test>`]));
    }
    // Rows caught between the server's copy and its 250 were sent again: that is what at least once costs.
    expect(keys.filter((k) => (byRow.get(k)?.length ?? 0) > 1).length).toBeGreaterThan(0);
  }, 60_000);
});

describe("send --batch and Ctrl-C", () => {
  it("stops taking rows, finishes those in flight, leaves none in doubt, exits 130 with the resume command; resuming sends each row once", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const rows = put(dir, "rows.csv", keyedCsv(30));
    const args = ["send", "--batch", rows, "--template", put(dir, "t.txt", TEMPLATE), "--host", "127.0.0.1", "--port", String(lab.endpoints.plain.port), "--tls", "none", "--from", "app@mailctl.test", "--rate", "40/s"];
    const r = await run(args, (child) => {
      let n = 0;
      const onMessage = () => {
        if (++n === 4) {
          lab.off("message", onMessage);
          child.kill("SIGINT");
        }
      };
      lab.on("message", onMessage);
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`Resume with: mailctl send --resume ${rows}.journal`);
    const keys = Array.from({ length: 30 }, (_, i) => `k${i + 1}`);
    expect((await sending(`${rows}.journal`, keys)).size).toBe(0);
    const sentBefore = (await captured(lab)).length;
    expect(sentBefore).toBeLessThan(30);
    const resumed = await run(["send", "--resume", `${rows}.journal`, "--json"]);
    expect(resumed.code).toBe(0);
    const byRow = perRow(await captured(lab));
    expect(keys.every((k) => byRow.get(k)?.length === 1)).toBe(true);
  }, 30_000);

  it("a second Ctrl-C ends the process at once; the journal still tells what is in doubt", async () => {
    const lab = await testLab();
    const dir = batchDir();
    const rows = put(dir, "rows.csv", keyedCsv(30));
    const r = await run(["send", "--batch", rows, "--template", put(dir, "t.txt", TEMPLATE), "--host", "127.0.0.1", "--port", String(lab.endpoints.plain.port), "--tls", "none", "--from", "app@mailctl.test", "--rate", "40/s"], (child) => {
      lab.once("message", () => {
        child.kill("SIGINT");
        setTimeout(() => child.kill("SIGINT"), 20);
      });
    });
    expect(r.signal === "SIGINT" || r.code === 130).toBe(true);
    const resumed = await run(["send", "--resume", `${rows}.journal`, "--json"]);
    const report = JSON.parse(resumed.stdout) as BatchReport;
    const byRow = perRow(await captured(lab));
    expect([...byRow.values()].every((c) => c.length === 1)).toBe(true);
    expect(report.sent + report.inDoubt).toBe(30);
  }, 30_000);
});
