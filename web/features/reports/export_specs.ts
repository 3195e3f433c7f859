/**
 * Report specs for the Export actions: the findings list as filtered, and a
 * framework's attestation, for the run shown on the Analysis page.
 *
 * @module
 */
import type { FindingFilters } from "../analysis/analysis_api.ts";
import type { ReportSpec } from "./reports_api.ts";

/** The run an export covers. */
export interface ExportTarget {
  orgId: string;
  instanceId: string;
  runId: string;
}

type Filters = NonNullable<ReportSpec["scope"]["filters"]>;

/**
 * The findings list as filtered, as a report of its findings. The list's sort
 * order does not carry over: reports list findings by severity.
 */
export function findingsSpec(target: ExportTarget, f: FindingFilters): ReportSpec {
  const filters: Filters = {};
  if (f.severity.length) filters.severity = [...f.severity];
  if (f.area.length) filters.area = [...f.area];
  const status = f.status.filter((s): s is NonNullable<Filters["status"]>[number] =>
    s === "FAIL" || s === "PASS" || s === "NOT_EVALUATED"
  );
  if (status.length) filters.status = status;
  if (f.delta.length) filters.delta = [...f.delta];
  if (f.check_id) filters.check_id = [f.check_id];
  if (f.triage.length) filters.triage = [...f.triage];
  if (f.muted) filters.muted = f.muted;
  if (f.q.trim()) filters.q = f.q.trim();
  return {
    title: "Findings",
    scope: {
      org_id: target.orgId,
      instance_id: target.instanceId,
      run_id: target.runId,
      ...(f.framework ? { framework: f.framework } : {}),
      filters,
    },
    sections: ["findings"],
  };
}

/** A framework's attestation for the run: summary, requirement by requirement, its findings. */
export function frameworkSpec(
  target: ExportTarget,
  framework: { id: string; name: string },
): ReportSpec {
  return {
    title: `${framework.name} attestation`.slice(0, 120),
    scope: {
      org_id: target.orgId,
      instance_id: target.instanceId,
      run_id: target.runId,
      framework: framework.id,
      filters: {},
    },
    sections: ["summary", "attestation", "findings"],
  };
}
