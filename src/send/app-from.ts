import type { Target } from "../config/target.js";
import type { AppFrom } from "../config/types.js";
import { compat32Header } from "../headers/python-compat32.js";
import { defaultPolicyHeader } from "../headers/python-default/index.js";

/** The From header an app writes from its settings: the value after "From: ", byte for byte (folding included), or why it writes none. */
export type WrittenFrom = { header: string } | { error: string };

/**
 * Writes the From header the way the app does, so doctor can judge those bytes and send them: the app's own
 * library where it is nodemailer, and ports of the code that writes it everywhere else (Python's email package,
 * msmtp). The AppFrom says which, from the app's source (see the importers).
 */
export async function writeAppFrom(a: AppFrom): Promise<WrittenFrom> {
  const w = a.writer;
  if (w.kind === "nodemailer") return nodemailerFrom(a.value);
  const value = typeof a.value === "string" ? a.value : `${a.value.name} <${a.value.address}>`;
  if (w.kind === "python-compat32") return { header: compat32Header("From", value, w.fold) };
  if (w.kind === "python-default") {
    const folded = defaultPolicyHeader("From", value);
    return folded === null ? { error: `Python's email package raises on msg["From"] = ${JSON.stringify(value)} (or writes bytes mailctl cannot reproduce)` } : { header: folded.replace(/^From: ?/, "") };
  }
  const box = typeof a.value === "string" ? { name: "", address: a.value } : a.value;
  return { header: box.name ? `${encodeForHeader(box.name)} <${box.address}>` : box.address };
}

/**
 * Gives the target the From header its app writes (doctor --from-config): judged before connecting and sent as
 * is with --send. A --header-from given by the user wins.
 */
export async function applyAppFrom(target: Target): Promise<void> {
  if (!target.appFrom || target.rawFromHeader !== undefined) return;
  const written = await writeAppFrom(target.appFrom);
  if ("header" in written) target.rawFromHeader = written.header;
  else target.appFromError = written.error;
}

/** nodemailer's own composer on the `from` option: the header line it builds (lib/mime-node buildHeaders). */
async function nodemailerFrom(from: AppFrom["value"]): Promise<WrittenFrom> {
  const { default: MailComposer } = await import("nodemailer/lib/mail-composer");
  const node = new MailComposer({ from, to: "to@example.com", text: "", messageId: "<doctor@mailctl.test>" }).compile();
  const m = /(?:^|\r\n)From: (.*(?:\r\n[ \t].*)*)/.exec(node.buildHeaders());
  return m ? { header: m[1]! } : { error: `nodemailer writes no From header for from: ${JSON.stringify(from)} (it finds no address in it)` };
}

/**
 * msmtp src/tools.c encode_for_header: a name with any byte below 32 or above 126 becomes one base64 word in the
 * locale's charset (UTF-8 here), the whole name at once; any other name goes out as it is, quoted or not.
 */
function encodeForHeader(name: string): string {
  return /[^\x20-\x7e]/.test(name) ? `=?utf-8?B?${Buffer.from(name, "utf8").toString("base64")}?=` : name;
}
