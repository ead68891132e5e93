import type { Command } from "commander";
import type { Ctx, Execute, Outcome } from "../command.js";
import { configError, usageError } from "../../errors.js";
import type { Inbox } from "../../lab/inbox/index.js";
import type { LabOptions } from "../../lab/server.js";
import { PERSONA_NAMES, PERSONAS } from "../../lab/personas/index.js";
import { addOptions } from "../options.js";
import { LAB_OPTIONS, LAB_PASSWORD_ENV, LAB_UI_TOKEN_ENV, UI_PORT_OFFSET, type LabCommandOptions } from "./options.js";
import { renderLabEvent, renderLabReady, shellQuote } from "./render.js";
import type { LabReady } from "./result.js";

/** Resolves when the process is asked to stop (Ctrl-C or kill). */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (sig: string) => {
      process.off("SIGINT", stop).off("SIGTERM", stop);
      resolve(sig);
    };
    process.on("SIGINT", stop).on("SIGTERM", stop);
  });
}

/** Starts the lab, shows where it listens, logs each message until `until` resolves, then closes it (exit 0). */
export async function run(opts: LabCommandOptions, ctx: Ctx, until: Promise<unknown> = stopSignal()): Promise<Outcome<LabReady>> {
  const persona = opts.persona ?? "default";
  for (const o of LAB_OPTIONS) {
    if (o.persona && o.key && opts[o.key] !== undefined && !o.persona.includes(persona)) {
      throw usageError(`${o.flags.split(" ")[0]} applies to --persona ${o.persona.join(" or ")}, not ${persona}`);
    }
  }
  const passwordEnv = opts.passwordEnv ?? LAB_PASSWORD_ENV;
  const password = ctx.io.env[passwordEnv] || undefined;
  if (opts.passwordEnv && !password) throw configError(`no password: environment variable ${opts.passwordEnv} is empty or unset`);
  ctx.ui.redactor.add(password, "lab@mailctl.test");

  const { startLab, isLoopback } = await import("../../lab/server.js"); // smtp-server loads only when the lab runs
  const labOptions: LabOptions = {
    persona,
    ...(opts.dir ? { dir: opts.dir } : {}),
    ...(opts.portBase !== undefined ? { portBase: opts.portBase } : {}),
    ...(opts.listen ? { listen: opts.listen } : {}),
    ...(password ? { password } : {}),
    ...(opts.greylistSeconds !== undefined ? { greylistSeconds: opts.greylistSeconds } : {}),
    ...(opts.greetingDelay !== undefined ? { greetingDelaySeconds: opts.greetingDelay } : {}),
    ...(opts.sizeLimit !== undefined ? { sizeLimit: opts.sizeLimit } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.window !== undefined ? { windowSeconds: opts.window } : {}),
  };
  const lab = await startLab(labOptions);
  let inbox: Inbox | null = null;
  if (opts.ui) {
    const uiToken = ctx.io.env[LAB_UI_TOKEN_ENV] || undefined;
    ctx.ui.redactor.add(uiToken);
    try {
      const { startInbox } = await import("../../lab/inbox/index.js"); // the inbox loads only with --ui
      const base = opts.portBase ?? 1000;
      inbox = await startInbox(lab, { port: base === 0 ? 0 : base + UI_PORT_OFFSET, ...(uiToken ? { token: uiToken } : {}) });
    } catch (err) {
      await lab.close();
      throw err;
    }
  }
  const data: LabReady = {
    persona,
    summary: PERSONAS[persona].summary,
    dir: lab.dir,
    listen: lab.listen,
    network: !isLoopback(lab.listen),
    caPath: lab.caPath,
    account: { user: lab.account.user, passwordEnv, generated: lab.account.generated },
    extraAccounts: lab.extraAccounts,
    endpoints: (["implicit", "starttls", "plain"] as const).map((name) => {
      const e = lab.endpoints[name];
      const flags = `--host ${e.host} --port ${e.port} --tls ${e.tls}${e.tls === "none" ? "" : ` --ca ${shellQuote(lab.caPath)}`}`;
      return { name, host: e.host, port: e.port, tls: e.tls, flags };
    }),
    captureDir: lab.captureDir,
    index: lab.indexPath,
    ui: inbox ? { url: inbox.url, token: { required: inbox.token !== null, env: LAB_UI_TOKEN_ENV, generated: inbox.generated } } : null,
  };

  if (data.network) ctx.ui.warn(`listening on ${lab.listen}: the lab accepts mail from the network, not only from this machine`);
  if (lab.account.generated) {
    // The one place the secret is shown; registered with the redactor right after, so nothing else can print it.
    ctx.ui.err(`lab password (generated, shown only now): export ${passwordEnv}=${lab.account.password}`);
    ctx.ui.redactor.add(lab.account.password, lab.account.user);
  }
  if (inbox?.generated && inbox.token) {
    ctx.ui.err(`inbox token (generated, shown only now): open ${inbox.url}?token=${inbox.token}`);
    ctx.ui.redactor.add(inbox.token);
  }
  if (ctx.ui.json) ctx.ui.document(data);
  else renderLabReady(data, ctx.ui);

  lab.on("message", (e) => renderLabEvent({ kind: "message", entry: e }, ctx.ui));
  lab.on("rejected", (r) => renderLabEvent({ kind: "rejected", rejection: r }, ctx.ui));
  lab.on("warning", (err: Error) => ctx.ui.warn(err.message));
  try {
    await until;
  } finally {
    await inbox?.close();
    await lab.close();
  }
  return { category: "ok", data, shown: true };
}

/** Declares `lab` and its options. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description(
      "Run a real SMTP server on this machine: implicit TLS, STARTTLS submission and plaintext ports, a local CA to " +
        "trust with --ca, one account (lab@mailctl.test), and every accepted message saved as an .eml file with an " +
        "index line. A persona makes it answer the way a provider answers, failures included. --ui adds a web inbox " +
        "(messages, refused attempts, SMTP sessions, checks; Mailpit's API). Ctrl-C stops it.",
    );
  addOptions(cmd, LAB_OPTIONS);
  const width = Math.max(...PERSONA_NAMES.map((n) => n.length));
  cmd.addHelpText(
    "after",
    `
Personas:
${PERSONA_NAMES.map((n) => `  ${n.padEnd(width)}  ${PERSONAS[n].summary}`).join("\n")}

Examples:
  $ mailctl lab                                   # 1465, 1587, 1025 on 127.0.0.1
  $ MAILCTL_LAB_PASSWORD=secret mailctl lab --persona gmail
  $ mailctl lab --persona greylist --greylist-seconds 30
  $ mailctl lab --port-base 0 --json              # free ports; endpoints as JSON
  $ mailctl lab --ui                              # and a web inbox on http://127.0.0.1:9025/
  $ mailctl lab --dir ./lab --persona qq-gbk`,
  );
  cmd.action(async (opts: LabCommandOptions) => {
    await execute(opts, (ctx) => run(opts, ctx), renderLabReady);
  });
  return cmd;
}
