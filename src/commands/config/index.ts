import type { Command } from "commander";
import type { Execute } from "../command.js";
import { importedList } from "../../config/importers/registry.js";
import type { TargetFlags } from "../../config/resolve.js";
import { addOptions, CONNECTION_OPTIONS, jsonOption, PROFILE_OPTIONS, type OptionSpec } from "../options.js";
import { runImport, type ImportOptions } from "./import.js";
import { runPath } from "./path.js";
import { renderConfigPath, renderConfigShow, renderImport } from "./render.js";
import { runShow } from "./show.js";

/** Declares `config show`, `config path` and `config import`. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description("Inspect mailctl's configuration: config files, profiles, presets, MAILCTL_* variables and flags.");
  const show = cmd
    .command("show")
    .description("print the effective settings and where each one came from (the password is never shown)");
  addOptions(show, PROFILE_OPTIONS);
  addOptions(show, CONNECTION_OPTIONS);
  addOptions(show, [jsonOption()]);
  show.addHelpText("after", `
Examples:
  $ mailctl config show                         # the default profile
  $ mailctl config show --profile work --port 465
  $ mailctl config show --from-config docker/.env --json`);
  show.action(async (opts: TargetFlags & { json?: boolean }) => {
    await execute(opts, (ctx) => runShow(opts, ctx), renderConfigShow);
  });
  const pathCmd = cmd.command("path").description("print the config files mailctl reads from here");
  addOptions(pathCmd, PROFILE_OPTIONS.filter((o) => o.flags.startsWith("--config")));
  addOptions(pathCmd, [jsonOption()]);
  pathCmd.addHelpText("after", `
Examples:
  $ mailctl config path
  $ mailctl config path --json | jq -r '.files[] | select(.exists) | .path'`);
  pathCmd.action(async (opts: TargetFlags & { json?: boolean }) => {
    await execute(opts, (ctx) => runPath(opts, ctx), renderConfigPath);
  });
  registerImport(cmd, execute);
  cmd.addHelpText("after", `
Examples:
  $ mailctl config show --profile work
  $ mailctl config path
  $ mailctl config import docker/.env --profile dify`);
  return cmd;
}

const IMPORT_OPTIONS: OptionSpec[] = [
  { flags: "--profile <name>", description: "profile name to save under (default: the dialect, e.g. dify)" },
  ...PROFILE_OPTIONS.filter((o) => /^--(dialect|account|config) /.test(o.flags)),
  { flags: "--force", description: "replace an existing profile of that name without asking" },
  jsonOption(),
];

/** Declares `config import <file>`. */
function registerImport(parent: Command, execute: Execute): Command {
  const cmd = parent
    .command("import")
    .description(`save an app's SMTP settings (${importedList()}) as a profile`)
    .argument("<file>", "the app's config file");
  addOptions(cmd, IMPORT_OPTIONS);
  cmd.addHelpText("after", `
The app's password is never copied into the profile: it becomes passwordEnv with the app's own variable
(SMTP_PASSWORD for Dify), an msmtp passwordeval becomes passwordCommand, or it is left out with a note.

Examples:
  $ mailctl config import docker/.env                         # Dify; saved as profile "dify"
  $ mailctl config import conf/service_conf.yaml --profile ragflow
  $ mailctl config import ~/.msmtprc --account work --config ./mailctl.config.yaml`);
  cmd.action(async (file: string, opts: ImportOptions) => {
    await execute(opts, (ctx) => runImport(file, opts, ctx), renderImport);
  });
  return cmd;
}
