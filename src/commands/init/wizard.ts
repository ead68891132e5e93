// The interactive side of `mailctl init` (inquirer): provider, address, the credential that provider needs
// and how to get it, where the secret lives, profile name. It only asks; it writes nothing. Ctrl-C at any
// prompt is MailctlError("interrupted") (exit 130) before anything was written.

import type { Ctx } from "../command.js";
import { MailctlError } from "../../errors.js";
import { displayPath } from "../../config/load.js";
import { credentialLabel, listPresets, loadPreset, type ResolvedPreset } from "../../config/presets.js";
import { runPasswordCommand } from "../../credentials/secrets.js";
import { askOAuth, wantsOAuth, type Ask } from "./oauth.js";
import type { InitPlan, SecretStore } from "./plan.js";
import type { TlsMode } from "../../session/tls-mode.js";
import type { ProfileEntry } from "../../config/validate.js";
import { parseSetting, SETTINGS, SettingError, type Setting } from "../../settings.js";
import { readProfiles } from "../../config/write.js";

type Prompts = typeof import("@inquirer/prompts");

/** What the command already knows from flags; the wizard asks only for the rest. */
export interface WizardSeed {
  preset?: string;
  host?: string;
  /** OAuth2 settings given as flags (--client-id, --token-url): the wizard signs in with OAuth2 and asks the rest. */
  clientId?: string;
  port?: number;
  tls?: TlsMode;
  from?: string;
  user?: string;
  profile?: string;
  configFile: string;
  extra: ProfileEntry;
}

const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

/** Runs the prompts and returns the plan to check and save. */
export async function runWizard(seed: WizardSeed, ctx: Ctx): Promise<InitPlan> {
  const p = await import("@inquirer/prompts");
  const io = { input: ctx.io.stdin, output: ctx.io.stderr };
  const ask: Ask = async <T>(prompt: (config: never, context: never) => Promise<T>, config: unknown): Promise<T> => {
    try {
      return await prompt(config as never, io as never);
    } catch (err) {
      if (err instanceof Error && err.name === "ExitPromptError") throw new MailctlError("interrupted", "interrupted; nothing was written");
      throw err;
    }
  };
  const say = (line = "") => ctx.ui.err(line);
  const t = ctx.ui.errTheme;

  const preset = await choosePreset(seed, p, ask);
  const entry: ProfileEntry = { ...seed.extra };
  if (preset) {
    entry.preset = preset.ref;
    if (seed.host !== undefined) entry.host = seed.host;
    if (seed.port !== undefined) entry.port = seed.port;
    if (seed.tls !== undefined) entry.tls = seed.tls;
  } else await askServer(seed, entry, p, ask);

  const from = seed.from ?? (await ask<string>(p.input, { message: "Your email address (the sender):", validate: (v: string) => ADDRESS.test(v.trim()) || "an address like you@example.com" })).trim();
  entry.from = from;
  if (preset?.credential.fixedUser) {
    entry.user = preset.credential.fixedUser;
    say(`${t.c.dim(`The user name is always ${entry.user} at ${preset.title}.`)}`);
  } else {
    entry.user = seed.user ?? (await ask<string>(p.input, { message: `Login user name${preset ? ` (${preset.credential.user})` : ""}:`, default: from })).trim();
  }

  if (preset) explainCredential(preset, say, t);
  const secret = (await wantsOAuth(preset, seed, p, ask)) ? await askOAuth(preset!, seed, entry, p, ask, ctx) : await askPassword(preset, entry, p, ask, ctx);

  const fromName = seed.extra.fromName ?? (await ask<string>(p.input, { message: "Display name for From (optional):", default: "" })).trim();
  if (fromName) entry.fromName = fromName;
  const { name, overwrite } = await chooseName(seed, preset, p, ask, ctx);
  // Relative to the config file, so the profile and its tokens stay together.
  if ("tokenFile" in secret && secret.tokenFile) entry.tokenFile = `tokens/${name}.json`;
  const plan: InitPlan = { name, configFile: seed.configFile, entry, ...(preset ? { preset } : {}), store: secret.store, overwrite };
  if ("password" in secret) plan.password = secret.password;
  if ("oauth" in secret) plan.oauth = secret.oauth;
  return plan;
}

/** The credential typed (hidden) and where it will live; returns what the check uses. */
async function askPassword(preset: ResolvedPreset | undefined, entry: ProfileEntry, p: Prompts, ask: Ask, ctx: Ctx): Promise<{ store: SecretStore; password: string }> {
  const say = (line = "") => ctx.ui.err(line);
  const t = ctx.ui.errTheme;
  const password = await ask<string>(p.password, { message: `${preset ? capitalize(credentialLabel(preset.credential.kind)) : "Password"} (hidden):`, mask: "*", validate: (v: string) => v !== "" || "empty; Ctrl-C to stop" });
  ctx.ui.redactor.add(password, entry.user);

  const store = await ask<SecretStore>(p.select, {
    message: "Where should mailctl find it later?",
    choices: [
      { value: "env", name: "an environment variable", description: "nothing secret is written; you export the variable" },
      { value: "command", name: "a password command", description: "e.g. pass show mail/work, or a keyring tool; run without a shell" },
      { value: "file", name: "the config file (mode 0600)", description: "stored in plain text, readable only by you" },
    ],
  });
  let checkPassword = password;
  if (store === "env") {
    entry.passwordEnv = await ask<string>(p.input, { message: "Variable name:", default: "MAILCTL_PASSWORD", validate: (v: string) => /^[A-Za-z_]\w*$/.test(v) || "letters, digits and _" });
  } else if (store === "command") {
    for (;;) {
      const cmd = await ask<string>(p.input, { message: "Command that prints the password:", validate: (v: string) => v.trim() !== "" || "a command, e.g. pass show mail/work" });
      try {
        checkPassword = await runPasswordCommand(cmd, ctx.io.env, "the command");
        ctx.ui.redactor.add(checkPassword, entry.user);
        entry.passwordCommand = cmd;
        if (checkPassword !== password) say(`${t.warn} the command printed a different password from the one you typed; the check uses the command's`);
        break;
      } catch (err) {
        say(`${t.fail} ${(err as Error).message}`);
      }
    }
  }
  return { store, password: checkPassword };
}

