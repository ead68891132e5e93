import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { portTlsProblem } from "../../../src/config/checks.js";
import { findPreset, listPresets, loadPreset, PresetError, presetEndpoint, presetForService, PRESETS_DIR } from "../../../src/config/presets.js";
import { unsupportedKeywords, validate } from "../../helpers/json-schema.js";

const schema = JSON.parse(readFileSync(new URL("schema.json", PRESETS_DIR), "utf8")) as Record<string, unknown>;
const files = readdirSync(PRESETS_DIR).filter((f) => f.endsWith(".json") && f !== "schema.json").sort();
const raw = (f: string) => JSON.parse(readFileSync(new URL(f, PRESETS_DIR), "utf8")) as Record<string, any>;

describe("presets schema", () => {
  it("uses only keywords the test validator implements", () => {
    expect(unsupportedKeywords(schema)).toEqual([]);
  });

  it("holds the eighteen providers the issue lists", () => {
    expect(files.map((f) => f.replace(/\.json$/, ""))).toEqual([
      "126", "163", "aliyun-directmail", "aliyun-enterprise", "exmail", "fastmail", "gmail", "icloud", "lab",
      "mailgun", "office365", "outlook", "postmark", "qq", "sendgrid", "ses", "yahoo", "zoho",
    ]);
  });

  it.each(files)("%s is valid against presets/schema.json", (f) => {
    expect(validate(schema, raw(f))).toEqual([]);
  });

  it("catches what the schema forbids: a missing field, an unknown key, a bad TLS mode, an unknown credential kind", () => {
    const p = raw("gmail.json");
    delete p.credential;
    p.hots = "x";
    p.endpoints[0].tls = "ssl";
    p.signatures[0].id = "made-up";
    expect(validate(schema, p)).toEqual([
      expect.stringMatching(/^\$: missing required "credential"/),
      expect.stringMatching(/^\$\.endpoints\[0\]\.tls: "ssl" is not one of/),
      expect.stringMatching(/^\$\.signatures\[0\]\.id: "made-up" is not one of/),
      "$.hots: not allowed (additionalProperties: false)",
    ]);
  });

  it.each(files)("%s: name equals the file name, and no endpoint pairs a port with a mode that cannot work", (f) => {
    const p = raw(f);
    expect(p.name).toBe(f.replace(/\.json$/, ""));
    for (const e of p.endpoints) expect(portTlsProblem(e.port, e.tls)?.severity, `${e.port} ${e.tls}`).not.toBe("error");
  });

  it("gives explain's text hints a stated order: each textOrder once, each hint a valid expression", () => {
    const orders = listPresets().flatMap((p) => (p.match.text ? [p.match.textOrder] : []));
    expect(orders.every((o) => Number.isInteger(o)), "every preset with text hints has a textOrder").toBe(true);
    expect(new Set(orders).size).toBe(orders.length);
    for (const p of listPresets()) for (const re of p.match.text ?? []) expect(() => new RegExp(re), `${p.name}: ${re}`).not.toThrow();
  });

  it("has no alias that is another preset's name or alias", () => {
    const seen = new Map<string, string>();
    for (const p of listPresets()) {
      for (const n of [p.name, ...(p.aliases ?? [])]) {
        expect(seen.get(n), `${n} in ${p.name}`).toBeUndefined();
        seen.set(n, p.name);
      }
    }
  });

  it("fills every region to a host the preset recognises", () => {
    for (const p of listPresets()) {
      const region = p.params?.region;
      if (p.host.includes("{region}")) expect(region, p.name).toBeDefined();
      for (const v of region?.values ?? []) expect(p.match.hosts, `${p.name}:${v}`).toContain(loadPreset(`${p.name}:${v}`).host);
    }
  });
});

describe("preset loader", () => {
  it("finds a preset by name or alias, in any case", () => {
    expect(loadPreset("gmail").host).toBe("smtp.gmail.com");
    expect(loadPreset("GoogleMail").name).toBe("gmail");
    expect(loadPreset("outlook365").name).toBe("office365");
    expect(findPreset("nope")).toBeUndefined();
  });

  it("fills {region} from name:region, the default region without one, and per-region host overrides", () => {
    expect(loadPreset("ses:eu-west-1")).toMatchObject({ host: "email-smtp.eu-west-1.amazonaws.com", region: "eu-west-1", ref: "ses:eu-west-1" });
    expect(loadPreset("ses")).toMatchObject({ host: "email-smtp.us-east-1.amazonaws.com", region: "us-east-1", ref: "ses" });
    expect(loadPreset("aliyun-directmail:cn-hangzhou").host).toBe("smtpdm.aliyun.com");
    expect(loadPreset("mailgun:eu").host).toBe("smtp.eu.mailgun.org");
    expect(loadPreset("zoho:eu").host).toBe("smtp.zoho.eu");
  });

  it("says which names and regions exist when one does not", () => {
    expect(() => loadPreset("gmial")).toThrow(PresetError);
    expect(() => loadPreset("gmial")).toThrow(/unknown preset "gmial" \(presets: 126, 163, .*gmail.*\)/);
    expect(() => loadPreset("ses:mars-1")).toThrow(/preset ses has no region "mars-1" \(regions: us-east-1, /);
    expect(() => loadPreset("gmail:eu")).toThrow(/preset gmail has no regions/);
  });

  it("gives the preferred endpoint, or the one for a port or a mode", () => {
    const qq = loadPreset("qq");
    expect(presetEndpoint(qq, {})).toEqual({ port: 465, tls: "implicit" });
    expect(presetEndpoint(qq, { port: 587 })).toEqual({ port: 587, tls: "starttls" });
    expect(presetEndpoint(qq, { tls: "starttls" })).toEqual({ port: 587, tls: "starttls" });
    expect(presetEndpoint(qq, { port: 25 })).toBeUndefined();
  });

  it("maps nodemailer service names to our presets", () => {
    expect(presetForService("outlook365")).toBe("office365");
    expect(presetForService("hotmail")).toBe("outlook");
    expect(presetForService("qqex")).toBe("exmail");
    expect(presetForService("aliyunqiye")).toBe("aliyun-enterprise");
    expect(presetForService("qiye.aliyun")).toBe("aliyun-enterprise");
    expect(presetForService("ses-eu-west-1")).toBe("ses:eu-west-1");
    expect(presetForService("gmail")).toBe("gmail");
    expect(presetForService("mailjet")).toBeUndefined();
  });

  it("maps every nodemailer service it maps to a preset that loads, with nodemailer's host", () => {
    const services = createRequire(import.meta.url)("nodemailer/lib/well-known/services.json") as Record<string, { host?: string }>;
    let mapped = 0;
    for (const [key, svc] of Object.entries(services)) {
      const ref = presetForService(key.toLowerCase());
      if (!ref) continue;
      mapped++;
      const p = loadPreset(ref);
      if (svc.host) expect([p.host, ...p.match.hosts], `${key} → ${ref}`).toContain(svc.host);
    }
    expect(mapped).toBeGreaterThanOrEqual(30);
  });
});
