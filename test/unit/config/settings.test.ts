import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { flagName, parseSetting, ROWS, SETTING_FIELDS, setting, SettingError, type Setting } from "../../../src/settings.js";

/** Texts on both sides of each parsed setting's bounds, by flag. */
const SAMPLES: Record<string, string[]> = {
  "--host": ["smtp.example.com", "127.0.0.1", "[::1]", "bad host!", "-x", "a..b!"],
  "--port": ["587", "1", "65535", "0", "65536", "x", "1.5", "-1"],
  "--tls": ["auto", "implicit", "starttls", "none", "tls", "IMPLICIT", ""],
  "--auth": ["PLAIN", "login", "XOAUTH2", "digest", "NTLM"],
  "--timeout": ["20", "0.5", "0.1", "3600", "3601", "99999", "0", "0.05", "-5", "x", "Infinity", "1e2"],
};

/** The rows a variable stands in for and whose text is parsed (the others are taken as they are). */
const PARSED_ENV_ROWS = ROWS.filter((r) => r.env && (r.parse || r.choices));

/** The parse's verdict on a text: the value, or the refusal's wording. */
function verdict(row: Setting, text: string): { value: unknown } | { refused: string } {
  try {
    return { value: parseSetting(row, text) };
  } catch (err) {
    if (err instanceof SettingError) return { refused: err.message };
    throw err;
  }
}

/** A home with no config files, so only the flag and the variable under test set anything. */
const HOME = mkdtempSync(path.join(tmpdir(), "mailctl-settings-"));
const ENV = { HOME, XDG_CONFIG_HOME: path.join(HOME, ".config") };

/** The value `config show --json` reports for a field, or undefined. */
const shown = (stdout: string, field: string) => (JSON.parse(stdout) as { settings: { field: string; value: unknown }[] }).settings.find((x) => x.field === field)?.value;

describe("the settings registry", () => {
  it("has samples for every variable whose text is parsed, so each one is checked below", () => {
    expect(PARSED_ENV_ROWS.map((r) => flagName(r)).sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each(PARSED_ENV_ROWS.map((r) => [flagName(r), r] as const))("%s: the flag and its MAILCTL_* variable accept exactly the same values, with the same reason", async (flag, row) => {
    const field = SETTING_FIELDS.find((f) => setting(f) === row)!;
    for (const text of SAMPLES[flag]!) {
      if (text === "") continue; // an empty variable is no variable
      const want = verdict(row, text);
      const byFlag = await runCli(["config", "show", "--host", "x.example", `${flag}=${text}`, "--json"], { env: ENV });
      const byEnv = await runCli(["config", "show", "--host", "x.example", "--json"], { env: { ...ENV, [row.env!]: text } });
      if ("value" in want) {
        expect([byFlag.code, byEnv.code], `${flag} ${text}`).toEqual([0, 0]);
        if (flag !== "--host") expect(shown(byEnv.stdout, field), `${flag} ${text}`).toEqual(shown(byFlag.stdout, field));
      } else {
        expect([byFlag.code, byEnv.code], `${flag} ${text}`).toEqual([64, 78]);
        // commander words a choice it refuses itself; a parsed value gets the row's reason after the text.
        if (row.parse) expect(byFlag.stderr, `${flag} ${text}`).toContain(`"${text}" ${want.refused}`);
        expect(byEnv.stderr.trim(), `${flag} ${text}`).toBe(`mailctl: ${row.env}="${text}" ${want.refused}`);
      }
    }
  });

  it("MAILCTL_HOST is checked like --host: a bad one is a configuration error (78), not a host to connect to", async () => {
    const r = await runCli(["config", "show", "--json"], { env: { ...ENV, MAILCTL_HOST: "bad host!" } });
    expect(r.code).toBe(78);
    expect(r.stderr.trim()).toBe('mailctl: MAILCTL_HOST="bad host!" is not a host name or IP address');
    expect(r.stdout).toBe("");
  });

  it("-4 and -6 set the address family, its origin named after both switches", async () => {
    for (const [flag, family] of [["-4", 4], ["-6", 6]] as const) {
      const r = await runCli(["config", "show", "--host", "x.example", flag, "--json"], { env: ENV });
      const row = (JSON.parse(r.stdout) as { settings: { field: string; value: unknown; origin: unknown }[] }).settings.find((x) => x.field === "family");
      expect(row, flag).toEqual({ field: "family", value: family, origin: { source: "flag", where: "-4/-6" } });
    }
    expect((await runCli(["config", "show", "--host", "x.example", "-4", "-6"], { env: ENV })).code).toBe(64);
  });

  it("MAILCTL_TIMEOUT above 3600 is refused like --timeout and timeoutSeconds", async () => {
    const r = await runCli(["config", "show", "--host", "x.example", "--json"], { env: { ...ENV, MAILCTL_TIMEOUT: "3601" } });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('MAILCTL_TIMEOUT="3601" is not a number of seconds from 0.1 to 3600');
  });

  it.each(SETTING_FIELDS.filter((f) => setting(f).parse && setting(f).check))("%s: a profile value passes the check exactly when its text passes the parse", (field) => {
    const row = setting(field);
    const texts = SAMPLES[row.flag ? flagName(row) : ""] ?? ["", "x", "A_B", "1abc", "smtp.example.com", "[127.0.0.1]", "https://login.example.com/t", "http://127.0.0.1:9/t", "http://example.com/t", "a b"];
    for (const text of texts) {
      // A profile holds numbers as numbers: compare the number a YAML file would give for a numeric text.
      const numeric = field === "port" || field === "timeoutSeconds";
      if (numeric && (text.trim() === "" || !/^-?\d+(\.\d+)?$/.test(text))) continue;
      const value = numeric ? Number(text) : text;
      expect(row.check!(value) === undefined, `${field}: ${text}`).toBe("value" in verdict(row, text));
    }
  });
});
