import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Text of a sample under test/fixtures/importers. */
export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/importers/${name}`, import.meta.url)), "utf8");
}

/** Every sample with the dialect it must be detected as, and the secrets it holds. */
export const SAMPLES = [
  { file: "dify-docker.env", dialect: "dify", secrets: [] as string[] },
  { file: "dify-api.env", dialect: "dify", secrets: ['Xy#9 pass"word'] },
  { file: "ragflow-service_conf.yaml", dialect: "ragflow", secrets: ["RfL0w-auth-c0de"] },
  { file: "msmtprc", dialect: "msmtp", secrets: ["Qq#auth code"] },
  { file: "nodemailer-gmail.json", dialect: "nodemailer", secrets: ["gm41l-app-pass"] },
  { file: "nodemailer-transport.js", dialect: "nodemailer", secrets: [] },
  { file: "smtp-url.txt", dialect: "smtp-url", secrets: ["p@ss:w0rd/#x", "p%40ss%3Aw0rd%2F%23x"] },
  { file: "aiosmtplib-qq.json", dialect: "aiosmtplib", secrets: ["qqAuthC0de16chars"] },
  { file: "aiosmtplib-kwargs.py", dialect: "aiosmtplib", secrets: ["0ff1ce-Pa55"] },
  { file: "smtplib.json", dialect: "aiosmtplib", secrets: ["0ff1ce-Pa55"] },
] as const;
