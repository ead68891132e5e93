import { describe, expect, it } from "vitest";
import { parse } from "../../../src/config/importers/ragflow.js";
import { fixture } from "./helpers.js";

const block = (lines: string) =>
  `ragflow:\n  host: 0.0.0.0\n  http_port: 9380\nsmtp:\n  mail_server: "smtp.163.com"\n  mail_port: 465\n  mail_username: "bot@163.com"\n  mail_password: "pw"\n  mail_default_sender: ["Bot", "bot@163.com"]\n  mail_frontend_url: "https://rag.example.com"\n${lines}`;

describe("RAGFlow service_conf.yaml importer", () => {
  it("reads mail_use_ssl: true on 587 faithfully as implicit TLS on 587", () => {
    const r = parse(fixture("ragflow-service_conf.yaml"), { fileName: "docker/service_conf.yaml.template" });
    expect(r.settings).toEqual({
      host: "smtp.163.com",
      port: 587,
      tls: "implicit",
      user: "ragflow_bot@163.com",
      password: "RfL0w-auth-c0de",
      from: "ragflow_bot@163.com",
      fromName: "RAGFlow",
      fromFormat: "name-addr",
      timeoutSeconds: 10,
    });
    expect(r.keys).toMatchObject({
      host: ["mail_server"],
      port: ["mail_port"],
      tls: ["mail_use_ssl", "mail_use_tls"],
      from: ["mail_default_sender"],
    });
    expect(r.problems).toEqual([]);
  });

  it("takes a ${VAR:-default} placeholder's default and warns that the env var overrides it", () => {
    const r = parse(fixture("ragflow-service_conf.yaml"));
    expect(r.settings.host).toBe("smtp.163.com");
    expect(r.warnings.filter((w) => w.startsWith("mail_server is ${SMTP_SERVER:-smtp.163.com}"))).toHaveLength(1);
    // Placeholders in other blocks (mysql, redis…) are not this importer's business.
    expect(r.warnings.some((w) => /MYSQL|REDIS/.test(w))).toBe(false);
  });

  it("maps mail_use_ssl: false + mail_use_tls: true to required STARTTLS", () => {
    expect(parse(block("  mail_use_ssl: false\n  mail_use_tls: true\n")).settings.tls).toBe("starttls");
  });

  it("maps both false to plaintext without STARTTLS, because RAGFlow passes start_tls=False", () => {
    const r = parse(block("  mail_use_ssl: false\n  mail_use_tls: false\n"));
    expect(r.settings).toMatchObject({ tls: "none", opportunisticTls: false });
  });

  it("flags both true: aiosmtplib refuses start_tls together with use_tls", () => {
    const r = parse(block("  mail_use_ssl: true\n  mail_use_tls: true\n"));
    expect(r.problems).toEqual([{ message: expect.stringMatching(/not compatible/), keys: ["mail_use_ssl", "mail_use_tls"] }]);
  });

  it("defaults a missing mail_use_ssl to true, as common/settings.py does", () => {
    const r = parse(block(""));
    expect(r.settings.tls).toBe("implicit");
    expect(r.warnings).toContain("mail_use_ssl is not set; RAGFlow defaults it to true (implicit TLS)");
  });

  it("flags a quoted 'false' for mail_use_ssl, which Python reads as true", () => {
    const r = parse(block("  mail_use_ssl: 'false'\n  mail_use_tls: true\n"));
    expect(r.settings.tls).toBe("implicit");
    expect(r.problems.map((p) => p.keys)).toContainEqual(["mail_use_ssl"]);
  });

  it("reads an empty mail_use_tls (None) as STARTTLS-if-offered", () => {
    const r = parse(block("  mail_use_ssl: false\n  mail_use_tls:\n"));
    expect(r.settings).toMatchObject({ tls: "none", opportunisticTls: true });
  });

  it("flags a missing mail_port (RAGFlow's default is 0) and a sender that is not [name, address]", () => {
    const text = "smtp:\n  mail_server: smtp.163.com\n  mail_use_ssl: true\n  mail_default_sender: bot@163.com\n";
    const r = parse(text);
    expect(r.settings.port).toBeUndefined();
    expect(r.problems.map((p) => p.keys)).toEqual([["mail_port"], ["mail_default_sender"]]);
  });

  it("reports a commented-out smtp block as a problem", () => {
    const r = parse("ragflow:\n  http_port: 9380\n# smtp:\n#   mail_server: \"\"\n#   mail_port: 465\n");
    expect(r.problems).toEqual([{ message: expect.stringMatching(/commented out/), keys: ["smtp"] }]);
    expect(r.settings).toEqual({});
  });
});
