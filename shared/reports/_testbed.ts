/**
 * Test support for reports: the analysis testbed with an organization and an
 * instance whose names are not ASCII, a simulated instance analysed twice
 * (for the trend and the changes), a suppression, and a finding whose resource
 * looks like a spreadsheet formula.
 *
 * @module
 */

import { type AnalysisTestbed, createAnalysisTestbed } from "../analysis/_testbed.ts";
import { createSuppression } from "../analysis/mod.ts";
import { type ReportSpec, reportSpecSchema } from "./model.ts";

/** The organization's name in report tests. */
export const ORG_NAME = "Zürich Prüfung AG — Ωmega Консалтинг";
/** The instance's name in report tests. */
export const INSTANCE_NAME = "acme-Ærø";
/** The resource key planted on one finding. */
export const FORMULA_RESOURCE = '=HYPERLINK("http://evil.example","click")';

/** A testbed with an analysed instance. */
export interface ReportTestbed {
  bed: AnalysisTestbed;
  instanceId: string;
  runId: string;
  previousRunId: string;
  /** A report spec over the instance, with overrides. */
  spec(
    overrides?: Partial<
      { title: string; sections: string[]; framework: string; filters: Record<string, unknown> }
    >,
  ): ReportSpec;
  close(): Promise<void>;
}

/** Creates the testbed of one test file. */
export async function createReportTestbed(): Promise<ReportTestbed> {
  const bed = await createAnalysisTestbed();
  const sql = bed.tdb.db.sql;
  await sql`update public.organizations set name = ${ORG_NAME} where id = ${bed.orgId}`;
  const instanceId = await bed.instance(INSTANCE_NAME);
  await bed.loadSimulated(instanceId, { users: 40, plant: true, now: new Date() });
  const previousRunId = await bed.run(instanceId);
  const runId = await bed.run(instanceId);
  const [finding] = await sql<{ finding_id: string; check_id: string }[]>`
    select finding_id, check_id from public.analysis_finding_results
    where run_id = ${runId} and status = 'FAIL' order by finding_id limit 2`;
  await sql`update public.analysis_findings set resource_key = ${FORMULA_RESOURCE}
            where id = ${finding!.finding_id}`;
  await createSuppression(bed.tdb.db, bed.claims, {
    scope: "finding",
    finding_id: finding!.finding_id,
    reason: "Accepted risk: legacy integration, replaced in Q3 — owner Zoë",
    owner_id: bed.owner.id,
    expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  } as never);
  return {
    bed,
    instanceId,
    runId,
    previousRunId,
    spec: (o = {}) =>
      reportSpecSchema.parse({
        title: o.title ?? "Quarterly compliance report",
        scope: {
          org_id: bed.orgId,
          instance_id: instanceId,
          framework: o.framework,
          filters: o.filters ?? {},
        },
        sections: o.sections,
      }),
    close: () => bed.close(),
  };
}
