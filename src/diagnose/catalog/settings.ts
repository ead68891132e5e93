import { code, enhanced, has, kind, tokenAuth } from "../signals.js";
import { fromFixSteps, fromSent, keepName } from "./from-fix.js";
import { entries, quoted, who, type ExplainCtx, type FixStep } from "./types.js";

const google = (c: ExplainCtx) => c.provider?.name === "gmail";
const microsoft = (c: ExplainCtx) => c.provider?.name === "outlook" || c.provider?.name === "office365";

/** The scope SMTP needs at this provider (the preset's, without offline_access), or both providers'. */
function scopeFor(c: ExplainCtx): string {
  const s = c.e.token?.requiredScope ?? c.provider?.oauth2?.scope.split(/\s+/).filter((w) => w !== "offline_access").join(" ");
  return s ?? "https://mail.google.com/ (Gmail; gmail.send is for the Gmail API, not SMTP) or https://outlook.office.com/SMTP.Send (Microsoft, with offline_access for a refresh token)";
}

const MS_SMTP_AUTH =
  "Microsoft: SMTP AUTH must be on for the mailbox even with OAuth2 (admin center → Users → the user → Mail → Manage email apps → Authenticated SMTP, or Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false).";

/** What each RFC 6749 §5.2 error means for a refresh-token grant, with the providers' own reasons. */
const REFRESH_CAUSES: Record<string, string> = {
  invalid_grant:
    "invalid_grant: the refresh token is no longer valid — the user revoked the app's access, changed the password (Google, for tokens with Gmail scopes), it went unused too long (Google: six months; Microsoft: AADSTS700082 after 90 days), the app is in Google's \"Testing\" publishing status (refresh tokens expire after 7 days), or it was issued to another client id.",
  invalid_client:
    "invalid_client: the token endpoint did not accept the client — the client id or secret is wrong, the secret has expired (Microsoft client secrets do), or the client id belongs to another provider than this token endpoint.",
  unauthorized_client: "unauthorized_client: this app registration may not use the refresh-token grant (its type or its allowed flows do not include it).",
  invalid_request: "invalid_request: the request lacked something the endpoint wants — Microsoft's v2.0 endpoint, for one, wants the scopes again on a refresh.",
  unreachable: "The token endpoint could not be reached, so no access token could be had.",
  "bad-response": "The address answered, but not as an OAuth2 token endpoint: the tokenUrl is probably wrong.",
};

const REFRESH_FIXES: Record<string, string[]> = {
  invalid_grant: [
    "Sign in again (the authorization-code or device-code flow, with offline access) to get a new refresh token, and put it where refreshTokenEnv / refreshTokenCommand reads it.",
    "Google: publish the OAuth consent screen (\"In production\") so refresh tokens stop expiring after 7 days.",
  ],
  invalid_client: ["Check clientId and the client secret against the app registration (Google Cloud console → Credentials; Microsoft Entra → App registrations → Certificates & secrets), and make a new secret if it expired."],
  unauthorized_client: ["Allow the flow in the app registration (Microsoft Entra → Authentication: \"Allow public client flows\" for a client without a secret), or use the client id of an app that may refresh tokens."],
  invalid_request: ["Set scope in the profile (Microsoft: https://outlook.office.com/SMTP.Send offline_access), and check the tokenUrl."],
  unreachable: ["Check the tokenUrl and that this machine can reach it (proxy, firewall, DNS)."],
  "bad-response": ["Set tokenUrl to the provider's token endpoint (Google: https://oauth2.googleapis.com/token; Microsoft: https://login.microsoftonline.com/common/oauth2/v2.0/token)."],
};

