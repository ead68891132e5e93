import path from "node:path";
import type { Command } from "commander";
import type { Ctx, Execute, Outcome } from "../command.js";
import { liveCheck, type LiveCheck } from "./check.js";
import { savePlan, targetFor, type InitPlan, type SecretStore } from "./plan.js";
import { warnIfInsecure } from "../../config/resolve.js";
import { displayPath, userConfigPath } from "../../config/load.js";
import { loadPreset, PresetError } from "../../config/presets.js";
import type { TargetFlags } from "../../config/resolve.js";
import { runPasswordCommand } from "../../credentials/secrets.js";
import type { TlsMode } from "../../session/tls-mode.js";
import type { ProfileEntry } from "../../config/validate.js";
import { readProfiles } from "../../config/write.js";
import { MailctlError, usageError } from "../../errors.js";
import { addOptions, CONNECTION_OPTIONS, jsonOption, PROFILE_OPTIONS, settingOption, type OptionSpec } from "../options.js";
import { fieldsWhere, OPTIONS, SETTINGS } from "../../settings.js";
import { flagSettings } from "../../config/layers.js";
import { renderInit } from "./render.js";
import type { InitReport } from "./result.js";

/** init's options as commander parses them (`--no-auth` here, where other commands have `--auth <mechanism>`). */
export interface InitOptions extends Omit<TargetFlags, "auth"> {
  fromName?: string;
  clientId?: string;
  clientSecretEnv?: string;
  refreshTokenEnv?: string;
  tokenUrl?: string;
  tokenFile?: string;
  passwordCommand?: string;
  savePassword?: boolean;
  auth?: boolean;
  yes?: boolean;
  force?: boolean;
  check?: boolean;
  json?: boolean;
}

const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+$/;

/** Runs the wizard on a terminal (or builds the plan from flags with --yes / without a TTY), checks it live, and saves it. */
export async function run(opts: InitOptions, ctx: Ctx): Promise<Outcome<InitReport>> {
  const env = ctx.io.env;
  const configFile = path.resolve(ctx.cwd, opts.config ?? env.MAILCTL_CONFIG ?? userConfigPath(env));
  if (opts.tls === "auto") throw usageError("init needs a definite --tls: implicit, starttls or none");
  const interactive = ctx.ui.interactive && !opts.yes && !opts.json;
  let plan: InitPlan;
  if (interactive) {
    const { runWizard } = await import("./wizard.js");
    const seed = { configFile, extra: extras(opts, ctx.cwd), ...pick(opts), ...(opts.clientId ? { clientId: opts.clientId } : {}) };
    plan = await runWizard(seed, ctx);
  } else {
    plan = await planFromFlags(opts, ctx, configFile);
  }

  let check: LiveCheck | null = null;
  if (opts.check !== false) {
    const target = await targetFor(plan, ctx);
    warnIfInsecure(target, ctx);
    const spinner = await ctx.ui.spinner(`checking ${target.host}:${target.port}`);
    try {
      check = await liveCheck(target, (m) => ctx.ui.warn(m));
    } finally {
      spinner.stop();
    }
    ctx.ui.err(`${check.ok ? ctx.ui.errTheme.ok : ctx.ui.errTheme.fail} ${check.message}`);
    if (check.fix) ctx.ui.err(`  fix: ${check.fix.replace(/\n/g, "\n       ")}`);
  }
  const report: InitReport = {
    saved: false, profile: plan.name, configFile, store: plan.store, passwordEnv: plan.entry.passwordEnv ?? null, oauthEnv: oauthEnvOf(plan.entry),
    check: check && { ok: check.ok, message: check.message, category: check.category }, created: false, replaced: false, madeDefault: false,
  };
  if (check && !check.ok && !(interactive && (await confirmSaveAnyway(ctx)))) return { category: check.category, data: report };
  Object.assign(report, await savePlan(plan), { saved: true });
  return { category: "ok", data: report };
}

