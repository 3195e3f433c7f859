// deno task bench tasks [--tasks 1000] [--concurrency 32] [--pool 20]
//
// End-to-end throughput of no-op tasks through the whole background-work path
// (task client → QStash stand-in → signed HTTP delivery → tasks endpoint →
// jobs table), and the p95 latency from calling enqueue() to the handler
// starting. Baseline, measured in the same run: the same enqueue() and the same
// runner (job claim, delivery record, finish), invoked directly without QStash.
// Runs on the PostgreSQL server (DATABASE_URL, default the local server).
import { createMemoryCache } from "../../shared/cache/mod.ts";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createTasksApp } from "../../functions/tasks/app.ts";
import { connectDatabase } from "../../shared/db/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import type { Services } from "../../shared/http/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import {
  createTaskClient,
  createTaskClientFromConfig,
  createTaskRegistry,
  defineTask,
  processMessage,
  type RunnerOptions,
  type TaskTransport,
} from "../../shared/tasks/mod.ts";
import { createQStashServer } from "../qstash_server/mod.ts";
import { createTestAuth } from "../testing/mod.ts";
import { createTestDatabase } from "../testing/database.ts";
import { report } from "./_harness.ts";

const { values } = parseArgs({
  args: Deno.args.slice(1),
  options: {
    tasks: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "32" },
    pool: { type: "string", default: "20" },
    warmup: { type: "string", default: "100" },
  },
});
const total = Number(values.tasks);
const concurrency = Number(values.concurrency);
const warmup = Number(values.warmup);

Deno.env.set(
  "DATABASE_URL",
  Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres",
);
const tdb = await createTestDatabase();
const db = connectDatabase(tdb.url, { max: Number(values.pool) });
const auth = await createTestAuth();
const owner = await auth.createUser(db, { orgName: "Bench Tasks Org" });
const orgId = owner.orgId!;
const log = createLogger({ level: "silent" });

// The handler notes when it started, against the enqueue time in its payload
// (same process, same monotonic clock).
let started: number[] = [];
const noopTask = defineTask({
  kind: "bench.noop",
  payload: z.object({ t0: z.number() }),
  handler(ctx, { t0 }) {
    started.push(performance.now() - t0);
    return Promise.resolve(ctx.done());
  },
});
const registry = createTaskRegistry([noopTask]);

// ------------------------------------------------------------ QStash path
const qstash = await createQStashServer({
  sql: db.sql,
  log,
  retryDelayScale: 0.001,
  pollMs: 50,
  concurrency,
});
let tasksApp: ReturnType<typeof createTasksApp> | null = null;
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
  const url = new URL(req.url);
  if (url.pathname.startsWith("/qstash/")) {
    url.pathname = url.pathname.slice("/qstash".length);
    return qstash.fetch(new Request(url, req));
  }
  url.pathname = url.pathname.replace(/^\/functions\/v1/, "");
  return tasksApp!.fetch(new Request(url, req));
});
const base = `http://127.0.0.1:${server.addr.port}`;
const config = loadConfig({
  PUBLIC_URL: base,
  QSTASH_URL: `${base}/qstash`,
  QSTASH_TOKEN: qstash.token,
  QSTASH_CURRENT_SIGNING_KEY: qstash.currentSigningKey,
  QSTASH_NEXT_SIGNING_KEY: qstash.nextSigningKey,
  LOG_LEVEL: "silent",
});
const services: Services = {
  config,
  db,
  log,
  auth: auth.verifier,
  tasks: createTaskClientFromConfig(config, { db, log }),
  cache: createMemoryCache(),
};
tasksApp = createTasksApp(services, { registry });
await qstash.start();

