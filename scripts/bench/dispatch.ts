// deno task bench dispatch [--orgs 100] [--instances 100] [--max-concurrent 40]
//                          [--max-per-org 4] [--spread 900] [--hours 24]
//                          [--pass-on-end true]
//
// A day of scheduled syncs for 10,000 instances, simulated: 100 organizations ×
// 100 instances on the PostgreSQL server, each with a schedule (most daily at
// 02:00 in their organization's time zone, some every 6 hours, a few hourly).
// A virtual clock advances ten seconds at a time; each minute, and whenever a
// sync has ended (as the tasks function does; `--pass-on-end false` leaves only
// the minute passes), the real dispatcher
// (`dispatchDueSyncs`, the same SQL as in production) runs against the real
// tables, and each sync it starts "runs" for a simulated duration (a
// log-normal per instance, some instances much slower) before its job is
// marked finished. Nothing is sent over the network: the task transport only
// records what would be published.
//
// Reported: syncs due and started, queue depth (due but waiting) and lag
// (start − due time) per hour, the most syncs running at once overall and per
// organization, the spread of lag across organizations (fairness), and the
// real time one dispatcher pass takes at this size. Baseline, from the same
// schedules: one QStash schedule per instance (the design the dispatcher
// replaced) starts every sync at its cron time — its peak of concurrent syncs
// is what the caps prevent.
import { parseArgs } from "node:util";
import { connectDatabase } from "../../shared/db/mod.ts";
import {
  dispatchDueSyncs,
  nextSyncAt,
  type SyncDispatchLimits,
} from "../../shared/instances/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import { createTaskClient, type TaskTransport } from "../../shared/tasks/mod.ts";
import { createTestAuth } from "../testing/mod.ts";
import { createTestDatabase } from "../testing/database.ts";
import { report } from "./_harness.ts";

const { values } = parseArgs({
  args: Deno.args.slice(1),
  options: {
    orgs: { type: "string", default: "100" },
    instances: { type: "string", default: "100" },
    "max-concurrent": { type: "string", default: "40" },
    "max-per-org": { type: "string", default: "4" },
    spread: { type: "string", default: "900" },
    hours: { type: "string", default: "24" },
    "pass-on-end": { type: "string", default: "true" },
  },
});
const ORGS = Number(values.orgs);
const PER_ORG = Number(values.instances);
const HOURS = Number(values.hours);
// As in production, a pass also runs when a sync ends (within TICK_MS of it).
const PASS_ON_END = values["pass-on-end"] !== "false";
const TICK_MS = PASS_ON_END ? 10_000 : 60_000;
const limits: SyncDispatchLimits = {
  maxConcurrent: Number(values["max-concurrent"]),
  maxPerOrg: Number(values["max-per-org"]),
  spreadSeconds: Number(values.spread),
};
const ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];
const DAY_START = new Date("2030-06-03T00:00:00Z");

Deno.env.set(
  "DATABASE_URL",
  Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres",
);
const tdb = await createTestDatabase();
const db = connectDatabase(tdb.url, { max: 4 });
const log = createLogger({ level: "silent" });

/** Deterministic random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
/** Simulated sync duration (ms): log-normal, median 45 s; 2% of instances are large (median 10 min). */
function duration(large: boolean): number {
  const normal = Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
  const median = large ? 600_000 : 45_000;
  return Math.min(Math.round(median * Math.exp(0.8 * normal)), 3_600_000);
}

interface Sim {
  id: string;
  orgId: string;
  cron: string;
  zone: string;
  large: boolean;
}

