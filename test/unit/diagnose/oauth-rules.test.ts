// Which OAuth2 cause the catalog names for the providers' real token errors (sources beside the rules in src/diagnose/catalog/auth.ts).
import { describe, expect, it } from "vitest";
import { diagnose } from "../../../src/diagnose/diagnose.js";
import { fromFailure, fromText } from "../../../src/diagnose/evidence.js";
import { type TokenFacts } from "../../../src/session/auth.js";
import { providerByName, providerFromText } from "../../../src/diagnose/providers.js";
import { parseReply } from "../../../src/session/reply.js";

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64");

function explain(text: string) {
  const e = fromText(text);
  return diagnose(e, { provider: providerFromText(e.text, e.host) });
}

/** A live auth-stage failure as the session reports it. */
function live(reply: string, opts: { command?: string; provider?: string; challenge?: unknown; token?: TokenFacts; stage?: "auth" | "mail" } = {}) {
  const r = parseReply(reply)!;
  const command = opts.command ?? "AUTH XOAUTH2";
  const f = { stage: opts.stage ?? ("auth" as const), kind: "negative-reply" as const, message: `${command}: ${reply}`, reply: r, command };
  const e = fromFailure(f, { host: "smtp.example.com", port: 587, tls: "starttls", secure: true, ...(opts.challenge ? { oauthChallenge: opts.challenge } : {}), ...(opts.token ? { token: opts.token } : {}) });
  return diagnose(e, { provider: opts.provider ? providerByName(opts.provider) : null, target: { host: "smtp.example.com", port: 587, tls: "starttls", user: "me@example.com" } })!;
}

describe("Google's XOAUTH2 challenge", () => {
  it("the usual {status 400, scope https://mail.google.com/} is a rejected token, not a missing scope", () => {
    const d = explain(`SMTP ERROR: AUTH command failed: 334 ${b64({ status: "400", schemes: "Bearer", scope: "https://mail.google.com/" })}`)!;
    expect(d.id).toBe("oauth-token-rejected");
    expect(d.explanation).toContain('its error challenge decodes to {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}');
  });

  it("status 403, or RFC 7628's insufficient_scope, is the missing scope", () => {
    expect(explain(`334 ${b64({ status: "403", schemes: "Bearer", scope: "https://mail.google.com/" })}`)!.id).toBe("oauth-scope-missing");
    expect(explain(`334 ${b64({ status: "insufficient_scope", scope: "example_scope" })}`)!.id).toBe("oauth-scope-missing");
    expect(explain(`334 ${b64({ status: "invalid_token", scope: "example_scope" })}`)!.id).toBe("oauth-token-rejected");
  });

  it("live, Gmail's 535-5.7.8 after the challenge is the token (its password signature does not apply)", () => {
    const d = live("535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp", { provider: "gmail", challenge: { status: "400", schemes: "Bearer", scope: "https://mail.google.com/" } });
    expect(d.id).toBe("oauth-token-rejected");
    expect(d.fix.join("\n")).not.toMatch(/Microsoft/);
  });

  it("live, a token granted without the mail scope is named even though the challenge is the usual 400", () => {
    const token = { fresh: true, grantedScope: "https://www.googleapis.com/auth/gmail.send", requiredScope: "https://mail.google.com/", missingScope: "https://mail.google.com/" };
    const d = live("535 5.7.8 Username and Password not accepted", { provider: "gmail", challenge: { status: "400" }, token });
    expect(d.id).toBe("oauth-scope-missing");
    expect(d.fix[0]).toContain("https://mail.google.com/");
  });
});

describe("Microsoft's refusals (no challenge)", () => {
  it("535 5.7.3 after AUTH XOAUTH2 is the token; after AUTH LOGIN it stays a wrong password", () => {
    const d = live("535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]", { provider: "office365" });
    expect(d.id).toBe("oauth-token-rejected");
    expect(d.fix.join("\n")).toMatch(/SMTP AUTH must be on for the mailbox even with OAuth2/);
    expect(live("535 5.7.3 Authentication unsuccessful", { provider: "office365", command: "AUTH LOGIN" }).id).toBe("auth-failed");
  });

  it("5.7.139 SmtpClientAuthentication disabled is SMTP AUTH switched off, OAuth2 included", () => {
    const d = live("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.", { provider: "office365" });
    expect(d.id).toBe("auth-basic-disabled");
    expect(d.explanation).toContain("refuses every SMTP sign-in, OAuth2 included");
    expect(live("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.").id).toBe("auth-basic-disabled");
  });

  it("501 5.5.124 Invalid XOAUTH2 auth data is a user name the token does not belong to", () => {
    const d = live("501 5.5.124 Invalid XOAUTH2 auth data - User address provided is not valid. Please ensure the auth data is formatted correctly.", { provider: "office365" });
    expect(d.id).toBe("oauth-token-rejected");
    expect(d.explanation).toContain('must be the mailbox the token was issued for (it is "me@example.com")');
  });
});

describe("token endpoint errors", () => {
  it("invalid_scope at the endpoint is the missing scope; the others are refresh failures", () => {
    expect(explain("the OAuth2 token endpoint https://login.microsoftonline.com/common/oauth2/v2.0/token refused to refresh the token: invalid_scope (AADSTS70011)")!.id).toBe("oauth-scope-missing");
    for (const code of ["invalid_grant", "invalid_client", "unauthorized_client"]) {
      const d = explain(`the OAuth2 token endpoint https://oauth2.googleapis.com/token refused to refresh the token: ${code}`)!;
      expect(d.id).toBe("oauth-refresh-failed");
      expect(d.explanation).toContain(`${code}:`);
    }
  });

  it("a 501 at MAIL FROM after an OAuth2 login is not a token problem", () => {
    expect(live("501 mail from address must be same as authorization user", { command: "MAIL FROM", stage: "mail" }).id).toBe("sender-not-owned");
  });
});
