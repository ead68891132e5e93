// Build step: the inbox page's assets are hand-written files (no bundler, nothing fetched); tsc type-checks the
// script (src/lab/inbox/page/tsconfig.json) and this copies the files beside the compiled server, where
// src/lab/inbox/index.ts reads them: dist/lab/inbox/page/.
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";

const from = new URL("../src/lab/inbox/page/", import.meta.url);
const to = new URL("../dist/lab/inbox/page/", import.meta.url);
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((n) => n !== "tsconfig.json")) copyFileSync(new URL(name, from), new URL(name, to));
