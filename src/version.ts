import { readFileSync } from "node:fs";

/** mailctl's version, from package.json (read on use: `--version` is answered before anything else loads). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
}
