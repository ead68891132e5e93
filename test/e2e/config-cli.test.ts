// The config, presets and non-interactive init commands, run as the built CLI.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import { startSmtpServer, type SmtpTestServer } from "../helpers/tls-servers.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/importers/", import.meta.url));
const SECRET = "Sup3r-S3cret-Value!";

function home(): { dir: string; env: NodeJS.ProcessEnv; userFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mailctl-e2e-"));
  mkdirSync(path.join(dir, "project"));
  return { dir, env: { HOME: dir, XDG_CONFIG_HOME: path.join(dir, "xdg") }, userFile: path.join(dir, "xdg", "mailctl", "config.yaml") };
}

/** Every form a secret could leak in: itself, base64, URL-encoded. */
function leaks(text: string, secret: string): boolean {
  return [secret, Buffer.from(secret).toString("base64"), encodeURIComponent(secret)].some((f) => text.includes(f));
}

describe("mailctl config show", () => {
  it("shows each setting's origin and masks the password, in text and in JSON", async () => {
    const h = home();
    const cwd = path.join(h.dir, "project");
    writeFileSync(path.join(cwd, "mailctl.config.yaml"), `defaultProfile: work\nprofiles:\n  work:\n    preset: gmail\n    user: me@gmail.com\n    password: "${SECRET}"\n`, { mode: 0o600 });
    const text = await runCli(["config", "show", "--port", "587"], { cwd, env: { ...h.env, MAILCTL_TIMEOUT: "20" } });
    expect(text.code).toBe(0);
    expect(leaks(text.stdout + text.stderr, SECRET)).toBe(false);
    expect(text.stdout).toMatch(/^profile work · preset gmail$/m);
    expect(text.stdout).toMatch(/^ {2}host +smtp\.gmail\.com +preset gmail$/m);
    expect(text.stdout).toMatch(/^ {2}port +587 +flag --port$/m);
    expect(text.stdout).toMatch(/^ {2}tls +starttls +preset gmail$/m);
    expect(text.stdout).toMatch(/^ {2}user +me@gmail\.com +mailctl\.config\.yaml: profiles\.work\.user$/m);
    expect(text.stdout).toMatch(/^ {2}timeoutSeconds +20 +environment MAILCTL_TIMEOUT$/m);
    expect(text.stdout).toMatch(/^ {2}password +\*{8} \(set\) +mailctl\.config\.yaml: profiles\.work\.password$/m);

    const json = await runCli(["config", "show", "--json"], { cwd, env: h.env });
    expect(leaks(json.stdout + json.stderr, SECRET)).toBe(false);
    const doc = JSON.parse(json.stdout);
    expect(doc.password).toEqual({ set: true, source: "mailctl.config.yaml", origin: { source: "file", where: "mailctl.config.yaml", key: "profiles.work.password" } });
    expect(doc.settings.find((s: { field: string }) => s.field === "port")).toEqual({ field: "port", value: 465, origin: { source: "preset", where: "gmail" } });
  });

  it("never prints a password taken from the environment, and says whether the variable is set", async () => {
    const h = home();
    const cwd = path.join(h.dir, "project");
    writeFileSync(path.join(cwd, ".mailctlrc.yaml"), "profiles:\n  default:\n    host: h.example\n    user: u\n    passwordEnv: APP_SMTP_PW\n");
    const r = await runCli(["config", "show", "--json"], { cwd, env: { ...h.env, APP_SMTP_PW: SECRET } });
    expect(leaks(r.stdout + r.stderr, SECRET)).toBe(false);
    expect(JSON.parse(r.stdout).password).toMatchObject({ set: true, source: "environment variable APP_SMTP_PW" });
  });

  it("exits 78 with the file, profile and field named, printing nothing on stdout", async () => {
    const h = home();
    const cwd = path.join(h.dir, "project");
    writeFileSync(path.join(cwd, "mailctl.config.yaml"), "profiles:\n  work:\n    port: 465\n    tls: starttls\n");
    const r = await runCli(["config", "show", "--profile", "work"], { cwd, env: h.env });
    expect(r.code).toBe(78);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('mailctl: mailctl.config.yaml: profiles.work: port 465 with tls "starttls" cannot work — 465 expects implicit TLS\n');
  });

  it("reads an app's config with --from-config and shows its findings", async () => {
    const h = home();
    const r = await runCli(["config", "show", "--from-config", path.join(FIXTURES, "dify-docker.env"), "--json"], { cwd: h.dir, env: h.env });
    const doc = JSON.parse(r.stdout);
    expect(doc.dialect).toBe("dify");
    expect(doc.findings).toContainEqual(expect.objectContaining({ id: "tls-to-plaintext-port", keys: ["SMTP_PORT", "SMTP_USE_TLS", "SMTP_OPPORTUNISTIC_TLS"] }));
  });
});

