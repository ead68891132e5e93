// --from-config end to end: an app's own config file → importer → Target with the app's keys, dialect and
// findings; the classic broken combinations come out as findings with fixes that render in the app's terms;
// and against a real server the broken Dify combination fails while its fix logs in.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveCheck } from "../../src/commands/init/check.js";
import { resolveSettings } from "../../src/config/layers.js";
import { renderSettings } from "../../src/config/importers/index.js";
import { resolveTarget, sessionOptions, type TargetFlags } from "../../src/config/resolve.js";
import type { Finding } from "../../src/settings.js";
import { MailctlError } from "../../src/errors.js";
import { runSession } from "../../src/session/run.js";
import { fakeCtx } from "../helpers/fake-io.js";
import { startSmtpServer, type SmtpTestServer } from "../helpers/tls-servers.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/importers/", import.meta.url));
const tmp = () => mkdtempSync(path.join(os.tmpdir(), "mailctl-fromcfg-"));

async function target(flags: TargetFlags, env: NodeJS.ProcessEnv = {}, auth = false) {
  return resolveTarget(flags, fakeCtx(FIXTURES, { HOME: tmp(), ...env }), { needPort: true, auth });
}
const byId = (findings: Finding[] | undefined, id: string) => findings?.find((f) => f.id === id);

describe("--from-config: the classic broken combinations", () => {
  it("Dify SMTP_USE_TLS=true + SMTP_OPPORTUNISTIC_TLS=false on 587: implicit TLS to a STARTTLS port, fixed in .env lines", async () => {
    const t = await target({ fromConfig: "dify-docker.env" });
    expect(t).toMatchObject({ dialect: "dify", sourceFile: path.join(FIXTURES, "dify-docker.env"), host: "smtp.example.com", port: 587, tls: "implicit" });
    expect(t.importKeys?.tls).toEqual(["SMTP_USE_TLS", "SMTP_OPPORTUNISTIC_TLS"]);
    expect(t.origins.port).toEqual({ source: "import", where: "dify-docker.env", key: "SMTP_PORT" });
    const f = byId(t.findings, "tls-to-plaintext-port")!;
    expect(f).toMatchObject({ severity: "error", keys: ["SMTP_PORT", "SMTP_USE_TLS", "SMTP_OPPORTUNISTIC_TLS"], message: "implicit TLS on port 587 (SMTP_PORT, SMTP_USE_TLS, SMTP_OPPORTUNISTIC_TLS) cannot work — 587 expects STARTTLS" });
    expect(f.fixes!.map((fix) => renderSettings("dify", fix))).toEqual([
      ["SMTP_PORT=587", "SMTP_USE_TLS=true", "SMTP_OPPORTUNISTIC_TLS=true"],
      ["SMTP_PORT=465", "SMTP_USE_TLS=true", "SMTP_OPPORTUNISTIC_TLS=false"],
    ]);
    expect(byId(t.findings, "credentials-missing")?.keys).toEqual(["SMTP_PASSWORD"]);
  });

  it("RAGFlow mail_use_ssl: true on 587: the same diagnosis, fixed in service_conf.yaml lines", async () => {
    const t = await target({ fromConfig: "ragflow-service_conf.yaml" });
    expect(t).toMatchObject({ dialect: "ragflow", host: "smtp.163.com", port: 587, tls: "implicit" });
    const f = byId(t.findings, "tls-to-plaintext-port")!;
    expect(f.keys).toEqual(["mail_port", "mail_use_ssl", "mail_use_tls"]);
    expect(renderSettings("ragflow", f.fixes![0]!)).toEqual(["mail_port: 587", "mail_use_ssl: false", "mail_use_tls: true"]);
  });

  it("aiosmtplib use_tls=True without start_tls on 465 (the QQ case): nothing to flag — aiosmtplib never sends STARTTLS on a TLS connection", async () => {
    const t = await target({ fromConfig: "aiosmtplib-qq.json" });
    expect(t).toMatchObject({ dialect: "aiosmtplib", host: "smtp.qq.com", port: 465, tls: "implicit" });
    expect(byId(t.findings, "starttls-after-implicit-tls")).toBeUndefined();
    expect(byId(t.findings, "tls-to-plaintext-port")).toBeUndefined();
    // How the code writes its From header comes along: message["From"] = sender, compat32, send_message.
    expect(t.appFrom).toMatchObject({ value: "Alerts <10001@qq.com>", writer: { kind: "python-compat32", fold: 78 } });
  });

  it("gives the importer's own words the diagnosis id instead of repeating them (aiosmtplib use_tls=True on 587)", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "smtp.json"), JSON.stringify({ hostname: "smtp.office365.com", port: 587, use_tls: true, username: "a@corp.example" }));
    const t = await target({ fromConfig: path.join(dir, "smtp.json") });
    const pair = t.findings!.filter((f) => f.keys.includes("port"));
    expect(pair).toEqual([expect.objectContaining({ id: "tls-to-plaintext-port", severity: "error", message: expect.stringMatching(/^use_tls=True on port 587:/), keys: ["use_tls", "port"] })]);
  });
});

