import { describe, expect, it } from "vitest";
import * as aiosmtplib from "../../../src/config/importers/aiosmtplib.js";
import * as dify from "../../../src/config/importers/dify.js";
import { ImportError } from "../../../src/config/importers/errors.js";
import { detectDialect, importConfig } from "../../../src/config/importers/index.js";
import { dialectLabel } from "../../../src/config/importers/registry.js";
import * as msmtp from "../../../src/config/importers/msmtp.js";
import * as nodemailer from "../../../src/config/importers/nodemailer.js";
import * as ragflow from "../../../src/config/importers/ragflow.js";
import * as smtpUrl from "../../../src/config/importers/smtp-url.js";
import { SAMPLES, fixture } from "./helpers.js";

const DETECTORS = { dify, ragflow, msmtp, nodemailer, "smtp-url": smtpUrl, aiosmtplib };

describe("dialect detection", () => {
  for (const { file, dialect } of SAMPLES) {
    it(`detects ${file} as ${dialect} and as no other dialect`, () => {
      const text = fixture(file);
      expect(detectDialect(text, file)).toBe(dialect);
      for (const [other, mod] of Object.entries(DETECTORS)) {
        if (other !== dialect) expect(mod.detect(text, file), `${other} on ${file}`).toBeLessThan(0.5);
      }
    });

    it(`detects ${file} without the help of its file name`, () => {
      expect(detectDialect(fixture(file), "settings.txt")).toBe(dialect);
    });
  }

  it("returns null for text that is no app's SMTP config", () => {
    expect(detectDialect("# just notes\nremember to renew the certificate\n", "notes.txt")).toBeNull();
    expect(detectDialect('{"name": "my-app", "version": "1.0.0"}', "package.json")).toBeNull();
  });
});

describe("importConfig", () => {
  it("reads with the detected dialect", () => {
    const r = importConfig(fixture("msmtprc"), { fileName: "/home/joe/.msmtprc", account: "qq" });
    expect(r.dialect).toBe("msmtp");
    expect(r.settings.host).toBe("smtp.qq.com");
  });

  it("honours an explicit dialect over detection", () => {
    const text = '{"host": "smtp.example.com", "port": 2525, "secure": true}';
    expect(detectDialect(text)).toBe("nodemailer");
    const r = importConfig(text, { dialect: "aiosmtplib" });
    expect(r.dialect).toBe("aiosmtplib");
    // aiosmtplib has no `secure`: without use_tls the connection is not implicit TLS.
    expect(r.settings).toMatchObject({ host: "smtp.example.com", port: 2525, tls: "none" });
    expect(r.warnings).toContain("secure is not an aiosmtplib/smtplib connection setting");
  });

  it("throws a one-line ImportError naming the file when the dialect is unknown", () => {
    const err = (() => { try { importConfig("hello\nworld", { fileName: "notes.txt" }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).file).toBe("notes.txt");
    expect((err as ImportError).message).toMatch(/^notes\.txt: cannot tell which app/);
    expect((err as ImportError).message).not.toContain("\n");
  });

  it("reports the line of a YAML syntax error", () => {
    const bad = "smtp:\n  mail_server: smtp.163.com\n  mail_port: [465\n";
    const err = (() => { try { importConfig(bad, { fileName: "service_conf.yaml", dialect: "ragflow" }); } catch (e) { return e as ImportError; } })();
    expect(err).toBeInstanceOf(ImportError);
    expect(err!.line).toBeGreaterThanOrEqual(3);
    expect(err!.message).toMatch(/^service_conf\.yaml:\d+: not valid YAML/);
  });

  it("refuses to import a mailctl profile: the config loader reads those", () => {
    expect(() => importConfig("profiles:\n  x:\n    host: h\n", { dialect: "mailctl", fileName: "mailctl.yaml" })).toThrow(/config loader/);
  });

  it("labels every dialect for people", () => {
    expect(dialectLabel("dify")).toBe("Dify .env");
    expect(dialectLabel("ragflow")).toBe("RAGFlow service_conf.yaml");
    expect(dialectLabel("msmtp")).toBe("msmtprc");
    expect(dialectLabel("nodemailer")).toBe("nodemailer options");
    expect(dialectLabel("smtp-url")).toBe("SMTP URL");
    expect(dialectLabel("aiosmtplib")).toBe("aiosmtplib/smtplib settings");
    expect(dialectLabel("mailctl")).toBe("mailctl profile");
  });
});
