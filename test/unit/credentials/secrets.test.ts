import { chmodSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MailctlError } from "../../../src/errors.js";
import { modeFindings, readSecret, runPasswordCommand, splitCommand } from "../../../src/credentials/secrets.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "mailctl-secrets-"));
const sh = (script: string) => ["/bin/sh", "-c", script];

describe("splitCommand", () => {
  it("splits words, honours quotes and backslashes, expands a leading ~/", () => {
    expect(splitCommand(`pass show "mail/my work" 'a b' c\\ d`)).toEqual(["pass", "show", "mail/my work", "a b", "c d"]);
    expect(splitCommand("gpg -d ~/.pw.gpg")).toEqual(["gpg", "-d", path.join(os.homedir(), ".pw.gpg")]);
    expect(splitCommand(`echo "say \\"hi\\""`)).toEqual(["echo", 'say "hi"']);
  });

  it("treats shell syntax as ordinary characters", () => {
    expect(splitCommand("echo a; rm -rf x | tee $(id) `id` > f")).toEqual(["echo", "a;", "rm", "-rf", "x", "|", "tee", "$(id)", "`id`", ">", "f"]);
  });

  it("refuses an unbalanced quote", () => {
    expect(() => splitCommand(`pass show "mail`)).toThrow(/unbalanced " quote/);
  });
});

describe("passwordCommand", () => {
  it("uses stdout without its trailing line break", async () => {
    expect(await runPasswordCommand(["printf", "s3cret pass\\n\\n"], process.env, "test")).toBe("s3cret pass");
    expect(await runPasswordCommand("echo 'two words'", process.env, "test")).toBe("two words");
  });

  it("runs without a shell: a ; does not start a second command", async () => {
    const dir = tmp();
    const marker = path.join(dir, "pwned");
    const out = await runPasswordCommand(`echo hunter2; touch ${marker}`, process.env, "test");
    expect(out).toBe(`hunter2; touch ${marker}`);
    expect(existsSync(marker)).toBe(false);
  });

  it("runs without a shell: $(…) and backquotes are not substituted", async () => {
    const dir = tmp();
    const marker = path.join(dir, "pwned");
    expect(await runPasswordCommand(`echo $(touch ${marker}) \`touch ${marker}\``, process.env, "test")).toBe(`$(touch ${marker}) \`touch ${marker}\``);
    expect(existsSync(marker)).toBe(false);
  });

  it("fails in one line with exit 78, never echoing what the command printed", async () => {
    const err = await runPasswordCommand(sh("echo LEAKED-SECRET; echo LEAKED-ERR >&2; exit 3"), process.env, "mailctl.config.yaml: profiles.work.passwordCommand").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailctlError);
    const e = err as MailctlError;
    expect(e.category).toBe("config");
    expect(e.message).toBe(`mailctl.config.yaml: profiles.work.passwordCommand: passwordCommand "/bin/sh" failed with exit status 3`);
    expect(`${e.message} ${e.hint}`).not.toMatch(/LEAKED/);
    expect(e.message).not.toContain("\n");
  });

  it("explains a command that is not found, or prints nothing", async () => {
    await expect(runPasswordCommand("no-such-command-mailctl --x", process.env, "p")).rejects.toThrow(/"no-such-command-mailctl" was not found \(it runs without a shell/);
    await expect(runPasswordCommand(["true"], process.env, "p")).rejects.toThrow(/printed nothing/);
  });
});

describe("password sources", () => {
  const env = { MAILCTL_PASSWORD: "from-mailctl-env", APP_PW: "from-app-env" };

  it("takes the passwordCommand first, then passwordEnv, then MAILCTL_PASSWORD, then the file's password", async () => {
    const all = { passwordCommand: ["echo", "from-command"], passwordEnv: "APP_PW", password: "from-file" };
    expect((await readSecret(all, env)).password).toBe("from-command");
    expect((await readSecret({ passwordEnv: "APP_PW", password: "from-file" }, env)).password).toBe("from-app-env");
    expect((await readSecret({ password: "from-file" }, env)).password).toBe("from-mailctl-env");
    expect((await readSecret({ password: "from-file" }, {})).password).toBe("from-file");
  });

  it("prompts only when nothing else has a password", async () => {
    let asked = 0;
    const prompt = async () => (asked++, "typed");
    expect((await readSecret({ passwordEnv: "APP_PW" }, env, prompt)).password).toBe("from-app-env");
    expect(asked).toBe(0);
    const r = await readSecret({}, {}, prompt);
    expect([r.password, r.source, asked]).toEqual(["typed", "the password typed at the prompt", 1]);
  });

  it("names the variable it looked in when it is not set", async () => {
    const r = await readSecret({ passwordEnv: "SMTP_PASSWORD" }, {});
    expect(r.password).toBeUndefined();
    expect(r.source).toBe("environment variable SMTP_PASSWORD");
  });

  it("warns when the file holding a password is readable by group or others, not when it is 0600", async () => {
    const file = path.join(tmp(), "config.yaml");
    writeFileSync(file, "profiles: {}\n");
    chmodSync(file, 0o644);
    const r = await readSecret({ password: "pw", file, origin: { source: "file", where: "config.yaml", key: "profiles.w.password" } }, {});
    expect(r.findings).toEqual([expect.objectContaining({ severity: "warning", message: "config.yaml holds a password and is readable by group and others (mode 0644); run: chmod 600 config.yaml" })]);
    chmodSync(file, 0o600);
    expect(modeFindings(file)).toEqual([]);
    chmodSync(file, 0o640);
    expect(modeFindings(file)[0]!.message).toMatch(/readable by group \(mode 0640\)/);
  });
});
