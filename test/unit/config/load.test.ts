import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, userConfigPath } from "../../../src/config/load.js";
import { MailctlError } from "../../../src/errors.js";

/** A temp tree: `files` relative to its root; the search starts in root/app/sub. */
function tree(files: Record<string, string>): { root: string; cwd: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(path.join(os.tmpdir(), "mailctl-load-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  const cwd = path.join(root, "app", "sub");
  mkdirSync(cwd, { recursive: true });
  return { root, cwd, env: { HOME: path.join(root, "home") } };
}

const json = (host: string) => JSON.stringify({ profiles: { p: { host } } });
const yaml = (host: string) => `# comment\nprofiles:\n  p:\n    host: ${host}\n`;
const cjs = (host: string) => `module.exports = { profiles: { p: { host: "${host}" } } };\n`;
const esm = (host: string) => `export default { profiles: { p: { host: "${host}" } } };\n`;

const FORMS: [string, string][] = [
  [".mailctlrc", json("rc-json.example")],
  [".mailctlrc", yaml("rc-yaml.example")],
  [".mailctlrc.json", json("json.example")],
  [".mailctlrc.yaml", yaml("yaml.example")],
  [".mailctlrc.yml", yaml("yml.example")],
  ["mailctl.config.yaml", yaml("config-yaml.example")],
  ["package.json", JSON.stringify({ name: "app", mailctl: { profiles: { p: { host: "pkg.example" } } } })],
];

/** Configs that are code: a search reports them and does not run them; --config loads them. */
const CODE_FORMS: [string, string][] = [
  [".mailctlrc.js", cjs("rc-js.example")],
  [".mailctlrc.cjs", cjs("rc-cjs.example")],
  [".mailctlrc.mjs", esm("rc-mjs.example")],
  ["mailctl.config.js", cjs("config-js.example")],
  ["mailctl.config.cjs", cjs("config-cjs.example")],
  ["mailctl.config.mjs", esm("config-mjs.example")],
];

const noWarn = (m: string) => {
  throw new Error(`unexpected warning: ${m}`);
};

describe("config discovery", () => {
  it.each(FORMS)("finds %s in a parent directory (%#)", async (name, text) => {
    const t = tree({ [`app/${name}`]: text });
    const loaded = await loadConfig({ cwd: t.cwd, env: t.env }, noWarn);
    expect(loaded.files).toHaveLength(1);
    expect(loaded.files[0]).toMatchObject({ path: path.join(t.root, "app", name), scope: "project", display: path.join("..", name) });
    expect(loaded.files[0]!.config.profiles.p!.host).toMatch(/\.example$/);
  });

  it.each(CODE_FORMS)("reports %s found by search and does not run it; --config runs it (%#)", async (name, text) => {
    const t = tree({ [`app/${name}`]: text, ".mailctlrc.yaml": yaml("data-above.example") });
    const warnings: string[] = [];
    const loaded = await loadConfig({ cwd: t.cwd, env: t.env }, (m) => warnings.push(m));
    expect(loaded.skipped.map((x) => x.path)).toEqual([path.join(t.root, "app", name)]);
    expect(warnings).toEqual([expect.stringContaining(`${path.join("..", name)} is not run: a JavaScript config found by searching`)]);
    // The search goes on for data: here the YAML file above.
    expect(loaded.files.map((f) => f.config.profiles.p!.host)).toEqual(["data-above.example"]);
    const named = await loadConfig({ cwd: t.cwd, env: t.env, explicit: path.join(t.root, "app", name) }, noWarn);
    expect(named.files[0]).toMatchObject({ scope: "explicit" });
    expect(named.files[0]!.config.profiles.p!.host).toMatch(/\.example$/);
  });

  it("takes the nearest directory's file, and in one directory package.json before .mailctlrc", async () => {
    const t = tree({
      ".mailctlrc.yaml": yaml("outer.example"),
      "app/package.json": JSON.stringify({ mailctl: { profiles: { p: { host: "pkg.example" } } } }),
      "app/.mailctlrc.yaml": yaml("inner.example"),
    });
    const loaded = await loadConfig({ cwd: t.cwd, env: t.env }, noWarn);
    expect(loaded.files.map((f) => f.config.profiles.p!.host)).toEqual(["pkg.example"]);
  });

  it("skips a package.json without a mailctl key", async () => {
    const t = tree({ "app/package.json": JSON.stringify({ name: "x" }), ".mailctlrc.yml": yaml("root.example") });
    const loaded = await loadConfig({ cwd: t.cwd, env: t.env }, noWarn);
    expect(loaded.files[0]!.config.profiles.p!.host).toBe("root.example");
  });

  it("adds the user file from $XDG_CONFIG_HOME/mailctl/config.yaml after the project file", async () => {
    const t = tree({ "app/.mailctlrc.yaml": yaml("project.example"), "xdg/mailctl/config.yaml": yaml("user.example") });
    const env = { ...t.env, XDG_CONFIG_HOME: path.join(t.root, "xdg") };
    const loaded = await loadConfig({ cwd: t.cwd, env }, noWarn);
    expect(loaded.files.map((f) => [f.scope, f.config.profiles.p!.host])).toEqual([["project", "project.example"], ["user", "user.example"]]);
    expect(loaded.userPath).toBe(path.join(t.root, "xdg", "mailctl", "config.yaml"));
  });

  it("defaults the user file to ~/.config/mailctl/config.yaml, ignoring a relative XDG_CONFIG_HOME", () => {
    expect(userConfigPath({ HOME: "/home/u" })).toBe("/home/u/.config/mailctl/config.yaml");
    expect(userConfigPath({ HOME: "/home/u", XDG_CONFIG_HOME: "rel/dir" })).toBe("/home/u/.config/mailctl/config.yaml");
    expect(userConfigPath({ HOME: "/home/u", XDG_CONFIG_HOME: "/cfg" })).toBe("/cfg/mailctl/config.yaml");
  });

  it("reads only the file --config names", async () => {
    const t = tree({ "app/.mailctlrc.yaml": yaml("project.example"), "home/.config/mailctl/config.yaml": yaml("user.example"), "elsewhere.yaml": yaml("explicit.example") });
    const loaded = await loadConfig({ cwd: t.cwd, env: t.env, explicit: path.join(t.root, "elsewhere.yaml") }, noWarn);
    expect(loaded.files.map((f) => [f.scope, f.config.profiles.p!.host])).toEqual([["explicit", "explicit.example"]]);
  });

  it("makes a missing --config file exit 66, naming it", async () => {
    const t = tree({});
    const err = await loadConfig({ cwd: t.cwd, env: t.env, explicit: "nope.yaml" }, noWarn).catch((e: unknown) => e);
    expect(err).toMatchObject({ category: "noinput", message: "nope.yaml: no such file" });
  });

  it("resolves a profile's relative ca against the file's directory", async () => {
    const t = tree({ "app/.mailctlrc.yaml": "profiles:\n  p:\n    ca: certs/ca.pem\n" });
    const loaded = await loadConfig({ cwd: t.cwd, env: t.env }, noWarn);
    expect(loaded.files[0]!.config.profiles.p!.ca).toBe(path.join(t.root, "app", "certs", "ca.pem"));
  });

  it.each([
    [".mailctlrc.yaml", "profiles:\n  w:\n    password: 'hunter2-secret\n    host: [x\n"],
    [".mailctlrc.json", '{"profiles": {"w": {"password": "hunter2-secret",}}}'],
    [".mailctlrc.js", "module.exports = { profiles: { w: { password: hunter2secret } } };"],
  ])("reports an unparseable %s as exit 78 naming the file, without quoting its text", async (name, text) => {
    const t = tree({ [`app/${name}`]: text });
    // A code config is read only when named (a search reports it and moves on).
    const explicit = name.endsWith(".js") ? { explicit: path.join(t.root, "app", name) } : {};
    const err = (await loadConfig({ cwd: t.cwd, env: t.env, ...explicit }, noWarn).catch((e: unknown) => e)) as MailctlError;
    expect(err).toBeInstanceOf(MailctlError);
    expect(err.category).toBe("config");
    expect(err.message.startsWith(`${path.join("..", name)}: cannot be read: `)).toBe(true);
    expect(err.message).not.toMatch(/hunter2/);
    expect(err.message).not.toContain("\n");
  });

  it("passes unknown keys to the warning callback with the file name, and stops at the first error with a count", async () => {
    const t = tree({ "app/.mailctlrc.yaml": "profiles:\n  w:\n    prot: 1\n    port: 465\n    tls: none\n    from: nobody\n" });
    const warnings: string[] = [];
    const err = (await loadConfig({ cwd: t.cwd, env: t.env }, (m) => warnings.push(m)).catch((e: unknown) => e)) as MailctlError;
    expect(warnings).toEqual([`${path.join("..", ".mailctlrc.yaml")}: profiles.w: unknown key "prot" is ignored (did you mean "port"?)`]);
    expect(err.message).toBe(`${path.join("..", ".mailctlrc.yaml")}: profiles.w: from must be an address like name@example.com (got "nobody")`);
    expect(err.hint).toBe(`(and 1 more problem in ${path.join("..", ".mailctlrc.yaml")})`);
  });
});
