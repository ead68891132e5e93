import type { Command } from "commander";
import type { Ctx, Execute, Outcome } from "../command.js";
import { listPresets, loadPreset, PresetError } from "../../config/presets.js";
import { usageError } from "../../errors.js";
import { addOptions, jsonOption } from "../options.js";
import { renderPreset, renderPresetList } from "./render.js";
import type { PresetDetail, PresetSummary } from "./result.js";

/** Every preset, summarized. */
export async function runList(): Promise<Outcome<PresetSummary[]>> {
  const data = listPresets().map((p) => ({
    name: p.name,
    title: p.title,
    aliases: p.aliases ?? [],
    host: p.host,
    endpoints: p.endpoints,
    credential: p.credential.kind,
    regions: p.params?.region?.values ?? null,
  }));
  return { category: "ok", data };
}

/** One preset in full, with its region filled in (`ses:eu-west-1`); an unknown name is a usage error. */
export async function runShow(ref: string, _ctx?: Ctx): Promise<Outcome<PresetDetail>> {
  try {
    return { category: "ok", data: loadPreset(ref) };
  } catch (err) {
    if (err instanceof PresetError) throw usageError(err.message);
    throw err;
  }
}

/** Declares `presets` (list) and `presets show <name>`. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description(
      "Provider presets hold what mailctl knows about a mail provider: host, ports and TLS modes (preferred first), the credential it needs and how to get one, its From rule, limits and known replies. Use one with --preset <name> (or <name>:<region> for ses, zoho, mailgun, aliyun-directmail), or `preset:` in a profile.",
    );
  const list = cmd.command("list", { isDefault: true }).description("list every preset (the default)");
  addOptions(list, [jsonOption()]);
  list.action(async (opts: { json?: boolean }) => {
    await execute(opts, () => runList(), renderPresetList);
  });
  const show = cmd.command("show").description("show one preset in full").argument("<name>", "preset name or alias, optionally with :<region>");
  addOptions(show, [jsonOption()]);
  show.action(async (ref: string, opts: { json?: boolean }) => {
    await execute(opts, (ctx) => runShow(ref, ctx), renderPreset);
  });
  cmd.addHelpText(
    "after",
    `
Examples:
  $ mailctl presets                      # name, host, ports, credential of each
  $ mailctl presets show gmail           # how to get a Gmail app password, limits, notes
  $ mailctl presets show ses:eu-west-1   # with the region's host filled in
  $ mailctl presets --json | jq -r '.[].name'`,
  );
  return cmd;
}
