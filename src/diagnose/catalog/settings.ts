import type { Entry } from "./types.js";

/** Findings on the settings themselves (static checks) and OAuth2. */
export const SETTINGS: Entry[] = [
  {
    id: "from-header-invalid",
    category: "data",
    title: "The From address is not valid RFC 5322",
    explain: (c) => `The configured From${c.target?.from ? ` (${c.target.from})` : ""} is not a valid RFC 5322 mailbox (the reason is above). Strict providers, QQ Mail among them, refuse such a header with 550; others show it garbled or split it into several addresses.`,
    fix: () => [{ text: 'Write it as "Display Name <address@example.com>": quote a display name that contains , ; : @ . ( ) or quotes, give just one address, and leave encoding of non-ASCII names to the mail library.' }],
  },
  {
    id: "ehlo-name-not-fqdn",
    category: "config",
    title: "The EHLO name is not a fully-qualified domain name",
    explain: (c) => `The client introduces itself as "${c.target?.name ?? c.e.text}", which is not a fully-qualified domain name or an address literal (RFC 5321 §4.1.1.1). Postfix refuses such names with 504, Gmail with 421 (EHLO).`,
    fix: () => [{ text: "Set the EHLO name to this host's FQDN (mailctl --name mail.example.com), or leave it unset so mailctl sends its address literal." }],
  },
  {
    id: "tls-verification-off",
    category: "config",
    title: "Certificate verification is switched off",
    explain: () => "The settings turn TLS certificate verification off: the connection is encrypted, but anyone on the path can impersonate the server and read the password.",
    fix: () => [{ text: "Remove insecure / rejectUnauthorized: false; if the server uses a private CA, trust that CA instead (--ca).", change: { insecure: false } }],
  },
  {
    id: "password-file-readable",
    category: "config",
    title: "The config file holding the password is readable by others",
    explain: (c) => `${c.e.text}: other users on this machine can read the password in it.`,
    fix: () => [{ text: "Restrict it to its owner (chmod 600 <file>), or move the password to an environment variable or passwordCommand." }],
  },
  {
    id: "config-problem",
    category: "config",
    title: "The app's settings contradict each other",
    explain: (c) => `The app's settings, as the app itself reads them, cannot work together: ${c.e.text}.`,
    fix: () => [{ text: "Change the settings named above; the fix steps of the other findings show the values that work." }],
  },
  {
    id: "oauth-token-rejected",
    category: "noperm",
    title: "The OAuth2 access token was rejected",
    explain: (c) =>
      `${c.provider?.title ?? "The server"} refused the OAuth2 token${c.e.oauth ? ` (${JSON.stringify(c.e.oauth)})` : ""}. It has expired or been revoked, was issued for another user than the one in the AUTH command, or — at Microsoft — SMTP AUTH is disabled for the mailbox.`,
    fix: () => [
      { text: "Get a fresh access token (a refresh setup does this automatically) and make sure the user name is the mailbox the token was issued for." },
      { text: "Microsoft: enable Authenticated SMTP for the mailbox even when using OAuth2." },
    ],
  },
  {
    id: "oauth-scope-missing",
    category: "noperm",
    title: "The OAuth2 token lacks the mail scope",
    explain: (c) => `The token was issued without the scope SMTP needs${c.e.oauth?.scope ? ` (the server asks for ${c.e.oauth.scope})` : ""}.`,
    fix: (c) => [{ text: `Request the token with the scope ${c.provider?.oauth2?.scope ?? "https://mail.google.com/ (Gmail) or https://outlook.office.com/SMTP.Send (Microsoft)"} and consent again.` }],
  },
  {
    id: "oauth-refresh-failed",
    category: "noperm",
    title: "The OAuth2 token could not be refreshed",
    explain: (c) => `The token endpoint refused to issue an access token${c.e.text ? `: ${c.e.text.split("\n")[0]}` : ""}. invalid_grant means the refresh token expired or was revoked; invalid_client means a wrong client id or secret; unauthorized_client means the app may not use this grant.`,
    fix: () => [
      { text: "invalid_grant: sign in again to get a new refresh token (Google expires them after 7 days for apps in testing)." },
      { text: "invalid_client / unauthorized_client: check the client id, the client secret and the app registration's allowed grant types." },
    ],
  },
];
