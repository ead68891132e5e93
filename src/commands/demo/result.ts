import type { DoctorResult } from "../../diagnose/doctor.js";
import type { LabRejection } from "../../lab/server.js";

/** One demo scenario: what it sets up, what doctor should find, and what it found. */
export interface DemoScenario {
  title: string;
  /** The command a user would type for the same check. */
  command: string;
  expected: string | null;
  found: string | null;
  result: DoctorResult;
  /** What the lab saw: the From fields of the messages it kept, and every reply it refused with (with the From of a message refused after DATA). */
  lab: { delivered: string[]; refused: LabRejection[] };
}

/** The --json document of demo. */
export interface DemoResult {
  ok: boolean;
  scenarios: DemoScenario[];
  ms: number;
}