describe("mailctl config path", () => {
  it("lists the project file and the user file, saying when one is missing", async () => {
    const h = home();
    const cwd = path.join(h.dir, "project");
    writeFileSync(path.join(h.dir, ".mailctlrc.json"), "{}");
    const r = await runCli(["config", "path"], { cwd, env: h.env });
    expect(r.stdout).toBe(`project\t${path.join(h.dir, ".mailctlrc.json")}\nuser\t${h.userFile}\t(not found)\n`);
    const json = JSON.parse((await runCli(["config", "path", "--json"], { cwd, env: h.env })).stdout);
    expect(json.files).toEqual([{ path: path.join(h.dir, ".mailctlrc.json"), scope: "project", exists: true }, { path: h.userFile, scope: "user", exists: false }]);
  });
});

describe("mailctl presets", () => {
  it("lists all eighteen, one per line when piped, and as JSON", async () => {
    const h = home();
    const text = await runCli(["presets"], { cwd: h.dir, env: h.env });
    const lines = text.stdout.trim().split("\n");
    expect(lines).toHaveLength(18);
    expect(lines).toContain("gmail\tsmtp.gmail.com\t465/implicit 587/starttls\tapp password\tGmail");
    const json = JSON.parse((await runCli(["presets", "--json"], { cwd: h.dir, env: h.env })).stdout);
    expect(json.find((p: { name: string }) => p.name === "ses")).toMatchObject({ credential: "api-key", regions: expect.arrayContaining(["eu-west-1"]) });
  });

  it("shows one preset with its credential steps, a region filled in, and refuses an unknown one (exit 64)", async () => {
    const h = home();
    const gmail = await runCli(["presets", "show", "gmail"], { cwd: h.dir, env: h.env });
    expect(gmail.stdout).toMatch(/^ {2}credential +app password \(or OAuth2 token\)$/m);
    expect(gmail.stdout).toMatch(/2-Step Verification/);
    const ses = JSON.parse((await runCli(["presets", "show", "ses:eu-west-1", "--json"], { cwd: h.dir, env: h.env })).stdout);
    expect(ses).toMatchObject({ ref: "ses:eu-west-1", host: "email-smtp.eu-west-1.amazonaws.com" });
    const bad = await runCli(["presets", "show", "gmial"], { cwd: h.dir, env: h.env });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/^mailctl: unknown preset "gmial" \(presets: /);
  });
});

describe("mailctl config import", () => {
  it("saves the app's settings as a profile without its password, and asks for --force to replace it", async () => {
    const h = home();
    const cfg = path.join(h.dir, "mailctl.yaml");
    writeFileSync(cfg, "# my profiles\nprofiles:\n  other:\n    host: other.example # keep me\n");
    const r = await runCli(["config", "import", path.join(FIXTURES, "dify-api.env"), "--config", cfg], { cwd: h.dir, env: h.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Saved profile "dify" in .*mailctl\.yaml \(now the default profile\)/);
    expect(r.stdout).toMatch(/environment variable SMTP_PASSWORD/);
    const text = readFileSync(cfg, "utf8");
    expect(text).not.toContain("Xy#9");
    expect(text).toContain("# my profiles");
    expect(text).toContain("host: other.example # keep me");
    expect(text).toMatch(/ {2}dify:\n {4}host: smtp\.office365\.com\n {4}port: 587\n {4}tls: starttls\n {4}user: alerts@corp\.example\n {4}passwordEnv: SMTP_PASSWORD\n/);
    expect(text).toMatch(/dialect: dify\n {4}sourceFile: .*dify-api\.env/);

    const again = await runCli(["config", "import", path.join(FIXTURES, "dify-api.env"), "--config", cfg], { cwd: h.dir, env: h.env });
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/already has a profile "dify"; pass --force/);
    const forced = await runCli(["config", "import", path.join(FIXTURES, "dify-api.env"), "--config", cfg, "--force"], { cwd: h.dir, env: h.env });
    expect(forced.stdout).toMatch(/Replaced profile "dify"/);

    const show = JSON.parse((await runCli(["config", "show", "--config", cfg, "--profile", "dify", "--json"], { cwd: h.dir, env: { ...h.env, SMTP_PASSWORD: "x-y-z" } })).stdout);
    expect(show).toMatchObject({ profile: "dify", dialect: "dify", password: { set: true, source: "environment variable SMTP_PASSWORD" } });
  });

  it("leaves out a password the app keeps inline, with a note", async () => {
    const h = home();
    const cfg = path.join(h.dir, "m.yaml");
    const r = await runCli(["config", "import", path.join(FIXTURES, "smtp-url.txt"), "--config", cfg, "--profile", "url"], { cwd: h.dir, env: h.env });
    expect(r.stdout).toMatch(/the password in .*smtp-url\.txt is not copied/);
    expect(leaks(readFileSync(cfg, "utf8") + r.stdout + r.stderr, "p@ss:w0rd/#x")).toBe(false);
  });
});

