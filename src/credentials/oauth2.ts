// OAuth2 access tokens for XOAUTH2 / OAUTHBEARER, on demand. A token comes from, in this order: a ready token the
// user supplies (oauthTokenEnv / oauthTokenCommand), the token file when it holds one still valid for this account,
// or the refresh-token grant at the token endpoint (RFC 6749 §6). It is kept in memory for the run, and in the token
// file only when the user names one. A refused token is renewed once (renew()), unless it was issued moments ago.
// Every secret read or received is handed to `register` (the output redactor) before anything else happens.

import { commandText, runPasswordCommand } from "./secrets.js";
import { MailctlError } from "../errors.js";
import type { TokenFacts, TokenSource } from "../session/auth.js";
import type { FailureKind } from "../session/failure.js";
import { refreshAccessToken, TokenEndpointError, type IssuedToken } from "./token-endpoint.js";
import { fingerprint, readTokenFile, writeTokenFile, type StoredToken } from "./token-file.js";

/** Where one secret comes from: an environment variable, a command (run without a shell), or the config file itself. */
export interface SecretRef {
  env?: string;
  command?: string | string[];
  value?: string;
  /** Where the setting was made, for messages ("~/.config/mailctl/config.yaml: profiles.gmail.refreshTokenEnv"). */
  where: string;
}

/** The OAuth2 settings of one target, resolved; secrets are only references until read. */
export interface OAuthSpec {
  user: string;
  /** A ready access token. */
  token?: SecretRef;
  clientId?: string;
  clientSecret?: SecretRef;
  refreshToken?: SecretRef;
  tokenUrl?: string;
  /** Scopes sent with a refresh request (when sendScope). */
  scope?: string;
  sendScope?: boolean;
  /** The scope SMTP needs, to check the scopes a token was granted. */
  requiredScope?: string;
  tokenFile?: string;
}

/** What the provider needs from its surroundings. */
export interface ProviderDeps {
  env: NodeJS.ProcessEnv;
  /** Called with every secret the moment it is read or received. */
  register(secret: string): void;
  timeoutMs: number;
  now?: () => number;
  /** A problem that does not stop sending (the token file could not be written). */
  warn?(message: string): void;
}

/** No token can be had because a setting is missing or its source is empty (exit 78, like a missing password). */
export class TokenUnavailable extends MailctlError {
  readonly failureKind: FailureKind = "credentials-missing";
  readonly facts: TokenFacts = {};
  constructor(message: string) {
    super("config", message);
  }
}

/** A token is not reused in its last minute: it could expire between AUTH and the server's check. */
const EXPIRY_MARGIN_MS = 60_000;

interface Current {
  token: string;
  source: string;
  expiresAt?: number;
  scope?: string;
  /** Issued by the token endpoint during this run. */
  fresh: boolean;
}

/** Supplies access tokens to the session engine (it implements the engine's TokenSource). */
export class TokenProvider implements TokenSource {
  private current: Current | null = null;
  private renewed = false;
  private endpointError: TokenFacts = {};
  private readonly now: () => number;

