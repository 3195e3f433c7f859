/**
 * Alerts: when a run, a sync or a scheduled report ends, the organization's
 * enabled rules are evaluated against what happened, and each rule that fires
 * sends one alert per cause (the run or job id) to its channels and in-app
 * recipients — never twice for one cause, at most once per throttle window.
 * Every attempt lands in the delivery log with the receiver's response code.
 *
 * @module
 */
import type { Database, Tx } from "../db/mod.ts";
import type { AlertMessage, ChannelSet, ChannelTarget } from "./channels.ts";
import { expiringSuppressionCauses, moreCausesOfJob } from "./causes.ts";
import { DAILY_KIND } from "./daily_task.ts";
import { emailMembers, sendDigests } from "./member_email.ts";
import type { Mailer } from "../mail/mod.ts";
import type { Rule } from "./schemas.ts";
import type { Attempt } from "./retry.ts";

/** A job that reached its end, as the task runner reports it. */
export interface JobEnded {
  orgId: string;
  jobId: string;
  kind: string;
  status: "succeeded" | "failed" | "cancelled" | "rejected";
}

/** What the dispatcher needs. */
export interface DispatchDeps {
  db: Database;
  channels: ChannelSet;
  /** Base of links in alerts (PUBLIC_URL); links are left out without it. */
  publicUrl: string | null;
  /** Called after the first attempt on each channel (retries and channel health, retry.ts). */
  afterAttempt?: (attempt: Attempt) => Promise<void>;
  /** Members' own emails and digests (their preferences); none without it. */
  mailer?: Mailer | null;
}

/** One reason to alert: the rule event it matches, its cause and the message. */
export interface AlertCause {
  event: Rule["event"];
  cause_key: string;
  /** Whether `rule` fires for this cause (thresholds). */
  fires(rule: Rule): boolean;
  message(rule: Rule): Omit<AlertMessage, "org_id" | "cause_key" | "event">;
}

const WATCHED_FAILURES = new Set(["analysis.run", "servicenow.sync"]);

/** What one job's end means for alerting: zero or more causes. */
export async function causesOfJob(
  tx: Tx,
  job: JobEnded,
  base: string | null,
): Promise<AlertCause[]> {
  const link = (path: string) => (base ? `${base.replace(/\/$/, "")}${path}` : null);
  if (job.status === "failed" && WATCHED_FAILURES.has(job.kind)) {
    const [row] = await tx<{ error: string | null }[]>`
      select error from public.jobs where id = ${job.jobId}`;
    const what = job.kind === "analysis.run" ? "An analysis run" : "A sync";
    return [...await moreCausesOfJob(tx, job, link), {
      event: "job.failed",
      cause_key: `job:${job.jobId}`,
      fires: () => true,
      message: () => ({
        title: `${what} failed`,
        body: `${what} failed: ${row?.error ?? "no error recorded"}`,
        link: link(job.kind === "analysis.run" ? "/app/analysis" : "/app/instances"),
        details: { job_id: job.jobId, kind: job.kind },
      }),
    }];
  }
  if (job.status === "succeeded" && job.kind === "reports.scheduled") {
    return [{
      event: "report.ready",
      cause_key: `job:${job.jobId}`,
      fires: () => true,
      message: () => ({
        title: "A scheduled report is ready",
        body: "A scheduled report was generated and can be downloaded.",
        link: link("/app/reports"),
        details: { job_id: job.jobId },
      }),
    }];
  }
  const more = await moreCausesOfJob(tx, job, link);
  if (job.status === "succeeded" && job.kind === DAILY_KIND) {
    return await expiringSuppressionCauses(tx, job.orgId, link);
  }
  if (job.status === "succeeded" && job.kind === "analysis.run") {
    return [...await causesOfRun(tx, job, link), ...more];
  }
  return more;
}

