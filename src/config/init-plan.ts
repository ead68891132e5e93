// What `mailctl init` will write, built by the wizard or from flags, and the two things done with it:
// a Target for the live check, and the profile saved into the config file.

import type { ResolvedPreset } from "./presets.js";
import { presetEndpoint } from "./presets.js";
import { readCa } from "./resolve.js";
import { portForTls, tlsForPort, type Target } from "./target.js";
import type { TlsMode } from "./types.js";
import type { ProfileEntry } from "./validate.js";
import { saveProfile } from "./write.js";
import { DEFAULT_TIMEOUT_SECONDS } from "./layers.js";

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
  overwrite: boolean;
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

/** The Target the live check connects to. */
export async function targetFor(plan: InitPlan): Promise<Target> {
  const e = plan.entry;
  const { port, tls } = endpointOf(plan);
  const t: Target = {
    host: e.host ?? plan.preset!.host,
    port,
    tls,
    opportunisticTls: tls === "none",
    insecure: Boolean(e.insecure),
    timeoutSeconds: e.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    origins: {},
    dialect: "mailctl",
    findings: [],
    profile: plan.name,
  };
  if (e.user) t.user = e.user;
  if (plan.password !== undefined) t.password = plan.password;
  t.passwordSource = plan.store === "env" ? `environment variable ${e.passwordEnv}` : plan.store === "command" ? "the password command" : "the password you entered";
  if (e.servername) t.servername = e.servername;
  if (e.name) t.name = e.name;
  if (plan.preset) t.preset = plan.preset.ref;
  if (e.ca) [t.ca, t.caPem] = [e.ca, await readCa(e.ca)];
  return t;
}

/** Writes the plan's profile (mode 0600 when it holds the password). */
export async function savePlan(plan: InitPlan): Promise<{ created: boolean; replaced: boolean; madeDefault: boolean }> {
  const entry: ProfileEntry = { ...plan.entry };
  if (plan.store === "file" && plan.password !== undefined) entry.password = plan.password;
  return saveProfile(plan.configFile, plan.name, entry, { overwrite: plan.overwrite, secret: plan.store === "file" });
}