/** Findings on the settings themselves (static checks) and OAuth2. */
export const SETTINGS = entries([
  {
    id: "from-header-invalid",
    category: "data",
    stage: null,
    signals: "the From header as it will go out — with --from-config the bytes the app's own writer makes of its sender setting (Dify's and RAGFlow's compat32 messages, aiosmtplib/smtplib, nodemailer, msmtp), else the --header-from value or the --from mailbox — judged before connecting by the same strict reader as the lab's QQ persona (RFC 5322 §3.4, RFC 2047 §5)",
    title: "The From header is not valid RFC 5322 / RFC 2047",
    explain: (c) =>
      `${c.from ? `The From header that goes out is not one valid mailbox (the reason is above).${fromSent(c)}` : `The configured From${c.target?.from ? ` (${c.target.from})` : ""} is not a valid RFC 5322 mailbox (the reason is above).`} ` +
      "Strict providers, QQ Mail among them, refuse such a header with 550; others show it garbled or split it into several addresses." +
      keepName(c),
    fix: (c) => fromFixSteps(c),
  },
  {
    id: "ehlo-name-not-fqdn",
    category: "config",
    stage: null,
    signals: "the configured EHLO name is neither a fully-qualified domain name nor an address literal",
    title: "The EHLO name is not a fully-qualified domain name",
    explain: (c) => `The client introduces itself as "${c.target?.name ?? c.e.text}", which is not a fully-qualified domain name or an address literal (RFC 5321 §4.1.1.1). Postfix refuses such names with 504, Gmail with 421 (EHLO).`,
    fix: () => [{ text: "Set the EHLO name to this host's FQDN (mailctl --name mail.example.com), or leave it unset so mailctl sends its address literal." }],
  },
  {
    id: "tls-verification-off",
    category: "config",
    stage: null,
    signals: "--insecure, or insecure/rejectUnauthorized: false in the settings",
    title: "Certificate verification is switched off",
    explain: () => "The settings turn TLS certificate verification off: the connection is encrypted, but anyone on the path can impersonate the server and read the password.",
    fix: () => [{ text: "Remove insecure / rejectUnauthorized: false; if the server uses a private CA, trust that CA instead (--ca).", change: { insecure: false } }],
  },
  {
    id: "password-file-readable",
    category: "config",
    stage: null,
    signals: "the config file that holds the password is readable by group or others",
    title: "The config file holding the password is readable by others",
    explain: (c) => `${c.e.text}: other users on this machine can read the password in it.`,
    fix: () => [{ text: "Restrict it to its owner (chmod 600 <file>), or move the password to an environment variable or passwordCommand." }],
  },
  {
    id: "config-problem",
    category: "config",
    stage: null,
    signals: "an app's settings contradict each other (from the importers)",
    title: "The app's settings contradict each other",
    explain: (c) => `The app's settings, as the app itself reads them, cannot work together: ${c.e.text}.`,
    fix: () => [{ text: "Change the settings named above; the fix steps of the other findings show the values that work." }],
  },
  {
    id: "oauth-token-rejected",
    category: "noperm",
    stage: "auth",
    signals: "after AUTH XOAUTH2/OAUTHBEARER: an error challenge (334 + base64 JSON, e.g. Gmail's {\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}) then 535; Microsoft's 535 5.7.3 \"Authentication unsuccessful\"; 501 5.5.124 \"Invalid XOAUTH2 auth data\"; Gmail's 501 5.5.2 \"Cannot Decode response\"",
    rules: [
      {
        priority: 60,
        test: (e) =>
          !!e.oauth ||
          has(e, /cannot decode response|AUTH command failed: 334|invalid xoauth2 auth data/i) ||
          ((tokenAuth(e) || has(e, /xoauth2|oauthbearer/i)) && [535, 501, 334].includes(code(e) ?? 0) && !["5.7.139", "5.7.30"].includes(enhanced(e))),
      },
    ],
    title: "The OAuth2 access token was rejected",
    explain: (c) => {
      const t = c.e.token;
      const o = c.e.oauth;
      const parts = [`${who(c)} refused the OAuth2 access token${quoted(c) ? ` (${quoted(c)})` : ""}${o ? `; its error challenge decodes to ${JSON.stringify(o)}` : ""}.`];
      if (t?.firstReply) parts.push(`mailctl fetched a new token after the first was refused (${t.firstReply}), and the new one was refused too.`);
      if (o && !/^(403|insufficient_scope)$/i.test(o.status ?? "")) {
        parts.push(`The challenge does not say why: Gmail answers an expired or revoked token, a token of another account and a token without the mail scope alike (status 400), and its "scope" is the scope the server accepts, not one the token lacks.`);
      }
      if (/5\.5\.124|user address provided is not valid/i.test(c.e.text)) {
        parts.push(`Microsoft says the user name in the XOAUTH2 string is not valid: it must be the mailbox the token was issued for${c.target?.user ? ` (it is "${c.target.user}")` : ""}.`);
      } else if (t?.fresh || t?.renewed) {
        parts.push(`The token was issued by ${t.tokenUrl ?? "the token endpoint"} moments ago, so it has not expired: it belongs to another account than the user name${c.target?.user ? ` ${c.target.user}` : ""}, it lacks the mail scope, or${microsoft(c) ? "" : " — at Microsoft —"} SMTP AUTH is disabled for the mailbox.`);
      } else if (t?.source && !t.tokenUrl) {
        parts.push(`The token comes ready-made from ${t.source}, and mailctl cannot renew it: access tokens last about an hour at Google and Microsoft, so it has most likely expired — or it belongs to another account, or lacks the mail scope.`);
      } else {
        parts.push(`It has expired or been revoked, was issued for another account than the user name in AUTH, lacks the mail scope, or${microsoft(c) ? "" : " — at Microsoft (535 5.7.3 covers all of these) —"} SMTP AUTH is disabled for the mailbox.`);
      }
      return parts.join(" ");
    },
    fix: (c) => {
      const t = c.e.token;
      const steps: FixStep[] = [];
      if (t?.source && !t.tokenUrl) steps.push({ text: "Get a fresh access token, or give mailctl a refresh setup so it renews tokens itself: clientId, refreshTokenEnv (or refreshTokenCommand), clientSecretEnv and tokenUrl in the profile (README \"OAuth2\")." });
      steps.push({ text: `Make the user name the mailbox that signed in when the token was granted${c.target?.user ? ` (now: ${c.target.user})` : ""}.` });
      steps.push({ text: `Make sure the token was granted the mail scope: ${scopeFor(c)}.` });
      if (!google(c)) steps.push({ text: MS_SMTP_AUTH });
      return steps;
    },
  },
  {
    id: "oauth-scope-missing",
    category: "noperm",
    stage: "auth",
    // What the providers' token errors look like (checked against their documentation and public reports):
    // - Google's XOAUTH2 error is a 334 challenge, base64 JSON {status, schemes, scope}; after the client's empty line
    //   the server says 535 5.7.8 (developers.google.com/workspace/gmail/imap/xoauth2-protocol). Gmail sends
    //   {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"} for an invalid or expired token
    //   (Symfony/Laravel log in the corpus; WildDuck's Gmail emulation), for a token of another account
    //   (mscdex/node-imap#233) and for a token without the mail scope (emersion/go-imap#213, PHPMailer#1664) alike.
    //   The "scope" field is the scope the service accepts (RFC 7628 §3.2.2), present in every such challenge: it is
    //   not evidence that the token lacks it.
    // - RFC 6750 §3.1 / RFC 7628 §3.2.2 give the meaningful statuses: invalid_token (HTTP 401), insufficient_scope
    //   (HTTP 403), invalid_request (HTTP 400). Only 403 / insufficient_scope says "scope" by itself.
    // - Microsoft sends no challenge: a refused token gets "535 5.7.3 Authentication unsuccessful" (learn.microsoft.com
    //   "Authenticate an IMAP, POP or SMTP connection using OAuth"), whatever the cause — expiry, wrong audience or
    //   scope (Azure-Samples/ms-identity-python-webapp#70), another account's token (tarickb/sasl-xoauth2#43).
    //   "535 5.7.139 … SmtpClientAuthentication is disabled" is SMTP AUTH switched off, OAuth or not (nextcloud/mail#13668);
    //   "501 5.5.124 Invalid XOAUTH2 auth data - User address provided is not valid" is a bad user name (sasl-xoauth2#110).
    // So the scope is named as the cause only on a 403/insufficient_scope challenge, an invalid_scope from the token
    // endpoint, or when the token endpoint's own "scope" field (RFC 6749 §5.1) lists the scopes granted without it.
    signals: "the token endpoint granted scopes without the mail scope (its \"scope\" field, RFC 6749 §5.1); an error challenge with status 403 / insufficient_scope (RFC 6750 §3.1); invalid_scope from the token endpoint",
    rules: [
      {
        priority: 40,
        test: (e) =>
          !!e.token?.missingScope ||
          e.token?.endpointError?.error === "invalid_scope" ||
          (!!e.oauth && /^(403|insufficient_scope)$/i.test(e.oauth.status ?? "")) ||
          has(e, /insufficient_scope|\binvalid_scope\b/i),
      },
    ],
    title: "The OAuth2 token lacks the mail scope",
    explain: (c) => {
      const t = c.e.token;
      if (t?.missingScope) return `The token endpoint granted the scopes "${t.grantedScope ?? ""}", without ${t.missingScope}, which SMTP needs${c.e.reply ? `; ${who(c)} refused the token (${quoted(c)})` : ""}. A refresh token keeps the scopes of the consent that created it, so refreshing cannot add the scope.`;
      if (t?.endpointError?.error === "invalid_scope") return `The token endpoint refused the scopes asked for (invalid_scope${t.endpointError.description ? `: ${t.endpointError.description}` : ""}): the user's consent behind the refresh token does not include them.`;
      if (c.e.oauth) return `${who(c)}'s error challenge (${JSON.stringify(c.e.oauth)}) says the token's scope is insufficient (RFC 6750 §3.1)${c.e.oauth.scope ? `; it asks for ${c.e.oauth.scope}` : ""}.`;
      return "The token was issued without the scope SMTP needs.";
    },
    fix: (c) => [
      { text: `Request the token with the scope ${scopeFor(c)} and have the user consent again; use the new refresh token.` },
      ...(microsoft(c) || !c.provider ? [{ text: "Microsoft: add the delegated permission SMTP.Send (Office 365 Exchange Online) to the app registration." }] : []),
    ],
  },
  {
    id: "oauth-refresh-failed",
    category: "noperm",
    stage: "auth",
    signals: "the token endpoint's error (RFC 6749 §5.2): invalid_grant / invalid_client / unauthorized_client / invalid_request, or no answer; nodemailer \"Can't create new access token\"; AADSTS codes",
    rules: [
      {
        priority: 50,
        test: (e) =>
          kind(e, "oauth-refresh-failed") ||
          has(e, /\b(invalid_grant|invalid_client|unauthorized_client|invalid_request)\b|can't create new access token|failed generating new access token|AADSTS\d+|invalid status code \d{3}[\s\S]*(fetch|token)/i),
      },
    ],
    title: "The OAuth2 token could not be refreshed",
    explain: (c) => {
      const err = c.e.token?.endpointError;
      const code = err?.error ?? /\b(invalid_grant|invalid_client|unauthorized_client|invalid_request)\b/i.exec(c.e.text)?.[1]?.toLowerCase();
      const said = err ? `${err.tokenUrl ?? "The token endpoint"} answered ${err.error}${err.description ? ` (${err.description})` : ""}` : `The token endpoint refused to issue an access token${c.e.text ? `: ${c.e.text.split("\n")[0]}` : ""}`;
      return `${said}, before any mail was sent. ${REFRESH_CAUSES[code ?? ""] ?? "invalid_grant means the refresh token expired or was revoked; invalid_client means a wrong client id or secret; unauthorized_client means the app may not use this grant."}`;
    },
    fix: (c) => {
      const err = c.e.token?.endpointError;
      const code = err?.error ?? /\b(invalid_grant|invalid_client|unauthorized_client|invalid_request)\b/i.exec(c.e.text)?.[1]?.toLowerCase();
      const steps = REFRESH_FIXES[code ?? ""];
      return steps ? steps.map((text) => ({ text })) : Object.entries(REFRESH_FIXES).slice(0, 3).map(([k, s]) => ({ text: `${k}: ${s[0]!}` }));
    },
  },
]);
