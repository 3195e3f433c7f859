/**
 * The control tests auditors run against ServiceNow (docs/servicenow/controls.md): access
 * (A), change (C), logging (L) and integrations (I). The simulator plants
 * violations of them and the analysis catalog evaluates them.
 *
 * @module
 */

/** Control test ids of docs/servicenow/controls.md. */
export const CONTROL_IDS = [
  "A1",
  "A2",
  "A3",
  "A4",
  "A5",
  "A6",
  "A7",
  "A8",
  "A9",
  "A10",
  "A11",
  "A12",
  "A13",
  "A14",
  "A15",
  "C1",
  "C2",
  "C3",
  "C4",
  "C5",
  "C6",
  "C7",
  "C8",
  "C9",
  "C10",
  "C11",
  "C12",
  "C13",
  "L1",
  "L2",
  "L3",
  "L4",
  "L5",
  "L6",
  "L7",
  "L8",
  "I1",
  "I2",
  "I3",
  "I4",
  "I5",
  "I6",
  "I7",
] as const;

/** One control test id of docs/servicenow/controls.md. */
export type ControlId = typeof CONTROL_IDS[number];