async function choosePreset(seed: WizardSeed, p: Prompts, ask: Ask): Promise<ResolvedPreset | undefined> {
  if (seed.preset) return loadPreset(seed.preset);
  if (seed.host) return undefined;
  const choices = [
    ...listPresets().map((x) => ({ value: x.name, name: `${x.title}`, description: `${x.name} · ${x.host} · ${credentialLabel(x.credential.kind)}` })),
    { value: "", name: "Other server (enter host and port)", description: "a server without a preset" },
  ];
  const name = await ask<string>(p.select, { message: "Which provider sends your mail?", choices, pageSize: 12 });
  if (!name) return undefined;
  const base = loadPreset(name);
  const region = base.params?.region;
  if (!region) return base;
  const value = await ask<string>(p.select, { message: `${base.title} region:`, choices: region.values.map((v) => ({ value: v, name: v })), default: region.default });
  return loadPreset(`${base.name}:${value}`);
}

async function askServer(seed: WizardSeed, entry: ProfileEntry, p: Prompts, ask: Ask): Promise<void> {
  entry.host = seed.host ?? (await ask<string>(p.input, { message: "SMTP server host name:", validate: (v: string) => /^[A-Za-z0-9_.:[\]-]+$/.test(v.trim()) || "a host name or IP address" })).trim();
  if (seed.port !== undefined || seed.tls !== undefined) {
    if (seed.port !== undefined) entry.port = seed.port;
    if (seed.tls !== undefined) entry.tls = seed.tls;
    return;
  }
  const mode = await ask<string>(p.select, {
    message: "Port and encryption:",
    choices: [
      { value: "465/implicit", name: "465 — TLS from the first byte (implicit TLS)" },
      { value: "587/starttls", name: "587 — STARTTLS (submission)" },
      { value: "25/starttls", name: "25 — STARTTLS (relay)" },
      { value: "other", name: "another port" },
    ],
  });
  if (mode !== "other") {
    const [port, tls] = mode.split("/");
    [entry.port, entry.tls] = [Number(port), tls as TlsMode];
    return;
  }
  entry.port = SETTINGS.port.parse(await ask<string>(p.input, { message: "Port:", validate: (v: string) => accepts(SETTINGS.port, v) || "a port number (1–65535)" }));
  entry.tls = await ask<TlsMode>(p.select, { message: "Encryption on that port:", choices: [{ value: "implicit", name: "implicit TLS" }, { value: "starttls", name: "STARTTLS" }, { value: "none", name: "none (plaintext)" }] });
}

/** True when the text is a value of the setting (its flag's parse), for a prompt's check. */
function accepts(s: Setting, text: string): boolean {
  try {
    parseSetting(s, text);
    return true;
  } catch (err) {
    if (err instanceof SettingError) return false;
    throw err;
  }
}

/** Tells exactly which credential the provider takes and how to get it (from the preset's steps). */
function explainCredential(preset: ResolvedPreset, say: (l?: string) => void, t: Ctx["ui"]["errTheme"]): void {
  const c = preset.credential;
  say();
  say(t.c.bold(`${preset.title} needs ${withArticle(credentialLabel(c.kind))} for SMTP${c.alternatives?.length ? ` (or ${c.alternatives.map((k) => withArticle(credentialLabel(k))).join(", ")})` : ""}:`));
  for (const s of c.steps) say(`  ${s}`);
  if (c.docs) say(`  ${t.c.dim(c.docs)}`);
  if (c.kind === "oauth2" && !preset.oauth2 && !c.alternatives?.some((k) => k === "password" || k === "app-password")) {
    say(`${t.warn} ${preset.title} accepts only OAuth2 tokens; mailctl init stores a password, which this provider will refuse.`);
  }
  say();
}

async function chooseName(seed: WizardSeed, preset: ResolvedPreset | undefined, p: Prompts, ask: Ask, ctx: Ctx): Promise<{ name: string; overwrite: boolean }> {
  const { names } = await readProfiles(seed.configFile);
  let suggested = seed.profile ?? preset?.name ?? "default";
  for (;;) {
    const name = seed.profile ?? (await ask<string>(p.input, { message: `Profile name (saved in ${displayPath(seed.configFile, ctx.cwd, ctx.io.env)}):`, default: suggested, validate: (v: string) => /^[A-Za-z0-9][\w.-]*$/.test(v.trim()) || "letters, digits, . _ -" })).trim();
    if (!names.includes(name)) return { name, overwrite: false };
    if (await ask<boolean>(p.confirm, { message: `A profile "${name}" already exists there. Replace it?`, default: false })) return { name, overwrite: true };
    if (seed.profile) throw new MailctlError("usage", `profile "${name}" left as it was`);
    suggested = `${name}-2`;
  }
}

function withArticle(s: string): string {
  return `${/^[aeiou]/i.test(s) ? "an" : "a"} ${s}`;
}

function capitalize(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}
