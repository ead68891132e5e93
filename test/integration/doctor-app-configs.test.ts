// The classic broken app configurations, read from the apps' own files, diagnosed live against the lab, with
// the fix written in the app's own keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lab } from "../../src/lab/server.js";
import { runCli } from "../helpers/cli.js";
import { closeTestLabs, LAB_PASSWORD, LAB_USER, testLab } from "../helpers/lab.js";

let lab: Lab;
let qq: Lab;
const dir = mkdtempSync(join(tmpdir(), "mailctl-appcfg-"));
beforeAll(async () => {
  lab = await testLab();
  qq = await testLab({ persona: "qq" });
});
afterAll(closeTestLabs);

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function doctor(configFile: string, l: Lab, extra: string[] = []) {
  const r = await runCli(["doctor", "--from-config", configFile, "--ca", l.caPath, "--json", ...extra], { env: { SMTP_PASSWORD: LAB_PASSWORD } });
  expect(r.stdout + r.stderr).not.toContain(LAB_PASSWORD);
  return { code: r.code, doc: JSON.parse(r.stdout) };
}

describe("doctor on an app's own config", () => {
  it("Dify: SMTP_USE_TLS=true + SMTP_OPPORTUNISTIC_TLS=false on the STARTTLS port → tls-to-plaintext-port, fixed in .env terms", async () => {
    const env = file(
      ".env",
      [
        "MAIL_TYPE=smtp",
        "SMTP_SERVER=127.0.0.1",
        `SMTP_PORT=${lab.endpoints.starttls.port}`,
        `SMTP_USERNAME=${LAB_USER}`,
        `SMTP_PASSWORD=${LAB_PASSWORD}`,
        "SMTP_USE_TLS=true",
        "SMTP_OPPORTUNISTIC_TLS=false",
        `MAIL_DEFAULT_SEND_FROM=Dify <${LAB_USER}>`,
      ].join("\n"),
    );
    const { code, doc } = await doctor(env, lab);
    expect(code).toBe(76);
    const d = doc.diagnoses[0];
    expect(d.id).toBe("tls-to-plaintext-port");
    expect(doc.suggestion).toEqual({ port: lab.endpoints.starttls.port, tls: "starttls" });
    const fix = d.fix.join("\n");
    expect(fix).toContain("in your Dify .env");
    expect(fix).toMatch(/SMTP_USE_TLS=true/);
    expect(fix).toMatch(/SMTP_OPPORTUNISTIC_TLS=true/);
  });

  it("RAGFlow: mail_use_ssl: true on the STARTTLS port → tls-to-plaintext-port, fixed in service_conf.yaml terms", async () => {
    const yaml = file(
      "service_conf.yaml",
      [
        "ragflow:",
        "  host: 0.0.0.0",
        "  http_port: 9380",
        "smtp:",
        "  mail_server: 127.0.0.1",
        `  mail_port: ${lab.endpoints.starttls.port}`,
        "  mail_use_ssl: true",
        "  mail_use_tls: false",
        `  mail_username: ${LAB_USER}`,
        "  mail_password: ${SMTP_PASSWORD}",
        `  mail_default_sender: ["RAGFlow", "${LAB_USER}"]`,
        "  mail_frontend_url: https://ragflow.example.com",
      ].join("\n"),
    );
    const { code, doc } = await doctor(yaml, lab);
    expect(code).toBe(76);
    const d = doc.diagnoses[0];
    expect(d.id).toBe("tls-to-plaintext-port");
    const fix = d.fix.join("\n");
    expect(fix).toContain("RAGFlow service_conf.yaml");
    expect(fix).toMatch(/mail_use_ssl: false/);
    expect(fix).toMatch(/mail_use_tls: true/);
  });

  it("aiosmtplib: use_tls=True with start_tls unset against QQ's implicit port → nothing about STARTTLS (aiosmtplib never sends it on TLS), exit 0", async () => {
    const json = file("aiosmtplib.json", JSON.stringify({ hostname: "127.0.0.1", port: qq.endpoints.implicit.port, use_tls: true, username: LAB_USER, password: LAB_PASSWORD }));
    const { code, doc } = await doctor(json, qq);
    expect(doc.diagnoses.map((d: { id: string }) => d.id)).not.toContain("starttls-after-implicit-tls");
    expect(doc.diagnoses.filter((d: { severity: string }) => d.severity === "error")).toEqual([]);
    expect(code).toBe(0);
  });

  it("smtplib: SMTP_SSL followed by starttls() against QQ's 465, which does not advertise STARTTLS → smtplib's own SMTPNotSupportedError, no login attempted", async () => {
    const json = file("smtplib.json", JSON.stringify({ class: "SMTP_SSL", host: "127.0.0.1", port: qq.endpoints.implicit.port, starttls: true, username: LAB_USER, password: LAB_PASSWORD }));
    const { code, doc } = await doctor(json, qq);
    expect(code).toBe(76);
    expect(doc.diagnoses[0]).toMatchObject({ id: "starttls-after-implicit-tls", severity: "error", stage: "starttls" });
    expect(doc.diagnoses[0].evidence).toContain("SMTPNotSupportedError");
    expect(doc.diagnoses[0].explanation).toMatch(/smtplib raises SMTPNotSupportedError before sending anything/);
    expect(doc.stages.find((s: { stage: string }) => s.stage === "auth")?.status).not.toBe("ok");
    // Applying the fix (no starttls() call) makes it go away.
    const fixed = file("smtplib-fixed.json", JSON.stringify({ class: "SMTP_SSL", host: "127.0.0.1", port: qq.endpoints.implicit.port, starttls: false, username: LAB_USER, password: LAB_PASSWORD }));
    expect(doc.diagnoses[0].fix.join("\n")).toContain("starttls=False");
    expect((await doctor(fixed, qq)).code).toBe(0);
  });
});