  constructor(
    readonly spec: OAuthSpec,
    private readonly deps: ProviderDeps,
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** True when a refresh setup is complete: refresh token, client id and token endpoint. */
  get canRefresh(): boolean {
    return Boolean(this.spec.refreshToken && this.spec.clientId && this.spec.tokenUrl);
  }

  async token(): Promise<string> {
    if (this.current && this.usable(this.current.expiresAt)) return this.current.token;
    if (this.spec.token && !this.current) {
      const token = await this.read(this.spec.token, "OAuth2 access token", "oauthTokenCommand");
      this.current = { token, source: describeRef(this.spec.token), fresh: false };
      return token;
    }
    if (this.canRefresh) return (await this.fromFile()) ?? (await this.refresh());
    throw new TokenUnavailable("no OAuth2 access token: set oauthTokenEnv or oauthTokenCommand, or a refresh setup (clientId, refreshTokenEnv or refreshTokenCommand, tokenUrl)");
  }

  async renew(): Promise<string | null> {
    // A token the endpoint issued seconds ago is not stale: a second one would be refused the same way.
    if (this.renewed || !this.canRefresh || this.current?.fresh) return null;
    this.renewed = true;
    return this.refresh();
  }

  facts(): TokenFacts {
    const c = this.current;
    const f: TokenFacts = { ...this.endpointError, renewed: this.renewed };
    if (this.spec.tokenUrl) f.tokenUrl = this.spec.tokenUrl;
    if (this.spec.requiredScope) f.requiredScope = this.spec.requiredScope;
    if (!c) return f;
    Object.assign(f, { source: c.source, fresh: c.fresh });
    if (c.expiresAt !== undefined) f.expiresAt = new Date(c.expiresAt).toISOString();
    if (c.scope !== undefined) {
      f.grantedScope = c.scope;
      const missing = this.spec.requiredScope?.split(/\s+/).filter((s) => s && !hasScope(c.scope!, s));
      if (missing?.length) f.missingScope = missing.join(" ");
    }
    return f;
  }

  private usable(expiresAt: number | undefined): boolean {
    return expiresAt === undefined || this.now() < expiresAt - EXPIRY_MARGIN_MS;
  }

  /** The token file's access token when it belongs to this account and app and is still valid. */
  private async fromFile(): Promise<string | null> {
    const file = this.spec.tokenFile;
    if (!file) return null;
    const t = await readTokenFile(file);
    if (!t || !this.sameGrant(t)) return null;
    this.deps.register(t.accessToken);
    if (t.refreshToken) this.deps.register(t.refreshToken);
    const expiresAt = t.expiresAt ? Date.parse(t.expiresAt) : NaN;
    if (!Number.isFinite(expiresAt) || !this.usable(expiresAt)) return null;
    this.current = { token: t.accessToken, source: `token file ${file}`, expiresAt, ...(t.scope !== undefined ? { scope: t.scope } : {}), fresh: false };
    return t.accessToken;
  }

  private sameGrant(t: StoredToken): boolean {
    return t.user.toLowerCase() === this.spec.user.toLowerCase() && t.tokenUrl === this.spec.tokenUrl && t.clientId === this.spec.clientId;
  }

  /** The refresh-token grant; the result is remembered and, with a token file, written there. */
  private async refresh(): Promise<string> {
    const configured = await this.read(this.spec.refreshToken!, "OAuth2 refresh token", "refreshTokenCommand");
    const stored = this.spec.tokenFile ? await readTokenFile(this.spec.tokenFile) : null;
    // A refresh token the endpoint rotated replaces the configured one, until the configuration changes it.
    const rotated = stored && this.sameGrant(stored) && stored.refreshToken && stored.replaces === fingerprint(configured) ? stored.refreshToken : undefined;
    if (rotated) this.deps.register(rotated);
    const clientSecret = this.spec.clientSecret ? await this.read(this.spec.clientSecret, "OAuth2 client secret", "clientSecretCommand") : undefined;
    let issued: IssuedToken;
    try {
      issued = await refreshAccessToken(
        {
          tokenUrl: this.spec.tokenUrl!,
          clientId: this.spec.clientId!,
          ...(clientSecret !== undefined ? { clientSecret } : {}),
          refreshToken: rotated ?? configured,
          ...(this.spec.sendScope && this.spec.scope ? { scope: this.spec.scope } : {}),
          timeoutMs: this.deps.timeoutMs,
        },
        this.now,
      );
    } catch (err) {
      if (err instanceof TokenEndpointError) this.endpointError = err.facts;
      throw err;
    }
    this.deps.register(issued.accessToken);
    if (issued.refreshToken) this.deps.register(issued.refreshToken);
    this.current = { token: issued.accessToken, source: `token endpoint ${this.spec.tokenUrl}`, fresh: true, ...(issued.expiresAt !== undefined ? { expiresAt: issued.expiresAt } : {}), ...(issued.scope !== undefined ? { scope: issued.scope } : {}) };
    if (this.spec.tokenFile) await this.save(issued, configured, rotated);
    return issued.accessToken;
  }

  private async save(issued: IssuedToken, configured: string, rotated: string | undefined): Promise<void> {
    const next = issued.refreshToken ?? rotated;
    const t: StoredToken = {
      version: 1,
      user: this.spec.user,
      tokenUrl: this.spec.tokenUrl!,
      clientId: this.spec.clientId!,
      accessToken: issued.accessToken,
      ...(issued.expiresAt !== undefined ? { expiresAt: new Date(issued.expiresAt).toISOString() } : {}),
      ...(issued.scope !== undefined ? { scope: issued.scope } : {}),
      ...(next !== undefined && next !== configured ? { refreshToken: next, replaces: fingerprint(configured) } : {}),
    };
    try {
      await writeTokenFile(this.spec.tokenFile!, t);
    } catch (err) {
      this.deps.warn?.(`token file ${this.spec.tokenFile} could not be written (${(err as NodeJS.ErrnoException).code ?? "error"}); the token is kept for this run only`);
    }
  }

  /** Reads one secret and registers it; an empty or failing source is a TokenUnavailable naming the setting. */
  private async read(ref: SecretRef, what: string, field: string): Promise<string> {
    let value: string | undefined;
    if (ref.command !== undefined) {
      try {
        value = await runPasswordCommand(ref.command, this.deps.env, ref.where, field);
      } catch (err) {
        throw new TokenUnavailable((err as Error).message);
      }
    } else if (ref.env !== undefined) {
      value = this.deps.env[ref.env];
      if (value === undefined || value === "") throw new TokenUnavailable(`no ${what}: environment variable ${ref.env} is ${value === undefined ? "not set" : "empty"} (${ref.where})`);
    } else {
      value = ref.value;
      if (!value) throw new TokenUnavailable(`no ${what}: ${ref.where} is empty`);
    }
    this.deps.register(value);
    return value;
  }
}

/** Whether a granted scope list covers one scope; Microsoft may list "SMTP.Send" for "https://outlook.office.com/SMTP.Send". */
export function hasScope(granted: string, scope: string): boolean {
  const words = granted.split(/\s+/).map((w) => w.toLowerCase());
  const want = scope.toLowerCase();
  const last = want.split("/").pop()!;
  return words.includes(want) || (/^https?:\/\/[^/]+\/[^/]+$/.test(want) && words.includes(last));
}

/** How a reference reads in messages. */
export function describeRef(ref: SecretRef): string {
  if (ref.command !== undefined) return `command ${commandText(ref.command)}`;
  if (ref.env !== undefined) return `environment variable ${ref.env}`;
  return ref.where;
}