/** The plan from flags alone; a missing required flag is a usage error (64) naming it. */
async function planFromFlags(opts: InitOptions, ctx: Ctx, configFile: string): Promise<InitPlan> {
  const why = ctx.ui.interactive ? "with --yes" : "when not running on a terminal";
  const need = (flag: string) => usageError(`${flag} is required ${why}`, "Run 'mailctl init --help' for the flags, or run it on a terminal to be asked.");
  let preset;
  if (opts.preset) {
    try {
      preset = loadPreset(opts.preset);
    } catch (err) {
      throw err instanceof PresetError ? usageError(`--preset: ${err.message}`) : err;
    }
  }
  if (!preset && !opts.host) throw need("--preset or --host");
  if (!opts.from) throw need("--from");
  if (!ADDRESS.test(opts.from)) throw usageError(`--from "${opts.from}" is not an address like you@example.com`);
  if (!preset && opts.port === undefined && opts.tls === undefined) throw need("--port or --tls (with --host)");
  const entry: ProfileEntry = { ...extras(opts, ctx.cwd), ...(preset ? { preset: preset.ref } : {}), ...(opts.host ? { host: opts.host } : {}) };
  if (opts.port !== undefined) entry.port = opts.port;
  if (opts.tls !== undefined) entry.tls = opts.tls as TlsMode;
  entry.from = opts.from;
  if (opts.auth !== false) entry.user = opts.user ?? preset?.credential.fixedUser ?? opts.from;

  let store: SecretStore = "none";
  let password: string | undefined;
  const oauth = opts.clientId !== undefined || opts.refreshTokenEnv !== undefined || opts.oauthTokenEnv !== undefined;
  if (oauth) {
    if (opts.auth === false || opts.passwordEnv || opts.passwordCommand || opts.savePassword) throw usageError("OAuth2 flags (--client-id, --refresh-token-env, --oauth-token-env) cannot be combined with a password flag or --no-auth");
    if (opts.refreshTokenEnv !== undefined || opts.clientId !== undefined) {
      if (opts.clientId === undefined) throw need("--client-id (with --refresh-token-env)");
      if (opts.refreshTokenEnv === undefined) throw need("--refresh-token-env (with --client-id)");
      if (!opts.tokenUrl && !preset?.oauth2) throw need("--token-url (the preset does not know a token endpoint)");
      Object.assign(entry, { clientId: opts.clientId, refreshTokenEnv: opts.refreshTokenEnv, ...(opts.clientSecretEnv ? { clientSecretEnv: opts.clientSecretEnv } : {}) });
    }
    if (opts.oauthTokenEnv) entry.oauthTokenEnv = opts.oauthTokenEnv;
    store = "env";
  } else if (opts.auth === false) {
    if (opts.passwordEnv || opts.passwordCommand || opts.savePassword) throw usageError("--no-auth cannot be combined with a password flag");
  } else if (opts.passwordCommand) {
    if (opts.passwordEnv || opts.savePassword) throw usageError("--password-command cannot be combined with --password-env or --save-password");
    [store, entry.passwordCommand] = ["command", opts.passwordCommand];
    if (opts.check !== false) password = await runPasswordCommand(opts.passwordCommand, ctx.io.env, "--password-command");
  } else if (opts.passwordEnv || opts.savePassword) {
    const variable = opts.passwordEnv ?? "MAILCTL_PASSWORD";
    password = ctx.io.env[variable];
    if (opts.savePassword && !password) throw usageError(`--save-password stores the password from ${variable}, which is not set`);
    if (opts.savePassword) store = "file";
    else [store, entry.passwordEnv] = ["env", variable];
  } else {
    throw need("--password-env <VAR>, --password-command <cmd> or --no-auth");
  }
  if (password !== undefined) ctx.ui.redactor.add(password, entry.user);
  const name = opts.profile ?? preset?.name ?? "default";
  if (!/^[A-Za-z0-9][\w.-]*$/.test(name)) throw usageError(`--profile "${name}" is not a profile name (letters, digits, . _ -)`);
  const { names } = await readProfiles(configFile);
  if (names.includes(name) && !opts.force) {
    throw usageError(`${displayPath(configFile, ctx.cwd, ctx.io.env)} already has a profile "${name}"; pass --force to replace it, or --profile <another name>`);
  }
  return { name, configFile, entry, ...(preset ? { preset } : {}), store, ...(password !== undefined ? { password } : {}), overwrite: Boolean(opts.force) };
}

