// Child process of `deno task bench sync`: runs one sync of one instance
// through the `servicenow.sync` task (in-process queue, PostgreSQL server) in a
// fresh process, samples its RSS, and prints one JSON line with the figures.
import { connectDatabase } from "../../shared/db/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import { configureInstanceRuntime, syncTask } from "../../shared/instances/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import { createInProcessTaskClient } from "../../shared/tasks/mod.ts";

const spec = JSON.parse(Deno.args[0] ?? "{}") as {
  databaseUrl: string;
  orgId: string;
  instanceId: string;
  mode: "full" | "incremental";
  keys: string;
  page: string;
};
let peak = Deno.memoryUsage().rss;
const timer = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 50);
const db = connectDatabase(spec.databaseUrl, { max: 3 });
await configureInstanceRuntime({
  config: loadConfig({
    CREDENTIALS_KEYS: spec.keys,
    ALLOW_PRIVATE_INSTANCE_URLS: "true",
    // The raw-fetch baseline reads every record: no log/audit windows here.
    SYNC_LOG_WINDOW_DAYS: "0",
    SYNC_AUDIT_WINDOW_DAYS: "0",
    SYNC_PAGE_SIZE: spec.page,
  }),
  client: { requestsPerSecond: 10_000 },
});
const tasks = createInProcessTaskClient({
  db,
  log: createLogger({ level: "silent" }),
  timeBudgetMs: 25_000,
});
const startRss = Deno.memoryUsage().rss;
const started = performance.now();
const job = await tasks.enqueue(
  syncTask,
  { instanceId: spec.instanceId, mode: spec.mode, trigger: "manual" },
  { orgId: spec.orgId, subject: spec.instanceId },
);
await tasks.drain({ maxDeliveries: 100_000 });
const seconds = (performance.now() - started) / 1000;
clearInterval(timer);
peak = Math.max(peak, Deno.memoryUsage().rss);
const [run] = await db.sql<
  { status: string; records_fetched: string; records_upserted: string; error: string | null }[]
>`select status, records_fetched, records_upserted, error from public.sync_runs where job_id = ${job.id}`;
await db.close();
// deno-lint-ignore no-console
console.log(JSON.stringify({
  status: run?.status ?? "missing",
  error: run?.error ?? null,
  seconds,
  fetched: Number(run?.records_fetched ?? 0),
  upserted: Number(run?.records_upserted ?? 0),
  startRss,
  peakRss: peak,
}));
