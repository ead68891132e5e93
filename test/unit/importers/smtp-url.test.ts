import { describe, expect, it } from "vitest";
import { ImportError } from "../../../src/config/importers/errors.js";
import { parse } from "../../../src/config/importers/smtp-url.js";
import { fixture } from "./helpers.js";

describe("SMTP URL importer", () => {
  it("percent-decodes user and password and reads nodemailer query parameters", () => {
    const r = parse(fixture("smtp-url.txt"));
    expect(r.settings).toEqual({
      host: "smtp.example.com",
      port: 465,
      tls: "implicit",
      user: "no-reply@example.com",
      password: "p@ss:w0rd/#x",
      insecure: true,
      name: "app01.example.com",
    });
    expect(r.keys).toMatchObject({ tls: ["scheme"], password: ["password"], insecure: ["tls.rejectUnauthorized"] });
    expect(r.problems).toEqual([]);
  });

  it("defaults smtp:// to port 587 with STARTTLS-if-offered, and smtps:// to 465", () => {
    expect(parse("smtp://mail.example.com").settings).toMatchObject({ port: 587, tls: "none", opportunisticTls: true });
    expect(parse("smtps://mail.example.com").settings).toMatchObject({ port: 465, tls: "implicit" });
  });

  it("reads requireTLS=true as required STARTTLS and ignoreTLS=true as plaintext", () => {
    const starttls = parse("smtp://u:p@mail.example.com:587?requireTLS=true");
    expect(starttls.settings.tls).toBe("starttls");
    expect(starttls.keys.tls).toEqual(["scheme", "requireTLS"]);
    expect(parse("smtp://mail.example.com:25?ignoreTLS=true").settings).toMatchObject({ tls: "none", opportunisticTls: false });
  });

  it("flags smtp:// on 465 and smtps:// on 587", () => {
    expect(parse("smtp://mail.example.com:465").problems.map((p) => p.keys)).toEqual([["scheme", "port"]]);
    expect(parse("smtps://mail.example.com:587").problems.map((p) => p.keys)).toEqual([["scheme", "port"]]);
  });

  it("throws without echoing a URL that cannot be parsed (it may hold a password)", () => {
    const err = (() => { try { parse("smtps://user:hunter2@", { fileName: "url.txt" }); } catch (e) { return e as ImportError; } })();
    expect(err).toBeInstanceOf(ImportError);
    expect(err!.message).toBe("url.txt: not a valid URL");
  });

  it("throws for a broken %-escape in the password without showing it", () => {
    expect(() => parse("smtps://joe:hunter%zz2@mail.example.com")).toThrow(/^the password in the URL has a broken %-escape$/);
  });
});
