// lab's options: the shared ones do not apply (the lab is a server, not a client); the persona knobs name the
// persona they apply to, so run() refuses one given with another persona.
import { InvalidArgumentError } from "../commander.js";
import { FAULT_DEFAULTS } from "../../lab/personas/faults.js";
import { PERSONA_NAMES, type PersonaName } from "../../lab/personas/index.js";
import { jsonOption, parseEnvName, type OptionSpec } from "../options.js";

/** lab's options as commander parses them. */
export interface LabCommandOptions {
  dir?: string;
  persona?: PersonaName;
  portBase?: number;
  listen?: string;
  passwordEnv?: string;
  greylistSeconds?: number;
  greetingDelay?: number;
  sizeLimit?: number;
  limit?: number;
  window?: number;
  ui?: boolean;
  json?: boolean;
}

/** The environment variable the lab's password is read from when --password-env is not given. */
export const LAB_PASSWORD_ENV = "MAILCTL_LAB_PASSWORD";
/** The environment variable the inbox's token is read from (else one is generated when the inbox is not on loopback). */
export const LAB_UI_TOKEN_ENV = "MAILCTL_LAB_UI_TOKEN";
/** The inbox listens on --port-base plus Mailpit's port, 8025 (9025 by default). */
export const UI_PORT_OFFSET = 8025;

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 1e12) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return n;
}

function parseWait(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 86400) throw new InvalidArgumentError(`"${value}" is not a number of seconds (0–86400)`);
  return n;
}

/** lab's options as data; persona knobs name the persona they apply to. */
export const LAB_OPTIONS: readonly (OptionSpec & { persona?: PersonaName[]; key?: keyof LabCommandOptions })[] = [
  { flags: "--persona <name>", description: "server behaviour to reproduce (see Personas below)", choices: PERSONA_NAMES, defaultText: "default" },
  { flags: "--dir <dir>", description: "lab directory: CA, server certificate, captures", defaultText: "$XDG_CACHE_HOME/mailctl/lab or ~/.cache/mailctl/lab" },
  { flags: "--port-base <n>", description: "listen on n+465 (implicit TLS), n+587 (STARTTLS), n+25 (plaintext); 0 picks free ports", parse: parseCount, defaultText: "1000" },
  { flags: "--listen <addr>", description: "IP address to listen on; anything but loopback takes mail from the network", defaultText: "127.0.0.1" },
  { flags: "--password-env <VAR>", description: `read the lab account's password from this variable (else ${LAB_PASSWORD_ENV}, else one is generated)`, parse: parseEnvName },
  { flags: "--greylist-seconds <s>", description: "greylist: how long a retry must wait", parse: parseWait, defaultText: String(FAULT_DEFAULTS.greylistSeconds), persona: ["greylist"], key: "greylistSeconds" },
  { flags: "--greeting-delay <s>", description: "slow-greeting: seconds before the greeting", parse: parseWait, defaultText: String(FAULT_DEFAULTS.greetingDelaySeconds), persona: ["slow-greeting"], key: "greetingDelay" },
  { flags: "--size-limit <bytes>", description: "size-limit: the SIZE advertised and enforced", parse: parseCount, defaultText: String(FAULT_DEFAULTS.sizeLimit), persona: ["size-limit"], key: "sizeLimit" },
  { flags: "--limit <n>", description: `rate-limit: messages per window (default ${FAULT_DEFAULTS.rateLimit}); login-throttle: logins per window (default ${FAULT_DEFAULTS.loginLimit})`, parse: parseCount, persona: ["rate-limit", "login-throttle"], key: "limit" },
  { flags: "--window <s>", description: "rate-limit, login-throttle: the window", parse: parseWait, defaultText: String(FAULT_DEFAULTS.windowSeconds), persona: ["rate-limit", "login-throttle"], key: "window" },
  { flags: "--ui", description: `serve a web inbox of every message and refused attempt, with a Mailpit-compatible API, on port base+${UI_PORT_OFFSET}` },
  jsonOption("print the endpoints as one JSON document on stdout (the lab keeps running)"),
];
