// Finding and reading mailctl config files (np's pattern: explicit search places, and the user's file merged
// under the project's). The project file is the first found walking up from the working directory; the user
// file is $XDG_CONFIG_HOME/mailctl/config.yaml (default ~/.config/mailctl/config.yaml); `--config <file>`
// (or MAILCTL_CONFIG) names one file and replaces both.

import { existsSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { configError, noInputError } from "../errors.js";
import type { Finding } from "./target.js";
import { validateConfig, type ConfigFile, type ProfileEntry } from "./validate.js";

/** Where a project config is looked for in each directory, in this order (cosmiconfig searchPlaces). */
export const SEARCH_PLACES = [
  "package.json",
  ".mailctlrc",
  ".mailctlrc.json",
  ".mailctlrc.yaml",
  ".mailctlrc.yml",
  ".mailctlrc.js",
  ".mailctlrc.cjs",
  ".mailctlrc.mjs",
  "mailctl.config.yaml",
  "mailctl.config.yml",
  "mailctl.config.json",
  "mailctl.config.js",
  "mailctl.config.cjs",
  "mailctl.config.mjs",
];

/** One config file, read and validated. */
export interface LoadedFile {
  path: string;
  /** The path as messages show it: relative to the working directory, or ~/…, or absolute. */
  display: string;
  scope: "project" | "user" | "explicit";
  config: ConfigFile;
  /** Per-profile notes from validation (odd but workable settings), for doctor. */
  notes: Record<string, Finding[]>;
}

/** The config files in effect, highest precedence first. */
export interface LoadedConfig {
  files: LoadedFile[];
  /** The user file's path, whether or not it exists. */
  userPath: string;
}

/** $XDG_CONFIG_HOME/mailctl/config.yaml, or ~/.config/mailctl/config.yaml (XDG Base Directory: a relative XDG_CONFIG_HOME is ignored). */
export function userConfigPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), ".config");
  return path.join(base, "mailctl", "config.yaml");
}

/** A path as messages show it: relative when it is near the working directory (at most two levels up), else ~/… or absolute. */
export function displayPath(file: string, cwd: string, env: NodeJS.ProcessEnv): string {
  const rel = path.relative(cwd, file);
  if (rel && !path.isAbsolute(rel) && !rel.startsWith(`..${path.sep}..${path.sep}..`)) return rel;
  const home = env.HOME || os.homedir();
  if (home && file.startsWith(home + path.sep)) return "~" + file.slice(home.length);
  return file;
}

/**
 * Finds and reads the config files: `explicit` alone when given, else the project file and the user file.
 * Unknown keys go to `warn` with the file's name; any other problem is a config error (exit 78).
 */
export async function loadConfig(opts: { cwd: string; env: NodeJS.ProcessEnv; explicit?: string }, warn: (message: string) => void): Promise<LoadedConfig> {
  const { cosmiconfig } = await import("cosmiconfig");
  const explorer = cosmiconfig("mailctl", { searchPlaces: SEARCH_PLACES, searchStrategy: "none", cache: false });
  const userPath = userConfigPath(opts.env);
  const read = async (file: string, scope: LoadedFile["scope"], found?: { config: unknown }): Promise<LoadedFile> => {
    const display = displayPath(file, opts.cwd, opts.env);
    let raw: unknown;
    try {
      raw = found ? found.config : (await explorer.load(file))?.config;
    } catch (err) {
      throw configError(`${display}: cannot be read: ${firstLine(err)}`);
    }
    const v = validateConfig(raw ?? {}, display);
    v.warnings.forEach(warn);
    if (v.errors.length > 0) {
      throw configError(v.errors[0]!, v.errors.length > 1 ? `(and ${v.errors.length - 1} more problem${v.errors.length > 2 ? "s" : ""} in ${display})` : undefined);
    }
    resolvePaths(v.config, path.dirname(file));
    return { path: file, display, scope, config: v.config, notes: v.notes };
  };

  if (opts.explicit) {
    const file = path.resolve(opts.cwd, opts.explicit);
    if (!existsSync(file)) throw noInputError(displayPath(file, opts.cwd, opts.env), { code: "ENOENT" } as NodeJS.ErrnoException);
    return { files: [await read(file, "explicit")], userPath };
  }
  const files: LoadedFile[] = [];
  for (let dir = path.resolve(opts.cwd); ; dir = path.dirname(dir)) {
    let found;
    try {
      found = await explorer.search(dir);
    } catch (err) {
      const file = (err as { filepath?: string }).filepath;
      throw configError(`${file ? displayPath(file, opts.cwd, opts.env) : `config file in ${dir}`}: cannot be read: ${firstLine(err)}`);
    }
    if (found && !found.isEmpty) {
      files.push(await read(found.filepath, "project", found));
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  if (existsSync(userPath) && statSync(userPath).isFile() && files[0]?.path !== userPath) files.push(await read(userPath, "user"));
  return { files, userPath };
}

/** Relative `ca`, `tokenFile` and `sourceFile` paths are relative to the file that names them. */
function resolvePaths(config: ConfigFile, dir: string): void {
  for (const p of Object.values(config.profiles) as ProfileEntry[]) {
    if (p.ca) p.ca = path.resolve(dir, p.ca.replace(/^~(?=\/)/, os.homedir()));
    if (p.tokenFile) p.tokenFile = path.resolve(dir, p.tokenFile.replace(/^~(?=\/|$)/, os.homedir()));
    if (p.sourceFile) p.sourceFile = path.resolve(dir, p.sourceFile);
  }
}

/** A parser's complaint, safe to print: its first line, without the snippet of file text some parsers quote (it could be a password). */
function firstLine(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split("\n").filter((l) => l.trim() !== "");
  if (/^No loader specified for extension/.test(lines[0] ?? "")) return "unsupported file type (use .yaml, .yml, .json, .js, .cjs or .mjs)";
  // A JavaScript config's error can name anything in it (a password typed without quotes): only its kind is shown.
  if (!/^(JSON|YAML) Error in /.test(lines[0] ?? "")) return `${err instanceof Error ? err.name : "error"} while loading it (run it with node to see where)`;
  lines.shift(); // cosmiconfig's own line names the file, which the message names already
  return (lines[0] ?? "unknown error")
    .replace(/\s*while parsing near.*$/, "")
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "…")
    .trim();
}
