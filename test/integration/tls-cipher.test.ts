// A server that offers only NULL ciphers: a cipher mismatch, not an outdated TLS version (tls-protocol-too-old).
import { afterAll, describe, expect, it } from "vitest";
import { runSession } from "../../src/session/run.js";
import { runCli } from "../helpers/cli.js";
import { startSmtpServer, type SmtpTestServer } from "../helpers/tls-servers.js";

const servers: SmtpTestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
const T = { connect: 3000, greeting: 3000, command: 3000, dataEnd: 3000 };
/** NULL ciphers encrypt nothing; OpenSSL offers them only at security level 0, and only up to TLS 1.2. */
const NULL_ONLY = { ciphers: "NULL-SHA256:@SECLEVEL=0", maxVersion: "TLSv1.2" as const };

describe("a NULL-cipher-only server", () => {
  for (const mode of ["implicit", "starttls"] as const) {
    it(`${mode}: tls-no-shared-cipher in the session, tls-cipher-mismatch (74) in doctor`, async () => {
      const s = await startSmtpServer({ mode, cert: "self-signed", ...NULL_ONLY });
      servers.push(s);
      const r = await runSession({ host: "127.0.0.1", port: s.port, tls: mode, timeouts: T, insecure: true }, "ehlo");
      expect(r.failure).toMatchObject({ stage: mode === "implicit" ? "tls" : "starttls", kind: "tls-no-shared-cipher", code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" });
      const doctor = await runCli(["doctor", "--host", "127.0.0.1", "--port", String(s.port), "--tls", mode, "--insecure", "--timeout", "3", "--json"]);
      expect(doctor.code).toBe(74);
      expect(JSON.parse(doctor.stdout).diagnoses.find((d: { severity: string }) => d.severity === "error").id).toBe("tls-cipher-mismatch");
    });
  }
});
