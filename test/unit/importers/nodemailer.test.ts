import { describe, expect, it } from "vitest";
import { ImportError } from "../../../src/config/importers/errors.js";
import { parse } from "../../../src/config/importers/nodemailer.js";
import { fixture } from "./helpers.js";

describe("nodemailer options importer", () => {
  it("resolves a well-known service from nodemailer's services.json, with `service` as the deciding key", () => {
    const r = parse(fixture("nodemailer-gmail.json"));
    expect(r.settings).toEqual({
      preset: "gmail",
      host: "smtp.gmail.com",
      port: 465,
      tls: "implicit",
      user: "joe.smith@gmail.com",
      password: "gm41l-app-pass",
      name: "app01.example.com",
      timeoutSeconds: 15,
    });
    expect(r.keys).toMatchObject({ host: ["service"], port: ["service"], tls: ["service"], password: ["auth.pass"] });
  });

  it("maps service names nodemailer knows by alias or mail domain to presets", () => {
    expect(parse('{"service": "QQ"}').settings).toMatchObject({ preset: "qq", host: "smtp.qq.com", port: 465, tls: "implicit" });
    expect(parse('{"service": "163"}').settings.preset).toBe("163");
    expect(parse('{"service": "googlemail.com"}').settings.preset).toBe("gmail");
  });

  it("flags the tutorial mistakes: secureConnection, secure: true on 587, SSLv3 ciphers", () => {
    const r = parse(fixture("nodemailer-transport.js"), { fileName: "mailer.js" });
    expect(r.settings).toMatchObject({ host: "smtp-mail.outlook.com", port: 587, tls: "implicit", insecure: true, passwordEnv: "SMTP_PASS" });
    expect(r.settings.password).toBeUndefined();
    expect(r.problems.map((p) => p.keys)).toEqual([["secureConnection"], ["secure", "port"]]);
    expect(r.warnings.some((w) => /tls\.ciphers "SSLv3"/.test(w))).toBe(true);
  });

  it("turns secure on for port 465 when secure is not set, as nodemailer does", () => {
    const r = parse("{ host: 'smtp.example.com', port: 465 }");
    expect(r.settings.tls).toBe("implicit");
    expect(r.warnings).toContain("secure is not set; nodemailer turns it on because the port is 465");
  });

  it("reads nodemailer's default as STARTTLS-if-offered on port 587", () => {
    const r = parse('{"host": "smtp.example.com"}');
    expect(r.settings).toMatchObject({ port: 587, tls: "none", opportunisticTls: true });
  });

  it("reads requireTLS as required STARTTLS and ignoreTLS as plaintext", () => {
    expect(parse('{"host": "h", "port": 587, "secure": false, "requireTLS": true}').settings.tls).toBe("starttls");
    expect(parse('{"host": "h", "port": 25, "ignoreTLS": true}').settings).toMatchObject({ tls: "none", opportunisticTls: false });
  });

  it("lets requireTLS win over ignoreTLS, and says so", () => {
    const r = parse('{"host": "h", "port": 587, "requireTLS": true, "ignoreTLS": true}');
    expect(r.settings.tls).toBe("starttls");
    expect(r.keys.tls).toEqual(["secure", "requireTLS", "ignoreTLS"]);
    expect(r.warnings.some((w) => w.startsWith("requireTLS wins"))).toBe(true);
  });

  it("flags secure: false on port 465", () => {
    const r = parse('{"host": "smtp.qq.com", "port": 465, "secure": false}');
    expect(r.settings.tls).toBe("none");
    expect(r.problems.map((p) => p.keys)).toEqual([["secure", "port"]]);
  });

  it("uses a process.env fallback literal and says where the value comes from", () => {
    const r = parse("{ host: process.env.SMTP_HOST || 'smtp.example.com', port: Number(process.env.SMTP_PORT ?? 2525) }");
    expect(r.settings).toMatchObject({ host: "smtp.example.com", port: 2525 });
    expect(r.warnings).toContain('host comes from process.env.SMTP_HOST; reading its fallback "smtp.example.com"');
  });

  it("refuses code it would have to run, naming the line", () => {
    const err = (() => { try { parse("{\n  host: config.smtp.host,\n}", { fileName: "mailer.js" }); } catch (e) { return e as ImportError; } })();
    expect(err).toBeInstanceOf(ImportError);
    expect(err!.line).toBe(2);
    expect(err!.message).toMatch(/^mailer\.js:2: "config\.smtp\.host" is code/);
  });
});
