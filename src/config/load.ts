// Finding and reading mailctl config files (np's pattern: explicit search places, and the user's file merged
// under the project's). The project file is the first found walking up from the working directory; the user
// file is $XDG_CONFIG_HOME/mailctl/config.yaml (default ~/.config/mailctl/config.yaml); `--config <file>`
// (or MAILCTL_CONFIG) names one file and replaces both.
//
// Trust: a file found by searching may belong to anyone — a cloned repository, a shared directory above this
// one — so it is read as data only. A JavaScript config found that way is reported and not run; code configs are
// loaded only when the user names them (--config, MAILCTL_CONFIG). Settings that would run a command or write a
// file from a searched file are refused where they would act (see `searched` on LoadedFile).

import { existsSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { configError, MailctlError, noInputError } from "../errors.js";
import { INPUT_LIMITS, readInput, statInput } from "../fs/read-input.js";
import type { Finding } from "../settings.js";
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

/** Search places that hold code: loaded only from a file the user names. */
const CODE = /\.(js|cjs|mjs)$/;

/** One config file, read and validated. */
export interface LoadedFile {
  path: string;
  /** The path as messages show it: relative to the working directory, or ~/…, or absolute. */
  display: string;
  /** project: found by searching from the working directory (data only, not trusted to run anything). */
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
  /** Code configs the search found and did not run, with why (also given to `warn`). */
  skipped: { path: string; display: string; why: string }[];
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
 * Unknown keys go to `warn` with the file's name; any other problem is a config error (exit 78). Every file is
 * read bounded (INPUT_LIMITS.config): a pipe, a device or a huge file in a search place cannot stall or exhaust mailctl.
 */
export async function loadConfig(opts: { cwd: string; env: NodeJS.ProcessEnv; explicit?: string }, warn: (message: string) => void): Promise<LoadedConfig> {
  const userPath = userConfigPath(opts.env);
  const display = (file: string) => displayPath(file, opts.cwd, opts.env);
  const load = async (file: string, scope: LoadedFile["scope"], parsed: { config: unknown }): Promise<LoadedFile> => {
    const v = validateConfig(parsed.config ?? {}, display(file));
    v.warnings.forEach(warn);
    if (v.errors.length > 0) {
      throw configError(v.errors[0]!, v.errors.length > 1 ? `(and ${v.errors.length - 1} more problem${v.errors.length > 2 ? "s" : ""} in ${display(file)})` : undefined);
    }
    resolvePaths(v.config, path.dirname(file));
    return { path: file, display: display(file), scope, config: v.config, notes: v.notes };
  };

  if (opts.explicit) {
    const file = path.resolve(opts.cwd, opts.explicit);
    if (!existsSync(file)) throw noInputError(display(file), { code: "ENOENT" } as NodeJS.ErrnoException);
    return { files: [await load(file, "explicit", await parseFile(file, display(file), { code: true }))], userPath, skipped: [] };
  }
  const files: LoadedFile[] = [];
  const skipped: LoadedConfig["skipped"] = [];
  // In each directory the first file found decides; an empty one sends the search up a directory (cosmiconfig's rule).
  const firstIn = async (dir: string): Promise<{ file: string; parsed: { config: unknown; empty?: boolean } } | null> => {
    for (const place of SEARCH_PLACES) {
      const file = path.join(dir, place);
      if (!existsSync(file)) continue;
      if (CODE.test(place)) {
        const why = `${display(file)} is not run: a JavaScript config found by searching could run code from a directory you did not name (a cloned repository, say); name it with --config to use it, or write it as .mailctlrc.yaml`;
        skipped.push({ path: file, display: display(file), why });
        warn(why);
        continue;
      }
      const parsed = await parseFile(file, display(file), { code: false });
      if (!parsed.absent) return { file, parsed }; // absent: a package.json without a "mailctl" key
    }
    return null;
  };
  for (let dir = path.resolve(opts.cwd); ; dir = path.dirname(dir)) {
    const found = await firstIn(dir);
    if (found && !found.parsed.empty) {
      files.push(await load(found.file, "project", found.parsed));
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  if (existsSync(userPath) && statSync(userPath).isFile() && files[0]?.path !== userPath) files.push(await load(userPath, "user", await parseFile(userPath, display(userPath), { code: false })));
  return { files, userPath, skipped };
}

/**
 * Reads and parses one config file with cosmiconfig's loaders (YAML, JSON, package.json's "mailctl" key; code
 * only when `code` allows it). `absent`: a package.json without the key; `empty`: a file with nothing in it.
 */
async function parseFile(file: string, display: string, o: { code: boolean }): Promise<{ config: unknown; empty?: boolean; absent?: boolean }> {
  // A pipe is read only when the user named it (--config <(…)); one lying in a search place would stall every command.
  if (!o.code && !(await statInput(file, display)).isFile()) throw new MailctlError("noinput", `${display}: is a pipe, not a config file`);
  const text = await readInput(file, { label: display, max: INPUT_LIMITS.config, what: "a config file" });
  const base = path.basename(file);
  const ext = path.extname(base);
  const { defaultLoaders } = await import("cosmiconfig");
  try {
    if (CODE.test(base)) {
      if (!o.code) throw new MailctlError("config", `${display}: a JavaScript config is run only when named with --config`);
      return { config: await defaultLoaders[ext as ".js"](file, text) };
    }
    if (text.trim() === "") return { config: undefined, empty: true };
    if (base === "package.json") {
      const pkg = (await defaultLoaders[".json"](file, text)) as Record<string, unknown> | null;
      return pkg && typeof pkg === "object" && "mailctl" in pkg ? { config: pkg.mailctl } : { config: undefined, absent: true };
    }
    const loader = ext === "" ? defaultLoaders.noExt : (defaultLoaders as Record<string, ((f: string, c: string) => unknown) | undefined>)[ext];
    if (!loader) throw new Error(`No loader specified for extension "${ext}"`);
    const config = await loader(file, text);
    return config === undefined || config === null ? { config: undefined, empty: true } : { config };
  } catch (err) {
    if (err instanceof MailctlError) throw err;
    throw configError(`${display}: cannot be read: ${firstLine(err)}`);
  }
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
