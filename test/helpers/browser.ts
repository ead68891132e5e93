// Debian's chromium driven by playwright-core (no browser download). Each launch gets a fresh profile and the
// flags that work as root on a headless machine; nothing reaches the network (no background services).
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** The system browser (Debian's chromium package); MAILCTL_CHROMIUM names another. */
export const CHROMIUM = process.env.MAILCTL_CHROMIUM ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or null when they can. In CI a missing browser is a failure, not a skip. */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `browser tests skipped: ${CHROMIUM} not found (install it: apt-get install chromium; .ci/run does)`;
  if (process.env.CI === "true") throw new Error(`${why} — CI must run them`);
  return why;
}

/** Where screenshots go (kept as test artifacts): MAILCTL_ARTIFACTS, else artifacts/ in the repository. */
export const ARTIFACTS = process.env.MAILCTL_ARTIFACTS ?? join(import.meta.dirname, "../../artifacts");

/** A headless chromium with a fresh profile; close() removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(os.tmpdir(), "mailctl-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 860 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  // Playwright waits 30 s for an element by default, as long as a whole test: fail sooner, and say what was missing.
  context.setDefaultTimeout(5000);
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
