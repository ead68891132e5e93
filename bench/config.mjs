#!/usr/bin/env node
// What resolving settings costs a command: `mailctl config show` with nothing to find, with a project file, with the
// user file too, and with --from-config, against `mailctl --version` (the floor for any mailctl run). Interleaved runs,
// reported as ratios of medians, like startup.mjs.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/mailctl.js", import.meta.url));
const dify = fileURLToPath(new URL("../test/fixtures/importers/dify-docker.env", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 20);
const root = mkdtempSync(path.join(os.tmpdir(), "mailctl-bench-"));
const empty = path.join(root, "empty");
const project = path.join(root, "project");
mkdirSync(empty);
mkdirSync(project);
mkdirSync(path.join(root, "xdg", "mailctl"), { recursive: true });
writeFileSync(path.join(project, "mailctl.config.yaml"), "defaultProfile: work\nprofiles:\n  work:\n    preset: gmail\n    user: me@gmail.com\n    passwordEnv: GMAIL_PW\n");
writeFileSync(path.join(root, "xdg", "mailctl", "config.yaml"), "profiles:\n  work:\n    fromName: Me\n    timeoutSeconds: 20\n");
const bare = { PATH: process.env.PATH, HOME: path.join(root, "nohome") };
const withUser = { ...bare, XDG_CONFIG_HOME: path.join(root, "xdg") };

const cases = {
  "mailctl --version": [[bin, "--version"], empty, bare],
  "config show --host h -p 25": [[bin, "config", "show", "--host", "h", "-p", "25"], empty, bare],
  "config show (project file)": [[bin, "config", "show"], project, bare],
  "config show (project+user)": [[bin, "config", "show"], project, withUser],
  "config show --from-config": [[bin, "config", "show", "--from-config", dify], empty, bare],
};

function once([args, cwd, env]) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const c of Object.values(cases)) once(c);
for (let i = 0; i < runs; i++) for (const [k, c] of Object.entries(cases)) times[k].push(once(c));
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = median(times["mailctl --version"]);
console.log(`settings resolution, ${runs} interleaved runs each (median; ratio to mailctl --version)`);
for (const [k, v] of Object.entries(times)) console.log(`  ${k.padEnd(28)} ${median(v).toFixed(1).padStart(7)} ms  ${(median(v) / base).toFixed(2)}×`);
