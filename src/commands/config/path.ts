import type { Ctx, Outcome } from "../command.js";
import { loadConfig } from "../../config/load.js";
import type { TargetFlags } from "../../config/resolve.js";
import type { ConfigPaths } from "./result.js";

/** The config files mailctl reads from here, and the user file whether or not it exists. */
export async function runPath(flags: TargetFlags, ctx: Ctx): Promise<Outcome<ConfigPaths>> {
  const explicit = flags.config ?? ctx.io.env.MAILCTL_CONFIG;
  const loaded = await loadConfig({ cwd: ctx.cwd, env: ctx.io.env, ...(explicit ? { explicit } : {}) }, (m) => ctx.ui.warn(m));
  const files: ConfigPaths["files"] = loaded.files.map((f) => ({ path: f.path, scope: f.scope, exists: true }));
  if (!explicit && !files.some((f) => f.scope === "user")) files.push({ path: loaded.userPath, scope: "user", exists: false });
  return { category: "ok", data: { files } };
}