async function causesOfRun(
  tx: Tx,
  job: JobEnded,
  link: (path: string) => string | null,
): Promise<AlertCause[]> {
  const [run] = await tx<{
    id: string;
    instance_name: string;
    score: number | null;
    previous_score: number | null;
    critical: number;
    high: number;
  }[]>`
    select r.id, i.name as instance_name,
           (r.scores -> 'overall' ->> 'score')::numeric::float8 as score,
           (p.scores -> 'overall' ->> 'score')::numeric::float8 as previous_score,
           coalesce((select sum(c.new_results + c.reopened_results) filter (where c.severity = 'critical')
                     from public.analysis_run_summaries s, unnest(s.checks) c
                     where s.run_id = r.id), 0)::int as critical,
           coalesce((select sum(c.new_results + c.reopened_results) filter (where c.severity = 'high')
                     from public.analysis_run_summaries s, unnest(s.checks) c
                     where s.run_id = r.id), 0)::int as high
    from public.analysis_runs r
    join public.instances i on i.id = r.instance_id
    left join public.analysis_runs p on p.id = r.previous_run_id
    where r.job_id = ${job.jobId} and r.org_id = ${job.orgId}`;
  if (!run) return [];
  const cause_key = `run:${run.id}`;
  const runLink = link("/app/analysis");
  const counted = (rule: Rule) =>
    rule.min_severity === "critical" ? run.critical : run.critical + run.high;
  const drop = run.score !== null && run.previous_score !== null
    ? run.previous_score - run.score
    : 0;
  return [
    {
      event: "findings.new",
      cause_key,
      fires: (rule) => counted(rule) > 0,
      message: (rule) => ({
        title: `${counted(rule)} new ${
          rule.min_severity === "critical" ? "critical" : "critical or high"
        } findings on ${run.instance_name}`,
        body:
          `The latest analysis of ${run.instance_name} found ${run.critical} new critical and ${run.high} new high-severity results.`,
        link: runLink,
        details: { run_id: run.id, critical: run.critical, high: run.high },
      }),
    },
    {
      event: "score.drop",
      cause_key,
      fires: (rule) => drop >= rule.threshold,
      message: () => ({
        title: `The score of ${run.instance_name} fell by ${round(drop)} points`,
        body: `The overall score of ${run.instance_name} went from ${
          round(run.previous_score ?? 0)
        } to ${round(run.score ?? 0)}.`,
        link: runLink,
        details: { run_id: run.id, from: run.previous_score, to: run.score },
      }),
    },
  ];
}

const round = (n: number) => Math.round(n * 10) / 10;

/** What one dispatch did, for logs and tests. */
export interface DispatchOutcome {
  sent: number;
  failed: number;
  throttled: number;
  duplicates: number;
}

/**
 * Evaluates the organization's rules for a job that ended and delivers the
 * alerts. Runs as the engine for the job's organization.
 */
export async function dispatchJobEnded(
  deps: DispatchDeps,
  job: JobEnded,
): Promise<DispatchOutcome> {
  const outcome: DispatchOutcome = { sent: 0, failed: 0, throttled: 0, duplicates: 0 };
  if (job.status === "succeeded" && job.kind === DAILY_KIND) {
    outcome.sent += await sendDigests(memberMail(deps), job.orgId);
  }
  const causes = await deps.db.asEngine(job.orgId, (tx) => causesOfJob(tx, job, deps.publicUrl));
  await deliverCauses(deps, job.orgId, causes, outcome);
  return outcome;
}

/**
 * Evaluates the organization's enabled rules against `causes` and delivers
 * what fires, each rule and cause once (dedup and throttling in deliverAlert).
 */
export async function deliverCauses(
  deps: DispatchDeps,
  orgId: string,
  causes: readonly AlertCause[],
  outcome: DispatchOutcome,
): Promise<void> {
  if (causes.length === 0) return;
  const rules = await deps.db.asEngine(orgId, (tx) =>
    tx<Rule[]>`
      select id, org_id, name, event, min_severity, threshold, framework, days, actions,
             channel_ids, in_app_role, throttle_minutes, enabled, created_at::text
      from public.notification_rules
      where org_id = ${orgId} and enabled and event = any (${causes.map((c) => c.event)})
      order by created_at, id`);
  for (const rule of rules) {
    for (const cause of causes.filter((c) => c.event === rule.event && c.fires(rule))) {
      const message = {
        ...cause.message(rule),
        event: rule.event,
        org_id: orgId,
        cause_key: cause.cause_key,
      };
      await deliverAlert(deps, rule, message, outcome);
    }
  }
}

/**
 * Sends one rule's alert for one cause to its in-app recipients and channels,
 * unless it went out already (dedup) or the rule alerted within its throttle window.
 */
