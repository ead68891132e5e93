import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fromText } from "../../../src/diagnose/evidence.js";
import { diagnose } from "../../../src/diagnose/diagnose.js";
import { providerFromText } from "../../../src/diagnose/providers.js";

interface Case {
  text: string;
  client: string;
  expect: string | null;
  alsoPossible?: string[];
  source: string;
}
const corpus: Case[] = JSON.parse(readFileSync(new URL("../../fixtures/explain/corpus.json", import.meta.url), "utf8"));

function explain(text: string): string | null {
  const e = fromText(text);
  return diagnose(e, { provider: providerFromText(e.text, e.host) })?.id ?? null;
}

describe("explain recognises real error lines from other programs' logs", () => {
  for (const [i, c] of corpus.entries()) {
    const want = c.expect === null ? "not recognised" : [c.expect, ...(c.alsoPossible ?? [])].join(" | ");
    it(`#${i} [${c.client}] → ${want}: ${c.text.slice(0, 70).replace(/\n/g, " ")}`, () => {
      const got = explain(c.text);
      if (c.expect === null) expect(got).toBeNull();
      else expect([c.expect, ...(c.alsoPossible ?? [])]).toContain(got);
    });
  }
});
