import { describe, expect, it } from "vitest";
import { importConfig, renderSettings } from "../../../src/config/importers/index.js";
import type { Dialect } from "../../../src/config/importers/registry.js";
import type { ProfileSettings } from "../../../src/settings.js";

const IMPLICIT: ProfileSettings = { port: 465, tls: "implicit" };
const STARTTLS: ProfileSettings = { port: 587, tls: "starttls" };
const PLAIN: ProfileSettings = { port: 25, tls: "none", opportunisticTls: false };
const OPPORTUNISTIC: ProfileSettings = { port: 25, tls: "none", opportunisticTls: true };

describe("renderSettings: TLS modes write every key that decides TLS in the app", () => {
  const table: Record<Exclude<Dialect, "smtp-url">, [ProfileSettings, string[]][]> = {
    dify: [
      [IMPLICIT, ["SMTP_PORT=465", "SMTP_USE_TLS=true", "SMTP_OPPORTUNISTIC_TLS=false"]],
      [STARTTLS, ["SMTP_PORT=587", "SMTP_USE_TLS=true", "SMTP_OPPORTUNISTIC_TLS=true"]],
      [PLAIN, ["SMTP_PORT=25", "SMTP_USE_TLS=false", "SMTP_OPPORTUNISTIC_TLS=false"]],
    ],
    ragflow: [
      [IMPLICIT, ["mail_port: 465", "mail_use_ssl: true", "mail_use_tls: false"]],
      [STARTTLS, ["mail_port: 587", "mail_use_ssl: false", "mail_use_tls: true"]],
      [PLAIN, ["mail_port: 25", "mail_use_ssl: false", "mail_use_tls: false"]],
      [OPPORTUNISTIC, ["mail_port: 25", "mail_use_ssl: false", "mail_use_tls: null"]],
    ],
    msmtp: [
      [IMPLICIT, ["port 465", "tls on", "tls_starttls off"]],
      [STARTTLS, ["port 587", "tls on", "tls_starttls on"]],
      [PLAIN, ["port 25", "tls off"]],
    ],
    nodemailer: [
      [IMPLICIT, ["port: 465", "secure: true"]],
      [STARTTLS, ["port: 587", "secure: false", "requireTLS: true"]],
      [PLAIN, ["port: 25", "secure: false", "requireTLS: false", "ignoreTLS: true"]],
      [OPPORTUNISTIC, ["port: 25", "secure: false", "requireTLS: false", "ignoreTLS: false"]],
    ],
    aiosmtplib: [
      [IMPLICIT, ["port=465", "use_tls=True", "start_tls=False"]],
      [STARTTLS, ["port=587", "use_tls=False", "start_tls=True"]],
      [PLAIN, ["port=25", "use_tls=False", "start_tls=False"]],
      [OPPORTUNISTIC, ["port=25", "use_tls=False", "start_tls=None"]],
    ],
    mailctl: [
      [IMPLICIT, ["port: 465", "tls: implicit"]],
      [STARTTLS, ["port: 587", "tls: starttls"]],
      [PLAIN, ["port: 25", "tls: none", "opportunisticTls: false"]],
      [OPPORTUNISTIC, ["port: 25", "tls: none", "opportunisticTls: true"]],
    ],
  };
  for (const [dialect, rows] of Object.entries(table)) {
    for (const [change, lines] of rows) {
      it(`${dialect}: ${change.tls}${change.opportunisticTls ? " (opportunistic)" : ""}`, () => {
        expect(renderSettings(dialect as Dialect, change)).toEqual(lines);
      });
    }
  }

  it("smtp-url: the whole URL, scheme and query keys agreeing with the mode", () => {
    const base = { host: "smtp.example.com", user: "no-reply@example.com" };
    expect(renderSettings("smtp-url", { ...base, ...IMPLICIT })).toEqual(["smtps://no-reply%40example.com@smtp.example.com:465"]);
    expect(renderSettings("smtp-url", { ...base, ...STARTTLS })).toEqual(["smtp://no-reply%40example.com@smtp.example.com:587?requireTLS=true"]);
    expect(renderSettings("smtp-url", { ...base, ...PLAIN })).toEqual(["smtp://no-reply%40example.com@smtp.example.com:25?ignoreTLS=true"]);
    expect(renderSettings("smtp-url", { ...base, ...OPPORTUNISTIC, insecure: true })).toEqual(["smtp://no-reply%40example.com@smtp.example.com:25?tls.rejectUnauthorized=false"]);
  });

  it("writes the other settings in each app's own keys", () => {
    const change: ProfileSettings = { host: "smtp.qq.com", user: "10001@qq.com", from: "10001@qq.com", fromName: "Alerts", name: "app01.example" };
    expect(renderSettings("dify", change)).toEqual([
      "SMTP_SERVER=smtp.qq.com", "SMTP_USERNAME=10001@qq.com", 'MAIL_DEFAULT_SEND_FROM="Alerts <10001@qq.com>"', "SMTP_LOCAL_HOSTNAME=app01.example",
    ]);
    expect(renderSettings("ragflow", change)).toEqual([
      'mail_server: "smtp.qq.com"', 'mail_username: "10001@qq.com"', 'mail_default_sender: ["Alerts", "10001@qq.com"]',
    ]);
    expect(renderSettings("msmtp", { ...change, passwordCommand: ["pass", "show", "mail/qq"] })).toEqual([
      "host smtp.qq.com", "auth on", "user 10001@qq.com", "passwordeval 'pass' 'show' 'mail/qq'", "from 10001@qq.com", "domain app01.example",
    ]);
    expect(renderSettings("nodemailer", { host: "h", insecure: true, servername: "mx.example", passwordEnv: "SMTP_PASS", user: "u" })).toEqual([
      'host: "h"', 'auth: { user: "u", pass: process.env.SMTP_PASS }', 'tls: { rejectUnauthorized: false, servername: "mx.example" }',
    ]);
    expect(renderSettings("aiosmtplib", { host: "h", insecure: false, timeoutSeconds: 10 })).toEqual(['hostname="h"', "validate_certs=True", "timeout=10"]);
    expect(renderSettings("mailctl", { host: "smtp.qq.com", passwordCommand: ["pass", "show", "mail/qq"], fromName: "Ops: alerts" })).toEqual([
      "host: smtp.qq.com", "passwordCommand: [ pass, show, mail/qq ]", 'fromName: "Ops: alerts"',
    ]);
  });
});