describe("--from-config: each dialect", () => {
  it("nodemailer service names resolve to our presets", async () => {
    const t = await target({ fromConfig: "nodemailer-gmail.json" });
    expect(t).toMatchObject({ dialect: "nodemailer", preset: "gmail", host: "smtp.gmail.com", port: 465, tls: "implicit", user: "joe.smith@gmail.com", name: "app01.example.com", timeoutSeconds: 15 });
    expect(t.origins.host).toMatchObject({ source: "import", key: "service" });
    const dir = tmp();
    writeFileSync(path.join(dir, "transport.json"), JSON.stringify({ service: "Outlook365", auth: { user: "a@corp.example", pass: "x" } }));
    expect((await target({ fromConfig: path.join(dir, "transport.json") })).preset).toBe("office365");
  });

  it("msmtp: the account given with --account, with its inherited defaults", async () => {
    // resolveSettings: the sample's tls_trust_file is the system bundle, which a bare machine may not have.
    const r = await resolveSettings({ fromConfig: "msmtprc", account: "qq" }, { cwd: FIXTURES, env: { HOME: tmp() }, warn: () => {} });
    expect(r.settings).toMatchObject({ host: "smtp.qq.com", port: 465, tls: "implicit", user: "10001@qq.com", name: "laptop.example", authMethod: "LOGIN", timeoutSeconds: 15, ca: "/etc/ssl/certs/ca-certificates.crt" });
    expect(r.dialect).toBe("msmtp");
    expect(r.origins.tls).toMatchObject({ source: "import", key: "tls, tls_starttls" });
    expect(r.secret).toMatchObject({ password: "Qq#auth code", origin: { source: "import", where: "msmtprc", key: "password" } });
  });

  it("an SMTP URL, with its password used (and registered for redaction) when logging in", async () => {
    const ctx = fakeCtx(FIXTURES, { HOME: tmp() });
    const t = await resolveTarget({ fromConfig: "smtp-url.txt" }, ctx, { needPort: true });
    expect(t.dialect).toBe("smtp-url");
    expect(t.password).toBe("p@ss:w0rd/#x");
    expect(t.passwordSource).toBe("the password in smtp-url.txt");
    ctx.ui.err(`echo p@ss:w0rd/#x`);
    expect(ctx.io.stderr.text).not.toContain("w0rd");
  });

  it("asks for --dialect when it cannot tell (exit 64), and reports a file its dialect cannot read (exit 78)", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "notes.txt"), "hello world\n");
    const err = (await target({ fromConfig: path.join(dir, "notes.txt") }).catch((e: unknown) => e)) as MailctlError;
    expect([err.category, err.message]).toEqual(["usage", `${path.join(dir, "notes.txt")}: cannot tell which app this config is for`]);
    expect(err.hint).toMatch(/--dialect .*dify, ragflow, msmtp/);
    await expect(target({ fromConfig: "msmtprc", dialect: "msmtp", account: "nope" })).rejects.toMatchObject({ category: "config", message: expect.stringMatching(/no account named "nope"/) });
  });

  it("a missing app config is exit 66", async () => {
    await expect(target({ fromConfig: "no-such.env" })).rejects.toMatchObject({ category: "noinput", message: "no-such.env: no such file" });
  });

  it("flags still win over the app's settings, and the origin says so", async () => {
    const t = await target({ fromConfig: "dify-docker.env", port: 465 });
    expect([t.port, t.tls, t.origins.port]).toEqual([465, "implicit", { source: "flag", where: "--port" }]);
    expect(byId(t.findings, "tls-to-plaintext-port")).toBeUndefined();
  });
});

describe("--from-config against a real server", () => {
  let server: SmtpTestServer;
  let caFile: string;
  beforeAll(async () => {
    server = await startSmtpServer({ mode: "starttls", auth: { user: "dify@example.com", pass: "d1fy-Secret" } });
    caFile = path.join(tmp(), "ca.pem");
    writeFileSync(caFile, server.ca!);
  });
  afterAll(() => server.close());

  const env = (useTls: string, opportunistic: string) =>
    `MAIL_TYPE=smtp\nSMTP_SERVER=localhost\nSMTP_PORT=${server.port}\nSMTP_USERNAME=dify@example.com\nSMTP_PASSWORD=d1fy-Secret\n` +
    `SMTP_USE_TLS=${useTls}\nSMTP_OPPORTUNISTIC_TLS=${opportunistic}\nMAIL_DEFAULT_SEND_FROM=dify@example.com\n`;

  it("the broken Dify settings fail at TLS, and the fixed ones log in with the .env's password", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, ".env"), env("true", "false"));
    const ctx = fakeCtx(dir, { HOME: dir });
    const broken = await resolveTarget({ fromConfig: ".env", ca: caFile }, ctx, { needPort: true });
    expect(broken.tls).toBe("implicit");
    const report = await runSession(sessionOptions(broken), "auth");
    expect(report.failure?.stage).toBe("tls");

    writeFileSync(path.join(dir, ".env"), env("true", "true"));
    const fixed = await resolveTarget({ fromConfig: ".env", ca: caFile }, ctx, { needPort: true });
    expect([fixed.tls, fixed.password]).toEqual(["starttls", "d1fy-Secret"]);
    const check = await liveCheck(fixed);
    expect(check).toMatchObject({ ok: true, category: "ok" });
    expect(check.message).toMatch(/accepted the login of dify@example\.com/);
  });
});
