// `mailctl init` driven through a real pseudo-terminal (python3's pty module), against SMTP servers started here.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BIN } from "../helpers/run-cli.js";
import { CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, startOAuthWorld, USER } from "../helpers/oauth-world.js";
import { startSmtpServer, type SmtpTestServer } from "../helpers/tls-servers.js";
import { closeTestLabs, testLab } from "../helpers/lab.js";
import type { Lab } from "../../src/lab/server.js";

const DRIVER = fileURLToPath(new URL("../helpers/pty-drive.py", import.meta.url));
const SECRET = "Wizard-S3cret-pw";
const UP = "\x1b[A";
const DOWN = "\x1b[B";
const ENTER = "\r";

interface Step { expect: string; send?: string[] }
interface Driven { exit: number; output: string; failedStep: number | null }

/** Runs `mailctl <args>` on a pseudo-terminal, answering each prompt as it appears. */
function drive(args: string[], steps: Step[], cwd: string, env: NodeJS.ProcessEnv): Promise<Driven> {
  const spec = { argv: [process.execPath, BIN, ...args], cwd, env: { PATH: process.env.PATH, TERM: "xterm", NO_COLOR: "1", ...env }, steps, timeout: 20 };
  return new Promise((resolve, reject) => {
    execFile("python3", [DRIVER, JSON.stringify(spec)], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`pty driver failed: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as Driven);
    });
  });
}

function workspace(existing: string, mode = 0o644): { dir: string; file: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mailctl-wizard-"));
  const file = path.join(dir, "mailctl.config.yaml");
  writeFileSync(file, existing);
  chmodSync(file, mode);
  return { dir, file, env: { HOME: dir, XDG_CONFIG_HOME: path.join(dir, "xdg") } };
}

const EXISTING = "# team profiles — keep this comment\ndefaultProfile: work\nprofiles:\n  work:\n    host: work.example # the office relay\n    port: 587\n";

describe("mailctl init on a terminal", () => {
  let server: SmtpTestServer;
  let lab: Lab;
  let ca: string;
  beforeAll(async () => {
    server = await startSmtpServer({ mode: "starttls", auth: { user: "me@example.com", pass: SECRET } });
    lab = await testLab({ password: SECRET }); // the real lab: its 587-style port wants STARTTLS before AUTH
    ca = path.join(mkdtempSync(path.join(os.tmpdir(), "mailctl-wizard-ca-")), "ca.pem");
    writeFileSync(ca, server.ca!);
  });
  afterAll(async () => {
    await server.close();
    await closeTestLabs();
  });

  const customSteps = (password: string): Step[] => [
    { expect: "Which provider sends your mail\\?", send: [UP, ENTER] }, // the last choice: Other server
    { expect: "SMTP server host name:", send: ["localhost", ENTER] },
    { expect: "Port and encryption:", send: [DOWN, DOWN, DOWN, ENTER] }, // another port
    { expect: "Port:", send: [String(server.port), ENTER] },
    { expect: "Encryption on that port:", send: [DOWN, ENTER] }, // STARTTLS
    { expect: "Your email address \\(the sender\\):", send: ["me@example.com", ENTER] },
    { expect: "Login user name:", send: [ENTER] },
    { expect: "Password \\(hidden\\):", send: [password, ENTER] },
  ];

  it("custom server, password in the file: checks live, writes 0600 beside the other profiles, keeps comments", async () => {
    const w = workspace(EXISTING);
    const r = await drive(["init", "--config", w.file, "--ca", ca], [
      ...customSteps(SECRET),
      { expect: "Where should mailctl find it later\\?", send: [DOWN, DOWN, ENTER] }, // the config file
      { expect: "Display name for From \\(optional\\):", send: ["Me Myself", ENTER] },
      { expect: "Profile name", send: [ENTER] }, // default: "default"
      { expect: "Saved profile" },
    ], w.dir, w.env);
    expect(r.failedStep, r.output.slice(-3000)).toBeNull();
    expect(r.exit).toBe(0);
    expect(r.output).toMatch(/✓ localhost:\d+ answered over TLSv1\.3 and accepted the login of me@example\.com/);
    expect(r.output).not.toContain(SECRET);
    expect(r.output).toContain("*".repeat(SECRET.length));
    expect(statSync(w.file).mode & 0o777).toBe(0o600);
    const text = readFileSync(w.file, "utf8");
    expect(text.startsWith("# team profiles — keep this comment\ndefaultProfile: work\n")).toBe(true);
    expect(text).toContain("host: work.example # the office relay");
    expect(parse(text).profiles.default).toEqual({
      host: "localhost", port: server.port, tls: "starttls", user: "me@example.com", password: SECRET, from: "me@example.com", fromName: "Me Myself", ca,
    });
  });

  it("preset, password in an environment variable: explains the credential, asks before replacing a profile", async () => {
    const w = workspace(EXISTING + "  lab:\n    host: old-lab.example\n");
    const labIndex = 8; // presets sorted by name: 126 163 aliyun-directmail aliyun-enterprise exmail fastmail gmail icloud lab
    const r = await drive(["init", "--config", w.file, "--ca", lab.caPath, "--port", String(lab.endpoints.starttls.port), "--tls", "starttls"], [
      { expect: "Which provider sends your mail\\?", send: [...Array(labIndex).fill(DOWN), ENTER] },
      { expect: "Your email address \\(the sender\\):", send: ["someone@mailctl.test", ENTER] },
      { expect: "The user name is always lab@mailctl\\.test" },
      { expect: "mailctl lab \\(local test server\\) needs an account password for SMTP:" },
      { expect: "Start the lab with `mailctl lab`" },
      { expect: "Account password \\(hidden\\):", send: [SECRET, ENTER] },
      { expect: "Where should mailctl find it later\\?", send: [ENTER] }, // environment variable
      { expect: "Variable name:", send: ["LAB_PW", ENTER] }, // typing replaces the default
      { expect: "Display name for From \\(optional\\):", send: [ENTER] },
      { expect: "Profile name", send: [ENTER] }, // default: "lab", which exists
      { expect: 'A profile "lab" already exists there\\. Replace it\\?', send: ["y", ENTER] },
      { expect: 'Replaced profile "lab"' },
    ], w.dir, w.env);
    expect(r.failedStep, r.output.slice(-3000)).toBeNull();
    expect(r.exit).toBe(0);
    expect(r.output).toMatch(/mailctl reads the password from LAB_PW/);
    expect(statSync(w.file).mode & 0o777).toBe(0o644);
    const text = readFileSync(w.file, "utf8");
    expect(text).not.toContain(SECRET);
    const doc = parse(text);
    expect(doc.profiles.lab).toEqual({ preset: "lab", port: lab.endpoints.starttls.port, tls: "starttls", user: "lab@mailctl.test", passwordEnv: "LAB_PW", from: "someone@mailctl.test", ca: lab.caPath });
    expect(doc.profiles.work).toEqual({ host: "work.example", port: 587 });
  });

  it("a failed check asks whether to save anyway; no leaves the file untouched (exit 77)", async () => {
    const w = workspace(EXISTING);
    const r = await drive(["init", "--config", w.file, "--ca", ca], [
      ...customSteps("not-the-password"),
      { expect: "Where should mailctl find it later\\?", send: [DOWN, DOWN, ENTER] },
      { expect: "Display name for From \\(optional\\):", send: [ENTER] },
      { expect: "Profile name", send: [ENTER] },
      { expect: "✗ localhost:\\d+: The server rejected the user name or password \\[auth-failed\\]: AUTH PLAIN: 535" },
      { expect: "Save the profile anyway\\?", send: ["n", ENTER] },
      { expect: "not saved" },
    ], w.dir, w.env);
    expect(r.failedStep, r.output.slice(-3000)).toBeNull();
    expect(r.exit).toBe(77);
    expect(readFileSync(w.file, "utf8")).toBe(EXISTING);
  });

  it("Ctrl-C at a prompt exits 130 and leaves the file exactly as it was", async () => {
    const w = workspace(EXISTING, 0o640);
    const before = statSync(w.file);
    const r = await drive(["init", "--config", w.file, "--ca", ca], [
      ...customSteps("half").slice(0, -1),
      { expect: "Password \\(hidden\\):", send: ["half-typ", "\x03"] },
    ], w.dir, w.env);
    expect(r.failedStep, r.output.slice(-3000)).toBeNull();
    expect(r.exit).toBe(130);
    expect(r.output).toMatch(/interrupted; nothing was written/);
    expect(readFileSync(w.file, "utf8")).toBe(EXISTING);
    const after = statSync(w.file);
    expect([after.mode, after.mtimeMs, after.ino]).toEqual([before.mode, before.mtimeMs, before.ino]);
  });

  it("OAuth2 for Gmail: explains what to register, takes the refresh setup hidden, checks it live, stores it 0600", async () => {
    const world = await startOAuthWorld();
    try {
      const w = workspace(EXISTING);
      const r = await drive(["init", "--config", w.file, "--preset", "gmail", "--host", "127.0.0.1", "--port", String(world.smtp.port), "--tls", "none", "--token-url", world.endpoint.url], [
        { expect: "Your email address \\(the sender\\):", send: [USER, ENTER] },
        { expect: "Login user name", send: [ENTER] },
        { expect: "How should mailctl sign in\\?", send: [DOWN, ENTER] }, // OAuth2
        { expect: "OAuth2 at Gmail: register an app once" },
        { expect: "add the scope https://mail\\.google\\.com/" },
        { expect: "Client ID of the app registration:", send: [CLIENT_ID, ENTER] },
        { expect: "Client secret \\(hidden; leave empty if the app has none\\):", send: [CLIENT_SECRET, ENTER] },
        { expect: "Refresh token \\(hidden\\):", send: [REFRESH_TOKEN, ENTER] },
        { expect: "Where should mailctl find the refresh token and the client secret later\\?", send: [DOWN, DOWN, ENTER] }, // the config file
        { expect: "Keep access tokens between runs in a token file", send: [ENTER] },
        { expect: "Display name for From \\(optional\\):", send: [ENTER] },
        { expect: "Profile name", send: [ENTER] },
        { expect: "Saved profile" },
      ], w.dir, w.env);
      expect(r.failedStep, r.output.slice(-3000)).toBeNull();
      expect(r.exit).toBe(0);
      expect(r.output).toMatch(/✓ 127\.0\.0\.1:\d+ answered over no TLS and accepted the login of alice@mailctl\.test/);
      for (const secret of [REFRESH_TOKEN, CLIENT_SECRET, ...world.endpoint.issued]) expect(r.output).not.toContain(secret);
      expect(statSync(w.file).mode & 0o777).toBe(0o600);
      expect(parse(readFileSync(w.file, "utf8")).profiles.gmail).toEqual({
        tokenUrl: world.endpoint.url, preset: "gmail", host: "127.0.0.1", port: world.smtp.port, tls: "none", from: USER, user: USER,
        clientId: CLIENT_ID, tokenFile: "tokens/gmail.json", refreshToken: REFRESH_TOKEN, clientSecret: CLIENT_SECRET,
      });
    } finally {
      await world.close();
    }
  });
});
