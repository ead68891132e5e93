// `mailctl lab` as a user runs it: the built CLI in a child process (npm test builds it first).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { readdirSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabReady } from "../../src/commands/lab/result.js";
import { closeTestLabs, testLab } from "../helpers/lab.js";
import { RawSmtp } from "../helpers/raw-smtp.js";

const BIN = join(import.meta.dirname, "../../bin/mailctl.js");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), "mailctl-lab-cli-"));
});
afterAll(async () => {
  await closeTestLabs();
  await rm(dir, { recursive: true, force: true });
});

/** The CLI, with MAILCTL_LAB_PASSWORD unset unless given, and its output collected. */
function mailctl(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string; exit: Promise<number | null> } {
  const base = { ...process.env };
  delete base.MAILCTL_LAB_PASSWORD;
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, NO_COLOR: "1", ...env } });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

/** Waits until `probe` returns something, or the process ends. */
async function until<T>(probe: () => T | undefined, exit: Promise<unknown>): Promise<T> {
  let ended = false;
  void exit.then(() => (ended = true));
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (ended) throw new Error("the lab exited before the expected output");
    await new Promise((r) => setTimeout(r, 25));
  }
}

function parseDocument(text: string): LabReady | undefined {
  try {
    return text.trim() ? (JSON.parse(text) as LabReady) : undefined;
  } catch {
    return undefined; // not complete yet
  }
}

