import { describe, expect, it } from "vitest";
import { ImportError } from "../../../src/config/importers/errors.js";
import { parse } from "../../../src/config/importers/msmtp.js";
import { fixture } from "./helpers.js";

const rc = fixture("msmtprc");

describe("msmtprc importer", () => {
  it("picks `account default`, following `default : gmail-alias : gmail` and the defaults section", () => {
    const r = parse(rc, { fileName: "~/.msmtprc" });
    expect(r.settings).toEqual({
      host: "smtp.gmail.com", // from gmail, through gmail-alias
      port: 587, // from defaults
      tls: "starttls", // tls on (defaults) + tls_starttls on (msmtp's default)
      ca: "/etc/ssl/certs/ca-certificates.crt",
      user: "joe.smith@gmail.com",
      passwordCommand: "pass show mail/gmail | head -n1",
      from: "joe@smith.example", // gmail-alias overrides gmail's from
      timeoutSeconds: 15,
    });
    expect(r.keys).toMatchObject({ tls: ["tls", "tls_starttls"], passwordCommand: ["passwordeval"], ca: ["tls_trust_file"] });
    expect(r.warnings).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it("reads the account named in opts.account: implicit TLS, auth method, password with # and spaces, EHLO domain", () => {
    const r = parse(rc, { account: "qq" });
    expect(r.settings).toMatchObject({
      host: "smtp.qq.com",
      port: 465,
      tls: "implicit",
      authMethod: "LOGIN",
      password: "Qq#auth code",
      name: "laptop.example",
      from: "10001@qq.com",
    });
    expect(r.keys.name).toEqual(["domain"]);
  });

  it("maps tls off and tls_certcheck off to no TLS and insecure", () => {
    const r = parse(rc, { account: "relay" });
    expect(r.settings).toMatchObject({ host: "relay.office.lan", port: 25, tls: "none", insecure: true });
    expect(r.keys.insecure).toEqual(["tls_certcheck"]);
  });

  it("defaults the port to 465 for TLS without STARTTLS, and to 25 otherwise", () => {
    const implicit = parse("account a\nhost smtp.qq.com\ntls on\ntls_starttls off\n");
    expect(implicit.settings).toMatchObject({ tls: "implicit", port: 465 });
    expect(implicit.warnings).toContain("port is not set; msmtp uses 465");
    expect(parse("account a\nhost mail.example\ntls on\n").settings).toMatchObject({ tls: "starttls", port: 25 });
  });

  it("falls back to the first account with a warning when there is no `default`", () => {
    const r = parse("account first\nhost a.example\n\naccount second\nhost b.example\n");
    expect(r.settings.host).toBe("a.example");
    expect(r.warnings[0]).toMatch(/no account named "default"; reading "first"/);
  });

  it("throws an ImportError for an unknown requested account, listing the real ones", () => {
    expect(() => parse(rc, { account: "work", fileName: "msmtprc" })).toThrow(ImportError);
    expect(() => parse(rc, { account: "work", fileName: "msmtprc" })).toThrow(/no account named "work" \(accounts: gmail, gmail-alias, qq, relay, default\)/);
  });

  it("flags inheritance from an account that does not exist", () => {
    const r = parse("account a : ghost\nhost a.example\n");
    expect(r.problems).toEqual([{ message: expect.stringMatching(/unknown account ghost/), keys: ["account"] }]);
  });

  it("warns that user without auth on means msmtp never logs in", () => {
    const r = parse("account a\nhost a.example\nuser joe\npassword pw\n");
    expect(r.warnings).toContain("user is set but auth is not on: msmtp only logs in when auth is enabled");
  });

  it("treats a bare `tls` as on and unquotes quoted arguments", () => {
    const r = parse('account a\nhost a.example\ntls\nfrom " joe@a.example"\n');
    expect(r.settings.tls).toBe("starttls");
    expect(r.settings.from).toBe(" joe@a.example");
  });

  it("throws when there is no account at all", () => {
    expect(() => parse("defaults\ntls on\n", { fileName: "msmtprc" })).toThrow(/^msmtprc: no account is defined$/);
  });
});

describe("msmtp and the From header", () => {
  it("reads from_full_name and set_from_header: msmtp writes its own From only when told to", async () => {
    const { writeAppFrom } = await import("../../../src/send/app-from.js");
    const conf = (extra: string) => parse(`account default\nhost smtp.example.com\nfrom me@example.com\n${extra}`);
    const auto = conf('from_full_name "张三"').fromHeader!;
    expect(auto).toMatchObject({ value: { name: "张三", address: "me@example.com" }, writer: { kind: "msmtp", set: "auto" }, keys: ["from", "from_full_name"] });
    // src/tools.c encode_for_header: the whole name in one base64 word, the locale's charset in lower case.
    expect(await writeAppFrom(auto)).toEqual({ header: "=?utf-8?B?5byg5LiJ?= <me@example.com>" });
    expect(await writeAppFrom(conf('from_full_name "Doe, John"').fromHeader!)).toEqual({ header: "Doe, John <me@example.com>" });
    expect(conf("set_from_header on").fromHeader).toMatchObject({ writer: { kind: "msmtp", set: "on" }, keys: ["from", "set_from_header"] });
    expect(conf("set_from_header off").fromHeader).toBeUndefined();
    expect(conf("").warnings.filter((w) => /from_full_name/.test(w))).toEqual([]);
  });
});
