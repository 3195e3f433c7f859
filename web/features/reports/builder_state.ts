/**
 * The report builder's form as plain data, and its conversion to and from the
 * API's report spec and saved report.
 *
 * @module
 */
import type { Definition, DefinitionInput, ExportFormat, ReportSpec } from "./reports_api.ts";

/** A section of a report. */
export type Section = NonNullable<ReportSpec["sections"]>[number];
/** A severity a report can be filtered to. */
export type Severity = NonNullable<NonNullable<ReportSpec["scope"]["filters"]>["severity"]>[number];
/** A finding status a report can be filtered to. */
export type FindingStatus = NonNullable<
  NonNullable<ReportSpec["scope"]["filters"]>["status"]
>[number];

/** The sections in the order documents print them, with their titles (as the PDF prints them). */
export const SECTIONS: ReadonlyArray<{ id: Section; title: string; hint: string }> = [
  { id: "summary", title: "Executive summary", hint: "Scores, open findings, trend" },
  {
    id: "attestation",
    title: "Framework attestation",
    hint: "Requirement → checks → verdict → evidence, manual ones included",
  },
  { id: "findings", title: "Findings by severity", hint: "With each check's remediation" },
  { id: "changes", title: "Changes since the previous run", hint: "New, resolved, reopened" },
  {
    id: "suppressions",
    title: "Suppressions and accepted risks",
    hint: "Owner, reason and expiry",
  },
  { id: "coverage", title: "Sync coverage", hint: "Tables read, denied, not present" },
];

/** The formats a report can be generated in. */
export const FORMATS: ReadonlyArray<{ id: ExportFormat; label: string; hint: string }> = [
  { id: "pdf", label: "PDF", hint: "A document for auditors" },
  { id: "xlsx", label: "Excel", hint: "Findings, evidence, requirements" },
  { id: "csv", label: "CSV", hint: "The findings, one row each" },
  { id: "json", label: "JSON", hint: "The API's shapes" },
  { id: "pack", label: "Evidence pack", hint: "PDF, workbook, evidence, signed" },
];

/** The builder's form. */
export interface Draft {
  /** The saved report being edited, or null for a new one. */
  id: string | null;
  name: string;
  title: string;
  instanceId: string;
  /** A run of the instance, or "" for its latest succeeded run. */
  runId: string;
  /** A framework id, or "" for every framework. */
  framework: string;
  severity: Severity[];
  /** One status, or "" for any. */
  status: FindingStatus | "";
  q: string;
  sections: Section[];
  format: ExportFormat;
}

/** A new report over `instanceId`: every section, as a PDF. */
export function newDraft(instanceId: string, framework = ""): Draft {
  return {
    id: null,
    name: "",
    title: "Compliance report",
    instanceId,
    runId: "",
    framework,
    severity: [],
    status: "",
    q: "",
    sections: SECTIONS.map((s) => s.id),
    format: "pdf",
  };
}

/** The report spec the API takes, for the organization `orgId`. */
export function specOf(draft: Draft, orgId: string): ReportSpec {
  const filters: NonNullable<ReportSpec["scope"]["filters"]> = {};
  if (draft.severity.length) filters.severity = [...draft.severity];
  if (draft.status) filters.status = [draft.status];
  if (draft.q.trim()) filters.q = draft.q.trim();
  return {
    title: draft.title.trim() || "Compliance report",
    scope: {
      org_id: orgId,
      instance_id: draft.instanceId,
      ...(draft.runId ? { run_id: draft.runId } : {}),
      ...(draft.framework ? { framework: draft.framework } : {}),
      filters,
    },
    sections: SECTIONS.map((s) => s.id).filter((id) => draft.sections.includes(id)),
  };
}

/** The form of a saved report. */
export function draftOf(definition: Definition): Draft {
  const { spec } = definition;
  const filters = spec.scope.filters ?? {};
  return {
    id: definition.id,
    name: definition.name,
    title: spec.title,
    instanceId: spec.scope.instance_id,
    runId: spec.scope.run_id ?? "",
    framework: spec.scope.framework ?? "",
    severity: [...(filters.severity ?? [])],
    status: filters.status?.length === 1 ? filters.status[0]! : "",
    q: filters.q ?? "",
    sections: [...spec.sections],
    format: definition.format,
  };
}

/** What saving the form sends (a new report; a change sends the same fields but `org_id`). */
export function definitionInput(draft: Draft, orgId: string): DefinitionInput {
  return {
    org_id: orgId,
    name: draft.name.trim(),
    spec: specOf(draft, orgId),
    format: draft.format,
  };
}

/** Why the form cannot be saved or generated yet, or null when it can. */
export function draftProblem(draft: Draft, forSaving: boolean): string | null {
  if (!draft.instanceId) return "Choose an instance.";
  if (draft.sections.length === 0) return "Choose at least one section.";
  if (forSaving && !draft.name.trim()) return "Give the report a name to save it.";
  return null;
}
