// The --json documents of `config show`, `config path` and `config import`.
import type { Dialect } from "../../config/importers/registry.js";
import type { ProfileEntry } from "../../config/validate.js";
import type { Finding, ProfileSettings, SettingOrigin } from "../../settings.js";

/** `config show --json`: each effective setting with its origin; the password only as whether it is set and from where. */
export interface ConfigShow {
  profile: string | null;
  preset: string | null;
  dialect: Dialect;
  sourceFile: string | null;
  files: { path: string; scope: string }[];
  settings: { field: keyof ProfileSettings; value: unknown; origin: SettingOrigin }[];
  /** `set` is null when only running the password command would tell. */
  password: { set: boolean | null; source: string; origin: SettingOrigin | null };
  /** The OAuth2 secrets, like the password: whether each is set and where from, never the value. */
  oauth: { name: "oauthToken" | "clientSecret" | "refreshToken"; set: boolean | null; source: string; origin: SettingOrigin }[];
  findings: Finding[];
}

/** `config path --json`. */
export interface ConfigPaths {
  files: { path: string; scope: "project" | "user" | "explicit"; exists: boolean }[];
}

/** What `config import` wrote (the --json document). The app's password is never in it, nor in the file. */
export interface ImportReport {
  configFile: string;
  profile: string;
  dialect: Dialect;
  sourceFile: string;
  profileSettings: ProfileEntry;
  /** How the profile gets the password, since the app's password is not copied. */
  passwordNote: string | null;
  created: boolean;
  replaced: boolean;
  madeDefault: boolean;
  findings: Finding[];
}
