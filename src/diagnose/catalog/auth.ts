import { code, enhanced, has, kind, tokenAuth } from "../signals.js";
import { entries, quoted, who, type ExplainCtx, type FixStep } from "./types.js";

/** The provider's own steps to get the right credential, as fix steps. */
function credentialSteps(c: ExplainCtx): FixStep[] {
  const cred = c.provider?.credential;
  if (!cred) return [];
  const steps: FixStep[] = cred.steps.map((s) => ({ text: `${c.provider!.title}: ${s.replace(/^\d+\.\s*/, "")}` }));
  if (cred.docs) steps.push({ text: `See ${cred.docs}` });
  return steps;
}

/** Authentication causes. */
export const AUTH = entries([
  {
    id: "auth-failed",
    category: "noperm",
    stage: "auth",
    signals: "535 at AUTH (Postfix \"5.7.8 Error: authentication failed\", Gmail \"5.7.8 Username and Password not accepted\", Microsoft \"5.7.3 Authentication unsuccessful\"); PHPMailer \"Could not authenticate\"; msmtp \"authentication failed\"",
    rules: [
      {
        priority: 430,
        test: (e) =>
          (e.stage === "auth" && (code(e) ?? 0) >= 500) ||
          code(e) === 535 ||
          ["5.7.8", "5.7.3"].includes(enhanced(e)) ||
          has(e, /authentication (failed|unsuccessful|failure)|could not authenticate|invalid login|username and password not accepted|incorrect authentication data|login denied|AuthenticationFailed|not loving your login|bad username|invalid credentials|\(535\)/i),
      },
    ],
    title: "The server rejected the user name or password",
    explain: (c) => {
      const base = `${who(c)} refused the login${quoted(c) ? `: ${quoted(c)}` : ""}.`;
      const kind = c.provider?.credential.kind;
      if (kind === "app-password") return `${base} ${c.provider!.title} does not accept the account's normal password from mail clients: it needs an app password, which requires 2-Step Verification.`;
      if (kind === "authorization-code") return `${base} ${c.provider!.title} needs an authorization code (授权码) generated in its settings, not the login password.`;
      if (kind === "api-key") return `${base} ${c.provider!.title} takes an API key / SMTP credential here (user: ${c.provider!.credential.fixedUser ?? c.provider!.credential.user}), not the account password.`;
      return `${base} The user name or password is wrong, the user name is not in the form the server expects (often the full email address), or the account may not use SMTP.`;
    },
    fix: (c) => {
      const steps: FixStep[] = [{ text: `Check the user name${c.provider ? ` (${c.provider.credential.user})` : " (usually the full address)"} and the password; re-create the password if unsure.` }];
      return [...steps, ...credentialSteps(c)];
    },
  },
  {
    id: "auth-app-password-required",
    category: "noperm",
    stage: "auth",
    signals: "Gmail 534-5.7.9 \"Application-specific password required\" (InvalidSecondFactor); 534-5.7.14 \"Please log in via your web browser\"",
    rules: [
      {
        priority: 210,
        test: (e) => enhanced(e) === "5.7.9" || enhanced(e) === "5.7.14" || has(e, /application-specific password|InvalidSecondFactor|log in (with|via) your web browser|ContinueSignIn|5\.7\.(9|14)\b/i),
      },
    ],
    title: "An app password is required",
    explain: (c) =>
      `${who(c)} refuses the account password for this sign-in${quoted(c) ? ` (${quoted(c)})` : ""}: the account has 2-Step Verification (or a stricter policy), and mail clients must use an app password generated for them — or OAuth2.`,
    fix: (c) => (c.provider ? credentialSteps(c) : [{ text: "Create an app password in the account's security settings and use it as the SMTP password; or sign in with OAuth2 (XOAUTH2)." }]),
  },
  {
    id: "auth-basic-disabled",
    category: "noperm",
    stage: "auth",
    signals: "535 5.7.139 \"basic authentication is disabled\" / \"SmtpClientAuthentication is disabled for the Tenant\"; 550 5.7.30 \"Basic authentication is not supported\"",
    rules: [
      {
        priority: 200,
        test: (e) => enhanced(e) === "5.7.139" || enhanced(e) === "5.7.30" || has(e, /5\.7\.139|basic authentication is (disabled|not supported)|SmtpClientAuthentication is disabled|5\.7\.30 |did not meet the criteria to be authenticated/i),
      },
    ],
    title: "Password (basic) authentication is disabled",
    explain: (c) => {
      const who = c.provider?.title ?? "Microsoft";
      const q = quoted(c) ? `: ${quoted(c)}` : "";
      const tenant = /tenant/i.test(c.e.text);
      // With a token, 5.7.139 can only mean SMTP AUTH is off: it refuses OAuth2 sign-ins too (nextcloud/mail#13668).
      if (tokenAuth(c.e)) return `${who} refused the OAuth2 sign-in${q}. SMTP AUTH is switched off for the ${tenant ? "whole organization (tenant)" : "mailbox or the organization"}, and that refuses every SMTP sign-in, OAuth2 included.`;
      return (
        `${who} no longer accepts a password for SMTP here${q}. ` +
        (tenant
          ? "SMTP AUTH is switched off for the whole organization (tenant)."
          : "Outlook.com has switched basic authentication off for SMTP, and Microsoft 365 is retiring it: either SMTP AUTH is disabled for the mailbox or tenant, or only OAuth2 is accepted.")
      );
    },
    fix: () => [
      { text: "Microsoft 365: enable Authenticated SMTP for the mailbox (admin center → Users → the user → Mail → Manage email apps → Authenticated SMTP, or Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false), and check the tenant setting and Security defaults." },
      { text: "Better, and the only way on Outlook.com: sign in with OAuth2 (XOAUTH2, scope https://outlook.office.com/SMTP.Send)." },
    ],
  },
  {
    id: "auth-authorization-code",
    category: "noperm",
    stage: "auth",
    signals: "QQ 535 \"Please enter your authorization code\" / \"请使用授权码登录\" (GBK); 163/126 \"535 Error: authentication failed\" (the client authorization code is not enabled)",
    rules: [
      {
        priority: 220,
        test: (e) => has(e, /authori[sz]ation code|授权码|客户端授权|Login Fail\.?\s*Please enter your authori[sz]ation/i),
      },
    ],
    title: "An authorization code (授权码) is required, not the login password",
    explain: (c) =>
      `${c.provider?.title ?? "QQ Mail / NetEase"} refused the login${quoted(c) ? `: ${quoted(c)}` : ""}. Third-party clients must sign in with a client authorization code (授权码) generated after enabling the IMAP/SMTP service; the web-login password does not work.`,
    fix: (c) => (c.provider ? credentialSteps(c) : [{ text: "In the mailbox's web settings, enable the IMAP/SMTP service, generate an authorization code (授权码) and use it as the SMTP password." }]),
  },
  {
    id: "auth-required",
    category: "noperm",
    stage: null,
    signals: "530 5.7.0 \"Authentication required\" at MAIL FROM; Postfix 553 5.7.1 \"Sender address rejected: not logged in\" (reject_sender_login_mismatch, no AUTH); Microsoft 530 5.7.57 \"Client not authenticated to send mail\"; .NET \"the client was not authenticated\"",
    rules: [
      {
        priority: 360,
        test: (e) =>
          code(e) !== 535 &&
          ((code(e) === 530 && e.stage !== "auth") || has(e, /\bauth(entication)? (is )?required|sender address rejected: not logged in|client not authenticated|5\.7\.57|client was not authenticated|please authenticate|SMTP AUTH is required/i)),
      },
    ],
    title: "The server requires a login to send",
    explain: (c) =>
      `${who(c)} refused the message because the client did not log in${quoted(c) ? `: ${quoted(c)}` : ""}. Either no user/password is configured, or the client skipped AUTH (some skip it silently when the server does not advertise it before TLS).`,
    fix: (c) => [{ text: `Configure the user and password${c.provider ? ` (${c.provider.credential.user})` : ""}, and make sure TLS comes first so the server offers AUTH.` }, ...credentialSteps(c)],
  },
  {
    id: "auth-not-offered",
    category: "noperm",
    stage: "auth",
    discoverable: true,
    signals: "credentials given but the server advertises no (usable) AUTH: Python \"SMTP AUTH extension not supported by server\", Go \"server doesn't support AUTH\", Postfix \"503 5.5.1 Error: authentication not enabled\"",
    rules: [
      {
        priority: 300,
        test: (e) =>
          kind(e, "auth-not-offered", "auth-mechanism-not-offered") ||
          ((e.stage === "auth" || has(e, /invalid login/i)) && [500, 502, 503, 504].includes(code(e) ?? 0)) ||
          has(e, /AUTH extension not supported|doesn't support AUTH|does not support (the )?authentication|authentication not enabled|no suitable authentication method|AUTH command used when not advertised|command "?AUTH"? not recognized|invalid authentication mechanism|"AUTH [A-Z0-9-]+[^"]*" not implemented|command unrecognized: "?AUTH|not available: 535/i),
      },
    ],
    title: "The server does not offer authentication here",
    explain: (c) => {
      // A mechanism the user forced (--auth, authMethod) that the server does not list: say exactly that.
      if (c.e.kind === "auth-mechanism-not-offered" && /was asked for/.test(c.e.text)) return `${c.e.text.split("\n")[0]}: mailctl does not fall back to another mechanism when one is forced.`;
      return (
        `Credentials are configured, but the server does not offer ${c.e.kind === "auth-mechanism-not-offered" ? "a usable AUTH mechanism" : "AUTH"} on this connection${c.e.secure === false ? " — many servers offer it only after STARTTLS" : ""}. ` +
        "Or this is a relay-only port (25) meant for server-to-server mail."
      );
    },
    fix: (c) =>
      c.e.kind === "auth-mechanism-not-offered" && /was asked for/.test(c.e.text)
        ? [{ text: "Drop --auth (or authMethod in the profile) to let mailctl choose from what the server offers, or force one it lists." }]
        : [
            c.suggestion
              ? { text: `Use port ${c.suggestion.port} with ${c.suggestion.tls === "implicit" ? "implicit TLS" : "STARTTLS"}, which was checked to answer: servers offer AUTH there once TLS is up.`, change: { ...c.suggestion } }
              : { text: "Use the submission port with TLS (465 implicit, or 587 with STARTTLS), where servers offer AUTH." },
            { text: "If the server is an unauthenticated relay (e.g. an internal relay), remove the user and password." },
          ],
  },
  {
    id: "credentials-missing",
    category: "config",
    stage: "auth",
    signals: "an empty password (often an unset environment variable); nodemailer \"Missing credentials for \\\"PLAIN\\\"\"",
    rules: [
      {
        priority: 290,
        test: (e) => kind(e, "credentials-missing") || has(e, /missing credentials|no password (was )?(given|provided|set)|password is empty/i),
      },
    ],
    title: "No password is configured",
    explain: (c) =>
      (c.e.token
        ? `A user name is set but an OAuth2 credential is missing: ${c.e.text.split("\n")[0]}. `
        : `A user name is set but the password is empty${c.target?.passwordSource ? ` (${c.target.passwordSource})` : c.e.text ? ` (${c.e.text.split("\n")[0]})` : ""}. `) +
      "The usual cause is an environment variable that is not set in the process that sends — a container without the .env, a service manager, or a cron job.",
    fix: (c) =>
      c.e.token
        ? [{ text: "Set the variable, or make the command print the secret, that the message above names (README \"OAuth2\" lists the settings)." }]
        : [
            { text: `Set the password where the app reads it${c.target?.passwordSource ? `: ${c.target.passwordSource}` : ""}, and restart the app so it sees it.` },
            { text: "With mailctl: export MAILCTL_PASSWORD=… (or --password-env NAME, or passwordCommand in the profile)." },
          ],
  },
]);
