// The replies Postfix 3.7 and Exim 4.96 gave in the interop suite (test/interop/README.md), recognised from the
// text alone as `explain` sees them in a log — so the rules they need stay covered where no MTA is installed.
import { describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";

const CASES: [server: string, reply: string, id: string, exit: number][] = [
  ["postfix", "535 5.7.8 Error: authentication failed: (reason unavailable)", "auth-failed", 77],
  ["exim", "535 Incorrect authentication data", "auth-failed", 77],
  ["postfix", "553 5.7.1 <carol@mailctl.test>: Sender address rejected: not owned by user alice@mailctl.test", "sender-not-owned", 77],
  ["exim", "553 5.7.1 <carol@exim.mailctl.test>: sender address not owned by user alice@exim.mailctl.test", "sender-not-owned", 77],
  // reject_sender_login_mismatch for a client that never logged in: the cure is logging in, not another From.
  ["postfix", "553 5.7.1 <alice@mailctl.test>: Sender address rejected: not logged in", "auth-required", 77],
  ["exim", "530 5.7.0 Authentication required", "auth-required", 77],
  ["postfix", "530 5.7.0 Must issue a STARTTLS command first", "starttls-required", 76],
  // A 530 that names STARTTLS asks for TLS, not for a login (RFC 3207 §4).
  ["exim", "530 5.7.0 Encryption required: issue STARTTLS first", "starttls-required", 76],
  ["postfix", "554 5.7.1 <x@example.com>: Relay access denied", "relay-denied", 69],
  ["exim", "550 relay not permitted", "relay-denied", 69],
  ["postfix", "550 5.1.1 <nobody@mailctl.test>: Recipient address rejected: User unknown in virtual mailbox table", "recipient-rejected", 69],
  ["exim", "550 Unrouteable address", "recipient-rejected", 69],
  ["postfix", "503 5.5.1 Error: authentication not enabled", "auth-not-offered", 77],
  ["exim", "503 AUTH command used when not advertised", "auth-not-offered", 77],
];

describe("explain recognises what Postfix and Exim really answered in the interop suite", () => {
  it.each(CASES)("%s: %s → %s", async (_server, reply, id, exit) => {
    const r = await runCli(["explain", reply, "--json"]);
    expect(JSON.parse(r.stdout).diagnoses[0].id).toBe(id);
    expect(r.code).toBe(exit);
  });
});
