import { describe, expect, it } from "vitest";
import { validateConfig } from "../../../src/config/validate.js";

const F = "mailctl.config.yaml";
const errorsOf = (work: Record<string, unknown>) => validateConfig({ profiles: { work } }, F).errors;

describe("config file validation", () => {
  it("accepts a complete profile and keeps its values", () => {
    const v = validateConfig({
      defaultProfile: "work",
      profiles: { work: { preset: "gmail", host: "smtp.gmail.com", port: 465, tls: "implicit", user: "me@gmail.com", passwordEnv: "GMAIL_PW", from: "me@gmail.com", fromName: "Me", fromFormat: "name-addr", timeoutSeconds: 20, name: "laptop.example" } },
    }, F);
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([]);
    expect(v.config.defaultProfile).toBe("work");
    expect(v.config.profiles.work).toMatchObject({ port: 465, passwordEnv: "GMAIL_PW" });
  });

  it.each([
    [{ port: 465, tls: "starttls" }, `${F}: profiles.work: port 465 with tls "starttls" cannot work — 465 expects implicit TLS`],
    [{ port: 465, tls: "none" }, `${F}: profiles.work: port 465 with tls "none" cannot work — 465 expects implicit TLS`],
    [{ port: 587, tls: "implicit" }, `${F}: profiles.work: port 587 with tls "implicit" cannot work — 587 expects STARTTLS`],
    [{ port: 25, tls: "implicit" }, `${F}: profiles.work: port 25 with tls "implicit" cannot work — 25 expects plaintext (upgraded with STARTTLS when offered)`],
  ])("refuses %j: %s", (profile, message) => {
    expect(errorsOf(profile)).toEqual([message]);
  });

  it("lets oddities that can work through as notes for doctor, not errors", () => {
    const v = validateConfig({ profiles: { work: { port: 587, tls: "none" }, relay: { port: 25, tls: "starttls" }, odd: { port: 2500, tls: "implicit" } } }, F);
    expect(v.errors).toEqual([]);
    expect(v.notes.work).toEqual([expect.objectContaining({ severity: "warning", message: expect.stringMatching(/^port 587 with tls "none" sends the password unencrypted/) })]);
    expect(v.notes.relay).toBeUndefined();
    expect(v.notes.odd).toBeUndefined();
  });

  it.each([
    ["port", "587", `port must be a whole number from 1 to 65535 (got "587")`],
    ["port", 70000, "port must be a whole number from 1 to 65535 (got 70000)"],
    ["tls", "ssl", `tls must be one of "implicit", "starttls", "none" (got "ssl")`],
    ["host", "smtp example.com", `host must be a host name or IP address (got "smtp example.com")`],
    ["passwordEnv", "MY-PASSWORD", `passwordEnv must be an environment variable name (got "MY-PASSWORD")`],
    ["passwordCommand", [], "passwordCommand must be a command line (a string) or a list of its words (got a list)"],
    ["from", "Me <me@example.com>", `from must be an address like name@example.com (got "Me <me@example.com>")`],
    ["fromFormat", "display", `fromFormat must be one of "name-addr", "address-only" (got "display")`],
    ["insecure", "yes", `insecure must be true or false (got "yes")`],
    ["timeoutSeconds", 0, "timeoutSeconds must be a number of seconds from 0.1 to 3600 (got 0)"],
    ["timeoutSeconds", 1e-9, "timeoutSeconds must be a number of seconds from 0.1 to 3600 (got 1e-9)"],
    ["family", 5, "family must be 4 or 6 (got 5)"],
    ["authMethod", "NTLM", `authMethod must be PLAIN, LOGIN, CRAM-MD5, XOAUTH2 or OAUTHBEARER (got "NTLM")`],
    ["name", "my host", `name must be a host name or address literal (the EHLO name) (got "my host")`],
    ["user", "", `user must be a non-empty string (got "")`],
    ["dialect", "django", `dialect must be one of "mailctl", "dify", "ragflow", "msmtp", "nodemailer", "smtp-url", "aiosmtplib" (got "django")`],
  ])("names the file, profile and field when %s is wrong (%j)", (field, value, why) => {
    expect(errorsOf({ [field]: value })).toEqual([`${F}: profiles.work: ${why}`]);
  });

  it("says which presets exist when a profile names an unknown one", () => {
    expect(errorsOf({ preset: "gmial" })).toEqual([expect.stringMatching(new RegExp(`^${F}: profiles\\.work: preset names unknown preset "gmial" \\(presets: .*gmail`))]);
    expect(errorsOf({ preset: "ses:mars-1" })).toEqual([expect.stringMatching(/preset names preset ses has no region "mars-1"/)]);
  });

  it("never repeats a password in a message, even a wrongly typed one", () => {
    const errors = errorsOf({ password: 123456789 });
    expect(errors).toEqual([`${F}: profiles.work: password must be a string (quote it in YAML)`]);
    expect(errors.join()).not.toContain("123456789");
  });

  it("refuses two password sources in one profile", () => {
    expect(errorsOf({ password: "x", passwordCommand: "pass show mail" })).toEqual([`${F}: profiles.work: password and passwordCommand are alternatives; keep one`]);
  });

  it("warns about unknown keys with the file path, and suggests a near miss", () => {
    const v = validateConfig({ profile: {}, profiles: { work: { prot: 587, colour: "red" } } }, F);
    expect(v.errors).toEqual([]);
    expect(v.warnings).toEqual([
      `${F}: unknown key "profile" is ignored (did you mean "profiles"?)`,
      `${F}: profiles.work: unknown key "prot" is ignored (did you mean "port"?)`,
      `${F}: profiles.work: unknown key "colour" is ignored`,
    ]);
    expect(v.config.profiles.work).toEqual({});
  });

  it("describes a file whose shape is wrong", () => {
    expect(validateConfig(["a"], F).errors).toEqual([`${F}: must hold an object with "profiles" (got a list)`]);
    expect(validateConfig({ profiles: "work" }, F).errors).toEqual([`${F}: profiles must be a map of profile names to settings (got "work")`]);
    expect(validateConfig({ profiles: { work: 587 } }, F).errors).toEqual([`${F}: profiles.work: must be a map of settings (got 587)`]);
    expect(validateConfig({ defaultProfile: 3, profiles: {} }, F).errors).toEqual([`${F}: defaultProfile must be the name of a profile (got 3)`]);
  });

  it("warns that opportunisticTls means nothing unless tls is none", () => {
    expect(validateConfig({ profiles: { work: { tls: "implicit", opportunisticTls: true } } }, F).warnings).toEqual([
      `${F}: profiles.work: opportunisticTls only matters with tls "none"; it is ignored with tls "implicit"`,
    ]);
  });

  it("checks the OAuth2 fields, keeps one source per secret, and never repeats a secret's value", () => {
    const v = validateConfig({ profiles: { work: { clientId: "abc", clientSecretEnv: "CS", refreshTokenCommand: ["pass", "show", "rt"], tokenUrl: "https://oauth2.googleapis.com/token", tokenFile: "tokens/work.json", scope: "https://mail.google.com/", oauthTokenEnv: "AT" } } }, F);
    expect(v.errors).toEqual([]);
    expect(errorsOf({ refreshToken: "1//secret-rt", refreshTokenEnv: "RT" })).toEqual([`${F}: profiles.work: refreshToken and refreshTokenEnv are alternatives; keep one`]);
    expect(errorsOf({ oauthTokenEnv: "A", oauthTokenCommand: "get-token" })).toEqual([`${F}: profiles.work: oauthTokenEnv and oauthTokenCommand are alternatives; keep one`]);
    expect(errorsOf({ tokenUrl: "http://tokens.example.com/token" })).toEqual([
      `${F}: profiles.work: tokenUrl must be an https:// URL (a token endpoint carries the client secret and refresh token; RFC 6749 §3.2 requires TLS) (got "http://tokens.example.com/token")`,
    ]);
    expect(errorsOf({ refreshTokenEnv: "refresh-token" })).toEqual([`${F}: profiles.work: refreshTokenEnv must be an environment variable name (got "refresh-token")`]);
    const secretErrors = errorsOf({ clientSecret: 42, refreshToken: "" });
    expect(secretErrors).toEqual([`${F}: profiles.work: clientSecret must be a non-empty string (quote it in YAML)`, `${F}: profiles.work: refreshToken must be a non-empty string (quote it in YAML)`]);
  });
});
