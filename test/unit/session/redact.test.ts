import { describe, expect, it } from "vitest";
import { Redactor, REDACTED } from "../../../src/session/redact.js";
import { redactCommand } from "../../../src/session/transcript.js";

describe("redaction", () => {
  const secret = "s3cr3t-Pässword!";
  const r = new Redactor();
  r.add(secret, "alice@example.com");

  it("removes the secret, its base64 and URL-encoded forms", () => {
    const b64 = Buffer.from(secret).toString("base64");
    const text = `pw=${secret} b64=${b64} url=${encodeURIComponent(secret)}`;
    const out = r.scrub(text);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(b64);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out.match(new RegExp(REDACTED, "g"))).toHaveLength(3);
  });

  it("removes the SASL PLAIN message, with or without an authorization id", () => {
    const plain = Buffer.from(`\0alice@example.com\0${secret}`).toString("base64");
    const withAuthz = Buffer.from(`alice@example.com\0alice@example.com\0${secret}`).toString("base64");
    expect(r.scrub(`AUTH PLAIN ${plain}`)).toBe(`AUTH PLAIN ${REDACTED}`);
    expect(r.scrub(withAuthz)).toBe(REDACTED);
  });

  it("removes the XOAUTH2 and OAUTHBEARER initial responses whole, which carry an OAuth2 token", () => {
    const token = "ya29.a0AfB_token-value";
    const t = new Redactor();
    t.add(token, "alice@example.com");
    const xoauth2 = Buffer.from(`user=alice@example.com\x01auth=Bearer ${token}\x01\x01`).toString("base64");
    const oauthbearer = Buffer.from(`n,a=alice@example.com,\x01auth=Bearer ${token}\x01\x01`).toString("base64");
    expect(t.scrub(`AUTH XOAUTH2 ${xoauth2}`)).toBe(`AUTH XOAUTH2 ${REDACTED}`);
    expect(t.scrub(`AUTH OAUTHBEARER ${oauthbearer}`)).toBe(`AUTH OAUTHBEARER ${REDACTED}`);
  });

  it("finds the secret's base64 inside a longer base64 string at any alignment", () => {
    for (const prefix of ["x", "xy", "xyz"]) {
      const b64 = Buffer.from(`${prefix}${secret}tail`).toString("base64");
      expect(r.scrub(b64)).toContain(REDACTED);
    }
  });

  it("keeps the AUTH verb and mechanism in transcript lines", () => {
    expect(redactCommand("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).toBe(`AUTH PLAIN ${REDACTED}`);
    expect(redactCommand("AUTH LOGIN")).toBe("AUTH LOGIN");
    expect(redactCommand("c2VjcmV0")).toBe(REDACTED);
  });
});