// ------------------------------------------------------------ direct path
const inflight = new Set<Promise<unknown>>();
let sequence = 0;
const directTransport: TaskTransport = {
  name: "direct",
  publish(message) {
    const messageId = `msg_direct_${++sequence}`;
    const run = processMessage(directRunner(), message.body, { messageId, retried: 0 })
      .finally(() => inflight.delete(run));
    inflight.add(run);
    return Promise.resolve({ messageId, deduplicated: false });
  },
  cancel: () => Promise.resolve(false),
  messageState: () => Promise.resolve("gone"),
  upsertSchedule: () => Promise.resolve(),
  getSchedule: () => Promise.resolve(null),
  removeSchedule: () => Promise.resolve(false),
};
const runnerOptions: RunnerOptions = {
  db,
  log,
  registry,
  transport: directTransport,
  timeBudgetMs: config.TASKS_TIME_BUDGET_MS,
  leaseMs: config.TASKS_LEASE_MS,
  staleAfterMs: config.TASKS_STALE_AFTER_MS,
};
function directRunner(): RunnerOptions {
  return runnerOptions;
}
const direct = createTaskClient({ db, log, transport: directTransport, defaultRetries: 3 });

interface Run {
  tasksPerSecond: number;
  p50: number;
  p95: number;
  failed: number;
}

async function run(client: typeof direct, count: number): Promise<Run> {
  started = [];
  const before = await succeededCount();
  const began = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next++;
      await client.enqueue(noopTask, { t0: performance.now() }, { orgId });
    }
  }));
  await Promise.all(inflight);
  const deadline = Date.now() + 120_000;
  let done = 0;
  while ((done = (await succeededCount()) - before) < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const elapsed = (performance.now() - began) / 1000;
  const latencies = [...started].sort((a, b) => a - b);
  const pct = (p: number) =>
    +(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(2);
  return {
    tasksPerSecond: Math.round(done / elapsed),
    p50: pct(0.5),
    p95: pct(0.95),
    failed: count - done,
  };
}

/** Latency with nothing else going on: one task at a time, each awaited. */
async function idle(client: typeof direct, count: number): Promise<{ p50: number; p95: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    started = [];
    await client.enqueue(noopTask, { t0: performance.now() }, { orgId });
    const deadline = Date.now() + 30_000;
    while (started.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    latencies.push(started[0] ?? Infinity);
  }
  await Promise.all(inflight);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    +(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(2);
  return { p50: pct(0.5), p95: pct(0.95) };
}

async function succeededCount(): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from public.jobs where kind = 'bench.noop' and status = 'succeeded'`;
  return row?.n ?? 0;
}

function fmt(r: Run): string {
  return `${
    String(r.tasksPerSecond).padStart(6)
  } tasks/s  enqueue→start p50 ${r.p50} ms  p95 ${r.p95} ms  failed ${r.failed}`;
}

report(
  `bench tasks: ${total} no-op tasks, ${concurrency} concurrent enqueuers and deliveries, pool ${values.pool}, ${tdb.kind} database`,
);
await run(direct, warmup);
await run(services.tasks as typeof direct, warmup);
const baseline = await run(direct, total);
report(`  direct runner (baseline)        ${fmt(baseline)}`);
const viaQStash = await run(services.tasks as typeof direct, total);
report(`  QStash stand-in + endpoint      ${fmt(viaQStash)}`);
const ratio = +(viaQStash.tasksPerSecond / baseline.tasksPerSecond).toFixed(3);
report(`  ratio stand-in/direct = ${ratio}`);
const idleDirect = await idle(direct, 50);
const idleQStash = await idle(services.tasks as typeof direct, 50);
report(
  `  idle enqueue→start (one at a time): direct p50 ${idleDirect.p50} ms p95 ${idleDirect.p95} ms; ` +
    `stand-in p50 ${idleQStash.p50} ms p95 ${idleQStash.p95} ms`,
);

await qstash.stop();
await server.shutdown();
await db.close();
await tdb.close();
report(JSON.stringify({
  bench: "tasks",
  ratio,
  tasks_per_s: viaQStash.tasksPerSecond,
  p50_enqueue_to_start_ms: viaQStash.p50,
  p95_enqueue_to_start_ms: viaQStash.p95,
  baseline_tasks_per_s: baseline.tasksPerSecond,
  baseline_p50_enqueue_to_start_ms: baseline.p50,
  baseline_p95_enqueue_to_start_ms: baseline.p95,
  idle_p50_enqueue_to_start_ms: idleQStash.p50,
  idle_p95_enqueue_to_start_ms: idleQStash.p95,
  baseline_idle_p95_enqueue_to_start_ms: idleDirect.p95,
  failed: viaQStash.failed + baseline.failed,
  tasks: total,
  concurrency,
}));
