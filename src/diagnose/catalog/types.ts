import type { Dialect } from "../../config/types.js";
import type { ProfileSettings } from "../../settings.js";
import { portForTls, type TlsMode } from "../../session/tls-mode.js";
import type { Category } from "../../exit-codes.js";
import type { Evidence } from "../evidence.js";
import type { DiagnosisId } from "../ids.js";
import type { Provider } from "../providers.js";

/** What an explanation may draw on besides the evidence. */
export interface ExplainCtx {
  e: Evidence;
  provider: Provider | null;
  /** The settings in use, when doctor knows them (explain does not). */
  target?: { host: string; port: number; tls: TlsMode; user?: string; from?: string; name?: string; passwordSource?: string };
  /** A verified working {port, tls}, when discovery found one. */
  suggestion?: { port: number; tls: TlsMode } | null;
  /** The From header doctor judged or sent, when it knows the exact bytes. */
  from?: FromFacts;
}

/** The From header as it goes out, what it means, and — for an app's config — how that app writes it. */
export interface FromFacts {
  /** The header value, byte for byte (after "From: "). */
  header: string;
  /** The display name and address a reader would take it to mean, when they can be made out. */
  name?: string;
  address?: string;
  /** The same mailbox written correctly: email.utils.formataddr((name, address)). */
  correct?: string;
  app?: { dialect: Dialect; how: string; keys: string[] };
}

/** One fix step; `change` is the settings change it asks for, rendered in the user's own config dialect. */
export interface FixStep {
  text: string;
  change?: ProfileSettings;
}

/** A catalog entry: how to explain a cause and how to fix it. Recognition lives in rules.ts. */
export interface Entry {
  id: DiagnosisId;
  category: Category;
  title: string;
  explain(c: ExplainCtx): string;
  fix(c: ExplainCtx): FixStep[];
}

/** The port and TLS mode a fix should move to: the verified suggestion, else the provider's preferred endpoint, else the standard one. */
export function endpointFor(c: ExplainCtx, want?: TlsMode): { port: number; tls: TlsMode } {
  if (c.suggestion && (!want || c.suggestion.tls === want)) return c.suggestion;
  const fromProvider = c.provider?.endpoints.find((p) => !want || p.tls === want);
  if (fromProvider) return { port: fromProvider.port, tls: fromProvider.tls };
  const tls = want ?? "implicit";
  return { port: portForTls(tls), tls };
}

/** "Gmail" or "the server". */
export function who(c: ExplainCtx): string {
  return c.provider?.title ?? "The server";
}

/** The reply, quoted, for explanations. */
export function quoted(c: ExplainCtx): string {
  const r = c.e.reply;
  return r ? `"${[r.code, r.enhanced, r.text.replace(/\s*\n\s*/g, " ")].filter(Boolean).join(" ")}"` : "";
}
