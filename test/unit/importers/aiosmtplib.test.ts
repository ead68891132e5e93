import { describe, expect, it } from "vitest";
import { parse } from "../../../src/config/importers/aiosmtplib.js";
import { fixture } from "./helpers.js";

describe("aiosmtplib / smtplib importer", () => {
  it("reads use_tls=True without start_tls on 465 as implicit TLS, with nothing to warn about (aiosmtplib never sends STARTTLS on a TLS connection)", () => {
    const r = parse(fixture("aiosmtplib-qq.json"));
    expect(r.settings).toEqual({
      host: "smtp.qq.com",
      port: 465,
      tls: "implicit",
      user: "10001@qq.com",
      password: "qqAuthC0de16chars",
      timeoutSeconds: 10,
      from: "10001@qq.com",
      fromName: "Alerts",
    });
    expect(r.keys.tls).toEqual(["use_tls", "start_tls"]);
    expect(r.warnings).toEqual([]);
    expect(r.problems).toEqual([]);
    // The code sets message["From"] = sender on an email.mime message and sends it with send_message.
    expect(r.fromHeader).toEqual({ value: "Alerts <10001@qq.com>", writer: { kind: "python-compat32", fold: 78 }, how: expect.stringContaining("aiosmtplib send_message"), keys: ["sender"] });
  });

  it("message_class EmailMessage makes the From the policy.default one; smtplib settings send msg.as_string()", () => {
    expect(parse('{"hostname": "h", "port": 465, "use_tls": true, "sender": "张三 <a@b.c>", "message_class": "EmailMessage"}').fromHeader?.writer).toEqual({ kind: "python-default" });
    expect(parse('{"class": "SMTP_SSL", "host": "h", "port": 465, "sender": "张三 <a@b.c>"}').fromHeader?.writer).toEqual({ kind: "python-compat32", fold: 0 });
    expect(parse('{"hostname": "h", "sender": "a@b.c", "message_class": "Email"}').warnings).toContainEqual(expect.stringMatching(/message_class "Email" is not/));
  });

  it("has nothing to say once start_tls=False is explicit", () => {
    const r = parse('{"hostname": "smtp.qq.com", "port": 465, "use_tls": true, "start_tls": false, "username": "u", "password": "p"}');
    expect(r.settings.tls).toBe("implicit");
    expect(r.warnings).toEqual([]);
  });

  it("flags use_tls together with start_tls=True, naming both keys (aiosmtplib raises ValueError)", () => {
    const r = parse("hostname='smtp.qq.com', port=465, use_tls=True, start_tls=True");
    expect(r.problems).toEqual([{ message: expect.stringMatching(/not compatible.*start_tls=False/), keys: ["use_tls", "start_tls"] }]);
  });

  it("reads keyword arguments: start_tls=True is required STARTTLS, validate_certs=False is insecure", () => {
    const r = parse(fixture("aiosmtplib-kwargs.py"));
    expect(r.settings).toMatchObject({
      host: "smtp.office365.com", port: 587, tls: "starttls", insecure: true, name: "app01.corp.example", timeoutSeconds: 60,
    });
    expect(r.keys).toMatchObject({ insecure: ["validate_certs"], name: ["local_hostname"] });
    expect(r.keys.timeoutSeconds).toBeUndefined();
  });

  it("reads the default start_tls=None as STARTTLS-if-offered on aiosmtplib's default port 25", () => {
    const r = parse('{"hostname": "mail.example.com"}');
    expect(r.settings).toMatchObject({ port: 25, tls: "none", opportunisticTls: true });
    expect(r.warnings).toContain("port is not set; aiosmtplib uses 25");
  });

  it("flags use_tls=True on 587 and start_tls=True on 465", () => {
    expect(parse("hostname='h', port=587, use_tls=True").problems.map((p) => p.keys)).toEqual([["use_tls", "port"]]);
    expect(parse("hostname='h', port=465, start_tls=True").problems.map((p) => p.keys)).toEqual([["start_tls", "port"]]);
  });

  it("warns that username=\"\" still makes aiosmtplib log in", () => {
    const r = parse('{"hostname": "h", "port": 587, "start_tls": true, "username": ""}');
    expect(r.warnings.some((w) => w.startsWith('username is "" (not None)'))).toBe(true);
  });

  it("reads the smtplib variant: SMTP + starttls is required STARTTLS", () => {
    const r = parse(fixture("smtplib.json"));
    expect(r.settings).toMatchObject({ host: "smtp.office365.com", port: 587, tls: "starttls", user: "alerts@corp.example" });
    expect(r.keys.tls).toEqual(["class", "starttls"]);
    expect(r.settings.timeoutSeconds).toBeUndefined();
  });

  it("reads smtplib.SMTP_SSL(...) as implicit TLS and plain SMTP without starttls as plaintext", () => {
    expect(parse('smtplib.SMTP_SSL(host="smtp.qq.com", port=465)').settings).toMatchObject({ tls: "implicit", port: 465 });
    expect(parse('{"class": "SMTP", "host": "relay.lan"}').settings).toMatchObject({ tls: "none", opportunisticTls: false, port: 25 });
  });

  it("flags starttls on an SMTP_SSL connection", () => {
    const r = parse('{"class": "SMTP_SSL", "host": "smtp.qq.com", "port": 465, "starttls": true}');
    expect(r.problems.map((p) => p.keys)).toEqual([["class", "starttls"]]);
  });
});
