// What an importer knows about its app beyond the settings: which of its warnings are a cause the catalog names
// (the id goes with the finding doctor shows), and which variable the app reads its password from when it runs
// (config import saves that, never the password).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importFile } from "../../../src/config/import-layer.js";
import { importConfig } from "../../../src/config/importers/index.js";
import { fixture } from "./helpers.js";

const dir = mkdtempSync(path.join(tmpdir(), "mailctl-known-"));

/** The findings importFile gives a file with this text. */
async function findings(name: string, text: string) {
  writeFileSync(path.join(dir, name), text);
  return (await importFile(name, { cwd: dir, display: (p) => path.basename(p) })).findings;
}

describe("importers name the causes they recognise", () => {
  it("Dify's empty SMTP_PASSWORD is credentials-missing", async () => {
    const f = await findings("empty.env", "MAIL_TYPE=smtp\nSMTP_SERVER=smtp.example.com\nSMTP_PORT=587\nSMTP_USERNAME=a@example.com\nSMTP_PASSWORD=\nSMTP_OPPORTUNISTIC_TLS=true\nSMTP_USE_TLS=true\n");
    expect(f.find((x) => x.message.startsWith("SMTP_PASSWORD is empty"))).toMatchObject({ id: "credentials-missing", severity: "warning" });
  });

  it("Dify without SMTP_PASSWORD is credentials-missing too", async () => {
    const f = await findings("unset.env", "MAIL_TYPE=smtp\nSMTP_SERVER=smtp.example.com\nSMTP_PORT=587\nSMTP_USERNAME=a@example.com\nSMTP_OPPORTUNISTIC_TLS=true\nSMTP_USE_TLS=true\n");
    expect(f.find((x) => x.message.startsWith("SMTP_PASSWORD is not set"))).toMatchObject({ id: "credentials-missing" });
  });

  it("RAGFlow's empty mail_password is credentials-missing", async () => {
    const f = await findings("service_conf.yaml", "smtp:\n  mail_server: smtp.example.com\n  mail_port: 465\n  mail_use_ssl: true\n  mail_username: a@example.com\n  mail_password: ''\n  mail_default_sender: ['A', 'a@example.com']\n");
    expect(f.find((x) => x.message.startsWith("mail_password is empty"))).toMatchObject({ id: "credentials-missing" });
  });

  it("smtplib's SMTP_SSL with starttls() is starttls-after-implicit-tls", async () => {
    const f = await findings("smtplib.json", fixture("smtplib-ssl-starttls.json"));
    expect(f.find((x) => x.message.startsWith("starttls() on an SMTP_SSL connection"))).toMatchObject({ id: "starttls-after-implicit-tls", severity: "error" });
  });

  it("a warning no catalog entry covers has no id", async () => {
    const f = await findings("other.env", "MAIL_TYPE=smtp\nSMTP_SERVER=smtp.example.com\nSMTP_PORT=587\nSMTP_USE_SSL=true\nSMTP_PASSWORD=x\n");
    expect(f.find((x) => x.message.includes("SMTP_USE_SSL is not a Dify setting"))?.id).toBeUndefined();
  });
});

describe("importers say which variable the app reads its password from", () => {
  it("Dify: SMTP_PASSWORD (the container's environment is the .env)", () => {
    expect(importConfig(fixture("dify-qq.env"), { dialect: "dify" }).passwordVariable).toBe("SMTP_PASSWORD");
  });

  it("RAGFlow: the variable of a ${VAR:-default} placeholder, none for a literal password", () => {
    const template = "smtp:\n  mail_server: smtp.example.com\n  mail_port: 465\n  mail_username: a@example.com\n  mail_password: '${SMTP_PW:-changeme}'\n  mail_default_sender: ['A', 'a@example.com']\n";
    expect(importConfig(template, { dialect: "ragflow" }).passwordVariable).toBe("SMTP_PW");
    expect(importConfig(fixture("ragflow-service_conf.yaml"), { dialect: "ragflow" }).passwordVariable).toBeUndefined();
  });
});
