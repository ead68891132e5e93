// The SASL mechanisms the session can run (RFC 4954): the one list --auth, MAILCTL_AUTH and a profile's
// authMethod are checked against. A leaf, so the settings registry can use it without loading the session.

/** Mechanisms we can run, in order of preference when the user has a password. CRAM-MD5 last: it needs the password in clear on the server. */
export const PASSWORD_MECHANISMS: readonly string[] = ["PLAIN", "LOGIN", "CRAM-MD5"];

/** The OAuth2 token mechanisms: XOAUTH2 (Google's, also Microsoft's) and OAUTHBEARER (RFC 7628). */
export const TOKEN_MECHANISMS: readonly string[] = ["XOAUTH2", "OAUTHBEARER"];

/** Every mechanism mailctl can run, password mechanisms first. */
export const MECHANISMS: readonly string[] = [...PASSWORD_MECHANISMS, ...TOKEN_MECHANISMS];