/** The variables an OAuth2 profile reads, for the "export them" note. */
function oauthEnvOf(e: ProfileEntry): InitReport["oauthEnv"] {
  const env = { ...(e.oauthTokenEnv ? { token: e.oauthTokenEnv } : {}), ...(e.refreshTokenEnv ? { refreshToken: e.refreshTokenEnv } : {}), ...(e.clientSecretEnv ? { clientSecret: e.clientSecretEnv } : {}) };
  return Object.keys(env).length ? env : null;
}

/** Settings that go into the profile as given (the rows marked init): CA, certificate name, EHLO name, timeout, address family, display name, token endpoint and file. */
function extras(opts: InitOptions, cwd: string): ProfileEntry {
  return flagSettings(opts, cwd, fieldsWhere("init"));
}

function pick(opts: InitOptions) {
  const { preset, host, port, from, user, profile } = opts;
  const tls = opts.tls as TlsMode | undefined;
  return Object.fromEntries(Object.entries({ preset, host, port, tls, from, user, profile }).filter(([, v]) => v !== undefined));
}

async function confirmSaveAnyway(ctx: Ctx): Promise<boolean> {
  const { confirm } = await import("@inquirer/prompts");
  try {
    return await confirm({ message: "The check failed. Save the profile anyway?", default: false }, { input: ctx.io.stdin, output: ctx.io.stderr });
  } catch (err) {
    if (err instanceof Error && err.name === "ExitPromptError") throw new MailctlError("interrupted", "interrupted; nothing was written");
    throw err;
  }
}

const INIT_OPTIONS: OptionSpec[] = [
  settingOption(OPTIONS.profile, { help: "name of the profile to write (default: the preset's name, else default)", env: null }),
  settingOption(OPTIONS.config, { help: "the config file to write (default: $XDG_CONFIG_HOME/mailctl/config.yaml)" }),
  settingOption(SETTINGS.from, { help: "the sender address (and the login, unless --user)", env: null }),
  settingOption(SETTINGS.fromName),
  settingOption(SETTINGS.passwordCommand),
  { flags: "--save-password", description: "store the password from --password-env (default MAILCTL_PASSWORD) in the file, mode 0600" },
  { flags: "--no-auth", description: "the server needs no login" },
  settingOption(SETTINGS.clientId),
  settingOption(SETTINGS.refreshTokenEnv),
  settingOption(SETTINGS.clientSecretEnv),
  settingOption(SETTINGS.tokenUrl),
  settingOption(SETTINGS.tokenFile),
  { flags: "-y, --yes", description: "do not prompt: take everything from flags" },
  { flags: "--force", description: "replace an existing profile of the same name without asking" },
  { flags: "--no-check", description: "save without connecting first" },
  jsonOption("print one JSON document on stdout (implies --yes)"),
];

/** Declares `init`. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description(
      "Set up a profile step by step: choose a provider preset (or a custom server), enter your address, learn which credential that provider needs and how to get it, enter it (hidden), choose where it lives (an environment variable, a password command, or the config file with mode 0600), check it live, and save the profile — next to your other profiles, never replacing one without asking. Without a terminal, or with --yes, everything comes from flags.",
    );
  addOptions(cmd, PROFILE_OPTIONS.filter((o) => o.flags.startsWith("--preset ")));
  addOptions(cmd, CONNECTION_OPTIONS, ["--auth "]);
  addOptions(cmd, INIT_OPTIONS);
  cmd.addHelpText(
    "after",
    `
Examples:
  $ mailctl init                                      # the wizard
  $ mailctl init --preset gmail --from me@gmail.com --password-env GMAIL_APP_PASSWORD --yes
  $ mailctl init --preset qq --from 10001@qq.com --password-command "pass show mail/qq" --yes
  $ mailctl init --preset gmail --from me@gmail.com --client-id 1234.apps.googleusercontent.com \\
      --client-secret-env GMAIL_CLIENT_SECRET --refresh-token-env GMAIL_REFRESH_TOKEN --token-file ~/.config/mailctl/tokens/gmail.json --yes
  $ MAILCTL_PASSWORD=… mailctl init --host mail.example.com --port 587 --from a@example.com --save-password --config ./mailctl.config.yaml --yes`,
  );
  cmd.action(async (opts: InitOptions) => {
    await execute(opts, (ctx) => run(opts, ctx), renderInit);
  });
  return cmd;
}
