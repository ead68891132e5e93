// The --json documents of `mailctl presets` and `presets show`.
import type { CredentialKind, ResolvedPreset } from "../../config/presets.js";
import type { TlsMode } from "../../session/tls-mode.js";

/** One row of `mailctl presets` (the --json document is a list of these). */
export interface PresetSummary {
  name: string;
  title: string;
  aliases: string[];
  host: string;
  endpoints: { port: number; tls: TlsMode }[];
  credential: CredentialKind;
  regions: string[] | null;
}

/** `presets show --json`: the preset in full, its region filled in. */
export type PresetDetail = ResolvedPreset;
