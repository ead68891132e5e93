// Which provider a server or a pasted log line belongs to, and what its own reply signatures say: recognition
// over the presets (config/presets.ts is their one loader and type).

import { findPreset, listPresets, type Preset } from "../config/presets.js";

/** A preset by name or alias. */
export function providerByName(name: string): Preset | null {
  return findPreset(name) ?? null;
}

/**
 * Recognises the provider behind a server: the preset the user named, else the host name, else the greeting
 * or EHLO banner (e.g. Gmail's "gsmtp"). A preset marked byNameOnly (the lab's: 127.0.0.1 is everyone's) only by name.
 */
export function recogniseProvider(hint: { preset?: string; host?: string; banner?: string | null }): Preset | null {
  if (hint.preset) return providerByName(hint.preset);
  const host = hint.host?.toLowerCase();
  const list = listPresets().filter((p) => !p.match.byNameOnly);
  if (host) {
    const byHost = list.find((p) => p.match.hosts.some((h) => h === host || (h.includes("{region}") && new RegExp(`^${h.replace(/\./g, "\\.").replace("{region}", "[a-z0-9-]+")}$`).test(host))));
    if (byHost) return byHost;
    const bySuffix = list.find((p) => p.match.hostSuffixes?.some((s) => host.endsWith(s)));
    if (bySuffix) return bySuffix;
  }
  const banner = hint.banner?.toLowerCase();
  if (banner) return list.find((p) => p.match.banner?.some((b) => banner.includes(b.toLowerCase()))) ?? null;
  return null;
}

/** Recognises a provider from words in a pasted log line (host names, Gmail's "gsmtp", help URLs): the presets' text hints, in their textOrder. */
export function providerFromText(text: string, host?: string): Preset | null {
  const byHost = host ? recogniseProvider({ host }) : null;
  if (byHost) return byHost;
  const t = text.toLowerCase();
  const hinted = listPresets()
    .filter((p) => p.match.text?.length)
    .sort((a, b) => (a.match.textOrder ?? Infinity) - (b.match.textOrder ?? Infinity));
  return hinted.find((p) => p.match.text!.some((re) => new RegExp(re).test(t))) ?? null;
}

/** The catalog id a provider's own reply signature gives this reply, if any. */
export function signatureId(p: Preset | null, reply: { code: number; text: string } | undefined, text: string): string | null {
  if (!p) return null;
  const hay = `${reply?.text ?? ""}\n${text}`.toLowerCase();
  const sig = p.signatures.find((s) => (s.code === undefined || reply === undefined || s.code === reply.code) && hay.includes(s.match.toLowerCase()));
  return sig?.id ?? null;
}
