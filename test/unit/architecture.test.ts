// design.md's import rule, checked on every import of src/ (value, type-only and dynamic):
//   cli → commands → ui → {diagnose, send, lab, domain} → {transports, config, credentials, session} → support → vocabulary
// An import may go to a lower layer, or within its own top-level folder, or along the few sideways directions listed in
// SIDEWAYS. No import cycle, of any kind. KNOWN lists what the tree still does wrong while issue 14 lands in
// steps: each step deletes the lines it fixes, and a line that no longer happens fails the test too, so the list
// only shrinks. The last step leaves it empty.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { cycles, importGraph, type Edge } from "../helpers/import-graph.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** Layers from the top; a file belongs to the first whose pattern matches its path (relative to src/). */
const LAYERS: { name: string; files: RegExp }[] = [
  { name: "cli", files: /^(cli|index)\.ts$/ },
  { name: "commands", files: /^commands\// },
  // Vocabulary files that live in their owner's folder: plain data and pure functions every layer may use.
  { name: "vocabulary", files: /^((version|errors|exit-codes|io|settings)\.ts|session\/(tls-mode|sasl)\.ts|ui\/words\.ts)$/ },
  { name: "ui", files: /^ui\// },
  { name: "services", files: /^(diagnose|send|lab|domain)\// },
  { name: "engines", files: /^(transports|config|credentials|session)\// },
  { name: "support", files: /^(fs|tls|headers)\// },
];
const RANK = ["cli", "commands", "ui", "services", "engines", "support", "vocabulary"];

/** Imports between two folders of the same layer, in the one direction allowed. */
const SIDEWAYS: [RegExp, RegExp][] = [
  [/^send\//, /^diagnose\//], // a batch names its rows' failures with the catalog (on the engine thread)
  [/^diagnose\//, /^domain\//], // diagnose explains the domain checker's facts
  [/^config\//, /^(session|credentials)\//], // a Target carries session options and a token provider
  [/^credentials\//, /^session\//], // the token provider implements the session's TokenSource
  [/^transports\//, /^(session|config|credentials)\//],
  [/^commands\/[^/]+\//, /^commands\/[^/]+\.ts$/], // a command's folder uses the shared command plumbing (command.ts, options.ts…)
];

function layerOf(file: string): string {
  const l = LAYERS.find((x) => x.files.test(file));
  if (!l) throw new Error(`${file} is in no layer: add it to LAYERS in test/unit/architecture.test.ts`);
  return l.name;
}

/** The top-level folder of src/ a file is in ("" for the files at the top). */
const areaOf = (f: string) => (f.includes("/") ? f.slice(0, f.indexOf("/")) : "");
const commandOf = (f: string) => /^commands\/([^/]+)\//.exec(f)?.[1];

/** Why an edge breaks the rule, or null when it is allowed. */
function problem(e: Edge): string | null {
  const [a, b] = [layerOf(e.from), layerOf(e.to)];
  if (commandOf(e.from) && commandOf(e.to) && commandOf(e.from) !== commandOf(e.to)) return "one command's folder imports another's";
  if (areaOf(e.from) === areaOf(e.to) && areaOf(e.from) !== "" && !commandOf(e.from)) return null;
  if (commandOf(e.from) && commandOf(e.from) === commandOf(e.to)) return null;
  const [ra, rb] = [RANK.indexOf(a), RANK.indexOf(b)];
  if (rb > ra) return null;
  if (rb < ra) return `${a} imports ${b} (upward)`;
  if (a === "vocabulary") return null; // vocabulary files may use each other
  if (SIDEWAYS.some(([x, y]) => x.test(e.from) && y.test(e.to))) return null;
  return `${a} imports ${a} sideways (not a direction in SIDEWAYS)`;
}

/** What the tree still does wrong; each step of issue 14 removes the lines it fixes (see docs/architecture.md). */
const KNOWN_VIOLATIONS: string[] = [
];
const KNOWN_CYCLES: string[] = [
];

const { files, edges } = importGraph(SRC);
const key = (e: Edge) => `${e.from} -> ${e.to}`;

describe("the import rule (design.md)", () => {
  it("puts every file of src/ in a layer", () => {
    for (const f of files) expect(() => layerOf(f), f).not.toThrow();
  });

  it("has no import that runs upward or sideways, except the known ones being removed", () => {
    const bad = [...new Set(edges.filter((e) => problem(e)).map((e) => `${key(e)}  [${problem(e)}]`))].sort();
    const unexpected = bad.filter((b) => !KNOWN_VIOLATIONS.includes(b.split("  [")[0]!));
    const fixed = KNOWN_VIOLATIONS.filter((k) => !bad.some((b) => b.startsWith(`${k}  [`)));
    expect(unexpected, "imports that break the layering").toEqual([]);
    expect(fixed, "fixed: delete these lines from KNOWN_VIOLATIONS").toEqual([]);
  });

  it("has no import cycle, except the known ones being removed", () => {
    const found = cycles(files, edges);
    expect(found.filter((c) => !KNOWN_CYCLES.includes(c)), "import cycles").toEqual([]);
    expect(KNOWN_CYCLES.filter((c) => !found.includes(c)), "fixed: delete these lines from KNOWN_CYCLES").toEqual([]);
  });
});
