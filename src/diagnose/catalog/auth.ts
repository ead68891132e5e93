import { tokenAuth } from "../rules.js";
import { quoted, who, type Entry, type ExplainCtx, type FixStep } from "./types.js";

/** The provider's own steps to get the right credential, as fix steps. */
function credentialSteps(c: ExplainCtx): FixStep[] {
  const cred = c.provider?.credential;
  if (!cred) return [];
  const steps: FixStep[] = cred.steps.map((s) => ({ text: `${c.provider!.title}: ${s.replace(/^\d+\.\s*/, "")}` }));
  if (cred.docs) steps.push({ text: `See ${cred.docs}` });
  return steps;
}

/** Authentication causes. */
export const AUTH: Entry[] = [
  {
    id: "auth-failed",
    category: "noperm",
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
    title: "An app password is required",
    explain: (c) =>
      `${who(c)} refuses the account password for this sign-in${quoted(c) ? ` (${quoted(c)})` : ""}: the account has 2-Step Verification (or a stricter policy), and mail clients must use an app password generated for them — or OAuth2.`,
    fix: (c) => (c.provider ? credentialSteps(c) : [{ text: "Create an app password in the account's security settings and use it as the SMTP password; or sign in with OAuth2 (XOAUTH2)." }]),
  },
  {
    id: "auth-basic-disabled",
    category: "noperm",
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
    title: "An authorization code (授权码) is required, not the login password",
    explain: (c) =>
      `${c.provider?.title ?? "QQ Mail / NetEase"} refused the login${quoted(c) ? `: ${quoted(c)}` : ""}. Third-party clients must sign in with a client authorization code (授权码) generated after enabling the IMAP/SMTP service; the web-login password does not work.`,
    fix: (c) => (c.provider ? credentialSteps(c) : [{ text: "In the mailbox's web settings, enable the IMAP/SMTP service, generate an authorization code (授权码) and use it as the SMTP password." }]),
  },
  {
    id: "auth-required",
    category: "noperm",
    title: "The server requires a login to send",
    explain: (c) =>
      `${who(c)} refused the message because the client did not log in${quoted(c) ? `: ${quoted(c)}` : ""}. Either no user/password is configured, or the client skipped AUTH (some skip it silently when the server does not advertise it before TLS).`,
    fix: (c) => [{ text: `Configure the user and password${c.provider ? ` (${c.provider.credential.user})` : ""}, and make sure TLS comes first so the server offers AUTH.` }, ...credentialSteps(c)],
  },
  {
    id: "auth-not-offered",
    category: "noperm",
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
];
