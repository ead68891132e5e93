// The OAuth2 part of `mailctl init`: for a provider whose preset knows its token endpoint (Gmail, Outlook.com,
// Microsoft 365), explain what to register there, then take the client id, the client secret and the refresh
// token (hidden), and ask where the two secrets will live — environment variables or commands (only their names
// are written), or the config file with mode 0600. The access tokens themselves are never stored by init.

import type { Ctx } from "../command.js";
import type { ResolvedPreset } from "../../config/presets.js";
import { runPasswordCommand } from "../../credentials/secrets.js";
import type { InitPlan, SecretStore } from "./plan.js";
import type { ProfileEntry } from "../../config/validate.js";

/** Asks one question (the wizard's ask: Ctrl-C becomes "interrupted"). */
export type Ask = <T>(prompt: (config: never, context: never) => Promise<T>, config: unknown) => Promise<T>;
type Prompts = typeof import("@inquirer/prompts");

/** What the OAuth2 questions settled: where the secrets live, the secrets as typed, whether to keep a token file. */
export interface OAuthAnswers {
  store: SecretStore;
  oauth: NonNullable<InitPlan["oauth"]>;
  tokenFile: boolean;
}

/** Whether to sign in with OAuth2 (asked only when the preset also takes a password). */
export async function wantsOAuth(preset: ResolvedPreset | undefined, seed: { clientId?: string }, p: Prompts, ask: Ask): Promise<boolean> {
  if (!preset?.oauth2) return false;
  if (seed.clientId !== undefined) return true;
  const c = preset.credential;
  const other = c.kind === "oauth2" ? c.alternatives?.find((k) => k === "password" || k === "app-password") : c.kind;
  if (!other) return true;
  const label = other === "app-password" ? "an app password" : other === "password" ? "the account password (basic authentication)" : `the ${other}`;
  return ask<boolean>(p.select, {
    message: "How should mailctl sign in?",
    choices: [
      { value: c.kind === "oauth2", name: c.kind === "oauth2" ? "OAuth2 (XOAUTH2) — recommended" : `with ${label}`, description: c.kind === "oauth2" ? "a refresh token from your own app registration" : "what the steps above describe" },
      { value: c.kind !== "oauth2", name: c.kind === "oauth2" ? `with ${label}` : "OAuth2 (XOAUTH2)", description: c.kind === "oauth2" ? "where the organization still allows it" : "a refresh token from your own app registration; no app password needed" },
    ],
  });
}

/** Explains the registration, asks for the refresh setup and fills the entry; the secrets go to the redactor at once. */
export async function askOAuth(preset: ResolvedPreset, seed: { clientId?: string }, entry: ProfileEntry, p: Prompts, ask: Ask, ctx: Ctx): Promise<OAuthAnswers> {
  const t = ctx.ui.errTheme;
  const say = (line = "") => ctx.ui.err(line);
  const o = preset.oauth2!;
  say();
  say(t.c.bold(`OAuth2 at ${preset.title}: register an app once, and get a refresh token for the mailbox:`));
  for (const step of o.register ?? []) say(`  ${step}`);
  say(`  mailctl then asks ${entry.tokenUrl ?? o.tokenUrl} for access tokens itself (scope ${entry.scope ?? o.scope}) and renews them when they expire.`);
  say();
  entry.clientId = seed.clientId ?? (await ask<string>(p.input, { message: "Client ID of the app registration:", validate: (v: string) => v.trim() !== "" || "the client ID, e.g. 1234-abc.apps.googleusercontent.com" })).trim();
  const clientSecret = await ask<string>(p.password, { message: "Client secret (hidden; leave empty if the app has none):", mask: "*" });
  const refreshToken = await ask<string>(p.password, { message: "Refresh token (hidden):", mask: "*", validate: (v: string) => v !== "" || "empty; Ctrl-C to stop" });
  ctx.ui.redactor.add(refreshToken, entry.user);
  ctx.ui.redactor.add(clientSecret, entry.user);
  const answers: OAuthAnswers = { store: "env", oauth: { refreshToken, ...(clientSecret ? { clientSecret } : {}) }, tokenFile: false };

  answers.store = await ask<SecretStore>(p.select, {
    message: `Where should mailctl find the refresh token${clientSecret ? " and the client secret" : ""} later?`,
    choices: [
      { value: "env", name: "environment variables", description: "nothing secret is written; you export the variables" },
      { value: "command", name: "commands", description: "e.g. pass show mail/refresh-token; run without a shell" },
      { value: "file", name: "the config file (mode 0600)", description: "stored in plain text, readable only by you" },
    ],
  });
  const prefix = preset.name.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
  if (answers.store === "env") {
    entry.refreshTokenEnv = await askName(`Variable for the refresh token:`, `${prefix}_REFRESH_TOKEN`, p, ask);
    if (clientSecret) entry.clientSecretEnv = await askName(`Variable for the client secret:`, `${prefix}_CLIENT_SECRET`, p, ask);
  } else if (answers.store === "command") {
    const rt = await askCommand("Command that prints the refresh token:", refreshToken, "refreshTokenCommand", p, ask, ctx);
    [entry.refreshTokenCommand, answers.oauth.refreshToken] = [rt.cmd, rt.out];
    if (clientSecret) {
      const cs = await askCommand("Command that prints the client secret:", clientSecret, "clientSecretCommand", p, ask, ctx);
      [entry.clientSecretCommand, answers.oauth.clientSecret] = [cs.cmd, cs.out];
    }
  }
  if (entry.tokenFile === undefined) answers.tokenFile = await ask<boolean>(p.confirm, { message: "Keep access tokens between runs in a token file (mode 0600, next to the config file)?", default: true });
  return answers;
}

async function askName(message: string, def: string, p: Prompts, ask: Ask): Promise<string> {
  return (await ask<string>(p.input, { message, default: def, validate: (v: string) => /^[A-Za-z_]\w*$/.test(v) || "letters, digits and _" })).trim();
}

/** Asks for a command until one prints something; the check uses what it prints, and says so when it differs. */
async function askCommand(message: string, typed: string, field: string, p: Prompts, ask: Ask, ctx: Ctx): Promise<{ cmd: string; out: string }> {
  for (;;) {
    const cmd = await ask<string>(p.input, { message, validate: (v: string) => v.trim() !== "" || "a command, e.g. pass show mail/refresh-token" });
    try {
      const out = await runPasswordCommand(cmd, ctx.io.env, "the command", field);
      ctx.ui.redactor.add(out);
      if (out !== typed) ctx.ui.err(`${ctx.ui.errTheme.warn} the command printed something other than what you typed; the check uses the command's`);
      return { cmd, out };
    } catch (err) {
      ctx.ui.err(`${ctx.ui.errTheme.fail} ${(err as Error).message}`);
    }
  }
}
