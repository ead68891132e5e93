// probe against real Postfix and Exim: each port's TLS mode is found, the certificate verifies with the servers'
// CA, and without it (or with an unrelated CA) probe says the certificate is untrusted.
import { describe, expect, it } from "vitest";
import { loadEnv, mailctl, servers, type InteropPort } from "./env.js";

const env = loadEnv();

interface ProbeDoc {
  port: number;
  tls: string | null;
  detectedBy: string | null;
  state: string;
  ok: boolean;
  greeting: string | null;
  certificate: { verified: boolean; verifyKind: string | null } | null;
  capabilities: { starttls: boolean; auth: string[] } | null;
  failure: { stage: string; kind: string } | null;
}

describe.each(servers(env))("probe against $software $version", (srv) => {
  const ports: [string, InteropPort][] = Object.entries(srv.ports);

  it.each(ports)("finds the TLS mode of the %s port, and its certificate verifies with --ca", async (_role, p) => {
    const { code, doc } = await mailctl<ProbeDoc>(env, ["probe", env.host, "--port", String(p.port), "--ca", env.tls.ca]);
    expect(code).toBe(0);
    expect(doc).toMatchObject({ port: p.port, tls: p.tls, state: "open", ok: true });
    // A plaintext port is recognised by its greeting, an implicit-TLS one by its silence and then a handshake.
    expect(doc.detectedBy).toBe(p.tls === "implicit" ? "tls-handshake" : "greeting");
    expect(doc.greeting).toContain(srv.hostname);
    expect(doc.certificate?.verified).toBe(true);
    // AUTH is advertised only on the submission ports, and only once TLS is up.
    expect(doc.capabilities?.auth ?? []).toEqual(p.auth ? ["PLAIN", "LOGIN"] : []);
  });

  it("probes all three ports at once and recommends the implicit-TLS one", async () => {
    const list = ports.map(([, p]) => p.port).join(",");
    const { code, doc } = await mailctl<{ ports: ProbeDoc[]; recommended: { port: number; tls: string } | null }>(env, ["probe", env.host, "--ports", list, "--ca", env.tls.ca]);
    expect(code).toBe(0);
    expect(doc.ports.map((p) => [p.port, p.tls])).toEqual(ports.map(([, p]) => [p.port, p.tls]));
    expect(doc.recommended).toEqual({ port: srv.ports.submissions.port, tls: "implicit" });
  });

  it.each([
    ["submissions", "tls"],
    ["submission", "starttls"],
  ] as const)("without --ca, the %s port's certificate is untrusted (exit 74, at %s)", async (role, stage) => {
    const p = srv.ports[role];
    const { code, doc } = await mailctl<ProbeDoc>(env, ["probe", env.host, "--port", String(p.port)]);
    expect(code).toBe(74);
    expect(doc.tls).toBe(p.tls);
    expect(doc.failure).toMatchObject({ stage, kind: "cert-untrusted" });
    expect(doc.certificate?.verified).toBe(false);
  });

  it("with an unrelated CA, the certificate is untrusted (exit 74)", async () => {
    const p = srv.ports.submissions;
    const { code, doc } = await mailctl<ProbeDoc>(env, ["probe", env.host, "--port", String(p.port), "--ca", env.tls.untrustedCa]);
    expect(code).toBe(74);
    expect(doc.failure).toMatchObject({ stage: "tls", kind: "cert-untrusted" });
  });
});
