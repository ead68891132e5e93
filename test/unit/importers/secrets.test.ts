import { describe, expect, it } from "vitest";
import { importConfig, renderSettings } from "../../../src/config/importers/index.js";
import { DIALECT_NAMES, type Dialect } from "../../../src/config/importers/registry.js";
import { SAMPLES, fixture } from "./helpers.js";

describe("passwords never leave through warnings, problems or rendered fixes", () => {
  for (const { file, secrets } of SAMPLES.filter((s) => s.secrets.length > 0)) {
    it(`${file}: the password is read, and appears nowhere else`, () => {
      const r = importConfig(fixture(file), { fileName: file, account: file === "msmtprc" ? "qq" : undefined });
      expect(secrets).toContain(r.settings.password);
      const said = JSON.stringify([r.warnings, r.problems, r.keys]);
      for (const dialect of DIALECT_NAMES) {
        const rendered = renderSettings(dialect, r.settings).join("\n");
        for (const secret of secrets) expect(rendered, `${dialect} render`).not.toContain(secret);
      }
      for (const secret of secrets) expect(said).not.toContain(secret);
    });
  }

  it("renders a password change as a placeholder in every dialect", () => {
    for (const dialect of DIALECT_NAMES) {
      const lines = renderSettings(dialect, { user: "joe", password: "hunter2-secret" });
      expect(lines.join("\n"), dialect).not.toContain("hunter2-secret");
      if (dialect !== "smtp-url") expect(lines.join("\n"), dialect).toMatch(/<your SMTP password/);
    }
  });

  it("keeps the password out of ImportError messages", () => {
    const broken: [string, Dialect, string][] = [
      ["smtps://joe:hunter2-secret@[bad", "smtp-url", "hunter2-secret"],
      ['SMTP_PASSWORD="hunter2-secret\n', "dify", "hunter2-secret"],
      ["{ pass: 'hunter2-secret', host: cfg.host }", "nodemailer", "hunter2-secret"],
      // An unquoted password is "code" to the reader; the message names the key, not the value.
      ["{ host: 'h', auth: { user: 'joe', pass: Hunter2Secret } }", "nodemailer", "Hunter2Secret"],
    ];
    for (const [text, dialect, secret] of broken) {
      expect(() => importConfig(text, { fileName: "app.conf", dialect })).toThrow(expect.objectContaining({ message: expect.not.stringContaining(secret) }));
    }
    expect(() => importConfig(broken[3]![0], { dialect: "nodemailer" })).toThrow(/^line 1: pass is code/);
  });
});
