// A real DNS server on 127.0.0.1 (UDP) for tests: answers A queries from a table and NXDOMAIN for everything else,
// so name resolution can be tested without sending a query to any non-loopback resolver.
import dgram from "node:dgram";

/** A running test DNS server. */
export interface DnsServer {
  address: string;
  port: number;
  /** `ip:port`, as --resolver takes it. */
  spec: string;
  queries: string[];
  close(): Promise<void>;
}

/** Starts the server; `records` maps lower-case names to IPv4 addresses. */
export async function startDnsServer(records: Record<string, string> = {}): Promise<DnsServer> {
  const sock = dgram.createSocket("udp4");
  const queries: string[] = [];
  sock.on("message", (msg, rinfo) => {
    const { name, qtype, end } = parseQuestion(msg);
    queries.push(`${name}/${qtype}`);
    const ip = records[name.toLowerCase()];
    const answer = ip && qtype === 1;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    // QR=1, opcode 0, AA=1, RD copied, RA=1; RCODE 3 (NXDOMAIN) when the name is unknown, 0 otherwise.
    header.writeUInt16BE(0x8480 | (msg.readUInt16BE(2) & 0x0100) | (ip ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer ? 1 : 0, 6);
    const question = msg.subarray(12, end);
    const parts = [header, question];
    if (answer) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the name in the question
      rr.writeUInt16BE(1, 2); // A
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      ip.split(".").forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
      parts.push(rr);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  const { port } = sock.address();
  return { address: "127.0.0.1", port, spec: `127.0.0.1:${port}`, queries, close: () => new Promise((r) => sock.close(() => r())) };
}

function parseQuestion(msg: Buffer): { name: string; qtype: number; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (msg[i]) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]!).toString("ascii"));
    i += msg[i]! + 1;
  }
  const qtype = msg.readUInt16BE(i + 1);
  return { name: labels.join("."), qtype, end: i + 5 };
}