describe("mailctl init without a terminal", () => {
  let server: SmtpTestServer;
  let ca: string;
  beforeAll(async () => {
    server = await startSmtpServer({ mode: "starttls", auth: { user: "me@example.com", pass: SECRET } });
    ca = path.join(mkdtempSync(path.join(os.tmpdir(), "mailctl-ca-")), "ca.pem");
    writeFileSync(ca, server.ca!);
  });
  afterAll(() => server.close());

  const base = () => ["init", "--host", "localhost", "--port", String(server.port), "--tls", "starttls", "--ca", ca, "--from", "me@example.com"];

  it("names the missing flag (exit 64) and writes nothing", async () => {
    const h = home();
    const r = await runCli(["init", "--preset", "gmail"], { cwd: h.dir, env: h.env });
    expect([r.code, r.stderr.split("\n")[0]]).toEqual([64, "mailctl: --from is required when not running on a terminal"]);
    const r2 = await runCli(["init", "--preset", "gmail", "--from", "me@gmail.com"], { cwd: h.dir, env: h.env });
    expect(r2.stderr.split("\n")[0]).toBe("mailctl: --password-env <VAR>, --password-command <cmd> or --no-auth is required when not running on a terminal");
    expect(() => statSync(h.userFile)).toThrow();
  });

  it("checks live, then saves beside the other profiles, keeping comments; mode 0600 with the password", async () => {
    const h = home();
    mkdirSync(path.dirname(h.userFile), { recursive: true });
    writeFileSync(h.userFile, "# mine\ndefaultProfile: old\nprofiles:\n  old:\n    host: old.example # old one\n");
    chmodSync(h.userFile, 0o644);
    const r = await runCli([...base(), "--save-password", "--profile", "local"], { cwd: h.dir, env: { ...h.env, MAILCTL_PASSWORD: SECRET } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/✓ localhost:\d+ answered over TLSv1\.3 and accepted the login of me@example\.com/);
    expect(leaks(r.stdout + r.stderr, SECRET)).toBe(false);
    expect(statSync(h.userFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(h.userFile, "utf8");
    expect(text).toContain("# mine\ndefaultProfile: old\n");
    expect(text).toContain("host: old.example # old one");
    expect(text).toContain(`  local:\n    host: localhost\n    port: ${server.port}\n    tls: starttls\n    user: me@example.com\n    password: ${SECRET}\n    from: me@example.com\n    ca: ${ca}\n`);
  });

  it("stores only the variable's name with --password-env, and refuses to replace a profile without --force", async () => {
    const h = home();
    const env = { ...h.env, SMTP_PW: SECRET };
    const first = await runCli([...base(), "--password-env", "SMTP_PW"], { cwd: h.dir, env });
    expect(first.code).toBe(0);
    const text = readFileSync(h.userFile, "utf8");
    expect(text).toContain("passwordEnv: SMTP_PW");
    expect(text).not.toContain(SECRET);
    const second = await runCli([...base(), "--password-env", "SMTP_PW"], { cwd: h.dir, env });
    expect([second.code, second.stderr.split("\n")[0]]).toEqual([64, `mailctl: ${path.join("xdg", "mailctl", "config.yaml")} already has a profile "default"; pass --force to replace it, or --profile <another name>`]);
    expect(readFileSync(h.userFile, "utf8")).toBe(text);
  });

  it("saves nothing when the check fails, with the failure's exit code", async () => {
    const h = home();
    const r = await runCli([...base(), "--password-env", "SMTP_PW"], { cwd: h.dir, env: { ...h.env, SMTP_PW: "wrong-password" } });
    expect(r.code).toBe(77);
    expect(r.stdout).toMatch(/✗ not saved: localhost:\d+: The server rejected the user name or password \[auth-failed\]: AUTH PLAIN: 535/);
    expect(() => statSync(h.userFile)).toThrow();
  });

  it("lets probe use the saved profile", async () => {
    const h = home();
    await runCli([...base(), "--password-env", "SMTP_PW", "--no-check"], { cwd: h.dir, env: h.env });
    const r = await runCli(["probe", "--json"], { cwd: h.dir, env: h.env });
    expect(JSON.parse(r.stdout)).toMatchObject({ host: "localhost", port: server.port, tls: "starttls", ok: true });
  });
});
