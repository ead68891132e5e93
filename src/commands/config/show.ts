import type { Ctx, Outcome } from "../command.js";
import { resolveSettings } from "../../config/layers.js";
import type { TargetFlags } from "../../config/resolve.js";
import { commandText, modeFindings } from "../../credentials/secrets.js";
import { setting, SETTING_FIELDS, type ProfileSettings } from "../../settings.js";
import type { ConfigShow } from "./result.js";

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