describe("rendered lines read back as the same TLS mode", () => {
  const wrap: Record<string, (lines: string[]) => string> = {
    dify: (l) => ["MAIL_TYPE=smtp", ...l].join("\n"),
    ragflow: (l) => ["smtp:", ...l.map((x) => `  ${x}`)].join("\n"),
    msmtp: (l) => ["account default", ...l].join("\n"),
    nodemailer: (l) => `{ ${l.join(", ")} }`,
    aiosmtplib: (l) => l.join(", "),
    "smtp-url": (l) => l[0]!,
  };
  // Dify and msmtp have no "STARTTLS if offered": opportunistic renders as plain, by design.
  const canOpportunistic = new Set(["ragflow", "nodemailer", "aiosmtplib", "smtp-url"]);
  for (const [dialect, toText] of Object.entries(wrap)) {
    for (const change of [IMPLICIT, STARTTLS, PLAIN, OPPORTUNISTIC]) {
      const expected = { tls: change.tls, port: change.port, opportunistic: change.tls === "none" && !!change.opportunisticTls && canOpportunistic.has(dialect) };
      it(`${dialect}: ${change.tls}${change.opportunisticTls ? " (opportunistic)" : ""}`, () => {
        const r = importConfig(toText(renderSettings(dialect as Dialect, { host: "h.example", ...change })), { dialect: dialect as Dialect });
        expect({ tls: r.settings.tls, port: r.settings.port, opportunistic: !!r.settings.opportunisticTls }).toEqual(expected);
      });
    }
  }
});
