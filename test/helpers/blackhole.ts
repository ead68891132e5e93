// A loopback port whose SYNs are dropped: a listener with a backlog of 0 that never accepts, its queue filled.
// Linux then drops further SYNs, so a client sees a connect timeout — as with a firewall that drops packets —
// without any traffic leaving 127.0.0.1. (Node's net.Server always accepts, so the listener is python3's.)
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";

/** A port that never answers, until closed. */
export interface Blackhole {
  port: number;
  close(): Promise<void>;
}

/** Starts the silent listener and fills its accept queue. */
export async function startBlackhole(): Promise<Blackhole> {
  const py: ChildProcess = spawn("python3", ["-c", "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    py.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    py.once("error", reject);
  });
  // Fill the queue: with backlog 0 the kernel keeps one or two established connections, then drops SYNs.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = net.connect({ host: "127.0.0.1", port });
    s.on("error", () => {});
    fillers.push(s);
  }
  await new Promise((r) => setTimeout(r, 300));
  return {
    port,
    close: async () => {
      fillers.forEach((s) => s.destroy());
      py.kill("SIGKILL");
    },
  };
}
