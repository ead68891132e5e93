// Hostile SMTP servers on loopback, as raw sockets: each misbehaves in one exact way (an endless reply, a server
// that stops reading, an unsolicited reply…), so a test can show that mailctl stays bounded in bytes and time.
import type net from "node:net";
import { startRawServer, type StartedServer } from "./tls-servers.js";

/** Writes `line` again and again, as fast as the client reads, until the connection closes; returns the bytes written. */
export function flood(socket: net.Socket, line: string): Promise<number> {
  const chunk = Buffer.from(line.repeat(Math.max(1, Math.floor(65536 / line.length))));
  let written = 0;
  return new Promise((resolve) => {
    let open = true;
    const stop = () => {
      open = false;
      resolve(written);
    };
    socket.once("close", stop);
    const pump = () => {
      while (open && !socket.destroyed) {
        written += chunk.length;
        if (!socket.write(chunk)) return void socket.once("drain", pump);
      }
    };
    pump();
  });
}

/** Calls `on(line)` for each command line the client sends (CRLF stripped); DATA content arrives as lines too. */
export function onLines(socket: net.Socket, on: (line: string) => void): void {
  let buf = "";
  socket.on("data", (d: Buffer) => {
    buf += d.toString("latin1");
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, "");
      buf = buf.slice(nl + 1);
      on(line);
    }
  });
}

/**
 * A server that answers like a minimal ESMTP server until the command named by `at`, and then misbehaves with
 * `then(socket)`. "data-end" is the final "." of the message; "never" behaves throughout. The bytes the client sent
 * are kept in `received`.
 */
export async function startHostile(
  at: "greeting" | "EHLO" | "MAIL" | "RCPT" | "DATA" | "data-end" | "never",
  then: (socket: net.Socket) => void,
  opts: { extensions?: string[] } = {},
): Promise<StartedServer & { received: () => Buffer }> {
  const chunks: Buffer[] = [];
  const server = await startRawServer((socket) => {
    socket.on("data", (d: Buffer) => chunks.push(d));
    if (at === "greeting") return then(socket);
    socket.write("220 mx.hostile.test ESMTP\r\n");
    let inData = false;
    let taken = false;
    const misbehave = () => {
      taken = true;
      then(socket);
    };
    onLines(socket, (line) => {
      if (taken) return;
      if (inData) {
        if (line !== ".") return;
        inData = false;
        if (at === "data-end") return misbehave();
        socket.write("250 2.0.0 Ok: queued\r\n");
        return;
      }
      const verb = line.split(/[ :]/)[0]!.toUpperCase();
      if (verb === at) return misbehave();
      if (verb === "EHLO") socket.write(["mx.hostile.test", ...(opts.extensions ?? ["8BITMIME"])].map((l, i, all) => `250${i === all.length - 1 ? " " : "-"}${l}\r\n`).join(""));
      else if (verb === "DATA") {
        inData = true;
        socket.write("354 go ahead\r\n");
      } else if (verb === "QUIT") socket.end("221 bye\r\n");
      else socket.write("250 2.1.0 Ok\r\n");
    });
  });
  return Object.assign(server, { received: () => Buffer.concat(chunks) });
}
