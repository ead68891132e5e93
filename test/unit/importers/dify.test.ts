import { describe, expect, it } from "vitest";
import { parse } from "../../../src/config/importers/dify.js";
import { ImportError } from "../../../src/config/importers/errors.js";
import { fixture } from "./helpers.js";

const base = "MAIL_TYPE=smtp\nSMTP_SERVER=smtp.example.com\nMAIL_DEFAULT_SEND_FROM=a@example.com\n";

describe("Dify .env importer", () => {
  it("reports SMTP_USE_TLS=true + SMTP_OPPORTUNISTIC_TLS=false on 587 faithfully as implicit TLS on 587", () => {
    const r = parse(fixture("dify-docker.env"), { fileName: "docker/.env" });
    expect(r.settings).toEqual({
      host: "smtp.example.com",
      port: 587,
      tls: "implicit",
      user: "no-reply@example.com",
      password: "",
      from: "no-reply@example.com",
      fromName: "Dify Team",
      fromFormat: "name-addr",
      timeoutSeconds: 10,
    });
    expect(r.keys).toMatchObject({
      host: ["SMTP_SERVER"],
      port: ["SMTP_PORT"],
      tls: ["SMTP_USE_TLS", "SMTP_OPPORTUNISTIC_TLS"],
      password: ["SMTP_PASSWORD"],
      from: ["MAIL_DEFAULT_SEND_FROM"],
    });
    // The port/mode contradiction is the doctor's to flag; Dify itself accepts this configuration.
    expect(r.problems).toEqual([]);
  });

  it("keeps an empty SMTP_PASSWORD as \"\" and explains that Dify then skips AUTH", () => {
    const r = parse(fixture("dify-docker.env"), { fileName: "docker/.env" });
    expect(r.settings.password).toBe("");
    expect(r.warnings.some((w) => /SMTP_PASSWORD is empty.*skips AUTH/.test(w))).toBe(true);
  });

  it("reads USE_TLS + OPPORTUNISTIC_TLS as required STARTTLS, with dotenv quoting, export and spaces", () => {
    const r = parse(fixture("dify-api.env"), { fileName: "api/.env" });
    expect(r.settings).toMatchObject({ host: "smtp.office365.com", port: 587, tls: "starttls", name: "app01.corp.example" });
    expect(r.settings.password).toBe('Xy#9 pass"word');
    expect(r.settings.from).toBe("alerts@corp.example");
    expect(r.settings.fromFormat).toBe("address-only");
    expect(r.keys.name).toEqual(["SMTP_LOCAL_HOSTNAME"]);
    expect(r.warnings).toContain("SMTP_USE_SSL is not a Dify setting and is ignored");
  });

  it("reads a CRLF file exactly like its LF twin", () => {
    const lf = fixture("dify-docker.env");
    expect(parse(lf.replace(/\n/g, "\r\n"), { fileName: "docker/.env" })).toEqual(parse(lf, { fileName: "docker/.env" }));
  });

  it("flags SMTP_OPPORTUNISTIC_TLS without SMTP_USE_TLS, naming both keys, as Dify refuses it", () => {
    const r = parse(`${base}SMTP_USE_TLS=false\nSMTP_OPPORTUNISTIC_TLS=true\n`);
    expect(r.settings.tls).toBe("none");
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.keys).toEqual(["SMTP_USE_TLS", "SMTP_OPPORTUNISTIC_TLS"]);
    expect(r.problems[0]!.message).toMatch(/not supported without enabling SMTP_USE_TLS/);
  });

  it("reads SMTP_USE_TLS=false as plaintext with no STARTTLS at all", () => {
    const r = parse(`${base}SMTP_PORT=25\nSMTP_USE_TLS=false\nSMTP_OPPORTUNISTIC_TLS=false\n`);
    expect(r.settings.tls).toBe("none");
    expect(r.settings.opportunisticTls).toBeUndefined();
  });

  it("warns when MAIL_TYPE is not smtp, since Dify then ignores the SMTP settings", () => {
    const r = parse(base.replace("MAIL_TYPE=smtp", "MAIL_TYPE=resend"));
    expect(r.warnings.some((w) => /MAIL_TYPE is "resend".*set MAIL_TYPE=smtp/.test(w))).toBe(true);
  });

  it("applies docker-compose defaults to empty values in docker/.env (SMTP_USE_TLS:-true, SMTP_PORT:-465)", () => {
    const r = parse(`${base}SMTP_PORT=\nSMTP_USE_TLS=\n`, { fileName: "/opt/dify/docker/.env" });
    expect(r.settings).toMatchObject({ port: 465, tls: "implicit" });
    expect(r.warnings).toContain("SMTP_USE_TLS is empty; Dify uses docker-compose.yaml's default true");
  });

  it("uses pydantic defaults in a source install: missing SMTP_USE_TLS means no TLS", () => {
    const r = parse(base, { fileName: "api/.env" });
    expect(r.settings).toMatchObject({ port: 465, tls: "none" });
  });

  it("flags an empty boolean in a source install, which pydantic rejects", () => {
    const r = parse(`${base}SMTP_USE_TLS=\n`, { fileName: "api/.env" });
    expect(r.problems.map((p) => p.keys)).toContainEqual(["SMTP_USE_TLS"]);
  });

  it("flags a missing SMTP_SERVER, which Dify requires", () => {
    const r = parse("MAIL_TYPE=smtp\nSMTP_PORT=465\n");
    expect(r.settings.host).toBeUndefined();
    expect(r.problems.some((p) => p.keys.includes("SMTP_SERVER"))).toBe(true);
  });

  it("keeps # inside unquoted values and drops ` # comments`", () => {
    const r = parse(`${base}SMTP_USERNAME=ops#1@example.com # the ops mailbox\nSMTP_PASSWORD="a # b"\n`);
    expect(r.settings.user).toBe("ops#1@example.com");
    expect(r.settings.password).toBe("a # b");
  });

  it("throws an ImportError with the line of an unterminated quote", () => {
    const err = (() => { try { parse(`${base}SMTP_PASSWORD="abc\n`, { fileName: ".env" }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).line).toBe(4);
    expect((err as ImportError).message).not.toContain("abc");
  });
});
