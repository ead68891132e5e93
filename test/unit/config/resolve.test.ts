import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveTarget, type TargetFlags } from "../../../src/config/resolve.js";
import { MailctlError } from "../../../src/errors.js";
import { fakeCtx } from "../../helpers/fake-io.js";

/** A project dir with `project` as .mailctlrc.yaml, and `user` as the user file under XDG_CONFIG_HOME. */
function setup(project?: string, user?: string): { cwd: string; env: NodeJS.ProcessEnv; projectFile: string; userFile: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), "mailctl-resolve-"));
  const cwd = path.join(root, "app");
  mkdirSync(path.join(root, "xdg", "mailctl"), { recursive: true });
  mkdirSync(cwd);
  const projectFile = path.join(cwd, ".mailctlrc.yaml");
  const userFile = path.join(root, "xdg", "mailctl", "config.yaml");
  if (project !== undefined) writeFileSync(projectFile, project, { mode: 0o600 });
  if (user !== undefined) writeFileSync(userFile, user, { mode: 0o600 });
  return { cwd, env: { HOME: root, XDG_CONFIG_HOME: path.join(root, "xdg") }, projectFile, userFile };
}

async function resolve(s: { cwd: string; env: NodeJS.ProcessEnv }, flags: TargetFlags = {}, env: NodeJS.ProcessEnv = {}, needPort = true) {
  const ctx = fakeCtx(s.cwd, { ...s.env, ...env });
  const target = await resolveTarget(flags, ctx, { needPort });
  return { target, ctx };
}

const USER = `profiles:
  work:
    host: user.example
    port: 2525
    tls: starttls
    user: user-login
    from: user@example.com
    fromName: From User File
    timeoutSeconds: 30
`;
const PROJECT = `defaultProfile: work
profiles:
  work:
    host: project.example
    user: project-login
`;

describe("precedence: flags > MAILCTL_* > project file > user file > preset > defaults", () => {
  it("takes each field from the highest layer that sets it, and says where", async () => {
    const s = setup(PROJECT, USER);
    const { target } = await resolve(s, { host: "flag.example", profile: "work" }, { MAILCTL_USER: "env-login", MAILCTL_TIMEOUT: "40" });
    expect(target).toMatchObject({ profile: "work", host: "flag.example", user: "env-login", from: "user@example.com", port: 2525, tls: "starttls", timeoutSeconds: 40, insecure: false });
    expect(target.origins).toEqual({
      host: { source: "flag", where: "--host" },
      user: { source: "env", where: "MAILCTL_USER" },
      timeoutSeconds: { source: "env", where: "MAILCTL_TIMEOUT" },
      from: { source: "file", where: path.join("..", "xdg", "mailctl", "config.yaml"), key: "profiles.work.from" },
      fromName: { source: "file", where: path.join("..", "xdg", "mailctl", "config.yaml"), key: "profiles.work.fromName" },
      port: { source: "file", where: path.join("..", "xdg", "mailctl", "config.yaml"), key: "profiles.work.port" },
      tls: { source: "file", where: path.join("..", "xdg", "mailctl", "config.yaml"), key: "profiles.work.tls" },
      insecure: { source: "default" },
    });
  });

  it("puts the project file over the user file, field by field", async () => {
    const s = setup(PROJECT, USER);
    const { target } = await resolve(s);
    expect([target.host, target.user, target.timeoutSeconds]).toEqual(["project.example", "project-login", 30]);
    expect(target.origins.host).toEqual({ source: "file", where: ".mailctlrc.yaml", key: "profiles.work.host" });
  });

  it("fills from a preset what no file or flag sets, and defaults the rest", async () => {
    const s = setup("profiles:\n  qq:\n    preset: qq\n    user: 10001@qq.com\n");
    const { target } = await resolve(s, { profile: "qq" });
    expect(target).toMatchObject({ host: "smtp.qq.com", port: 465, tls: "implicit", preset: "qq", timeoutSeconds: 15 });
    expect(target.origins).toMatchObject({ host: { source: "preset", where: "qq" }, port: { source: "preset", where: "qq" }, tls: { source: "preset", where: "qq" }, timeoutSeconds: { source: "default" } });
  });

  it("lets --preset and MAILCTL_PRESET name a preset, with a region", async () => {
    const s = setup();
    expect((await resolve(s, { preset: "ses:eu-west-1" })).target).toMatchObject({ host: "email-smtp.eu-west-1.amazonaws.com", port: 465, tls: "implicit" });
    expect((await resolve(s, {}, { MAILCTL_PRESET: "sendgrid" })).target).toMatchObject({ host: "smtp.sendgrid.net", port: 587, tls: "starttls", user: "apikey" });
  });
});

