// What `mailctl init` will write, built by the wizard or from flags, and the two things done with it:
// a Target for the live check, and the profile saved into the config file.

import type { OAuthSpec, SecretRef } from "../../credentials/oauth2.js";
import type { Ctx } from "../command.js";
import type { ResolvedPreset } from "../../config/presets.js";
import { presetEndpoint } from "../../config/presets.js";
import { readCa } from "../../config/resolve.js";
import type { Target } from "../../config/target.js";
import { portForTls, tlsForPort, type TlsMode } from "../../session/tls-mode.js";
import type { ProfileEntry } from "../../config/validate.js";
import { saveProfile } from "../../config/write.js";
import { DEFAULTS } from "../../settings.js";

/** Where the password will live. */
export type SecretStore = "env" | "command" | "file" | "none";

/** A profile about to be written. `password` serves the live check; it is written only when `store` is "file". */
export interface InitPlan {
  name: string;
  configFile: string;
  entry: ProfileEntry;
  preset?: ResolvedPreset;
  store: SecretStore;
  password?: string;
  /** OAuth2 secrets as typed (for the live check); written only when `store` is "file". */
  oauth?: { refreshToken?: string; clientSecret?: string };
  overwrite: boolean;
}

/** True when the profile signs in with OAuth2. */
export function usesOAuth(e: ProfileEntry): boolean {
  return e.clientId !== undefined || e.oauthTokenEnv !== undefined || e.oauthTokenCommand !== undefined;
}

/** The port and mode a plan connects with: its own, else the preset's preferred endpoint. */
export function endpointOf(plan: Pick<InitPlan, "entry" | "preset">): { port: number; tls: TlsMode } {
  const { port, tls } = plan.entry;
  const p = plan.preset;
  if (port !== undefined && tls !== undefined) return { port, tls };
  if (port !== undefined) return { port, tls: (p && presetEndpoint(p, { port })?.tls) ?? tlsForPort(port) ?? "none" };
  if (tls !== undefined) return { tls, port: (p && presetEndpoint(p, { tls })?.port) ?? portForTls(tls) };
  return p ? p.endpoints[0]! : { port: 587, tls: "starttls" };
}

/** The Target the live check connects to; OAuth2 secrets are registered with the output redactor as they are read. */
export async function targetFor(plan: InitPlan, ctx?: Ctx): Promise<Target> {
  const e = plan.entry;
  const { port, tls } = endpointOf(plan);
  const t: Target = {
    host: e.host ?? plan.preset!.host,
    port,
    tls,
    opportunisticTls: tls === "none",
    insecure: Boolean(e.insecure),
    timeoutSeconds: e.timeoutSeconds ?? DEFAULTS.timeoutSeconds!,
    origins: {},
    dialect: "mailctl",
    findings: [],
    profile: plan.name,
  };
  if (e.user) t.user = e.user;
  if (plan.password !== undefined) t.password = plan.password;
  t.passwordSource = plan.store === "env" ? `environment variable ${e.passwordEnv}` : plan.store === "command" ? "the password command" : "the password you entered";
  if (e.user && usesOAuth(e)) {
    const { TokenProvider } = await import("../../credentials/oauth2.js");
    const user = e.user;
    t.oauth = new TokenProvider(oauthSpecOf(plan, user), { env: ctx?.io.env ?? {}, register: (secret) => ctx?.ui.redactor.add(secret, user), timeoutMs: t.timeoutSeconds * 1000 });
    t.passwordSource = "the OAuth2 settings you entered";
  }
  if (e.servername) t.servername = e.servername;
  if (e.name) t.name = e.name;
  if (plan.preset) t.preset = plan.preset.ref;
  if (e.ca) [t.ca, t.caPem] = [e.ca, await readCa(e.ca)];
  return t;
}

/**
 * The OAuth2 spec the live check uses: the secrets as typed when there are any, else the profile's references; the
 * endpoint and scopes from the profile or the preset. No token file: nothing is kept before the profile is saved.
 */
function oauthSpecOf(plan: InitPlan, user: string): OAuthSpec {
  const e = plan.entry;
  const ref = (value: string | undefined, env: string | undefined, command: string | string[] | undefined, what: string): SecretRef | undefined =>
    value !== undefined ? { value, where: `the ${what} you entered` } : env !== undefined ? { env, where: `${what} (environment variable ${env})` } : command !== undefined ? { command, where: `${what} command` } : undefined;
  const spec: OAuthSpec = { user };
  const token = ref(undefined, e.oauthTokenEnv, e.oauthTokenCommand, "OAuth2 access token");
  const refresh = ref(plan.oauth?.refreshToken ?? e.refreshToken, e.refreshTokenEnv, e.refreshTokenCommand, "refresh token");
  const secret = ref(plan.oauth?.clientSecret ?? e.clientSecret, e.clientSecretEnv, e.clientSecretCommand, "client secret");
  if (token) spec.token = token;
  if (refresh) spec.refreshToken = refresh;
  if (secret) spec.clientSecret = secret;
  if (e.clientId !== undefined) spec.clientId = e.clientId;
  const tokenUrl = e.tokenUrl ?? plan.preset?.oauth2?.tokenUrl;
  if (tokenUrl) spec.tokenUrl = tokenUrl;
  const scope = e.scope ?? plan.preset?.oauth2?.scope;
  if (scope) Object.assign(spec, { scope, sendScope: e.scope !== undefined || Boolean(plan.preset?.oauth2?.refreshScope), requiredScope: scope.split(/\s+/).filter((w) => w && w !== "offline_access").join(" ") });
  return spec;
}

/** Writes the plan's profile (mode 0600 when it holds a secret). */
export async function savePlan(plan: InitPlan): Promise<{ created: boolean; replaced: boolean; madeDefault: boolean }> {
  const entry: ProfileEntry = { ...plan.entry };
  if (plan.store === "file" && plan.password !== undefined) entry.password = plan.password;
  if (plan.store === "file" && plan.oauth?.refreshToken !== undefined) entry.refreshToken = plan.oauth.refreshToken;
  if (plan.store === "file" && plan.oauth?.clientSecret !== undefined) entry.clientSecret = plan.oauth.clientSecret;
  return saveProfile(plan.configFile, plan.name, entry, { overwrite: plan.overwrite, secret: plan.store === "file" });
}
