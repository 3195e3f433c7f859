// An instance with one succeeded analysis run for the API benchmark: `count`
// findings over 40 checks of every severity, a ninth of them triaged and a few
// muted (one finding-scoped suppression each, one check-wide).
import type { Database } from "../../shared/db/mod.ts";

/**
 * Inserts the instance, run, check results, findings, results, triage and
 * suppressions (as the login role: the bench builds its own database).
 *
 * @returns the instance's id
 */
export async function seedFindings(db: Database, orgId: string, count: number): Promise<string> {
  return await db.sql.begin(async (tx) => {
    const [instance] = await tx<{ id: string }[]>`
      insert into public.instances (org_id, name, url, auth_type, credentials, status)
      values (${orgId}, 'Bench instance', 'https://bench.service-now.com', 'basic', '{}', 'healthy')
      returning id`;
    const [run] = await tx<{ id: string }[]>`
      insert into public.analysis_runs (org_id, instance_id, status, catalog_version, finished_at)
      values (${orgId}, ${instance!.id}, 'succeeded', 'bench', now()) returning id`;
    await tx`
      insert into public.analysis_check_results (org_id, run_id, check_id, status, failed, title,
                                                 area, family, severity, severity_rank, frameworks)
      select ${orgId}, ${run!.id}, 'bench_' || c, 'FAIL', 1, 'Bench check ' || c, 'identity',
             'hardening', (array['critical', 'high', 'medium', 'low', 'informational'])[1 + c % 5],
             c % 5, array['sox_itgc']
      from generate_series(1, 40) c`;
    await tx`
      insert into public.analysis_findings (id, org_id, instance_id, check_id, resource_key,
                                            table_name, sys_id, evidence, first_seen_run_id,
                                            last_seen_run_id, last_evaluated_run_id)
      select gen_random_uuid(), ${orgId}, ${instance!.id}, 'bench_' || (1 + n % 40),
             'sys_user:' || md5(n::text), 'sys_user', md5(n::text), jsonb_build_object('n', n),
             ${run!.id}, ${run!.id}, ${run!.id}
      from generate_series(1, ${count}) n`;
    await tx`
      insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta)
      select org_id, ${run!.id}, id, check_id, 'FAIL', 'new' from public.analysis_findings
      where instance_id = ${instance!.id}`;
    await tx`
      insert into public.analysis_finding_triage (finding_id, org_id, state)
      select id, org_id, 'under_review' from public.analysis_findings
      where instance_id = ${instance!.id} and (evidence ->> 'n')::int % 9 = 0`;
    await tx`
      insert into public.analysis_suppressions (org_id, scope, check_id, instance_id, finding_id, reason)
      select org_id, 'finding', check_id, instance_id, id, 'Bench exception'
      from public.analysis_findings
      where instance_id = ${instance!.id} and (evidence ->> 'n')::int % 25 = 0`;
    await tx`
      insert into public.analysis_suppressions (org_id, scope, check_id, reason)
      values (${orgId}, 'check_org', 'bench_7', 'Bench exception')`;
    await tx`analyze`;
    return instance!.id;
  });
}