describe("mailctl lab", () => {
  it("prints one JSON document, captures mail, logs it, and stops cleanly on SIGTERM with exit 0", async () => {
    const run = mailctl(["lab", "--dir", dir, "--port-base", "0", "--json"]);
    const doc = await until(() => parseDocument(run.out()), run.exit);
    expect(doc).toMatchObject({ persona: "default", listen: "127.0.0.1", network: false, caPath: join(dir, "ca.pem"), captureDir: join(dir, "captures") });
    expect(doc.account).toEqual({ user: "lab@mailctl.test", passwordEnv: "MAILCTL_LAB_PASSWORD", generated: true });
    expect(doc.endpoints.map((e) => [e.name, e.tls])).toEqual([["implicit", "implicit"], ["starttls", "starttls"], ["plain", "none"]]);
    const password = await until(() => /export MAILCTL_LAB_PASSWORD=(\S+)/.exec(run.err())?.[1], run.exit);

    const submission = doc.endpoints.find((e) => e.name === "starttls")!;
    const t = nodemailer.createTransport({
      host: "127.0.0.1",
      port: submission.port,
      requireTLS: true,
      tls: { ca: await readFile(doc.caPath, "utf8"), servername: "localhost" },
      auth: { user: "lab@mailctl.test", pass: password },
    });
    await t.sendMail({ from: "lab@mailctl.test", to: "friend@example.com", subject: "from the cli test", text: "hello" });
    t.close();
    await until(() => (/✓ STARTTLS as lab@mailctl\.test: <lab@mailctl\.test> → <friend@example\.com>/.test(run.err()) ? true : undefined), run.exit);

    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    expect(parseDocument(run.out())).toEqual(doc); // still exactly one document
    expect(run.out()).not.toContain(password);
    expect(run.err().split(password).length - 1).toBe(1); // shown once, at start
    const files = await readdir(join(dir, "captures"));
    expect(files.filter((f) => f.startsWith(".tmp-"))).toEqual([]);
    const emls = files.filter((f) => f.endsWith(".eml"));
    expect(emls).toHaveLength(1);
    for (const f of [...emls, "index.jsonl"]) expect(await readFile(join(dir, "captures", f), "utf8")).not.toContain(password);
  });

  it("stops on SIGTERM in the middle of a message, leaving no half-written capture behind", async () => {
    const captures = join(dir, "captures");
    const emlsBefore = (await readdir(captures)).filter((f) => f.endsWith(".eml")).length;
    const run = mailctl(["lab", "--dir", dir, "--port-base", "0", "--json"], { MAILCTL_LAB_PASSWORD: "mid-data-password" });
    const doc = await until(() => parseDocument(run.out()), run.exit);
    const c = await RawSmtp.connect(doc.endpoints.find((e) => e.name === "plain")!.port);
    await c.read();
    await c.cmd("EHLO client.test");
    await c.cmd("MAIL FROM:<someone@example.org>");
    await c.cmd("RCPT TO:<anyone@mailctl.test>");
    expect(await c.cmd("DATA")).toMatch(/^354 /);
    c.write("Subject: never finished\r\n\r\n" + "partial line\r\n".repeat(1000));
    await until(() => (readdirSync(captures).some((f) => f.startsWith(".tmp-")) ? true : undefined), run.exit);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    c.close();
    const files = await readdir(captures);
    expect(files.filter((f) => f.startsWith(".tmp-"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".eml"))).toHaveLength(emlsBefore);
  });

  it("reuses the CA of an earlier start", async () => {
    const before = await readFile(join(dir, "ca.pem"), "utf8");
    const run = mailctl(["lab", "--dir", dir, "--port-base", "0", "--json"], { MAILCTL_LAB_PASSWORD: "from-the-environment" });
    const doc = await until(() => parseDocument(run.out()), run.exit);
    expect(doc.account.generated).toBe(false);
    expect(await readFile(doc.caPath, "utf8")).toBe(before);
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
    expect(run.err()).not.toContain("from-the-environment");
  });

  it("is what mailctl probe sees on each port: the TLS mode, a verified certificate, the lab's greeting", async () => {
    const lab = await testLab();
    const ca = join(dir, "probe-ca.pem");
    await writeFile(ca, lab.caPem);
    for (const kind of ["implicit", "starttls", "plain"] as const) {
      const ep = lab.endpoints[kind];
      const run = mailctl(["probe", "127.0.0.1", "--port", String(ep.port), "--ca", ca, "--json"]);
      expect(await run.exit).toBe(0);
      const report = JSON.parse(run.out()) as { tls: string; ok: boolean; greeting: string; certificate: { verified: boolean } | null; capabilities: { auth: string[] } };
      // The 25-style port offers STARTTLS (optionally), so probe names it a STARTTLS port.
      expect(report).toMatchObject({ tls: kind === "implicit" ? "implicit" : "starttls", ok: true, greeting: "lab.mailctl.test ESMTP mailctl lab" });
      expect(report.certificate?.verified).toBe(true);
      // AUTH is offered once the connection is encrypted.
      expect(report.capabilities.auth).toEqual(["PLAIN", "LOGIN"]);
    }
  });

  it("names the port in use and exits 69", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    // The plaintext port is base+25; a base that puts it on the blocked port.
    const run = mailctl(["lab", "--dir", dir, "--port-base", String(port - 25)], { MAILCTL_LAB_PASSWORD: "x-password" });
    const code = await run.exit;
    blocker.close();
    expect(code).toBe(69);
    expect(run.err()).toContain(`mailctl: port ${port} is already in use (127.0.0.1:${port})`);
    expect(run.err()).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.out()).toBe("");
  });

  it("names a lab directory it cannot use and exits 74", async () => {
    const file = join(dir, "a-file");
    await writeFile(file, "not a directory");
    const run = mailctl(["lab", "--dir", join(file, "lab"), "--port-base", "0"]);
    expect(await run.exit).toBe(74);
    expect(run.err()).toContain(`mailctl: lab directory ${join(file, "lab")}:`);
  });

  it("refuses a persona knob given to another persona (64) and an unset --password-env (78)", async () => {
    const knob = mailctl(["lab", "--dir", dir, "--persona", "gmail", "--greylist-seconds", "5"]);
    expect(await knob.exit).toBe(64);
    expect(knob.err()).toContain("--greylist-seconds applies to --persona greylist, not gmail");
    const unset = mailctl(["lab", "--dir", dir, "--password-env", "NO_SUCH_LAB_VAR"]);
    expect(await unset.exit).toBe(78);
    expect(unset.err()).toContain("NO_SUCH_LAB_VAR is empty or unset");
  });
});