export async function deliverAlert(
  deps: DispatchDeps,
  rule: Rule,
  message: AlertMessage,
  outcome: DispatchOutcome,
): Promise<void> {
  const orgId = message.org_id;
  const gate = await deps.db.asEngine(orgId, async (tx) => {
    const [seen] = await tx<{ n: number }[]>`
      select count(*)::int as n from public.notification_deliveries
      where rule_id = ${rule.id} and cause_key = ${message.cause_key} and channel_kind = 'in_app'`;
    if (seen!.n > 0) return "duplicate";
    if (rule.throttle_minutes > 0) {
      const [recent] = await tx<{ n: number }[]>`
        select count(*)::int as n from public.notification_deliveries
        where rule_id = ${rule.id} and status = 'sent'
          and created_at > now() - make_interval(mins => ${rule.throttle_minutes})`;
      if (recent!.n > 0) {
        await record(
          tx,
          orgId,
          rule.id,
          null,
          "in_app",
          message.cause_key,
          {
            status: null,
            error: `Throttled: this rule alerted in the last ${rule.throttle_minutes} minutes`,
          },
          null,
          "throttled",
        );
        return "throttled";
      }
    }
    return "send";
  });
  if (gate === "duplicate") {
    outcome.duplicates++;
    return;
  }
  if (gate === "throttled") {
    outcome.throttled++;
    return;
  }
  const targets = await deps.db.asEngine(orgId, (tx) =>
    tx<ChannelTarget[]>`
      select id, kind, url, emails, phones, secret, secret_sealed from public.notification_channels
      where org_id = ${orgId} and enabled and id = any (${rule.channel_ids}::uuid[])`);
  for (const target of targets) {
    const messageId = `msg_${crypto.randomUUID()}`;
    const result = await deps.channels[target.kind].send(target, message, messageId).catch((
      error,
    ) => ({
      ok: false,
      status: null,
      error: (error as Error).message,
    }));
    if (result.ok) outcome.sent++;
    else outcome.failed++;
    await deps.db.asEngine(
      orgId,
      (tx) =>
        record(
          tx,
          orgId,
          rule.id,
          target.id,
          target.kind,
          message.cause_key,
          result,
          target.kind === "webhook" ? messageId : null,
          result.ok ? "sent" : "failed",
        ),
    );
    await deps.afterAttempt?.({ target, ruleId: rule.id, message, messageId, attempt: 1, result });
  }
  await deps.db.asEngine(orgId, async (tx) => {
    if (rule.in_app_role) {
      const rows = await tx`
        insert into public.notifications (org_id, user_id, rule_id, cause_key, event, title, body, link)
        select ${orgId}, m.user_id, ${rule.id}, ${message.cause_key}, ${message.event},
               ${message.title.slice(0, 300)}, ${message.body.slice(0, 2000)}, ${message.link}
        from public.memberships m
        left join public.notification_preferences np
          on np.org_id = m.org_id and np.user_id = m.user_id
        where m.org_id = ${orgId} and m.role >= ${rule.in_app_role}::public.org_role
          and coalesce((np.events -> ${message.event} ->> 'in_app')::boolean, true)
        on conflict (user_id, rule_id, cause_key) do nothing
        returning id`;
      outcome.sent += rows.length;
    }
    // The in-app row of the log is also the rule's mark that this cause was handled.
    await record(
      tx,
      orgId,
      rule.id,
      null,
      "in_app",
      message.cause_key,
      {
        status: null,
        error: null,
      },
      null,
      "sent",
    );
  });
  const mailed = await emailMembers(memberMail(deps), rule, message);
  outcome.sent += mailed.sent;
  outcome.failed += mailed.failed;
}

const memberMail = (deps: DispatchDeps) => ({
  db: deps.db,
  mailer: deps.mailer ?? null,
  publicUrl: deps.publicUrl,
});

async function record(
  tx: Tx,
  orgId: string,
  ruleId: string,
  channelId: string | null,
  kind: string,
  causeKey: string,
  result: { status: number | null; error: string | null },
  messageId: string | null,
  status: "sent" | "failed" | "throttled",
): Promise<void> {
  await tx`
    insert into public.notification_deliveries
      (org_id, rule_id, channel_id, channel_kind, cause_key, status, response_code, error, message_id)
    values (${orgId}, ${ruleId}, ${channelId}, ${kind}, ${causeKey}, ${status}, ${result.status},
            ${result.error?.slice(0, 2000) ?? null}, ${messageId})
    on conflict do nothing`;
}
