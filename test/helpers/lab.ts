// Labs for tests: each on three ephemeral ports in its own temp dir. A test file that starts labs calls
// afterAll(closeTestLabs).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { startLab, type Lab, type LabOptions } from "../../src/lab/server.js";

/** The password every test lab uses. */
export const LAB_PASSWORD = "lab-test-password-1";
export const LAB_USER = "lab@mailctl.test";
/** Session-engine timeouts for tests against the lab. */
export const TIMEOUTS = { connect: 5000, greeting: 5000, command: 5000, dataEnd: 10_000 };

const started: { lab: Lab; dir: string }[] = [];

/** Starts a lab in a fresh temp dir on ephemeral ports. */
export async function testLab(opts: LabOptions = {}): Promise<Lab> {
  const dir = await mkdtemp(join(os.tmpdir(), "mailctl-lab-"));
  const lab = await startLab({ dir, portBase: 0, password: LAB_PASSWORD, closeTimeoutMs: 200, ...opts });
  started.push({ lab, dir });
  return lab;
}

/** Closes every lab testLab started and removes its dir. */
export async function closeTestLabs(): Promise<void> {
  for (const { lab, dir } of started.splice(0)) {
    await lab.close();
    await rm(dir, { recursive: true, force: true });
  }
}
