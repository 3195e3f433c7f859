// Usage metering. Work that is recorded anyway (syncs, records synced, analysis
// runs, exports) is counted by triggers where it is recorded, once per
// operation. Per-request counts (API calls, embed views) never write to the
// database on the request: they go to a Redis counter per organization, day and
// metric (one INCR), and a flush raises usage_daily to the counter's running
// total — idempotent, so flushing twice or from two processes is harmless.
import { z } from "zod";
import type { Cache } from "../cache/mod.ts";
import type { Database, Tx } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";

/** Every metered quantity. */
export const USAGE_METRICS = [
  "instances",
  "members",
  "syncs",
  "records_synced",
  "analysis_runs",
  "exports",
  "embed_views",
  "api_calls",
] as const;
/** One metered quantity. */
export type UsageMetric = typeof USAGE_METRICS[number];

/** Metrics counted per request through Redis. */
export const HOT_METRICS = ["api_calls", "embed_views"] as const;
/** A metric counted per request. */
export type HotMetric = typeof HOT_METRICS[number];

// Counters outlive the flush interval by far; a day's total is final after midnight UTC.
const COUNTER_TTL_SECONDS = 3 * 24 * 3600;
const DIRTY_TTL_SECONDS = 3 * 24 * 3600;

/** Today's date in UTC, `YYYY-MM-DD`. */
export function utcDay(at: Date = new Date()): string {
  return at.toISOString().slice(0, 10);
}

const counterKey = (day: string, orgId: string, metric: HotMetric) =>
  `usage:v1:${day}:${orgId}:${metric}`;
const dirtyKey = (day: string) => `usage:v1:dirty:${day}`;

// Organizations with counters, per day, when there is no Redis (one process).
const localDirty = new Map<string, Set<string>>();

/**
 * Counts one request toward `metric` for the organization: one Redis INCR;
 * the first of the day also notes the organization for the periodic flush.
 * Never throws: metering must not fail a request.
 *
 * @param cache the shared cache
 * @param orgId the organization
 * @param metric api_calls or embed_views
 * @param log where a failure is reported
 */
export async function meter(
  cache: Cache,
  orgId: string,
  metric: HotMetric,
  log?: Logger,
): Promise<void> {
  const day = utcDay();
  try {
    const n = await cache.incr(counterKey(day, orgId, metric), {
      ttlSeconds: COUNTER_TTL_SECONDS,
    });
    if (n !== 1) return;
    if (cache.redis) {
      await cache.redis.sadd(dirtyKey(day), orgId);
      await cache.redis.expire(dirtyKey(day), DIRTY_TTL_SECONDS);
    } else {
      const set = localDirty.get(day) ?? new Set<string>();
      set.add(orgId);
      localDirty.set(day, set);
    }
  } catch (error) {
    log?.warn("usage metering failed", { error, orgId, metric });
  }
}

async function dirtyOrgs(cache: Cache, day: string): Promise<string[]> {
  if (cache.redis) return (await cache.redis.smembers(dirtyKey(day))) as string[];
  return [...(localDirty.get(day) ?? [])];
}

async function flushOrgDay(db: Database, cache: Cache, orgId: string, day: string) {
  const values = await Promise.all(
    HOT_METRICS.map(async (metric) => ({
      metric,
      value: Number(await cache.get<number>(counterKey(day, orgId, metric)) ?? 0),
    })),
  );
  const nonZero = values.filter((v) => v.value > 0);
  if (nonZero.length === 0) return;
  await db.asService(async (tx) => {
    for (const { metric, value } of nonZero) {
      await tx`select private.record_usage(${orgId}, ${metric}, ${value}, 'max', ${day}::date)`;
    }
  });
}

async function snapshotGauges(
  tx: Tx,
  orgIds: string[],
  unsnapshotted: boolean,
  day: string,
): Promise<void> {
  // Instances and members are levels, not events: the day's highest level, for
  // the organizations named and (periodically) those without today's figure yet,
  // so the periodic flush does not count every organization every minute.
  await tx`
    insert into public.usage_daily (org_id, day, metric, value)
    select o.id, ${day}::date, m.metric, private.plan_limit_usage(o.id, m.metric)
    from public.organizations o
    cross join (values ('instances'), ('members')) as m (metric)
    where o.id = any (${orgIds}::uuid[])
       or (${unsnapshotted} and not exists (
         select 1 from public.usage_daily u
         where u.org_id = o.id and u.day = ${day}::date and u.metric = 'instances'))
    on conflict (org_id, day, metric) do update set
      value = greatest(public.usage_daily.value, excluded.value), updated_at = now()`;
}

/**
 * Writes pending Redis counters of today and yesterday into usage_daily, and
 * today's instance and member levels. Run periodically (the tasks function's
 * housekeeping) and before usage is read.
 *
 * @param services database and cache
 * @param orgId only this organization (before reading its usage); all when absent
 * @returns how many organization-days were flushed
 */
export async function flushUsage(
  services: { db: Database; cache: Cache },
  orgId?: string,
): Promise<number> {
  const today = utcDay();
  const yesterday = utcDay(new Date(Date.now() - 24 * 3600 * 1000));
  let flushed = 0;
  const active = new Set<string>();
  for (const day of [yesterday, today]) {
    const orgs = orgId ? [orgId] : await dirtyOrgs(services.cache, day);
    for (const org of orgs) {
      await flushOrgDay(services.db, services.cache, org, day);
      active.add(org);
      flushed++;
    }
  }
  await services.db.asService((tx) => snapshotGauges(tx, [...active], !orgId, today));
  return flushed;
}

/** One metric's daily values. */
export const usageSeriesSchema = z.object({
  metric: z.enum(USAGE_METRICS),
  total: z.number(),
  days: z.array(z.object({ day: z.string(), value: z.number() })),
});

/**
 * Daily usage of the last `days` days (UTC), every metric, oldest day first,
 * zero-filled. RLS: members only.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param days how many days, today included
 */
export async function readUsageHistory(
  tx: Tx,
  orgId: string,
  days: number,
): Promise<z.infer<typeof usageSeriesSchema>[]> {
  const rows = await tx<{ day: string; metric: UsageMetric; value: string }[]>`
    select to_char(day, 'YYYY-MM-DD') as day, metric, value::text as value
    from public.usage_daily
    where org_id = ${orgId} and day > (now() at time zone 'utc')::date - ${days}::int`;
  const dayList = Array.from(
    { length: days },
    (_, i) => utcDay(new Date(Date.now() - (days - 1 - i) * 24 * 3600 * 1000)),
  );
  return USAGE_METRICS.map((metric) => {
    const byDay = new Map(
      rows.filter((r) => r.metric === metric).map((r) => [r.day, Number(r.value)]),
    );
    const series = dayList.map((day) => ({ day, value: byDay.get(day) ?? 0 }));
    const levels = metric === "instances" || metric === "members";
    const total = levels
      ? (series.at(-1)?.value ?? 0)
      : series.reduce((sum, point) => sum + point.value, 0);
    return { metric, total, days: series };
  });
}
