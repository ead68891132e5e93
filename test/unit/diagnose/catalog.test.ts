import { describe, expect, it } from "vitest";
import { CATALOG, DIAGNOSIS_IDS } from "../../../src/diagnose/catalog/index.js";
import { RULES } from "../../../src/diagnose/rules.js";
import { listPresets } from "../../../src/config/presets.js";
import { EXIT } from "../../../src/exit-codes.js";

describe("the diagnosis catalog", () => {
  it("has an entry with a title, an explanation and at least one fix step for every id", () => {
    for (const id of DIAGNOSIS_IDS) {
      const e = CATALOG.get(id);
      expect(e, id).toBeDefined();
      const ctx = { e: { source: "text" as const, text: "x" }, provider: null };
      expect(e!.title.length).toBeGreaterThan(10);
      expect(e!.explain(ctx).length).toBeGreaterThan(30);
      expect(e!.fix(ctx).length).toBeGreaterThan(0);
      expect(EXIT[e!.category]).toBeDefined();
    }
    expect(CATALOG.size).toBe(DIAGNOSIS_IDS.length);
  });

  it("explains every id for every provider without failing, naming the provider where it matters", () => {
    for (const provider of listPresets()) {
      for (const id of DIAGNOSIS_IDS) {
        const ctx = { e: { source: "text" as const, text: "535 x", reply: { code: 535, text: "x" } }, provider };
        expect(() => CATALOG.get(id)!.explain(ctx)).not.toThrow();
        expect(() => CATALOG.get(id)!.fix(ctx)).not.toThrow();
      }
    }
    const qq = listPresets().find((p) => p.name === "qq")!;
    const steps = CATALOG.get("auth-authorization-code")!.fix({ e: { source: "text", text: "" }, provider: qq });
    expect(steps.map((s) => s.text).join(" ")).toContain("授权码");
  });

  it("every rule yields a catalog id, and every provider signature names one", () => {
    for (const r of RULES) expect(DIAGNOSIS_IDS).toContain(r.id);
    for (const p of listPresets()) for (const s of p.signatures ?? []) expect(DIAGNOSIS_IDS, `${p.name}: ${s.match}`).toContain(s.id);
  });

  it("tries the rules in one order: every priority is used once", () => {
    const priorities = RULES.map((r) => r.priority);
    expect(new Set(priorities).size).toBe(priorities.length);
  });
});
