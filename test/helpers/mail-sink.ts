// An smtp-server on 127.0.0.1 that also counts what clients did before DATA, so a test can assert that a
// refused send never connected, never sent MAIL, or never reached DATA; received messages are parsed with mailparser.
import { simpleParser, type ParsedMail } from "mailparser";
import { startSmtpServer, type SmtpServerHelperOptions, type SmtpTestServer } from "./tls-servers.js";

/** A test server and counters of what clients did. */
export interface MailSink extends SmtpTestServer {
  connections: number;
  mailFrom: string[];
  /** Parses the n-th received message. */
  parsed(n?: number): Promise<ParsedMail>;
}

/** Starts a sink; `rejectRcpt` lists recipients refused with 550 5.1.1. */
export async function startMailSink(opts: SmtpServerHelperOptions & { rejectRcpt?: string[] } = {}): Promise<MailSink> {
  const { rejectRcpt = [], ...rest } = opts;
  const counters = { connections: 0, mailFrom: [] as string[] };
  const server = await startSmtpServer({
    mode: "plain",
    ...rest,
    onConnect: (_session, cb) => {
      counters.connections++;
      cb();
    },
    onMailFrom: (address, _session, cb) => {
      counters.mailFrom.push(address.address);
      cb();
    },
    onRcptTo: (address, _session, cb) => {
      if (rejectRcpt.includes(address.address)) return cb(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }));
      cb();
    },
  });
  // Getters, so the counts are read when the test asserts (Object.assign would copy today's values).
  Object.defineProperties(server, {
    connections: { get: () => counters.connections },
    mailFrom: { get: () => counters.mailFrom },
    parsed: { value: (n = 0) => simpleParser(server.messages[n]!.raw) },
  });
  return server as MailSink;
}
