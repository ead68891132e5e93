// Provider awareness: doctor recognises the provider (from the preset, the host name or the greeting banner) and
// explains the failure with that provider's rules — against the lab's personas, which answer as the providers do.
import { afterAll, describe, expect, it } from "vitest";
import type { Lab } from "../../src/lab/server.js";
import { runCli } from "../helpers/cli.js";
import { closeTestLabs, LAB_PASSWORD, LAB_USER, testLab } from "../helpers/lab.js";

afterAll(closeTestLabs);
const flat = (s: string) => s.replace(/\s+/g, " ");

async function doctor(lab: Lab, port: "implicit" | "starttls", args: string[], password = LAB_PASSWORD) {
  const ep = lab.endpoints[port];
  const r = await runCli(["doctor", "--host", ep.host, "-p", String(ep.port), "--tls", ep.tls, "--ca", lab.caPath, "--json", ...args], { env: { MAILCTL_PASSWORD: password } });
  expect(r.stdout + r.stderr).not.toContain(password);
  const doc = JSON.parse(r.stdout);
  return { code: r.code, doc, primary: doc.diagnoses.find((d: { severity: string }) => d.severity === "error") };
}

describe("doctor knows the provider", () => {
  it("Gmail (recognised by its gsmtp banner): a 2-step account's password → app password required, with Google's steps", async () => {
    const lab = await testLab({ persona: "gmail" });
    const { code, doc, primary } = await doctor(lab, "implicit", ["-u", "twostep@mailctl.test"], "normal-google-password");
    expect(code).toBe(77);
    expect(doc.provider).toBe("gmail");
    expect(primary.id).toBe("auth-app-password-required");
    expect(primary.evidence).toContain("534");
    expect(flat(primary.fix.join(" "))).toMatch(/2-Step Verification.*App passwords/);
  });

  it("Outlook (recognised by its banner): a password → basic authentication disabled, with Microsoft's SMTP AUTH switch and OAuth2", async () => {
    const lab = await testLab({ persona: "outlook" });
    const { code, doc, primary } = await doctor(lab, "starttls", ["-u", LAB_USER]);
    expect(code).toBe(77);
    expect(doc.provider).toMatch(/office365|outlook/);
    expect(primary.id).toBe("auth-basic-disabled");
    expect(flat(primary.fix.join(" "))).toMatch(/Authenticated SMTP.*OAuth2/);
  });

  it("QQ (recognised by its banner): the GBK 535 → authorization code (授权码), decoded, with QQ's steps", async () => {
    const lab = await testLab({ persona: "qq-gbk" });
    const { code, doc, primary } = await doctor(lab, "implicit", ["-u", LAB_USER], "my-qq-login-password");
    expect(code).toBe(77);
    expect(doc.provider).toBe("qq");
    expect(primary.id).toBe("auth-authorization-code");
    expect(primary.evidence).toContain("请使用授权码登录");
    expect(primary.fix.join(" ")).toContain("授权码");
  });

  it("Aliyun DirectMail (by preset): a From that is not the login is flagged before connecting, and the live 436 confirms it", async () => {
    const lab = await testLab({ persona: "aliyun" });
    const { code, primary, doc } = await doctor(lab, "starttls", ["--preset", "aliyun-directmail", "-u", LAB_USER, "--from", "noreply@other.example", "--send"]);
    expect(code).toBe(77);
    expect(doc.provider).toBe("aliyun-directmail");
    expect(primary).toMatchObject({ id: "sender-not-owned", stage: "mail" });
    expect(primary.evidence).toMatch(/436/);
    expect(primary.evidence).toMatch(/settings: From noreply@other.example differs from the login/);
    expect(flat(primary.explanation)).toMatch(/requires the From address to be exactly the login address/);
  });

  it("Aliyun DirectMail recognised by its banner alone (DirectMail Smtpd Server), as Gmail's and QQ's are: its 436 explained with its rule", async () => {
    const lab = await testLab({ persona: "aliyun" });
    const { code, primary, doc } = await doctor(lab, "starttls", ["-u", LAB_USER, "--from", "noreply@other.example", "--send"]);
    expect(doc.provider).toBe("aliyun-directmail");
    expect(code).toBe(77);
    expect(primary).toMatchObject({ id: "sender-not-owned", provider: "aliyun-directmail" });
    expect(flat(primary.explanation)).toMatch(/Alibaba Cloud DirectMail.*requires the From address to be exactly the login address/);
  });
});
