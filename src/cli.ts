import type { CommandModule, Ctx, Execute } from "./commands/command.js";
import { MailctlError } from "./errors.js";
import { exitCode, EXIT } from "./exit-codes.js";
import type { Io } from "./io.js";
import { version } from "./version.js";

/** Every command: name, one-line summary, and how to load it. Only the command being run is imported. */
const COMMANDS: { name: string; summary: string; load: () => Promise<CommandModule> }[] = [
  { name: "probe", summary: "show what an SMTP server speaks: TLS mode, certificate, AUTH", load: () => import("./commands/probe/index.js") },
  { name: "doctor", summary: "find why mail does not send, explain it, and say how to fix it", load: () => import("./commands/doctor/index.js") },
  { name: "explain", summary: "diagnose an error message copied from another program's log", load: () => import("./commands/explain/index.js") },
  { name: "send", summary: "send a message from a terminal or a script", load: () => import("./commands/send/index.js") },
  { name: "test-send", summary: "send a diagnostic test message and show each stage", load: () => import("./commands/test-send/index.js") },
  { name: "demo", summary: "see mailctl diagnose real failures, on a local lab, in seconds", load: () => import("./commands/demo/index.js") },
  { name: "lab", summary: "run a local SMTP server that captures mail and fails the way providers fail", load: () => import("./commands/lab/index.js") },
  { name: "init", summary: "set up a profile: provider, address, credential, checked live", load: () => import("./commands/init/index.js") },
  { name: "config", summary: "show the effective settings and where each came from; import an app's config", load: () => import("./commands/config/index.js") },
  { name: "presets", summary: "list the provider presets, or show one", load: () => import("./commands/presets/index.js") },
];

const DESCRIPTION = "Make SMTP work: probe a server, diagnose why mail does not send, and send it correctly.";
const EPILOGUE = `\nExit codes:\n${Object.values(EXIT).map((e) => `  ${String(e.code).padStart(3)}  ${e.meaning}`).join("\n")}\n\nRun 'mailctl <command> --help' for a command's options and examples.\n`;

/**
 * The top-level help, written here rather than by commander: `mailctl --help` is what people and scripts run
 * first, and not loading commander for it keeps it within 1.5× of a bare `node -e 0` (bench/startup.mjs).
 * Laid out as commander lays out a command's help, so both read the same.
 */
export function topHelp(columns = 80): string {
  const rows: [string, string][] = [...COMMANDS.map((c): [string, string] => [c.name, c.summary]), ["help [command]", "display help for command"]];
  const width = Math.max(...rows.map(([n]) => n.length), "-V, --version".length);
  const wrap = (text: string) => {
    const room = Math.max(20, columns - width - 4);
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
      if (line && line.length + 1 + word.length > room) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
    return lines.join(`\n${" ".repeat(width + 4)}`);
  };
  const row = ([n, d]: [string, string]) => `  ${n.padEnd(width)}  ${wrap(d)}`;
  return [
    "Usage: mailctl [options] [command]",
    "",
    DESCRIPTION.length > columns ? DESCRIPTION.replace(new RegExp(`(.{1,${columns}})(\\s|$)`, "g"), "$1\n").trimEnd() : DESCRIPTION,
    "",
    "Options:",
    row(["-V, --version", "output the version number"]),
    row(["-h, --help", "display help for command"]),
    "",
    "Commands:",
    ...rows.map(row),
    EPILOGUE,
  ].join("\n");
}

/** Runs the CLI and returns the exit code (tests call this in-process; bin/mailctl.js exits with it). */
export async function main(argv: string[], io: Io): Promise<number> {
  const args = argv.slice(2);
  // Answer --version before loading anything else: scripts call it often.
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    io.stdout.write(version() + "\n");
    return 0;
  }
  if (args.length === 0 || (args.length === 1 && ["--help", "-h", "help"].includes(args[0]!))) {
    (args.length === 0 ? io.stderr : io.stdout).write(topHelp(io.stdout.isTTY ? (io.stdout as { columns?: number }).columns : 80));
    return 0;
  }
  const { Command } = await import("./commands/commander.js");
  let code = 0;
  const program = new Command("mailctl")
    .description(DESCRIPTION)
    .version(version(), "-V, --version")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {}, // printed once, in our own one-line form, below
    })
    .addHelpText("after", EPILOGUE.trimEnd());

  const execute: Execute = async (opts, run, render) => {
    const { Ui } = await import("./ui/ui.js");
    const ui = new Ui(io, Boolean(opts.json));
    const ctx: Ctx = { ui, io, cwd: process.cwd() };
    const outcome = await run(ctx);
    if (!outcome.shown) {
      if (opts.json) ui.document(outcome.data);
      else render(outcome.data, ui);
    }
    code = exitCode(outcome.category);
  };

  const wanted = args[0] === "help" ? args[1] : args.find((a) => !a.startsWith("-"));
  for (const c of COMMANDS) {
    if (c.name === wanted) {
      (await c.load()).register(program.command(c.name).summary(c.summary), execute);
    } else {
      program.command(c.name).description(c.summary).allowUnknownOption().helpOption(false);
    }
  }

  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    return await failure(err, io, wanted);
  }
}

/**
 * The one place errors become a message and an exit code: one line — a value it quotes with a line break in it
 * is shown as \n, not as a second line — and never a stack trace (except for bugs, with MAILCTL_DEBUG).
 */
async function failure(err: unknown, io: Io, command: string | undefined): Promise<number> {
  const [{ Ui }, { CommanderError }, { oneLine }] = await Promise.all([import("./ui/ui.js"), import("./commands/commander.js"), import("./ui/printable.js")]);
  const ui = new Ui(io);
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
    // Commander puts its own suggestion on a second line; anything else that breaks the line came from the argument.
    const [, msg = "", suggestion] = /^(?:error:\s*)?([\s\S]*?)(?:\n(\(Did you mean [^\n]*\)))?$/i.exec(err.message) ?? [];
    ui.err(`mailctl: ${oneLine(msg)}`);
    if (suggestion) ui.err(suggestion);
    ui.err(`Run 'mailctl ${command && COMMANDS.some((c) => c.name === command) ? command + " " : ""}--help' for usage.`);
    return exitCode("usage");
  }
  if (err instanceof MailctlError) {
    ui.err(`mailctl: ${oneLine(err.message)}`);
    if (err.hint) ui.err(err.hint);
    return exitCode(err.category);
  }
  const e = err as Error;
  ui.err(`mailctl: internal error: ${oneLine(e?.message ?? String(err))}`);
  ui.err("This is a bug in mailctl. Please report it with the command you ran (set MAILCTL_DEBUG=1 for details).");
  if (io.env.MAILCTL_DEBUG) ui.err(String(e?.stack));
  return exitCode("software");
}
