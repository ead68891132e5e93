// The OAuth2 settings of a resolved target, checked as a whole: a ready token, or a refresh setup complete enough
// to use (refresh token + client id + token endpoint, the endpoint defaulting from the preset). A setup that cannot
// work is a configuration error naming the setting that is missing, before anything connects.

import os from "node:os";
import path from "node:path";
import type { OAuthSpec } from "../credentials/oauth2.js";
import { configError } from "../errors.js";
import { untrustedCommand } from "../credentials/secrets.js";
import type { Resolution } from "./layers.js";

/** Scopes that are not about mail: refresh tokens and sign-in (OpenID Connect), never what SMTP checks. */
const NOT_MAIL = new Set(["offline_access", "openid", "email", "profile"]);

/** The OAuth2 spec for `user`, or null when no OAuth2 setting is made. */
export function oauthSpec(r: Resolution, user: string, cwd: string): OAuthSpec | null {
  const s = r.settings;
  const refs = r.oauth;
  const preset = r.preset?.oauth2;
  if (!refs.token && !refs.refreshToken && !refs.clientSecret && s.clientId === undefined) return null;
  const where = (field: string) => {
    const o = r.origins[field as keyof typeof r.origins];
    return o ? `${o.where ?? o.source}${o.key ? `: ${o.key}` : ""}` : field;
  };
  if (!refs.refreshToken && !refs.token) {
    const named = refs.clientSecret ? refs.clientSecret.where : where("clientId");
    throw configError(`${named}: a client id or secret without a refresh token cannot get an access token`, "Add refreshTokenEnv or refreshTokenCommand (the refresh setup), or oauthTokenEnv / oauthTokenCommand (a ready token).");
  }
  for (const [field, ref] of Object.entries(refs)) {
    if (ref?.searched) throw untrustedCommand(ref.where, `the ${field} command`);
  }
  // A token file is written (and replaced): a path a searched project file names could be any of the user's files.
  const tokenFileOrigin = r.origins.tokenFile;
  if (s.tokenFile !== undefined && r.searched && tokenFileOrigin?.source === "file" && tokenFileOrigin.where === r.searched) {
    throw configError(`${where("tokenFile")}: tokenFile is not used: a file mailctl writes may not be named by a project config found by searching`, "Name that file with --config if you trust it, or move the setting to your own config file.");
  }
  const spec: OAuthSpec = { user };
  if (refs.token) spec.token = refs.token;
  if (refs.refreshToken) {
    if (s.clientId === undefined) throw configError(`${refs.refreshToken.where}: a refresh token needs clientId too (the app registration's client id)`);
    const tokenUrl = s.tokenUrl ?? preset?.tokenUrl;
    if (!tokenUrl) throw configError(`${refs.refreshToken.where}: a refresh token needs tokenUrl too (the token endpoint, e.g. https://oauth2.googleapis.com/token)`, "Or use --preset gmail, outlook or office365, which know their token endpoints.");
    Object.assign(spec, { refreshToken: refs.refreshToken, clientId: s.clientId, tokenUrl });
    if (refs.clientSecret) spec.clientSecret = refs.clientSecret;
  }
  const scope = s.scope ?? preset?.scope;
  if (scope) {
    spec.scope = scope;
    // Microsoft's v2.0 endpoint wants the scopes on a refresh too; an explicit scope is always sent.
    spec.sendScope = s.scope !== undefined || Boolean(preset?.refreshScope);
    const mail = scope.split(/\s+/).filter((w) => w && !NOT_MAIL.has(w.toLowerCase()));
    if (mail.length) spec.requiredScope = mail.join(" ");
  }
  if (s.tokenFile !== undefined) spec.tokenFile = path.resolve(cwd, s.tokenFile.replace(/^~(?=\/|$)/, os.homedir()));
  return spec;
}
