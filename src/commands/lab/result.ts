// The --json document `mailctl lab` prints once it listens (documented in README).
import type { ExtraAccount } from "../../lab/personas/default.js";
import type { PersonaName } from "../../lab/personas/index.js";
import type { PortKind } from "../../lab/smtp-hooks.js";
import type { TlsMode } from "../../session/tls-mode.js";

/** One listening port with the flags that reach it. */
export interface LabEndpointReport {
  name: PortKind;
  host: string;
  port: number;
  tls: TlsMode;
  /** Connection flags for mailctl commands, ready to copy. */
  flags: string;
}

/** What `mailctl lab` shows once it listens (the --json document; documented in README). It never holds the password. */
export interface LabReady {
  persona: PersonaName;
  summary: string;
  dir: string;
  listen: string;
  /** True when the listen address is not loopback: the lab then accepts mail from the network. */
  network: boolean;
  caPath: string;
  account: { user: string; passwordEnv: string; generated: boolean };
  extraAccounts: ExtraAccount[];
  endpoints: LabEndpointReport[];
  captureDir: string;
  index: string;
  /** The web inbox (--ui), or null. The token itself is never in this document. */
  ui: { url: string; token: { required: boolean; env: string; generated: boolean } } | null;
}
