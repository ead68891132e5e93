import type { Command } from "commander";
import type { Category } from "../exit-codes.js";
import type { Io } from "../io.js";
import type { Ui } from "../ui/ui.js";

/** What every command's run() returns: its data (the --json document) and the exit category. It never prints, never exits. */
export interface Outcome<T> {
  category: Category;
  data: T;
  /** Already shown while the command ran (a long-running command such as lab shows its document once ready): only the exit code is left. */
  shown?: boolean;
}

/** What a command gets besides its options. */
export interface Ctx {
  ui: Ui;
  io: Io;
  cwd: string;
}

/** The runner cli.ts hands to each command's register(): it builds the Ctx, runs, renders and records the exit code. */
export type Execute = <T>(opts: { json?: boolean }, run: (ctx: Ctx) => Promise<Outcome<T>>, render: (data: T, ui: Ui) => void) => Promise<void>;

/**
 * A command module: loaded only when its command runs (changesets' pattern), so startup stays fast. cli.ts creates
 * the command with its name and summary (COMMANDS, the one place a summary lives); register() adds the rest.
 */
export interface CommandModule {
  register(cmd: Command, execute: Execute): Command;
}
