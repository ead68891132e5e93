import type { Command } from "commander";
import { Option } from "../commander.js";
import type { Ctx, Execute, Outcome } from "../command.js";
import { resolveTarget, sessionOptions, type TargetFlags } from "../../config/resolve.js";
import { dataError } from "../../errors.js";
import { addOptions, CONNECTION_OPTIONS, OUTPUT_OPTIONS, PROFILE_OPTIONS, SENDER_OPTIONS } from "../options.js";
import { formatReply } from "../../session/reply.js";
import { parseMailbox } from "../../send/address.js";
import type { Phase } from "../../send/deliver.js";
import { resolveSender } from "../../send/input.js";
import { renderTestSend } from "./render.js";
import { version } from "../../version.js";
import type { TestSendReport } from "./result.js";

/** test-send's options as commander parses them. */
export interface TestSendOptions extends TargetFlags {
  to?: string;
  from?: string;
  json?: boolean;
  transcript?: boolean;
}

/** Sends a short diagnostic message to --to (default: the sender) and reports every stage. */
export async function run(opts: TestSendOptions, ctx: Ctx): Promise<Outcome<TestSendReport>> {
  const target = await resolveTarget(opts, ctx, { needPort: true });
  if (target.password) ctx.ui.redactor.add(target.password, target.user);
  const from = resolveSender(opts.from, ctx.io.env, target);
  target.from = from.address; // the catalog's fixes name the sender (e.g. "sender not owned")
  const to = opts.to ? parseMailbox(opts.to, "--to") : { ...from, name: "" };
  const [{ composeMessage }, { testMessage }] = await Promise.all([import("../../send/message.js"), import("../../send/test-message.js")]);
  const { input, token } = testMessage(target, from, to, version());
  const message = await composeMessage(input);
  const { deliver, diagnoseSend } = await import("../../send/deliver.js");
  const phaseText: Record<Phase, string> = {
    connect: `connecting to ${target.host}:${target.port}`,
    hello: "EHLO",
    auth: target.user ? `authenticating as ${target.user}` : "no AUTH",
    send: `sending the test message to ${to.address}`,
  };
  const spinner = await ctx.ui.spinner(phaseText.connect);
  let outcome;
  try {
    outcome = await deliver(sessionOptions(target, { transcript: Boolean(opts.transcript), redactor: ctx.ui.redactor, warn: (m) => ctx.ui.warn(m) }), message, (p) => spinner.text(phaseText[p]));
  } finally {
    spinner.stop();
  }
  if (outcome.needsSmtputf8) throw dataError(`${outcome.needsSmtputf8.join(", ")}: an internationalised address, but ${target.host} does not offer SMTPUTF8 (RFC 6531); nothing was sent`);
  const r = outcome.report;
  const { category, diagnoses } = await diagnoseSend(r, target);
  const data: TestSendReport = {
    ok: r.ok,
    token,
    subject: message.subject,
    messageId: message.messageId,
    from: from.address,
    to: to.address,
    server: r.target,
    insecure: target.insecure,
    profile: target.profile ?? null,
    reply: r.delivery?.reply ? formatReply(r.delivery.reply) : null,
    ms: r.ms,
    stages: r.stages,
    failure: r.failure,
    diagnoses,
  };
  if (r.transcript) data.transcript = r.transcript;
  return { category, data };
}

/** Declares `test-send` and its options. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description(
      "Send a short test message — a unique token and the time in the subject; text and HTML parts naming the profile, host, port, TLS mode and mailctl version — to --to or to the sender, showing each stage. Prints the message id, the server's reply and the time taken; on failure, the diagnosis.",
    );
  cmd.addOption(new Option("--to <address>", "recipient (default: the From address)"));
  addOptions(cmd, SENDER_OPTIONS);
  addOptions(cmd, CONNECTION_OPTIONS);
  addOptions(cmd, PROFILE_OPTIONS);
  addOptions(cmd, OUTPUT_OPTIONS);
  cmd.addHelpText(
    "after",
    `
Examples:
  $ MAILCTL_PASSWORD=… mailctl test-send --host smtp.example.com -p 465 -u me@example.com --from me@example.com
  $ mailctl test-send --host 127.0.0.1 -p 2525 --tls none --from me@example.com --to you@example.com --transcript
  $ mailctl test-send --host smtp.example.com -p 587 --from me@example.com --json | jq .reply`,
  );
  cmd.action(async (opts: TestSendOptions) => {
    await execute(opts, (ctx) => run(opts, ctx), renderTestSend);
  });
  return cmd;
}
