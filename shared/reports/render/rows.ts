/**
 * The tabular shape of a finding, shared by the CSV and Excel renderers so both
 * list the same columns in the same order.
 *
 * @module
 */

import type { ReportFinding } from "../model.ts";

/** A cell value: text, a number, a boolean, a date or empty. */
export type Cell = string | number | boolean | Date | null;

/** One column of the findings table. */
export interface FindingColumn {
  key: string;
  header: string;
  /** Width in characters, for the workbook. */
  width: number;
  value(f: ReportFinding): Cell;
}

/** The columns of the findings table, in order. */
export const FINDING_COLUMNS: readonly FindingColumn[] = [
  { key: "id", header: "Finding ID", width: 38, value: (f) => f.id },
  { key: "severity", header: "Severity", width: 13, value: (f) => f.severity },
  { key: "check_id", header: "Check", width: 36, value: (f) => f.check_id },
  { key: "check_title", header: "Check title", width: 48, value: (f) => f.check_title },
  { key: "area", header: "Area", width: 14, value: (f) => f.area },
  { key: "status", header: "Status", width: 15, value: (f) => f.status },
  { key: "delta", header: "Change", width: 11, value: (f) => f.delta },
  { key: "resource_key", header: "Resource", width: 36, value: (f) => f.resource_key },
  { key: "table_name", header: "Table", width: 22, value: (f) => f.table_name },
  { key: "sys_id", header: "sys_id", width: 34, value: (f) => f.sys_id },
  { key: "triage_state", header: "Triage", width: 15, value: (f) => f.triage_state },
  { key: "muted", header: "Muted", width: 8, value: (f) => f.muted },
  {
    key: "first_seen_at",
    header: "First seen",
    width: 20,
    value: (f) => new Date(f.first_seen_at),
  },
  { key: "last_seen_at", header: "Last seen", width: 20, value: (f) => new Date(f.last_seen_at) },
  { key: "reopened_count", header: "Reopened", width: 10, value: (f) => f.reopened_count },
  { key: "frameworks", header: "Frameworks", width: 30, value: (f) => f.frameworks.join(", ") },
  { key: "remediation", header: "Remediation", width: 60, value: (f) => f.remediation },
  {
    key: "evidence",
    header: "Evidence",
    width: 60,
    value: (f) => JSON.stringify(f.evidence ?? {}),
  },
];

/** A finding's evidence as field/value pairs, values as text. */
export function evidencePairs(f: ReportFinding): [string, string][] {
  return Object.entries(f.evidence ?? {}).map(([k, v]) => [
    k,
    v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v),
  ]);
}
