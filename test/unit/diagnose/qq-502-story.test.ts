// QQ Mail's "502 Invalid paramenters" has no public source, so every place that speaks of it must say the same:
// explain, `presets show qq`, the lab's qq persona and README — both causes, ranked, with the facts behind the
// ranking and the check that separates them, and never the old claim that 465 advertises STARTTLS.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";

const file = (p: string) => readFileSync(fileURLToPath(new URL(`../../../${p}`, import.meta.url)), "utf8");

describe("one story for QQ's 502", async () => {
  const explain = JSON.parse((await runCli(["explain", "--json", "--provider", "qq", "502 Invalid paramenters"])).stdout).diagnoses[0];
  const presets = (await runCli(["presets", "show", "qq"])).stdout.replace(/\s+/g, " ");
  const places: [string, string][] = [
    ["mailctl explain", `${explain.explanation} ${explain.fix.join(" ")}`],
    ["mailctl presets show qq", presets],
    ["the qq persona", file("src/lab/personas/qq.ts")],
    ["README", file("README.md")],
  ];
  for (const [where, text] of places) {
    it(`${where}: MAIL FROM first, STARTTLS on 465 second, the facts and the check`, () => {
      const flat = text.replace(/\s+/g, " ");
      expect(flat).toContain("0xBitWild/MTeam-CLI#15"); // the trace that ties QQ's 502 to the From
      expect(flat).toContain("dokuwiki-plugin-smtp#64"); // 465 does not advertise STARTTLS
      expect(flat).toContain("SMTPSenderRefused"); // what the three-part error is
      expect(flat).toMatch(/\(502, 'Invalid paramenters', ''\)/);
      expect(flat).toMatch(/the command the (reply|502) answers/i); // the check that separates the two
      expect(flat.indexOf("MAIL FROM")).toBeLessThan(flat.lastIndexOf("STARTTLS"));
      expect(flat).not.toMatch(/advertises STARTTLS on its implicit-TLS port|still advertises STARTTLS/);
    });
  }
});
