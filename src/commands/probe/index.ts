import type { Command } from "commander";
import { Option } from "../commander.js";
import type { Ctx, Execute, Outcome } from "../command.js";
import { resolveTarget, sessionOptions, type TargetFlags } from "../../config/resolve.js";
import { SUBMISSION_PORTS, USUAL_PORTS, type TlsMode } from "../../session/tls-mode.js";
import { categoryOf } from "../../diagnose/category.js";
import { usageError } from "../../errors.js";
import type { Category } from "../../exit-codes.js";
import { addOptions, CONNECTION_OPTIONS, OUTPUT_OPTIONS, parseHost, parsePort, PROFILE_OPTIONS } from "../options.js";
import type { EndpointProbe } from "../../session/detect.js";
import { findStage } from "../../session/stage-result.js";
import { renderProbe } from "./render.js";
import type { MultiReport, PortReport } from "./result.js";

/** probe's options as commander parses them. */
export interface ProbeOptions extends TargetFlags {
  ports?: number[];
  json?: boolean;
  transcript?: boolean;
}

/** Probes one port, or the three usual ones at the same time. */
export async function run(opts: ProbeOptions, ctx: Ctx): Promise<Outcome<PortReport | MultiReport>> {
  const target = await resolveTarget(opts, ctx, { needPort: false, auth: false });
  const tls: TlsMode | "auto" = target.tlsAuto ? "auto" : target.tls;
  const { probeEndpoint } = await import("../../session/detect.js"); // sockets and TLS load only when a command connects
  const spinner = await ctx.ui.spinner(`probing ${target.host}`);
  try {
    const ports = target.port ? [target.port] : (opts.ports ?? USUAL_PORTS);
    const probes = await Promise.all(
      ports.map((port) => probeEndpoint(sessionOptions({ ...target, port }, { transcript: Boolean(opts.transcript) }), tls)),
    );
    const reports = probes.map((p) => portReport(target.host, p, target.insecure, Boolean(opts.transcript)));
    if (ports.length === 1) return { category: categoryFor(reports[0]!), data: reports[0]! };
    const best = reports.find((r) => r.ok && r.tls === "implicit") ?? reports.find((r) => r.ok && r.tls === "starttls" && r.port !== 25) ?? reports.find((r) => r.ok);
    const data: MultiReport = { host: target.host, ports: reports, recommended: best?.tls ? { port: best.port, tls: best.tls } : null };
    return { category: best ? "ok" : categoryFor(reports[0]!), data };
  } finally {
    spinner.stop();
  }
}

function categoryFor(r: PortReport): Category {
  return r.failure ? categoryOf(r.failure) : "ok";
}

function parsePortList(value: string): number[] {
  return [...new Set(value.split(",").map((p) => parsePort(p.trim())))];
}

/** Builds the report of one port, with its warnings. */
export function portReport(host: string, p: EndpointProbe, insecure: boolean, withTranscript: boolean): PortReport {
  const r = p.report;
  const kind = r.failure?.kind;
  const reached = r.greeting !== null;
  const state = reached || p.mode ? (r.ok ? "open" : "error") : kind === "refused" ? "refused" : kind === "connect-timeout" ? "no-answer" : "error";
  const report: PortReport = {
    host,
    port: p.port,
    tls: p.mode,
    detectedBy: p.detectedBy,
    state,
    ok: r.ok,
    ms: p.ms,
    greeting: r.greeting,
    certificate: r.tls,
    capabilities: r.extensions,
    legacyTls: p.legacyTls ?? null,
    insecure,
    stages: r.stages,
    failure: r.failure,
    warnings: warnings(p),
  };
  if (withTranscript && r.transcript) report.transcript = r.transcript;
  return report;
}

/** What a careful operator would point out even when the probe succeeds. */
function warnings(p: EndpointProbe): string[] {
  const w: string[] = [];
  const r = p.report;
  const days = r.tls?.daysLeft;
  if (days !== null && days !== undefined && days >= 0 && days < 30) w.push(`the certificate expires in ${days} days (${r.tls!.validTo!.slice(0, 10)})`);
  const plainExt = findStage(r.stages, "ehlo", "ok")?.detail.extensions;
  if (p.mode !== "implicit" && plainExt?.auth.length)
    w.push(`AUTH (${plainExt.auth.join(" ")}) is offered before TLS: a client that does not insist on STARTTLS would send its password in clear`);
  if (SUBMISSION_PORTS.has(p.port) && p.mode === "none") w.push(`port ${p.port} is a submission port but offers no STARTTLS (RFC 8314 §3.3 asks for TLS)`);
  const proto = r.tls?.protocol ?? p.legacyTls;
  if (proto && /^TLSv1(\.1)?$/.test(proto)) w.push(`the server speaks only ${proto}, below TLS 1.2 (RFC 8996 deprecates it; current clients refuse it)`);
  if (r.tls && !r.tls.verified && r.ok) w.push(`the certificate is not trusted (${r.tls.verifyError}); only --insecure let the probe continue`);
  return w;
}

/** Declares `probe` and its options. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description(
      "Connect to an SMTP server and report, stage by stage, what it speaks: whether a port wants implicit TLS,\n" +
        "STARTTLS or plaintext, its certificate, and its capabilities (AUTH mechanisms, SIZE, PIPELINING…).\n" +
        "Without --port, probes 465, 587 and 25 at the same time and recommends one.",
    )
    .argument("[host]", "server to probe (or --host)", parseHost);
  addOptions(cmd, CONNECTION_OPTIONS, ["--user", "--password-env"]);
  addOptions(cmd, PROFILE_OPTIONS);
  addOptions(cmd, OUTPUT_OPTIONS);
  cmd.option("--ports <list>", "ports to try at once when --port is not given", parsePortList, [...USUAL_PORTS]);
  cmd.addOption(new Option("--password-env <VAR>").hideHelp()); // accepted for symmetry with other commands; probe never authenticates
  cmd.addHelpText(
    "after",
    `
Examples:
  $ mailctl probe smtp.gmail.com                  # 465, 587 and 25 at once
  $ mailctl probe smtp.qq.com --port 465          # what does 465 speak?
  $ mailctl probe mail.example.com -p 587 --tls starttls --ca ./ca.pem
  $ mailctl probe 127.0.0.1 -p 1465 --json | jq .tls
  $ mailctl probe mail.example.com -p 25 --transcript
  $ mailctl probe --preset qq                     # the preset's preferred port
  $ mailctl probe --from-config docker/.env       # the server a Dify install is set up for`,
  );
  cmd.action(async (host: string | undefined, opts: ProbeOptions) => {
    if (host && opts.host && host !== opts.host) throw usageError(`two hosts given: ${host} and --host ${opts.host}`);
    const options = { ...opts, ...(host ? { host } : {}) };
    await execute(options, (ctx) => run(options, ctx), renderProbe);
  });
  return cmd;
}
