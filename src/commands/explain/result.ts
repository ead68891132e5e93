import type { Diagnosis } from "../../diagnose/diagnose.js";

/** The --json document: doctor's shape without stages. */
export interface ExplainResult {
  ok: boolean;
  recognised: boolean;
  /** The input is binary data, not text: there is no error message in it to read. */
  binary: boolean;
  input: string;
  target: { host: string | null; port: number | null; tls: null };
  provider: string | null;
  diagnoses: Diagnosis[];
  suggestion: null;
}
