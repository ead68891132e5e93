import { describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli.js";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

describe("the mailctl binary", () => {
  it("prints its version", async () => {
    const r = await spawnCli(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("lists the commands and the exit codes in --help", async () => {
    const r = await spawnCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/probe\s+show what an SMTP server speaks/);
    expect(r.stdout).toMatch(/ 77 {2}authentication failed/);
  });

  it("shows examples in a command's help", async () => {
    const r = await spawnCli(["probe", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("--tls <mode>");
  });

  const bad: [string[], RegExp][] = [
    [["probe", "127.0.0.1", "--port", "abc"], /"abc" is not a port number/],
    [["probe", "127.0.0.1", "--port", "70000"], /"70000" is not a port number/],
    [["probe", "127.0.0.1", "--tls", "ssl"], /--tls.*ssl.*implicit, starttls, none/s],
    [["probe", "127.0.0.1", "--bogus"], /unknown option '--bogus'/],
    [["probe"], /no server given/],
    [["probe", "127.0.0.1", "-4", "-6"], /cannot be used together/],
    [["probe", "127.0.0.1", "--timeout", "-1"], /not a number of seconds/],
    [["probe", "127.0.0.1", "--timeout", "1e-9"], /"1e-9" is not a number of seconds from 0\.1 to 3600/],
    [["probe", "127.0.0.1", "--timeout", "0.01"], /"0\.01" is not a number of seconds from 0\.1 to 3600/],
    [["nosuchcommand"], /unknown command 'nosuchcommand'/],
  ];
  for (const [args, msg] of bad) {
    it(`exits 64 with one line for: mailctl ${args.join(" ")}`, async () => {
      const r = await spawnCli(args);
      expect(r.code).toBe(64);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2); // the message and the usage hint
    });
  }

  it("a missing --ca file is exit 66 naming the file", async () => {
    const r = await spawnCli(["probe", "127.0.0.1", "-p", "25", "--ca", "/nonexistent/ca.pem"]);
    expect(r.code).toBe(66);
    expect(r.stderr.trim()).toBe("mailctl: /nonexistent/ca.pem: no such file");
  });

  it("a --ca file without a certificate is exit 65", async () => {
    const r = await spawnCli(["probe", "127.0.0.1", "-p", "25", "--ca", "/etc/hostname"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/no PEM certificate/);
  });

  it("a bad MAILCTL_PORT is a configuration error (78)", async () => {
    const r = await spawnCli(["probe", "127.0.0.1"], { env: { MAILCTL_PORT: "x" } });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/MAILCTL_PORT="x"/);
  });
});
