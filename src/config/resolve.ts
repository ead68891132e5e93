import { dataError, MailctlError, usageError } from "../errors.js";
import { INPUT_LIMITS, readInput } from "../fs/read-input.js";
import type { RunContext } from "../io.js";
import { fieldsWhere, type SessionField, type TargetField } from "../settings.js";
import type { SessionOptions } from "../session/session.js";
import type { TargetFlags } from "./flags.js";
import type { Resolution } from "./layers.js";
import type { Target } from "./target.js";

export type { ConnectionFlags, ProfileFlags, TargetFlags } from "./flags.js";

/** What the caller needs: a port (or can detect one), and whether the password is wanted (probe never logs in). */
export interface ResolveOptions {
  needPort: boolean;
  /** Read the secret (running a passwordCommand, prompting on a terminal as a last resort). Default true. */
  auth?: boolean;
  /** The command will connect to the target (--dry-run does not). Default true: the --insecure warning is given. */
  connects?: boolean;
  /** The command shows the target's findings itself (doctor): warnings about the secret's file are not repeated on stderr. */
  showsFindings?: boolean;
}

/** The one warning every connecting command gives once when certificate verification is off. */
export function warnIfInsecure(target: Pick<Target, "insecure">, ctx: Pick<RunContext, "ui">): void {
  if (target.insecure) ctx.ui.warn("certificate verification is off (--insecure): the server's certificate is not checked, so anyone on the path could pose as the server and read the password and the mail");
}

/**
 * Resolves the Target a command connects to, from every layer: flags > MAILCTL_* environment > project file
 * (or --config, or --from-config's app config) > user file > preset > defaults, with the origin of each
 * setting. `tlsAuto` is true when nothing fixed the TLS mode, for callers that can detect it (probe).
 * The password is registered with the output redactor as soon as it is read.
 */
export async function resolveTarget(flags: TargetFlags, ctx: RunContext, opts: ResolveOptions): Promise<Target & { tlsAuto: boolean }> {
  // Loaded on use: `mailctl probe --help` should not pay for config files, importers and presets.
  const { resolveSettings } = await import("./layers.js");
  const r = await resolveSettings(flags, { cwd: ctx.cwd, env: ctx.io.env, warn: (m) => ctx.ui.warn(m) });
  const s = r.settings;
  if (!s.host) {
    throw usageError("no server given: pass --host <host>, --preset <name> or --profile <name>", r.files.length ? undefined : "Or save a profile once with: mailctl init");
  }
  if (!s.port && opts.needPort) throw usageError("no port given: pass --port <port> or --tls <mode>");
  const target: Target & { tlsAuto: boolean } = {
    host: s.host,
    port: s.port ?? 0,
    tls: s.tls ?? "none",
    tlsAuto: r.tlsAuto,
    opportunisticTls: Boolean(s.opportunisticTls),
    insecure: Boolean(s.insecure),
    timeoutSeconds: s.timeoutSeconds!,
    origins: r.origins,
    dialect: r.dialect,
    findings: r.findings,
  };
  if (flags.resolver) target.resolver = flags.resolver;
  for (const k of TARGET_FIELDS) if (s[k] !== undefined) (target as unknown as Record<string, unknown>)[k] = s[k];
  if (r.profile) target.profile = r.profile;
  if (r.preset) target.preset = r.preset.ref;
  if (r.importKeys) target.importKeys = r.importKeys;
  if (r.sourceFile) target.sourceFile = r.sourceFile;
  // The app's own From header only when the From is the app's: a --from or MAILCTL_FROM replaces it.
  if (r.appFrom && r.origins.from?.source === "import") target.appFrom = r.appFrom;
  if (s.ca) {
    target.ca = s.ca;
    target.caPem = await readCa(s.ca);
  }
  if (opts.connects !== false) warnIfInsecure(target, ctx);
  if (opts.auth !== false) {
    const hasOAuth = Boolean(r.oauth.token || r.oauth.refreshToken || r.oauth.clientSecret || s.clientId !== undefined);
    if (hasOAuth && !target.user) throw usageError("OAuth2 sign-in needs the mailbox's user name: pass --user <address> (or set user in the profile)");
    if (target.user && hasOAuth) await addOAuth(target, r, ctx);
    // With OAuth2 settings a password is only a fallback: read when configured, never prompted for.
    if (target.user) await addSecret(target, r, ctx, !hasOAuth);
    // A secret in a file others can read: every command that reads it says so (msmtp refuses such a file outright).
    if (!opts.showsFindings) for (const f of target.findings ?? []) if (f.id === "password-file-readable") ctx.ui.warn(f.message);
  }
  return target;
}

