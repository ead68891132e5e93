import type { Command } from "commander";
import type { Ctx, Execute, Outcome } from "./command.js";
import { resolveSettings } from "../config/layers.js";
import { loadConfig } from "../config/load.js";
import { type TargetFlags } from "../config/resolve.js";
import { commandText, modeFindings } from "../credentials/secrets.js";
import { setting, SETTING_FIELDS, type Finding, type ProfileSettings, type SettingOrigin } from "../settings.js";
import type { Dialect } from "../config/importers/registry.js";
import { addOptions, CONNECTION_OPTIONS, jsonOption, PROFILE_OPTIONS } from "./options.js";
import { renderConfigPath, renderConfigShow } from "../ui/render-config.js";
import { registerImport } from "./config-import.js";

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

/** `config show`'s rows: the registry's settings that have a showOrder, in it. */
const ORDER = (SETTING_FIELDS.filter((f) => setting(f).showOrder !== undefined) as (keyof ProfileSettings)[]).sort((a, b) => setting(a).showOrder! - setting(b).showOrder!);

/** The effective settings, each with where it came from. Reads no secret: a password command is not run. */
export async function runShow(flags: TargetFlags, ctx: Ctx): Promise<Outcome<ConfigShow>> {
  const r = await resolveSettings(flags, { cwd: ctx.cwd, env: ctx.io.env, warn: (m) => ctx.ui.warn(m) });
  const env = ctx.io.env;
  const spec = r.secret;
  let password: ConfigShow["password"];
  const findings = [...r.findings];
  if (spec.passwordCommand !== undefined) {
    password = { set: null, source: `password command: ${commandText(spec.passwordCommand)} (not run)`, origin: spec.origin ?? null };
  } else if (spec.passwordEnv !== undefined) {
    ctx.ui.redactor.add(env[spec.passwordEnv], r.settings.user);
    password = { set: env[spec.passwordEnv] !== undefined, source: `environment variable ${spec.passwordEnv}`, origin: spec.origin ?? null };
  } else if (env.MAILCTL_PASSWORD) {
    ctx.ui.redactor.add(env.MAILCTL_PASSWORD, r.settings.user);
    password = { set: true, source: "environment variable MAILCTL_PASSWORD", origin: { source: "env", where: "MAILCTL_PASSWORD" } };
  } else if (spec.password !== undefined) {
    ctx.ui.redactor.add(spec.password, r.settings.user);
    password = { set: true, source: `${spec.origin?.where ?? "config file"}`, origin: spec.origin ?? null };
    if (spec.file) findings.push(...modeFindings(spec.file, spec.origin?.where));
  } else {
    password = { set: false, source: "none (set MAILCTL_PASSWORD, or passwordEnv / passwordCommand in the profile)", origin: null };
  }
  const oauth: ConfigShow["oauth"] = [];
  for (const [key, name] of [["token", "oauthToken"], ["clientSecret", "clientSecret"], ["refreshToken", "refreshToken"]] as const) {
    const ref = r.oauth[key];
    if (!ref) continue;
    if (ref.command !== undefined) oauth.push({ name, set: null, source: `command: ${commandText(ref.command)} (not run)`, origin: ref.origin });
    else if (ref.env !== undefined) {
      ctx.ui.redactor.add(env[ref.env], r.settings.user);
      oauth.push({ name, set: Boolean(env[ref.env]), source: `environment variable ${ref.env}`, origin: ref.origin });
    } else {
      ctx.ui.redactor.add(ref.value, r.settings.user);
      oauth.push({ name, set: true, source: "in the config file", origin: ref.origin });
      if (ref.file) findings.push(...modeFindings(ref.file, ref.where));
    }
  }
  const settings: ConfigShow["settings"] = [];
  for (const field of ORDER) {
    const value = r.settings[field];
    if (value === undefined || (field === "opportunisticTls" && (r.settings.tls !== "none" || !r.origins.tls))) continue;
    const origin = r.origins[field];
    // Without a port or mode from anywhere, the mode is found when connecting (probe), or follows from the port.
    if (field === "tls" && !origin) settings.push({ field, value: "auto", origin: { source: "default", where: "detected when connecting" } });
    else if (field === "opportunisticTls" && !origin) settings.push({ field, value, origin: { source: "default", where: "tls none" } });
    else if (origin) settings.push({ field, value, origin });
  }
  const data: ConfigShow = {
    profile: r.profile ?? null,
    preset: r.preset?.ref ?? null,
    dialect: r.dialect,
    sourceFile: r.sourceFile ?? null,
    files: r.files.map((f) => ({ path: f.path, scope: f.scope })),
    settings,
    password,
    oauth,
    findings,
  };
  return { category: "ok", data };
}

/** The config files mailctl reads from here, and the user file whether or not it exists. */
export async function runPath(flags: TargetFlags, ctx: Ctx): Promise<Outcome<ConfigPaths>> {
  const explicit = flags.config ?? ctx.io.env.MAILCTL_CONFIG;
  const loaded = await loadConfig({ cwd: ctx.cwd, env: ctx.io.env, ...(explicit ? { explicit } : {}) }, (m) => ctx.ui.warn(m));
  const files: ConfigPaths["files"] = loaded.files.map((f) => ({ path: f.path, scope: f.scope, exists: true }));
  if (!explicit && !files.some((f) => f.scope === "user")) files.push({ path: loaded.userPath, scope: "user", exists: false });
  return { category: "ok", data: { files } };
}

/** Declares `config show`, `config path` and `config import`. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description("Inspect mailctl's configuration: config files, profiles, presets, MAILCTL_* variables and flags.");
  const show = cmd
    .command("show")
    .description("print the effective settings and where each one came from (the password is never shown)");
  addOptions(show, PROFILE_OPTIONS);
  addOptions(show, CONNECTION_OPTIONS);
  addOptions(show, [jsonOption()]);
  show.addHelpText("after", `
Examples:
  $ mailctl config show                         # the default profile
  $ mailctl config show --profile work --port 465
  $ mailctl config show --from-config docker/.env --json`);
  show.action(async (opts: TargetFlags & { json?: boolean }) => {
    await execute(opts, (ctx) => runShow(opts, ctx), renderConfigShow);
  });
  const pathCmd = cmd.command("path").description("print the config files mailctl reads from here");
  addOptions(pathCmd, PROFILE_OPTIONS.filter((o) => o.flags.startsWith("--config")));
  addOptions(pathCmd, [jsonOption()]);
  pathCmd.addHelpText("after", `
Examples:
  $ mailctl config path
  $ mailctl config path --json | jq -r '.files[] | select(.exists) | .path'`);
  pathCmd.action(async (opts: TargetFlags & { json?: boolean }) => {
    await execute(opts, (ctx) => runPath(opts, ctx), renderConfigPath);
  });
  registerImport(cmd, execute);
  cmd.addHelpText("after", `
Examples:
  $ mailctl config show --profile work
  $ mailctl config path
  $ mailctl config import docker/.env --profile dify`);
  return cmd;
}
