// mailctl's own profile (`profiles.<name>` in the mailctl config file). Reading it is the config
// loader's job; this module only writes fix steps in the profile's YAML.

import { stringify } from "yaml";
import type { ImportResult } from "../types.js";
import type { ProfileSettings } from "../../settings.js";
import { ImportError } from "./errors.js";
import { PASSWORD_PLACEHOLDER, type ParseOptions } from "./common.js";

const ORDER: (keyof ProfileSettings)[] = [
  "preset", "host", "port", "tls", "opportunisticTls", "user", "password", "passwordEnv", "passwordCommand", "authMethod",
  "from", "fromName", "fromFormat", "ca", "insecure", "servername", "name", "timeoutSeconds", "family",
];

/** Never claims a text: mailctl profiles are not imported. */
export function detect(_text: string, _fileName: string): number {
  return 0;
}

/** Refuses: the config loader reads mailctl profiles, with its own validation. */
export function parse(_text: string, opts: ParseOptions = {}): ImportResult {
  throw new ImportError("mailctl profiles are read by the config loader, not imported", { file: opts.fileName });
}

/** The change as `key: value` lines of a mailctl profile; tls none also writes opportunisticTls. */
export function render(change: ProfileSettings): string[] {
  const out: string[] = [];
  for (const key of ORDER) {
    let value: unknown = change[key];
    if (key === "opportunisticTls") {
      // Only meaningful with tls none, where it decides between plaintext and STARTTLS-if-offered.
      if (change.tls !== "none") continue;
      value = change.opportunisticTls ?? false;
    }
    if (value === undefined) continue;
    if (key === "password") value = PASSWORD_PLACEHOLDER;
    out.push(`${key}: ${stringify(value, { collectionStyle: "flow", lineWidth: 0 }).trimEnd()}`);
  }
  return out;
}
