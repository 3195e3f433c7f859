/**
 * Causes of the alert events added after the first four: a framework's
 * readiness falling under a threshold after a run, an instance that could not
 * be reached by a sync, and suppressions about to expire. Each has a cause key
 * that names the thing that happened once (one alert per cause).
 *
 * @module
 */
import type { Tx } from "../db/mod.ts";
import type { AlertCause, JobEnded } from "./dispatch.ts";

type Link = (path: string) => string | null;

/** The job error code a sync gets when the instance could not be reached (shared/servicenow/sync). */
const UNREACHABLE_CODE = "instance_unreachable";

/** Causes of a job's end for the events of this module. */
export async function moreCausesOfJob(tx: Tx, job: JobEnded, link: Link): Promise<AlertCause[]> {
  if (job.status === "failed" && job.kind === "servicenow.sync") {
    return await unreachableCauses(tx, job, link);
  }
  if (job.status === "succeeded" && job.kind === "analysis.run") {
    return await readinessCauses(tx, job, link);
  }
  return [];
}

/**
 * One cause per outage: the key names the instance and its last successful
 * sync, so repeated failures while it stays down alert once.
 */
async function unreachableCauses(tx: Tx, job: JobEnded, link: Link): Promise<AlertCause[]> {
  const [row] = await tx<{ id: string; name: string; error: string | null; last_ok: string }[]>`
    select i.id, i.name, j.error,
           coalesce((select r.id::text from public.sync_runs r
                     where r.instance_id = i.id and r.status = 'succeeded'
                     order by r.started_at desc limit 1), 'never') as last_ok
    from public.jobs j
    join public.instances i on i.id = (j.payload ->> 'instanceId')::uuid
    where j.id = ${job.jobId} and j.org_id = ${job.orgId} and j.error_code = ${UNREACHABLE_CODE}`;
  if (!row) return [];
  return [{
    event: "instance.unreachable",
    cause_key: `unreachable:${row.id}:${row.last_ok}`,
    fires: () => true,
    message: () => ({
      title: `${row.name} cannot be reached`,
      body: `A sync of ${row.name} could not connect to the instance: ${
        row.error ?? "no error recorded"
      }`,
      link: link("/app/instances"),
      details: { job_id: job.jobId, instance_id: row.id },
    }),
  }];
}

interface FrameworkReadiness {
  run_id: string;
  instance_name: string;
  framework: string;
  score: number;
  previous: number | null;
}

/** A framework that fell under a rule's threshold in this run (it was at or above it before, or unscored). */
async function readinessCauses(tx: Tx, job: JobEnded, link: Link): Promise<AlertCause[]> {
  const rows = await tx<FrameworkReadiness[]>`
    select r.id as run_id, i.name as instance_name, f.key as framework,
           (f.value ->> 'score')::numeric::float8 as score,
           (p.scores -> 'frameworks' -> f.key ->> 'score')::numeric::float8 as previous
    from public.analysis_runs r
    join public.instances i on i.id = r.instance_id
    left join public.analysis_runs p on p.id = r.previous_run_id
    cross join lateral jsonb_each(coalesce(r.scores -> 'frameworks', '{}'::jsonb)) f
    where r.job_id = ${job.jobId} and r.org_id = ${job.orgId}
      and jsonb_typeof(f.value -> 'score') = 'number'
    order by f.key`;
  return rows.map((fw) => ({
    event: "framework.readiness_below" as const,
    cause_key: `readiness:${fw.run_id}:${fw.framework}`,
    fires: (rule) =>
      (rule.framework === null || rule.framework === fw.framework) &&
      fw.score < rule.threshold && (fw.previous === null || fw.previous >= rule.threshold),
    message: (rule) => ({
      title: `${fw.framework} readiness on ${fw.instance_name} fell below ${rule.threshold}`,
      body: `The ${fw.framework} readiness of ${fw.instance_name} is ${round(fw.score)}${
        fw.previous === null ? "" : ` (it was ${round(fw.previous)})`
      }, under the rule's threshold of ${rule.threshold}.`,
      link: link("/app/analysis"),
      details: { run_id: fw.run_id, framework: fw.framework, score: fw.score },
    }),
  }));
}

const round = (n: number) => Math.round(n * 10) / 10;

/** A suppression in force that ends within the longest window of the organization's rules. */
interface ExpiringSuppression {
  id: string;
  check_id: string;
  scope: string;
  instance_name: string | null;
  expires_at: Date;
  days_left: number;
}

/**
 * Causes for suppressions (mutes and risk acceptances) that expire within a
 * rule's `days`: one per suppression and expiry date, so an extended one is
 * announced again before its new date.
 */
export async function expiringSuppressionCauses(
  tx: Tx,
  orgId: string,
  link: Link,
): Promise<AlertCause[]> {
  const rows = await tx<ExpiringSuppression[]>`
    select s.id, s.check_id, s.scope, i.name as instance_name, s.expires_at,
           ceil(extract(epoch from s.expires_at - now()) / 86400)::int as days_left
    from public.analysis_suppressions s
    left join public.instances i on i.id = s.instance_id
    where s.org_id = ${orgId} and s.revoked_at is null
      and s.expires_at > now() and s.expires_at <= now() + interval '90 days'
    order by s.expires_at, s.id`;
  return rows.map((s) => {
    const what = s.scope === "check_org"
      ? `check ${s.check_id} across the organization`
      : `check ${s.check_id} on ${s.instance_name ?? "an instance"}`;
    const day = s.expires_at.toISOString().slice(0, 10);
    return {
      event: "suppression.expiring" as const,
      cause_key: `expiring:${s.id}:${day}`,
      fires: (rule) => s.days_left <= rule.days,
      message: () => ({
        title: `A suppression of ${s.check_id} expires on ${day}`,
        body: `The suppression (risk acceptance) of ${what} expires on ${day}, in ${s.days_left} ${
          s.days_left === 1 ? "day" : "days"
        }; its findings count again after that. Renew or let it lapse.`,
        link: link("/app/analysis"),
        details: { suppression_id: s.id, check_id: s.check_id, expires_at: s.expires_at },
      }),
    };
  });
}
