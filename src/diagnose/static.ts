import type { Target } from "../config/target.js";
import type { ProfileSettings } from "../settings.js";
import type { Evidence } from "./evidence.js";
import { CATALOG, entry, type DiagnosisId } from "./catalog/index.js";
import type { Preset } from "../config/presets.js";
import type { StageName } from "../session/failure.js";
import { judgeFromValue } from "../headers/from-header.js";

/** A finding on the settings alone, before connecting: an id, how sure, the stage where it will bite, and what was seen. */
export interface StaticFinding {
  id: DiagnosisId;
  severity: "error" | "warning";
  stage: StageName | "config";
  evidence: Evidence;
  /** Settings changes that cure it, rendered in the user's dialect. */
  changes?: ProfileSettings[];
}

/**
 * The config layer's findings (port/TLS pairs that cannot work, an importer's contradictions in the app's own
 * keys, a password file others can read) as doctor findings. Findings without a catalog id become config-problem.
 */
export function configFindings(t: Target): StaticFinding[] {
  return (t.findings ?? [])
    .filter((f) => f.severity !== "info")
    .map((f) => {
      const id: DiagnosisId = CATALOG.has(f.id as DiagnosisId) ? (f.id as DiagnosisId) : "config-problem";
      const text = f.keys.length && !f.keys.every((k) => f.message.includes(k)) ? `${f.message} (${f.keys.join(", ")})` : f.message;
      return { id, severity: f.severity as "error" | "warning", stage: entry(id).stage ?? "config", evidence: ev(text, t), ...(f.fixes?.length ? { changes: f.fixes } : {}) };
    });
}

function ev(text: string, t: Target): Evidence {
  return { source: "text", text, host: t.host, port: t.port, clientTls: t.tls };
}

/**
 * Checks the settings for combinations that will be refused, before any connection (port vs. TLS mode is
 * judged once, by the config layer — see configFindings): a missing password, From vs. login for providers that require them equal, the From
 * header's syntax (RFC 5322 §3.4, RFC 2047 §5), the EHLO name (RFC 5321 §4.1.1.1), verification off.
 */
export function staticChecks(t: Target, provider: Preset | null): StaticFinding[] {
  const out: StaticFinding[] = [];
  // With OAuth2 the token is fetched when AUTH needs it: a missing one shows there, with the setting that lacks it.
  if (t.user && !t.password && !t.oauth)
    out.push({ id: "credentials-missing", severity: "error", stage: "auth", evidence: ev(`user ${t.user} is set but the password is empty${t.passwordSource ? ` (${t.passwordSource})` : ""}`, t) });
  const fromAddr = t.from ? addressOf(t.from) : null;
  if (fromAddr && t.user?.includes("@") && provider?.from.rule === "must-equal-login" && fromAddr.toLowerCase() !== t.user.toLowerCase())
    out.push({ id: "sender-not-owned", severity: "error", stage: "mail", evidence: ev(`From ${fromAddr} differs from the login ${t.user}; ${provider.title} requires them equal`, t) });
  const from = fromHeaderFinding(t);
  if (from) out.push(from);
  if (t.name && !isFqdnOrLiteral(t.name)) out.push({ id: "ehlo-name-not-fqdn", severity: "warning", stage: "ehlo", evidence: ev(t.name, t) });
  if (t.insecure) out.push({ id: "tls-verification-off", severity: "warning", stage: "config", evidence: ev("TLS certificate verification is off (--insecure)", t) });
  return out;
}

/**
 * The From header as it will go out, judged by the same strict reader the lab's QQ and Outlook personas refuse
 * with: the app's own bytes (--from-config: what the app's writer makes of its sender setting), or the
 * --header-from value, or — for mailctl's own messages — the --from mailbox as typed.
 */
function fromHeaderFinding(t: Target): StaticFinding | null {
  const app = t.appFrom;
  const shown = app ? `${app.keys[0]}=${typeof app.value === "string" ? app.value : app.value.name ? `${app.value.name} <${app.value.address}>` : app.value.address}` : "";
  if (t.appFromError) return { id: "from-header-invalid", severity: "error", stage: "data", evidence: ev(`${shown}: ${t.appFromError}`, t) };
  if (t.rawFromHeader !== undefined) {
    const verdict = judgeFromValue(t.rawFromHeader);
    if (verdict.ok) return null;
    // msmtp writes its own From only into messages that have none (set_from_header auto): then it may not bite.
    const severity = app?.writer.kind === "msmtp" && app.writer.set === "auto" ? "warning" : "error";
    const text = app ? `${shown} goes out as "From: ${t.rawFromHeader}" (${app.how}): ${verdict.reason}` : `From "${t.rawFromHeader}": ${verdict.reason}`;
    return { id: "from-header-invalid", severity, stage: "data", evidence: ev(text, t) };
  }
  const problem = t.from ? checkFrom(t.from) : null;
  return problem ? { id: "from-header-invalid", severity: "error", stage: "data", evidence: ev(`From "${t.from}": ${problem}`, t) } : null;
}

/** The address in "Name <addr>" or a bare address. */
export function addressOf(from: string): string | null {
  const angle = /<([^<>]*)>\s*$/.exec(from);
  const addr = (angle ? angle[1]! : from).trim();
  return addr.includes("@") ? addr : null;
}

/**
 * What is wrong with a From mailbox as typed for mailctl (which encodes the name itself), or null when it is
 * fine. Values sent verbatim are judged by judgeFromValue instead.
 */
export function checkFrom(from: string): string | null {
  const opens = (from.match(/</g) ?? []).length;
  if (opens > 1) return 'it holds more than one <…> (a doubled "Name <Name <addr>>")';
  if (opens === 1 && !/^[^<>]*<[^<>]+>\s*$/.test(from)) return "the <address> is not closed, or text follows it";
  const addr = addressOf(from);
  if (!addr) return "there is no address with an @ in it";
  if (/=\?[^?]+\?[bq]\?/i.test(addr)) return "the address itself is RFC 2047-encoded (only the display name may be)";
  if (/\s/.test(addr) || addr.split("@").length !== 2) return `"${addr}" is not a valid address`;
  const name = opens ? from.slice(0, from.indexOf("<")).trim() : "";
  if (!name) return null;
  const quoted = /^"(?:[^"\\]|\\.)*"$/.test(name);
  if (quoted && /=\?[^?]+\?[bq]\?/i.test(name)) return "an RFC 2047 encoded-word inside quotes is not decoded (RFC 2047 §5)";
  if (!quoted && /[,;:@<>[\]\\"()]/.test(name)) return `the display name ${name} contains , ; : @ or similar and must be quoted (RFC 5322 §3.2.3)`;
  if (name.startsWith('"') !== name.endsWith('"')) return "the display name has an unbalanced quote";
  return null;
}

/** RFC 5321 §4.1.1.1: a fully-qualified domain name or an address literal. */
function isFqdnOrLiteral(name: string): boolean {
  return /^\[.+\]$/.test(name) || (/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(name) && !/\.(local|localdomain)$/i.test(name));
}
