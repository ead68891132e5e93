// doctor's --json document is diagnose's result as it stands: the checks, the diagnoses, what works (README documents it).
export type { DoctorResult } from "../../diagnose/doctor.js";
