// The commander side of the settings registry: a row becomes an option (its flags, help, variable, default and
// choices, and its parse with commander's error), and the shared option lists are lists of rows.
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "./commander.js";
import { IMPORT_DIALECTS, importedList } from "../config/importers/registry.js";
import { CONNECTION, flagsOf, OPTIONS, OUTPUT, parseEnvName as envName, SETTINGS, SettingError, SOURCES, type Setting } from "../settings.js";

/** One command-line option as data (npm-check-updates' pattern): the same table registers flags and documents them. */
export interface OptionSpec {
  flags: string;
  description: string;
  /** MAILCTL_* environment variable that supplies the value when the flag is absent. */
  env?: string;
  /** Choices shown in help and checked when parsing. */
  choices?: readonly string[];
  parse?: (value: string) => unknown;
  /** Shown as the default in help; the real default is applied when settings are resolved. */
  defaultText?: string;
}

/** A registry parse as commander takes it: a SettingError becomes commander's "argument … is invalid" (exit 64), quoting the value. */
export function flagParser<V>(parse: (text: string) => V): (value: string) => V {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof SettingError) throw new InvalidArgumentError(`"${value}" ${err.message}`);
      throw err;
    }
  };
}

/** A registry row as an option; a command may word its help its own way, name no variable (`env: null`) or give the choices config knows. */
export function settingOption(s: Setting, over: { help?: string; env?: string | null; choices?: readonly string[] } = {}): OptionSpec {
  const env = over.env === null ? undefined : (over.env ?? s.env);
  const choices = over.choices ?? s.choices;
  return {
    flags: flagsOf(s),
    description: over.help ?? s.help ?? "",
    ...(env ? { env } : {}),
    ...(choices ? { choices } : {}),
    ...(s.parse ? { parse: flagParser(s.parse) } : {}),
    ...(s.default?.text ? { defaultText: s.default.text } : {}),
  };
}

/** Parses a TCP port (the port row's parse). */
export const parsePort = flagParser(SETTINGS.port.parse!);

/** Parses a host name or IP address (the host row's parse). */
export const parseHost = flagParser(SETTINGS.host.parse!);

/** Parses the name of an environment variable. */
export const parseEnvName = flagParser(envName);

/** Connection options shared by every command that connects. */
export const CONNECTION_OPTIONS: readonly OptionSpec[] = CONNECTION.map((s) => settingOption(s));

/** The sender, shared by the commands that send (send, test-send). */
export const SENDER_OPTIONS: readonly OptionSpec[] = [settingOption(SETTINGS.from)];

/** Where settings come from, shared by every command that connects (see README "Configuration"). */
export const PROFILE_OPTIONS: readonly OptionSpec[] = SOURCES.map((s) =>
  settingOption(s, s === SETTINGS.dialect ? { choices: IMPORT_DIALECTS } : s === OPTIONS.fromConfig ? { help: `${s.help}: ${importedList()}` } : {}),
);

/** The --json option (the registry's row); a command whose document is not the usual one words it its own way. */
export function jsonOption(help?: string): OptionSpec {
  return settingOption(OPTIONS.json, help ? { help } : {});
}

/** Output options shared by every command. */
export const OUTPUT_OPTIONS: readonly OptionSpec[] = OUTPUT.map((s) => settingOption(s));

/** Adds options from a table to a command. */
export function addOptions(cmd: Command, specs: readonly OptionSpec[], except: string[] = []): Command {
  for (const spec of specs) {
    if (except.some((e) => spec.flags.includes(e))) continue;
    const desc = spec.env ? `${spec.description} [env ${spec.env}]` : spec.description;
    const opt = new Option(spec.flags, desc);
    if (spec.choices) opt.choices(spec.choices);
    if (spec.parse) opt.argParser((v) => spec.parse!(v));
    if (spec.defaultText) opt.default(undefined, spec.defaultText);
    cmd.addOption(opt);
  }
  return cmd;
}
