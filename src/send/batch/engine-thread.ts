// The batch engine's thread (see startEngine in engine.ts): runs the batch and posts what happens to the main thread.
import { parentPort, workerData } from "node:worker_threads";
import { MailctlError } from "../../errors.js";
import { runEngine, type EngineJob, type EngineMessage } from "./engine.js";

const post = (m: EngineMessage) => parentPort!.postMessage(m);
const run = runEngine((workerData as { job: EngineJob }).job, {
  warn: (text) => post({ type: "warn", text }),
  progress: (progress, final) => post({ type: "progress", progress, final }),
  interrupted: (inFlight) => post({ type: "interrupted", inFlight }),
});
parentPort!.on("message", (m) => m === "interrupt" && run.interrupt());
run.result.then(
  (report) => {
    post({ type: "done", report });
    parentPort!.close();
  },
  (err: Error) => {
    post({ type: "error", error: err instanceof MailctlError ? { category: err.category, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } : { message: err.message } });
    parentPort!.close();
  },
);