/** The OAuth2 token provider; its secrets are read (and registered with the redactor) when AUTH needs a token. */
async function addOAuth(target: Target, r: Resolution, ctx: RunContext): Promise<void> {
  const [{ oauthSpec }, { TokenProvider }, { modeFindings }] = await Promise.all([import("./oauth.js"), import("../credentials/oauth2.js"), import("../credentials/secrets.js")]);
  const spec = oauthSpec(r, target.user!, ctx.cwd);
  if (!spec) return;
  if (spec.tokenFile && !spec.refreshToken) ctx.ui.warn("tokenFile keeps tokens from a refresh setup (clientId, refreshTokenEnv or refreshTokenCommand); with a ready token only, it is not used");
  for (const ref of [r.oauth.clientSecret, r.oauth.refreshToken]) {
    if (ref?.file) target.findings!.push(...modeFindings(ref.file, ref.where).map((f) => ({ ...f, keys: [ref.origin.key?.split(".").pop() ?? "secret"], message: f.message.replace("holds a password", "holds an OAuth2 secret") })));
  }
  const user = target.user!;
  target.oauth = new TokenProvider(spec, {
    env: ctx.io.env,
    register: (secret) => ctx.ui.redactor.add(secret, user),
    timeoutMs: target.timeoutSeconds * 1000,
    warn: (m) => ctx.ui.warn(m),
  });
  if (!target.passwordSource) target.passwordSource = spec.token ? `the OAuth2 token (${spec.token.where})` : `the OAuth2 refresh setup (${spec.refreshToken?.where})`;
}

async function addSecret(target: Target, r: Resolution, ctx: RunContext, mayPrompt = true): Promise<void> {
  const { readSecret } = await import("../credentials/secrets.js");
  const prompt = mayPrompt && ctx.ui.interactive && !ctx.ui.json ? () => promptPassword(target, ctx) : undefined;
  const secret = await readSecret(r.secret, ctx.io.env, prompt);
  if (secret.password === undefined && target.oauth) return;
  target.passwordSource = secret.source;
  if (secret.origin) target.origins.password = secret.origin;
  target.findings!.push(...secret.findings);
  if (secret.password !== undefined) {
    ctx.ui.redactor.add(secret.password, target.user);
    target.password = secret.password;
    // The user's environment holds the password; the host it goes to was chosen by a file the user did not name.
    const host = target.origins.host;
    if (secret.envVar && r.searched && host?.source === "file" && host.where === r.searched) {
      ctx.ui.warn(`the password from ${secret.envVar} goes to ${target.host}, a host set by ${r.searched}: a project config found by searching, not one you named (check that you trust it, or pass --host)`);
    }
  }
}

/** The last resort on a terminal: a masked prompt (Ctrl-C → exit 130). */
async function promptPassword(target: Target, ctx: RunContext): Promise<string | undefined> {
  const { password } = await import("@inquirer/prompts");
  try {
    const typed = await password({ message: `Password for ${target.user} at ${target.host}`, mask: "*" }, { input: ctx.io.stdin, output: ctx.io.stderr });
    return typed === "" ? undefined : typed;
  } catch (err) {
    if (err instanceof Error && err.name === "ExitPromptError") throw new MailctlError("interrupted", "interrupted");
    throw err;
  }
}

/** Reads a CA file: one or more PEM certificates. */
export async function readCa(path: string): Promise<string[]> {
  const text = await readInput(path, { label: path, max: INPUT_LIMITS.ca, what: "a CA file" });
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!certs) throw dataError(`${path}: no PEM certificate in this file (expected "-----BEGIN CERTIFICATE-----")`);
  return certs;
}

/** The settings a Target takes as resolved (rows marked target). */
const TARGET_FIELDS = fieldsWhere("target") as TargetField[];

/** A name the session options have: a `session` row whose field the session does not take does not compile. */
type SessionTakes<K extends keyof SessionOptions> = K;

/** The settings the session takes from the Target under the same name (rows marked session). */
const SESSION_FIELDS = fieldsWhere("session") as SessionTakes<SessionField>[];

/** Session options for a target. */
export function sessionOptions(t: Target, extra: Partial<SessionOptions> = {}): SessionOptions {
  const ms = t.timeoutSeconds * 1000;
  const o: SessionOptions = {
    host: t.host,
    port: t.port,
    tls: t.tls,
    opportunisticTls: t.opportunisticTls,
    timeouts: { connect: ms, greeting: ms, command: ms, dataEnd: Math.max(ms * 4, 60_000) },
    ...extra,
  };
  if (t.insecure) o.insecure = true;
  if (t.caPem) o.ca = t.caPem;
  for (const k of SESSION_FIELDS) if (t[k]) (o as unknown as Record<string, unknown>)[k] = t[k];
  if (t.resolver) o.resolver = t.resolver;
  if (t.user) {
    o.auth = { user: t.user, ...(t.password !== undefined ? { password: t.password } : {}), ...(t.passwordSource ? { passwordSource: t.passwordSource } : {}), ...(t.authMethod ? { method: t.authMethod } : {}) };
    if (t.oauth) o.auth.oauth = t.oauth;
  }
  return o;
}
