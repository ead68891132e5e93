import type { Dialect } from "../../config/importers/registry.js";
import type { ProfileSettings } from "../../settings.js";
import { portForTls, type TlsMode } from "../../session/tls-mode.js";
import type { Category } from "../../exit-codes.js";
import type { StageName } from "../../session/failure.js";
import type { Evidence } from "../evidence.js";
import type { Preset } from "../../config/presets.js";

/** What an explanation may draw on besides the evidence. */
export interface ExplainCtx {
  e: Evidence;
  provider: Preset | null;
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

/** One way to recognise a cause; every entry's rules are tried together, in ascending priority (the most specific first). */
export interface Rule {
  priority: number;
  test(e: Evidence): boolean;
}

/** A catalog entry: every fact about one cause — how it is recognised, where it shows, how to explain and fix it. */
export interface Entry<Id extends string = string> {
  id: Id;
  category: Category;
  /** Where the cause typically shows (a pasted line has no stage; a finding on the settings bites there); null when anywhere. */
  stage: StageName | "config" | null;
  /** A different port or TLS mode can cure it: doctor then looks for one that works. */
  discoverable?: boolean;
  /** What recognition looks at, in words (docs/diagnoses.md). */
  signals: string;
  /** How it is recognised; absent for causes only doctor's checks on the settings find. */
  rules?: Rule[];
  title: string;
  explain(c: ExplainCtx): string;
  fix(c: ExplainCtx): FixStep[];
}

/** A group of entries, each id kept as its literal type: DiagnosisId is the union of them (catalog/index.ts). */
export function entries<const Id extends string>(list: Entry<Id>[]): Entry<Id>[] {
  return list;
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