describe("port and TLS mode as a pair", () => {
  it("takes the mode for a flag's port from the preset's list, not the preset's preferred mode", async () => {
    const { target } = await resolve(setup(), { preset: "gmail", port: 587 });
    expect([target.port, target.tls]).toEqual([587, "starttls"]);
    expect(target.origins.tls).toEqual({ source: "preset", where: "gmail" });
  });

  it("takes the port for a flag's mode from the preset's list", async () => {
    const { target } = await resolve(setup(), { preset: "qq", tls: "starttls" });
    expect([target.port, target.tls]).toEqual([587, "starttls"]);
  });

  it("does not join a flag's port to a file's mode that was paired with another port", async () => {
    const s = setup("profiles:\n  default:\n    host: h.example\n    port: 587\n    tls: starttls\n");
    const { target } = await resolve(s, { port: 465 });
    expect([target.port, target.tls, target.findings]).toEqual([465, "implicit", []]);
    expect(target.origins.tls).toEqual({ source: "default", where: "port 465" });
  });

  it("keeps a mode given alone, and reports a pair that cannot work as a finding", async () => {
    const s = setup("profiles:\n  default:\n    host: h.example\n    tls: starttls\n");
    const { target } = await resolve(s, { port: 465 });
    expect([target.port, target.tls]).toEqual([465, "starttls"]);
    expect(target.findings).toEqual([{ id: "plaintext-to-implicit-tls", severity: "error", message: 'port 465 with tls "starttls" cannot work — 465 expects implicit TLS', keys: ["port", "tls"], fixes: [{ port: 465, tls: "implicit" }, { port: 587, tls: "starttls" }] }]);
  });

  it("leaves the mode to detection when only a host is known, for callers that can detect it", async () => {
    const { target } = await resolve(setup(), { host: "h.example" }, {}, false);
    expect([target.port, target.tlsAuto]).toEqual([0, true]);
    await expect(resolve(setup(), { host: "h.example" })).rejects.toThrow(/no port given/);
  });

  it("warns when the port is not one the preset offers", async () => {
    const { target } = await resolve(setup(), { preset: "gmail", port: 2525 });
    expect(target.findings).toEqual([expect.objectContaining({ severity: "warning", message: "port 2525 is not one Gmail offers (465 implicit, 587 starttls)" })]);
  });
});

describe("profiles", () => {
  it("chooses --profile, then MAILCTL_PROFILE, then defaultProfile, then a profile named default", async () => {
    const s = setup("defaultProfile: b\nprofiles:\n  a: {host: a.example}\n  b: {host: b.example}\n  default: {host: d.example}\n");
    expect((await resolve(s, { profile: "a", port: 25 })).target.host).toBe("a.example");
    expect((await resolve(s, { port: 25 }, { MAILCTL_PROFILE: "default" })).target.host).toBe("d.example");
    expect((await resolve(s, { port: 25 })).target.host).toBe("b.example");
    const t = setup("profiles:\n  a: {host: a.example}\n  default: {host: d.example}\n");
    expect((await resolve(t, { port: 25 })).target.host).toBe("d.example");
  });

  it("does not join the default profile to a server named with --host or --preset, unless --profile asks", async () => {
    const s = setup("defaultProfile: work\nprofiles:\n  work:\n    preset: gmail\n    user: me@gmail.com\n    port: 587\n");
    const byHost = (await resolve(s, { host: "other.example" }, {}, false)).target;
    expect([byHost.profile, byHost.user, byHost.port]).toEqual([undefined, undefined, 0]);
    const byPreset = (await resolve(s, { preset: "qq" })).target;
    expect([byPreset.profile, byPreset.user, byPreset.port]).toEqual([undefined, undefined, 465]);
    const both = (await resolve(s, { host: "other.example", profile: "work" })).target;
    expect([both.host, both.user, both.port]).toEqual(["other.example", "me@gmail.com", 587]);
  });

  it("lists the profiles when the one asked for does not exist (exit 64)", async () => {
    const s = setup("profiles:\n  a: {host: a.example}\n", "profiles:\n  b: {host: b.example}\n");
    const err = (await resolve(s, { profile: "c" }).catch((e: unknown) => e)) as MailctlError;
    expect([err.category, err.message, err.hint]).toEqual(["usage", `no profile "c" in .mailctlrc.yaml and ${path.join("..", "xdg", "mailctl", "config.yaml")}`, "Profiles: a, b."]);
  });

  it("refuses a defaultProfile that names no profile (exit 78)", async () => {
    const s = setup("defaultProfile: nope\nprofiles:\n  a: {host: a.example}\n");
    await expect(resolve(s)).rejects.toMatchObject({ category: "config", message: '.mailctlrc.yaml: defaultProfile "nope" is not a profile (profiles: a)' });
  });

  it("reads only --config's file", async () => {
    const s = setup(PROJECT, USER);
    const other = path.join(s.cwd, "other.yaml");
    writeFileSync(other, "profiles:\n  work:\n    host: other.example\n    port: 587\n");
    const { target } = await resolve(s, { config: other, profile: "work" });
    expect([target.host, target.user, target.timeoutSeconds]).toEqual(["other.example", undefined, 15]);
  });
});

