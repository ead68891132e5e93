import type { Command } from "commander";
import type { Ctx, Execute, Outcome } from "../command.js";
import { resolveTarget, type TargetFlags } from "../../config/resolve.js";
import type { DoctorResult } from "./result.js";
import { dataError, usageError } from "../../errors.js";
import { assertOneLine } from "../../send/headers.js";
import { addOptions, CONNECTION_OPTIONS, OUTPUT_OPTIONS, PROFILE_OPTIONS, settingOption } from "../options.js";
import { SETTINGS } from "../../settings.js";
import { renderDoctor } from "../../ui/doctor-report.js";
import { version } from "../../version.js";

/** doctor's options as commander parses them. */
export interface DoctorFlags extends TargetFlags {
  headerFrom?: string;
  to?: string;
  send?: boolean;
  json?: boolean;
  transcript?: boolean;
}

/** Runs every check against the configured server and explains the first failure. */
export async function run(opts: DoctorFlags, ctx: Ctx): Promise<Outcome<DoctorResult>> {
  const target = await resolveTarget(opts, ctx, { needPort: true, showsFindings: true });
  if (target.tlsAuto && opts.tls === "auto") throw usageError("doctor checks the settings you give: --tls must be implicit, starttls or none (probe detects it)");
  if (opts.headerFrom !== undefined && !opts.send) throw usageError("--header-from is what doctor sends as the From header: it needs --send");
  if (opts.headerFrom !== undefined) checkHeaderFrom(opts.headerFrom);
  // Loaded on use, with the catalog it reads: `doctor --help` should not pay for it.
  const { addressOf } = await import("../../diagnose/static.js");
  const from = target.from ?? (opts.headerFrom !== undefined ? (addressOf(opts.headerFrom) ?? undefined) : undefined);
  if (from) target.from = from;
  if (opts.headerFrom !== undefined) target.rawFromHeader = opts.headerFrom;
  else if (target.appFrom) await (await import("../../send/app-from.js")).applyAppFrom(target);
  const [{ runDoctor }, { categoryOfDiagnosis }] = await Promise.all([import("../../diagnose/doctor.js"), import("../../diagnose/diagnose.js")]);
  let message;
  if (opts.send) {
    if (!from) throw usageError("--send needs a sender: pass --from <address> (or set MAILCTL_FROM)");
    // The same diagnostic message as test-send, built and checked by the same code.
    const [{ parseMailbox }, { testMessage }, { composeMessage }] = await Promise.all([import("../../send/address.js"), import("../../send/test-message.js"), import("../../send/message.js")]);
    const to = opts.to ? parseMailbox(opts.to, "--to") : null;
    let sender;
    try {
      sender = parseMailbox(from, "--from");
    } catch {
      sender = null; // a From that cannot be sent is itself the finding (from-header-invalid): diagnose, do not send
    }
    if (sender && !target.appFromError) {
      const { input, token } = testMessage(target, sender, to ?? { ...sender, name: "" }, version());
      const composed = await composeMessage({ ...input, ...(target.rawFromHeader !== undefined ? { rawFromHeader: target.rawFromHeader } : {}) });
      message = { from: composed.envelope.from, to: composed.envelope.to, data: composed.stream(), size: composed.size, token, messageId: composed.messageId };
    }
  }
  const spinner = await ctx.ui.spinner(`checking ${target.host}:${target.port}`);
  try {
    const result = await runDoctor(target, { ...(message ? { message } : {}), transcript: Boolean(opts.transcript), warn: (m) => ctx.ui.warn(m) });
    const primary = result.diagnoses.find((d) => d.severity === "error");
    return { category: primary ? categoryOfDiagnosis(primary) : "ok", data: result };
  } finally {
    spinner.stop();
  }
}

/**
 * --header-from goes out verbatim, so it must still be one header field: a line break would start a header of
 * the caller's choosing (RFC 5322 §2.2), and a line longer than 998 octets is not a message (§2.1.1).
 */
function checkHeaderFrom(value: string): void {
  assertOneLine(value, "--header-from");
  if (Buffer.byteLength(`From: ${value}`) > 998) throw dataError("--header-from is longer than a header line may be (998 octets, RFC 5322 §2.1.1); nothing was sent");
}

/** Declares `doctor`. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description(
      "Check mail settings step by step — the settings themselves, then dns → tcp → TLS → greeting → EHLO →\n" +
        "STARTTLS → AUTH (and with --send, a real message) — explain the first failure with the evidence, give the\n" +
        "fix, and when the port or TLS mode is wrong, find one that works. The exit code is that of the first error.",
    );
  addOptions(cmd, CONNECTION_OPTIONS);
  addOptions(cmd, PROFILE_OPTIONS);
  addOptions(cmd, [settingOption(SETTINGS.from, { help: "sender address (From) to check, and to send the test message from" })]);
  cmd
    .option("--to <address>", "recipient of the --send test message (default: the From address)")
    .option("--send", "also send a small test message (MAIL/RCPT/DATA) with a unique token in its subject")
    .option("--header-from <value>", "with --send: the From header exactly as your app writes it, sent verbatim (the envelope sender is --from, or its address)");
  addOptions(cmd, OUTPUT_OPTIONS);
  cmd.addHelpText(
    "after",
    `
Examples:
  $ MAILCTL_PASSWORD=app-password mailctl doctor --host smtp.gmail.com --port 465 --tls implicit --user me@gmail.com
  $ mailctl doctor --host smtp.qq.com -p 587 --tls starttls -u 12345@qq.com --from 12345@qq.com --send
  $ mailctl doctor --host mail.example.com -p 465 --tls starttls      # a wrong mode: doctor says so, and what works
  $ mailctl doctor --host 127.0.0.1 -p 1587 --tls starttls -u lab@mailctl.test --ca ~/.cache/mailctl/lab/ca.pem --json
  $ mailctl doctor --from-config ./docker/.env              # diagnose Dify's own settings; fixes in .env terms
  $ mailctl doctor --from-config ./docker/.env --send       # …and send the From header exactly as Dify writes it
  $ mailctl doctor --preset qq -u 10001@qq.com --send --header-from '=?utf-8?b?5byg5LiJ?= <10001@qq.com>'
  $ mailctl doctor --profile work --send --to me@example.com`,
  );
  cmd.action(async (opts: DoctorFlags) => {
    await execute(opts, (ctx) => run(opts, ctx), renderDoctor);
  });
  return cmd;
}