async function seed(): Promise<Sim[]> {
  const auth = await createTestAuth();
  const started = performance.now();
  const instances: Sim[] = [];
  for (let o = 0; o < ORGS; o++) {
    const owner = await auth.createUser(db, { orgName: `Dispatch Org ${o}` });
    const orgId = owner.orgId!;
    await db.sql`update public.organizations set plan = 'enterprise' where id = ${orgId}`;
    const zone = ZONES[o % ZONES.length]!;
    const rows = Array.from({ length: PER_ORG }, (_, i) => {
      const pick = random();
      const cron = pick < 0.85 ? "0 2 * * *" : pick < 0.95 ? "0 */6 * * *" : "0 * * * *";
      return { id: crypto.randomUUID(), orgId, cron, zone, large: random() < 0.02, i };
    });
    await db.sql`
      insert into public.instances (id, org_id, name, url, auth_type, credentials, sync_cron)
      select id::uuid, ${orgId}::uuid, 'Instance ' || n, 'https://o' || ${o} || 'i' || n || '.service-now.com',
             'basic', '{}', cron
      from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.i)}::int[],
                  ${
      rows.map((r) => (r.zone === "UTC" ? r.cron : `CRON_TZ=${r.zone} ${r.cron}`))
    }::text[])
        as t(id, n, cron)`;
    instances.push(...rows);
  }
  const ids = instances.map((i) => i.id);
  const next = instances.map((i) =>
    nextSyncAt(
      { cron: i.cron, timezone: i.zone },
      i.id,
      limits.spreadSeconds,
      new Date(DAY_START.getTime() - 1),
    )!
      .toISOString()
  );
  await db.sql`
    update public.instances i set next_sync_at = m.next::timestamptz
    from unnest(${ids}::uuid[], ${next}::text[]) as m(id, next) where i.id = m.id`;
  await db.sql`analyze public.instances`;
  report(
    `seeded ${ORGS} organizations × ${PER_ORG} instances in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
  return instances;
}

const instances = await seed();
const byId = new Map(instances.map((i) => [i.id, i]));

// What the dispatcher publishes, by job id; the transport answers like QStash would.
const published: string[] = [];
const transport: TaskTransport = {
  name: "simulation",
  publish(message) {
    if (message.body.type === "job") published.push(message.body.jobId);
    return Promise.resolve({ messageId: crypto.randomUUID(), deduplicated: false });
  },
  cancel: () => Promise.resolve(false),
  messageState: () => Promise.resolve("gone"),
  upsertSchedule: () => Promise.resolve(),
  getSchedule: () => Promise.resolve(null),
  removeSchedule: () => Promise.resolve(false),
};
const tasks = createTaskClient({ db, log, transport, defaultRetries: 3 });

interface Running {
  jobId: string;
  orgId: string;
  endsAt: number;
}
let running: Running[] = [];
interface Hour {
  due_max: number;
  started: number;
  waiting_max: number;
  lags: number[];
  active_max: number;
}
const hours: Hour[] = [];
const passMs: number[] = [];
const lagByOrg = new Map<string, number[]>();
let maxActive = 0;
let maxOrgActive = 0;
let skippedRunning = 0;
let dueAtEnd = 0;

const endMs = DAY_START.getTime() + HOURS * 3_600_000;
for (let now = DAY_START.getTime(); now <= endMs; now += TICK_MS) {
  // Syncs whose simulated time is up finish.
  const done = running.filter((r) => r.endsAt <= now).map((r) => r.jobId);
  if (done.length) {
    await db.sql`update public.jobs set status = 'succeeded', finished_at = ${new Date(now)}
                 where id = any(${done}::uuid[])`;
    running = running.filter((r) => r.endsAt > now);
  }
  // The minute schedule's pass, or the pass a sync's end triggers.
  if ((now - DAY_START.getTime()) % 60_000 !== 0 && done.length === 0) continue;
  published.length = 0;
  const t0 = performance.now();
  const pass = await dispatchDueSyncs({ db, log, tasks }, limits, new Date(now));
  passMs.push(performance.now() - t0);
  skippedRunning += pass.skipped_running;
  const hour = Math.floor((now - DAY_START.getTime()) / 3_600_000);
  const h = hours[hour] ??= { due_max: 0, started: 0, waiting_max: 0, lags: [], active_max: 0 };
  h.due_max = Math.max(h.due_max, pass.due);
  h.waiting_max = Math.max(h.waiting_max, pass.waiting);
  if (published.length) {
    const jobs = await db.sql<{ id: string; subject: string; dedup_key: string }[]>`
      update public.jobs set status = 'running' where id = any(${published}::uuid[])
      returning id, subject, dedup_key`;
    for (const job of jobs) {
      const instance = byId.get(job.subject)!;
      const due = Date.parse(job.dedup_key.split(":").slice(2).join(":"));
      const lag = (now - due) / 1000;
      h.lags.push(lag);
      (lagByOrg.get(instance.orgId) ?? lagByOrg.set(instance.orgId, []).get(instance.orgId)!)
        .push(lag);
      running.push({
        jobId: job.id,
        orgId: instance.orgId,
        endsAt: now + duration(instance.large),
      });
    }
    h.started += jobs.length;
  }
  h.active_max = Math.max(h.active_max, running.length);
  maxActive = Math.max(maxActive, running.length);
  const perOrg = new Map<string, number>();
  for (const r of running) perOrg.set(r.orgId, (perOrg.get(r.orgId) ?? 0) + 1);
  maxOrgActive = Math.max(maxOrgActive, ...perOrg.values(), 0);
  if (now === endMs) dueAtEnd = pass.waiting;
}

/** The baseline: every sync starts at its cron time (one QStash schedule each). */
function naivePeak(): { peak: number; peakStartsPerMinute: number } {
  const events: [number, number][] = [];
  const startsPerMinute = new Map<number, number>();
  const r = rng(7);
  for (const instance of instances) {
    const schedule = { cron: instance.cron, timezone: instance.zone };
    let t = new Date(DAY_START.getTime() - 1);
    for (;;) {
      const next = nextSyncAt(schedule, instance.id, 0, t)!;
      if (next.getTime() > endMs) break;
      const normal = Math.sqrt(-2 * Math.log(r() || 1e-9)) * Math.cos(2 * Math.PI * r());
      const d = (instance.large ? 600_000 : 45_000) * Math.exp(0.8 * normal);
      events.push([next.getTime(), 1], [next.getTime() + d, -1]);
      startsPerMinute.set(next.getTime(), (startsPerMinute.get(next.getTime()) ?? 0) + 1);
      t = next;
    }
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, current += delta);
  return { peak, peakStartsPerMinute: Math.max(...startsPerMinute.values()) };
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const allLags = hours.flatMap((h) => h.lags);
const [jobsRow] = await db.sql<{ started: number; finished: number }[]>`
  select count(*)::int as started,
         count(*) filter (where status = 'succeeded')::int as finished
  from public.jobs where kind = 'servicenow.sync'`;
const baseline = naivePeak();

report(
  `\nA simulated day of scheduled syncs: ${instances.length} instances, caps ${limits.maxConcurrent} overall / ${limits.maxPerOrg} per organization, spread ${limits.spreadSeconds} s`,
);
report(
  "hour (UTC) | due (max) | started | waiting (max) | lag p50 s | lag p95 s | lag max s | running (max)",
);
hours.forEach((h, i) => {
  if (!h.started && !h.due_max) return;
  report(
    `${String(i).padStart(2, "0")}:00      | ${String(h.due_max).padStart(9)} | ${
      String(h.started).padStart(7)
    } | ${String(h.waiting_max).padStart(13)} | ${pct(h.lags, 50).toFixed(0).padStart(9)} | ${
      pct(h.lags, 95).toFixed(0).padStart(9)
    } | ${pct(h.lags, 100).toFixed(0).padStart(9)} | ${String(h.active_max).padStart(13)}`,
  );
});
const orgP95 = [...lagByOrg.values()].map((l) => pct(l, 95));
report(
  `\nsyncs started ${jobsRow!.started}, finished ${
    jobsRow!.finished
  }, skipped (previous still running) ${skippedRunning}, still waiting at the end ${dueAtEnd}`,
);
report(
  `lag after the due time: p50 ${pct(allLags, 50).toFixed(0)} s, p95 ${
    pct(allLags, 95).toFixed(0)
  } s, max ${pct(allLags, 100).toFixed(0)} s`,
);
report(
  `fairness: per-organization p95 lag from ${pct(orgP95, 0).toFixed(0)} s to ${
    pct(orgP95, 100).toFixed(0)
  } s`,
);
report(
  `most syncs running at once: ${maxActive} (cap ${limits.maxConcurrent}); in one organization: ${maxOrgActive} (cap ${limits.maxPerOrg})`,
);
report(
  `one dispatcher pass: p50 ${pct(passMs, 50).toFixed(1)} ms, p95 ${
    pct(passMs, 95).toFixed(1)
  } ms, max ${pct(passMs, 100).toFixed(1)} ms (${passMs.length} passes)`,
);
report(
  `baseline, one QStash schedule per instance: ${baseline.peak} syncs running at once, ${baseline.peakStartsPerMinute} starting in one minute`,
);
const ratio = +(maxActive / baseline.peak).toFixed(3);
report(`ratio of peak concurrent syncs, dispatcher / baseline: ${ratio}`);
report(JSON.stringify({
  bench: "dispatch",
  instances: instances.length,
  organizations: ORGS,
  syncs_started: jobsRow!.started,
  syncs_finished: jobsRow!.finished,
  waiting_at_end: dueAtEnd,
  lag_p50_s: Math.round(pct(allLags, 50)),
  lag_p95_s: Math.round(pct(allLags, 95)),
  lag_max_s: Math.round(pct(allLags, 100)),
  max_running: maxActive,
  max_running_one_org: maxOrgActive,
  pass_p95_ms: +pct(passMs, 95).toFixed(1),
  baseline_peak_running: baseline.peak,
  ratio,
  pass_on_end: PASS_ON_END,
}));
await db.close();
await tdb.close();
