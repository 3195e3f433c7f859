/**
 * The report content model: one description of a report (scope, sections,
 * who generated it when, against which catalog) that every format renders.
 * Findings are not held in memory: they arrive as an async iterable, page by
 * page, so a renderer that streams keeps memory flat in their number.
 *
 * @module
 */

import { z } from "zod";
import type {
  FindingListItem,
  RequirementResult,
  RunScores,
  RunSummary,
  ScoreExplanation,
  SuppressionView,
} from "../analysis/mod.ts";

/** The sections a report can contain, in the order they are rendered. */
export const REPORT_SECTIONS = [
  "summary",
  "attestation",
  "findings",
  "changes",
  "suppressions",
  "coverage",
] as const;
/** One section of a report. */
export type ReportSection = typeof REPORT_SECTIONS[number];

/** Titles of the sections, as documents show them. */
export const SECTION_TITLES: Record<ReportSection, string> = {
  summary: "Executive summary",
  attestation: "Framework attestation",
  findings: "Findings by severity",
  changes: "Changes since the previous run",
  suppressions: "Suppressions and accepted risks",
  coverage: "Sync coverage",
};

/** Output formats. */
export const REPORT_FORMATS = ["pdf", "xlsx", "csv", "json"] as const;
/** One output format. */
export type ReportFormat = typeof REPORT_FORMATS[number];

const list = <T extends z.ZodType>(item: T) => z.array(item).max(50).optional();

/** Filters of the findings section: the findings list's filters. */
export const reportFiltersSchema = z.object({
  severity: list(z.enum(["critical", "high", "medium", "low", "informational"])),
  area: list(z.string().regex(/^[a-z_]{1,40}$/)),
  status: list(z.enum(["FAIL", "PASS", "NOT_EVALUATED"])),
  delta: list(z.enum(["new", "unchanged", "resolved", "reopened"])),
  check_id: list(z.string().regex(/^[a-z0-9_]{1,100}$/)),
  triage: list(
    z.enum(["open", "under_review", "remediating", "risk_accepted", "false_positive"]),
  ),
  muted: z.enum(["true", "false"]).optional(),
  q: z.string().trim().min(1).max(100).optional(),
}).strict();
/** Filters of the findings section. */
export type ReportFilters = z.output<typeof reportFiltersSchema>;

/** What a report is about. */
export const reportScopeSchema = z.object({
  org_id: z.uuid(),
  instance_id: z.uuid(),
  /** A run of the instance; the latest succeeded run when absent. */
  run_id: z.uuid().optional(),
  /** Restricts findings to the framework's checks and attests that framework alone. */
  framework: z.string().regex(/^[a-z0-9_]{1,60}$/).optional(),
  filters: reportFiltersSchema.default({}),
}).strict();
/** What a report is about. */
export type ReportScope = z.output<typeof reportScopeSchema>;

/** A report's options: scope, sections and a title. */
export const reportSpecSchema = z.object({
  title: z.string().trim().min(1).max(120).default("Compliance report"),
  scope: reportScopeSchema,
  sections: z.array(z.enum(REPORT_SECTIONS)).min(1).max(REPORT_SECTIONS.length)
    .default([...REPORT_SECTIONS])
    .transform((s) => REPORT_SECTIONS.filter((x) => s.includes(x))),
}).strict();
/** A report's options. */
export type ReportSpec = z.output<typeof reportSpecSchema>;

/** Who, when and against what a report was generated. */
export interface ReportMeta {
  title: string;
  organization: { id: string; name: string };
  instance: { id: string; name: string; url: string };
  run: {
    id: string;
    trigger: string;
    status: string;
    evaluated_at: Date;
    finished_at: Date | null;
    previous_run_id: string | null;
  };
  framework: { id: string; name: string; version: string } | null;
  generated_at: Date;
  generated_by: { id: string; email: string };
  /** The catalog version the run was evaluated with. */
  catalog_version: string;
  /** The organization's audit chain head (and latest daily anchor) when the report was built. */
  audit_chain?: AuditChainHead | null;
  scope: ReportScope;
  sections: ReportSection[];
}

/** Where an organization's audit chain stood: its head and latest anchor (docs/audit.md). */
export interface AuditChainHead {
  head_seq: number;
  head_hash: string;
  anchor: { seq: number; hash: string; anchored_at: string } | null;
}

/** One point of the score trend: an earlier succeeded run. */
export interface TrendPoint {
  run_id: string;
  evaluated_at: Date;
  overall: number | null;
}

/** The executive summary. */
export interface SummarySection {
  scores: RunScores;
  summary: RunSummary;
  /** Oldest first, ending with this run. */
  trend: TrendPoint[];
}

/** One requirement as attested: verdict, checks, and an evidence summary. */
export interface AttestedRequirement extends RequirementResult {
  /** One line per failing check: how many resources fail, and the first of them. */
  evidence_summary: string[];
}

/** A framework as attested by the run. */
export interface AttestedFramework {
  id: string;
  name: string;
  version: string;
  score: number | null;
  requirements: AttestedRequirement[];
}

/** Changes since the previous run. */
export interface ChangesSection {
  previous_run_id: string | null;
  by_delta: Record<string, number>;
  explanation: ScoreExplanation | null;
}

/** One table's coverage by the last sync. */
export interface CoverageRow {
  table_name: string;
  /** read: synced; denied: the integration user could not read it; not_applicable: absent on the instance. */
  state: "read" | "denied" | "not_applicable";
  record_count: number;
  last_error: string | null;
  last_synced_at: Date | null;
}

/** A finding as a report lists it: the API's shape plus the check's remediation. */
export interface ReportFinding extends FindingListItem {
  remediation: string;
}

/** Everything a renderer needs. Sections not chosen are null. */
export interface ReportContent {
  meta: ReportMeta;
  summary: SummarySection | null;
  attestation: AttestedFramework[] | null;
  changes: ChangesSection | null;
  suppressions: SuppressionView[] | null;
  coverage: CoverageRow[] | null;
  /**
   * Failing findings of the run before the report's filters: an upper bound for
   * progress (0 when the findings section is not chosen).
   */
  expected_findings: number;
  /** The findings, page by page, in severity order; empty when the section is not chosen. */
  findings(): AsyncIterable<ReportFinding>;
}
