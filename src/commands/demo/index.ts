import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import type { Ctx, Execute, Outcome } from "../command.js";
import { addOptions, jsonOption } from "../options.js";
import type { Target } from "../../config/target.js";
import type { TlsMode } from "../../session/tls-mode.js";
import type { Lab, LabRejection } from "../../lab/server.js";
import { compat32Header } from "../../headers/python-compat32.js";
import { renderDemo } from "./render.js";
import { version } from "../../version.js";
import type { DemoResult, DemoScenario } from "./result.js";

interface Plan {
  title: string;
  lab: "default" | "qq" | "gmail";
  port: "implicit" | "starttls";
  tls: TlsMode;
  expected: string | null;
  password?: string;
  send?: boolean;
  rawFrom?: string;
  preset?: string;
}

/** A correct setup, then the failures people hit most, each on a lab that behaves like the real thing. */
const PLANS: Plan[] = [
  { title: "A correct setup: STARTTLS on the submission port, login, a test message", lab: "default", port: "starttls", tls: "starttls", expected: null, send: true },
  { title: "Plaintext to the implicit-TLS port (the \"Unexpected EOF\" / \"Greeting never received\" case)", lab: "default", port: "implicit", tls: "starttls", expected: "plaintext-to-implicit-tls" },
  { title: "Implicit TLS to the STARTTLS port (the \"wrong version number\" case)", lab: "default", port: "starttls", tls: "implicit", expected: "tls-to-plaintext-port" },
  // What Dify really sends for MAIL_DEFAULT_SEND_FROM=张三 <lab@mailctl.test>: msg["From"] = value on a compat32
  // MIMEMultipart, written by msg.as_string() (api/libs/smtp.py) — one encoded word, address included.
  { title: "QQ Mail refusing the From header Dify writes for MAIL_DEFAULT_SEND_FROM=张三 <lab@mailctl.test>", lab: "qq", port: "implicit", tls: "implicit", expected: "from-header-rejected", send: true, rawFrom: compat32Header("From", "张三 <lab@mailctl.test>", 0), preset: "qq" },
  { title: "Gmail refusing the account password (an app password is needed)", lab: "gmail", port: "implicit", tls: "implicit", expected: "auth-failed", password: "my-google-password", preset: "gmail" },
];

/** Starts labs in-process, runs doctor against each scenario, stops the labs. Exit 0 when every scenario gave its expected finding. */
export async function run(ctx: Ctx): Promise<Outcome<DemoResult>> {
  const started = performance.now();
  const [{ startLab }, { runDoctor }, { testMessage }, { composeMessage }] = await Promise.all([
    import("../../lab/server.js"),
    import("../../diagnose/doctor.js"),
    import("../../send/test-message.js"),
    import("../../send/message.js"),
  ]);
  const dir = await mkdtemp(join(tmpdir(), "mailctl-demo-"));
  const labs = new Map<string, Lab>();
  const spinner = await ctx.ui.spinner("starting the lab");
  try {
    const scenarios: DemoScenario[] = [];
    for (const [i, plan] of PLANS.entries()) {
      spinner.text(`${i + 1}/${PLANS.length} ${plan.title}`);
      let lab = labs.get(plan.lab);
      if (!lab) {
        lab = await startLab({ dir: join(dir, plan.lab), persona: plan.lab, portBase: 0, password: "lab-demo-password" });
        labs.set(plan.lab, lab);
      }
      const password = plan.password ?? lab.account.password;
      ctx.ui.redactor.add(password, lab.account.user);
      const ep = lab.endpoints[plan.port];
      const target: Target = {
        host: ep.host,
        port: ep.port,
        tls: plan.tls,
        opportunisticTls: false,
        user: lab.account.user,
        password,
        from: lab.account.user,
        caPem: [lab.caPem],
        ca: lab.caPath,
        insecure: false,
        timeoutSeconds: 10,
        origins: {},
        dialect: "mailctl",
        ...(plan.rawFrom ? { rawFromHeader: plan.rawFrom } : {}),
        ...(plan.preset ? { preset: plan.preset } : {}),
      };
      let message;
      if (plan.send) {
        const box = { name: "", address: lab.account.user, utf8: false };
        const { input, token } = testMessage(target, box, box, version());
        const composed = await composeMessage({ ...input, ...(plan.rawFrom ? { rawFromHeader: plan.rawFrom } : {}) });
        message = { from: composed.envelope.from, to: composed.envelope.to, data: composed.stream(), size: composed.size, token, messageId: composed.messageId };
      }
      const kept = (await lab.captures()).length;
      const refused: LabRejection[] = [];
      const onRefused = (r: LabRejection) => refused.push(r);
      lab.on("rejected", onRefused);
      const result = await runDoctor(target, message ? { message } : {});
      lab.off("rejected", onRefused);
      const found = result.diagnoses.find((d) => d.severity === "error")?.id ?? null;
      const delivered = await deliveredFroms(lab, kept);
      scenarios.push({ title: plan.title, command: commandFor(plan, target, lab.caPath), expected: plan.expected, found, result, lab: { delivered, refused } });
    }
    const ok = scenarios.every((s) => s.found === s.expected);
    return { category: ok ? "ok" : "software", data: { ok, scenarios, ms: Math.round(performance.now() - started) } };
  } finally {
    spinner.stop();
    await Promise.all([...labs.values()].map((l) => l.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

/** The From fields of the messages the lab kept since the `since`th capture, as they arrived. */
async function deliveredFroms(lab: Lab, since: number): Promise<string[]> {
  const { headerFields } = await import("../../headers/from-header.js");
  const out: string[] = [];
  for (const e of (await lab.captures()).slice(since)) out.push(...headerFields(await readFile(join(lab.captureDir, e.file)), "from"));
  return out;
}

function commandFor(p: Plan, t: Target, ca: string): string {
  const parts = ["mailctl doctor", `--host ${t.host}`, `-p ${t.port}`, `--tls ${p.tls}`, `-u ${t.user}`, `--ca ${ca}`];
  if (p.send) parts.push(`--from ${t.from}`, "--send");
  if (p.rawFrom) parts.push(`--header-from '${p.rawFrom}'`);
  return parts.join(" ");
}

/** Declares `demo`. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description(
      "Start mailctl's lab in this process, run doctor against one correct setup and four broken ones — plaintext to an\n" +
        "implicit-TLS port, implicit TLS to a STARTTLS port, QQ Mail refusing a From header, Gmail refusing an account\n" +
        "password — print what doctor finds, and stop the lab. Nothing leaves this machine. Exit 0 when every scenario\n" +
        "gives the diagnosis it should.",
    );
  addOptions(cmd, [jsonOption()]);
  cmd.addHelpText("after", "\nExamples:\n  $ npx mailctl demo\n  $ mailctl demo --json | jq '.scenarios[] | {title, found}'");
  cmd.action(async (opts: { json?: boolean }) => {
    await execute(opts, (ctx) => run(ctx), renderDemo);
  });
  return cmd;
}