describe("password", () => {
  it("reads a profile's passwordEnv before MAILCTL_PASSWORD, and registers the secret with the redactor", async () => {
    const s = setup("profiles:\n  default:\n    host: h.example\n    port: 587\n    user: u\n    passwordEnv: APP_PW\n");
    const { target, ctx } = await resolve(s, {}, { APP_PW: "app-secret-1", MAILCTL_PASSWORD: "generic-secret" });
    expect([target.password, target.passwordSource]).toEqual(["app-secret-1", "environment variable APP_PW"]);
    expect(target.origins.password).toEqual({ source: "file", where: ".mailctlrc.yaml", key: "profiles.default.passwordEnv" });
    ctx.ui.out("the password is app-secret-1");
    expect(ctx.io.stdout.text).toBe("the password is <redacted>\n");
  });

  it("lets --password-env replace the profile's passwordCommand (it is not run)", async () => {
    const s = setup("profiles:\n  default:\n    host: h.example\n    port: 587\n    user: u\n    passwordCommand: [/bin/false]\n");
    const { target } = await resolve(s, { passwordEnv: "FLAG_PW" }, { FLAG_PW: "flag-secret" });
    expect(target.password).toBe("flag-secret");
  });

  it("runs the passwordCommand of the user's own config file", async () => {
    const s = setup(undefined, "profiles:\n  default:\n    host: h.example\n    port: 587\n    user: u\n    passwordCommand: [echo, cmd-secret]\n");
    expect((await resolve(s)).target.password).toBe("cmd-secret");
  });

  it("does not run a passwordCommand from a project file found by searching (exit 78), but does when --config names it", async () => {
    const s = setup("profiles:\n  default:\n    host: h.example\n    port: 587\n    user: u\n    passwordCommand: [echo, cmd-secret]\n");
    const err = await resolve(s).catch((e: unknown) => e);
    expect(err).toMatchObject({ category: "config", message: ".mailctlrc.yaml: profiles.default.passwordCommand: passwordCommand is not run: it comes from a project config found by searching, which could be anyone's (a cloned repository, say)" });
    expect((await resolve(s, { config: s.projectFile })).target.password).toBe("cmd-secret");
  });

  it("prefers MAILCTL_PASSWORD to a password in the file, and warns about a file others can read", async () => {
    const s = setup("profiles:\n  default:\n    host: h.example\n    port: 587\n    user: u\n    password: file-secret\n");
    chmodSync(s.projectFile, 0o644);
    expect((await resolve(s, {}, { MAILCTL_PASSWORD: "env-secret" })).target.password).toBe("env-secret");
    const { target } = await resolve(s);
    expect(target.password).toBe("file-secret");
    expect(target.findings).toEqual([expect.objectContaining({ id: "password-file-readable", message: expect.stringMatching(/^\.mailctlrc\.yaml holds a password and is readable by group and others \(mode 0644\)/) })]);
  });

  it("does not read or prompt for a password when the caller does not log in", async () => {
    const s = setup("profiles:\n  default:\n    host: h.example\n    port: 587\n    user: u\n    passwordCommand: [/bin/false]\n");
    const ctx = fakeCtx(s.cwd, s.env);
    const target = await resolveTarget({}, ctx, { needPort: true, auth: false });
    expect(target.password).toBeUndefined();
  });
});

describe("password prompt", () => {
  it("asks, masked, only on a terminal and only when no source has a password; Ctrl-C is exit 130", async () => {
    const s = setup("profiles:\n  default:\n    host: h.example\n    port: 587\n    user: u@example.com\n");
    const { fakeIo } = await import("../../helpers/fake-io.js");
    const { Ui } = await import("../../../src/ui/ui.js");
    const tty = (keys: string) => {
      const io = fakeIo(s.env, true);
      setTimeout(() => (io.stdin as unknown as NodeJS.WritableStream).write(keys), 50);
      return { ui: new Ui(io), io, cwd: s.cwd };
    };
    const ctx = tty("typed-pw\r");
    const target = await resolveTarget({}, ctx, { needPort: true });
    expect([target.password, target.passwordSource]).toEqual(["typed-pw", "the password typed at the prompt"]);
    expect(ctx.io.stderr.text).toContain("Password for u@example.com at h.example");
    expect(ctx.io.stderr.text).not.toContain("typed-pw");
    await expect(resolveTarget({}, tty("\x03"), { needPort: true })).rejects.toMatchObject({ category: "interrupted" });
    expect((await resolve(s)).target.password).toBeUndefined(); // not a terminal: no prompt
  });
});

describe("timeouts", () => {
  it("MAILCTL_TIMEOUT in exponent form or below 0.1 s is a configuration error naming it", async () => {
    const s = setup();
    for (const bad of ["1e-9", "0.01", "-3"]) {
      const err = await resolve(s, { host: "h.example", port: 25 }, { MAILCTL_TIMEOUT: bad }).catch((e: unknown) => e);
      expect(err).toMatchObject({ category: "config", message: `MAILCTL_TIMEOUT="${bad}" is not a number of seconds from 0.1 to 3600` });
    }
  });
});
