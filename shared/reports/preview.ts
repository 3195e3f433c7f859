/**
 * The first page of a report's PDF, as data: the cover's lines exactly as
 * `render/pdf.ts` prints them (both call {@linkcode coverFacts}), and the
 * sections its table of contents lists. The Reports page shows it as a live
 * preview while a report is being built, without rendering a whole PDF.
 *
 * @module
 */

import { z } from "zod";
import type { Database, TenantClaims } from "../db/mod.ts";
import { buildReport } from "./content.ts";
import { type ReportContent, type ReportSpec, SECTION_TITLES } from "./model.ts";

/** One labelled line of the cover. */
export interface CoverFact {
  label: string;
  value: string;
}

/** Dates as the PDF prints them: minutes, UTC. */
export function formatReportDate(d: Date | null): string {
  return d ? `${new Date(d).toISOString().slice(0, 16).replace("T", " ")} UTC` : "—";
}

/** The report's findings filters in words, as the cover states them. */
export function describeFilters(content: ReportContent): string {
  const parts = Object.entries(content.meta.scope.filters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`);
  return parts.length ? parts.join("; ") : "None (every finding of the run)";
}

/** The labelled lines of the cover, in print order. */
export function coverFacts(content: ReportContent): CoverFact[] {
  const { meta } = content;
  return [
    { label: "Instance", value: `${meta.instance.name} (${meta.instance.url})` },
    {
      label: "Framework",
      value: meta.framework ? `${meta.framework.name} ${meta.framework.version}` : "All frameworks",
    },
    {
      label: "Analysis run",
      value: `${meta.run.id}, evaluated ${formatReportDate(meta.run.evaluated_at)}`,
    },
    { label: "Catalog version", value: meta.catalog_version },
    {
      label: "Generated",
      value: `${formatReportDate(meta.generated_at)} by ${meta.generated_by.email || "—"}`,
    },
    { label: "Filters", value: describeFilters(content) },
  ];
}

/** The first page of a report, and what the contents page lists. */
export const reportPreviewSchema = z.object({
  organization: z.string(),
  title: z.string(),
  facts: z.array(z.object({ label: z.string(), value: z.string() }).strict()),
  /** The overall score the cover shows; absent when the executive summary is not chosen. */
  overall_score: z.number().nullable().optional(),
  sections: z.array(z.object({ id: z.string(), title: z.string() }).strict()),
  /** Failing findings of the run (before filters) when the findings section is chosen. */
  expected_findings: z.number().int(),
}).strict();
/** The first page of a report. */
export type ReportPreview = z.output<typeof reportPreviewSchema>;

/**
 * Builds a report's first page from the same content model the PDF renders
 * (members of the organization; the findings themselves are not read).
 *
 * @throws {HttpError} as {@linkcode buildReport}: 404 unknown scope, 409 no succeeded run
 */
export async function previewReport(
  db: Database,
  claims: TenantClaims,
  spec: ReportSpec,
): Promise<ReportPreview> {
  // Only what the cover prints: the executive summary carries the overall score,
  // the findings section the count (its findings are read lazily, so never here).
  const cover = spec.sections.filter((s) => s === "summary" || s === "findings");
  const content = await buildReport(db, claims, { ...spec, sections: cover });
  content.meta.sections = spec.sections;
  return {
    organization: content.meta.organization.name,
    title: content.meta.title,
    facts: coverFacts(content),
    ...(content.summary ? { overall_score: content.summary.scores.overall.score } : {}),
    sections: spec.sections.map((id) => ({ id, title: SECTION_TITLES[id] })),
    expected_findings: content.expected_findings,
  };
}
