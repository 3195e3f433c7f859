// Test harness: the QStash stand-in and the tasks function behind one loopback
// server, wired like the dev stack (the stand-in delivers over HTTP to the
// function's public URL), with test task kinds and captured logs.
import { createMemoryCache } from "../../shared/cache/mod.ts";
import { Client } from "@upstash/qstash";
import { z } from "zod";
import type { QStashServer } from "../../scripts/qstash_server/mod.ts";
import {
  createTestAuth,
  createTestDatabase,
  startQStashLoopback,
  type TestAuth,
  type TestDatabase,
} from "../../scripts/testing/mod.ts";
import { loadConfig } from "../../shared/env/mod.ts";
import type { FunctionApp, Services } from "../../shared/http/mod.ts";
import { createLogger } from "../../shared/log/mod.ts";
import {
  createTaskClientFromConfig,
  createTaskRegistry,
  defineTask,
  type Job,
  probeTask,
  type RunnerOptions,
  type TaskRegistry,
} from "../../shared/tasks/mod.ts";
import { createTasksApp } from "./app.ts";

/** Handler runs per job id, to prove what ran how often. */
export const handlerRuns = new Map<string, number>();
const ran = (jobId: string) => {
  const n = (handlerRuns.get(jobId) ?? 0) + 1;
  handlerRuns.set(jobId, n);
  return n;
};

/** Fails its first `fail_times` attempts, then succeeds. */
export const flakyTask = defineTask({
  kind: "test.flaky",
  payload: z.object({ fail_times: z.number().int().min(0) }),
  handler(ctx, payload) {
    const attempt = ran(ctx.job.id);
    if (attempt <= payload.fail_times) {
      return Promise.reject(new Error(`Cannot finish the test task: attempt ${attempt} failed`));
    }
    return Promise.resolve(ctx.done({ attempts: attempt }));
  },
});

/** Always fails, like an unreachable instance. */
export const failingTask = defineTask({
  kind: "test.failing",
  payload: z.object({}),
  handler(ctx) {
    ran(ctx.job.id);
    return Promise.reject(new Error("Cannot reach the instance: connection refused"));
  },
});

const countPayload = z.object({ up_to: z.number().int().min(1) });
const countCursor = z.object({ next: z.number().int(), sum: z.number().int() });

/**
 * Counts 0..up_to-1, one atomic step per number: each step inserts a row into
 * test_support.effects (primary key: job and number, so a step applied twice
 * fails loudly) and saves the cursor in the same transaction.
 */
function countHandler(kind: string, timeBudgetMs: number) {
  return defineTask({
    kind,
    payload: countPayload,
    cursor: countCursor,
    timeBudgetMs,
    handler: (ctx, { up_to }) => {
      ran(ctx.job.id);
      return ctx.iterate({ next: 0, sum: 0 }, async (tx, at) => {
        await tx`insert into test_support.effects (job_id, n) values (${ctx.job.id}, ${at.next})`;
        const next = at.next + 1;
        const sum = at.sum + at.next * at.next;
        return {
          cursor: { next, sum },
          done: next >= up_to,
          fraction: next / up_to,
          message: `Counted ${next} of ${up_to}`,
          counters: { counted: next },
          result: { sum, counted: next },
        };
      });
    },
  });
}

/** A count with no time budget: one step per delivery, continuing every time. */
export const countChunkedTask = countHandler("test.count_chunked", 0);
/** The same count with a generous budget: one delivery does it all. */
export const countLongTask = countHandler("test.count_long", 600_000);

/** Every kind the test stack runs. */
export const TEST_KINDS = [
  probeTask,
  flakyTask,
  failingTask,
  countChunkedTask,
  countLongTask,
];

/** A running test stack. */
export interface TaskTestStack {
  url: string;
  /** Where QStash delivers: the tasks endpoint's public URL. */
  callbackUrl: string;
  tdb: TestDatabase;
  auth: TestAuth;
  services: Services;
  app: FunctionApp;
  registry: TaskRegistry;
  qstash: QStashServer;
  /** The real QStash client on the stand-in (DLQ, messages). */
  client: Client;
  runner: RunnerOptions;
  /** Log lines the functions wrote (JSON). */
  logs: string[];
  /** Manual clock for the stand-in; null means real time. */
  setClock(ms: number | null): void;
  /** Polls the job until `done(job)`, reading it as the service role. */
  waitForJob(jobId: string, done?: (job: Job) => boolean, timeoutMs?: number): Promise<Job>;
  close(): Promise<void>;
}

/**
 * Starts the stand-in and the tasks function on a fresh test database.
 *
 * @param env extra configuration, e.g. TASKS_LEASE_MS
 */
export async function startTaskTestStack(env: Record<string, string> = {}): Promise<TaskTestStack> {
  const tdb = await createTestDatabase();
  const auth = await createTestAuth();
  await tdb.db.sql.unsafe(`
    create schema if not exists test_support;
    grant usage on schema test_support to authenticated, service_role;
    create table if not exists test_support.effects (
      job_id uuid not null, n integer not null, primary key (job_id, n));
    grant select, insert on test_support.effects to authenticated, service_role;
  `);
  const logs: string[] = [];
  const echo = Deno.env.get("TEST_LOG");
  const log = createLogger({
    level: "debug",
    sink: (line) => {
      logs.push(line);
      // deno-lint-ignore no-console
      if (echo) console.log(line);
    },
  });
  let manual: number | null = null;
  const loopback = await startQStashLoopback({
    sql: tdb.db.sql,
    log,
    clock: () => manual ?? Date.now(),
    retryDelayScale: 0.0005,
    pollMs: 50,
    workerTimeoutMs: 2000,
  });
  const { url, qstash } = loopback;
  const config = loadConfig({
    ...loopback.env,
    TASKS_TIME_BUDGET_MS: "60000",
    TASKS_LEASE_MS: "2000",
    TASKS_DEFAULT_RETRIES: "3",
    TASKS_SSE_POLL_MS: "50",
    ...env,
  });
  const db = tdb.db;
  const services: Services = {
    config,
    db,
    log,
    auth: auth.verifier,
    tasks: createTaskClientFromConfig(config, { db, log }),
    cache: createMemoryCache(),
  };
  const registry = createTaskRegistry(TEST_KINDS);
  const app = createTasksApp(services, { registry });
  loopback.mount(app.fetch);
  await qstash.start();
  const client = new Client({
    baseUrl: `${url}/qstash`,
    token: qstash.token,
    devMode: false,
    enableTelemetry: false,
    retry: false,
  });
  const runner: RunnerOptions = {
    db,
    log,
    registry,
    transport: services.tasks.transport,
    timeBudgetMs: config.TASKS_TIME_BUDGET_MS,
    leaseMs: config.TASKS_LEASE_MS,
    staleAfterMs: config.TASKS_STALE_AFTER_MS,
  };

  return {
    url,
    callbackUrl: `${url}/functions/v1/tasks/qstash`,
    tdb,
    auth,
    services,
    app,
    registry,
    qstash,
    client,
    runner,
    logs,
    setClock: (ms) => void (manual = ms),
    async waitForJob(
      jobId,
      done = (job) => ["succeeded", "failed", "cancelled"].includes(job.status),
      timeoutMs = 20_000,
    ) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [job] = await db.asService((tx) =>
          tx<Job[]>`select * from public.jobs where id = ${jobId}`
        );
        if (job && done(job)) return { ...job, progress: Number(job.progress) };
        if (Date.now() > deadline) {
          throw new Error(
            `Timed out waiting for job ${jobId} (status ${job?.status ?? "missing"})`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await loopback.close();
      await tdb.close();
    },
  };
}
