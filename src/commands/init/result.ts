import type { LiveCheck } from "./check.js";
import type { SecretStore } from "./plan.js";

/** What init did (the --json document). The password is never in it. */
export interface InitReport {
  saved: boolean;
  profile: string;
  configFile: string;
  store: SecretStore;
  passwordEnv: string | null;
  /** With OAuth2: the variables the profile reads its secrets from (when they live in variables). */
  oauthEnv: { token?: string; refreshToken?: string; clientSecret?: string } | null;
  check: Pick<LiveCheck, "ok" | "message" | "category"> | null;
  created: boolean;
  replaced: boolean;
  madeDefault: boolean;
}
