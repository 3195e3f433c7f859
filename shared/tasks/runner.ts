// Runs one delivered message: claims the job segment it names (atomically, in
// Postgres, so it holds across processes), runs the handler under worker claims
// with a time budget and a renewed lease, then records the outcome and, for
// long work, publishes the continuation.
import {
  type Database,
  type Tx,
  withRequestContext,
  type WorkerClaims,
  workerClaims,
} from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import { anchorAuditChains } from "../audit/anchor.ts";
import { purgeExpiredAuditEntries } from "../audit/retention.ts";
import { observeJob } from "../metrics/mod.ts";
import type {
  AnyTaskDefinition,
  IterationStep,
  JobCounters,
  ProgressUpdate,
  TaskContext,
  TaskOutcome,
  TaskRegistry,
} from "./define.ts";
import {
  describeTaskError,
  JobCancelledError,
  LeaseLostError,
  PermanentTaskError,
} from "./errors.ts";
import {
  FINISHED,
  insertJob,
  JOB_ROW_COLUMNS,
  type JobRow,
  type JobStatus,
  normalize,
} from "./_jobs.ts";
import type { DeliveryMeta, JobMessage, ScheduleMessage, TaskMessage } from "./_messages.ts";
import { createTaskClient, type TaskClient } from "./client.ts";
import { type ReapReport, reapStaleJobs } from "./reaper.ts";
import type { TaskTransport } from "./transport.ts";

/** What the runner needs; built once per process by the tasks function. */
export interface RunnerOptions {
  db: Database;
  log: Logger;
  registry: TaskRegistry;
  transport: TaskTransport;
  /** Default time budget of one delivery (ms). */
  timeBudgetMs: number;
  /** Lease of a running delivery on its job (ms); renewed every third of it. */
  leaseMs: number;
  /** For the reaper: how long a job may sit untouched before it is checked. */
  staleAfterMs: number;
  /**
   * How handlers start follow-up work (`ctx.enqueue`): the process's task
   * client; by default one on this runner's database and transport.
   */
  tasks?: TaskClient;
  /**
   * System work that belongs to other domains, run when its system schedule
   * fires: `dispatch_syncs` starts the due scheduled syncs (shared/instances).
   */
  systemActions?: SystemActions;
}

/** Handlers of system messages implemented outside the task runner. */
export interface SystemActions {
  dispatch_syncs?: () => Promise<Record<string, unknown>>;
  /** Alert rules on security audit entries written since the last pass (shared/notifications). */
  security_alerts?: () => Promise<Record<string, unknown>>;
}

/** Retries of follow-up work whose task sets none, when no task client is given. */
const FOLLOW_UP_RETRIES = 3;

/** How a delivery ended; {@linkcode deliveryStatus} maps it to the HTTP answer. */
export type DeliveryOutcome =
  | { status: "succeeded" | "continued" | "cancelled"; jobId: string }
  | { status: "duplicate"; jobId: string; reason: string }
  | { status: "skipped"; jobId: string; reason: string }
  | { status: "lease_lost"; jobId: string }
  /** A failure that retrying cannot fix: recorded on the job, not retried. */
  | { status: "rejected"; jobId: string | null; error: string }
  /** A failure QStash should retry; `final` when it was the last attempt. */
  | { status: "failed"; jobId: string | null; final: boolean; error: string }
  /** Another live delivery holds the job: try again later. */
  | { status: "busy"; jobId: string; retryAfterSeconds: number }
  | { status: "reaped"; report: ReapReport }
  /** The daily audit housekeeping: retention purge, then the anchor of every chain head. */
  | { status: "anchored"; report: { anchored: number; purged: number; organizations: number } }
  /** A pass of the sync dispatcher. */
  | { status: "dispatched"; report: Record<string, unknown> };

/**
 * The HTTP status the tasks endpoint answers QStash with: 2xx acknowledges the
 * message, anything else makes QStash retry it (and dead-letter it at the end).
 *
 * @param outcome what {@linkcode processMessage} returned
 */
export function deliveryStatus(outcome: DeliveryOutcome): 200 | 500 | 503 {
  if (outcome.status === "failed") return 500;
  if (outcome.status === "busy") return 503;
  return 200;
}

/**
 * Processes one task message delivered by QStash (or the in-process queue).
 * Idempotent: a message that already succeeded, or a segment that a job has
 * moved past, does nothing; a segment another live delivery is running waits
 * for it.
 *
 * @param options database, registry, transport and budgets
 * @param message the verified, parsed body
 * @param meta message id and retry count from the delivery headers
 */
export function processMessage(
  options: RunnerOptions,
  message: TaskMessage,
  meta: DeliveryMeta,
): Promise<DeliveryOutcome> {
  // What the task writes is recorded as the worker's, under the task's kind.
  const action = message.type === "system" ? "task.system" : `task.${message.kind}`;
  return withRequestContext(
    { actor_kind: "worker", actor_id: meta.messageId, action, route: null },
    () => dispatch(options, message, meta),
  );
}

async function dispatch(
  options: RunnerOptions,
  message: TaskMessage,
  meta: DeliveryMeta,
): Promise<DeliveryOutcome> {
  switch (message.type) {
    case "job":
      return await runJob(options, message, meta);
    case "schedule":
      return await runSchedule(options, message, meta);
    case "system":
      if (message.action === "audit_anchor") {
        // Purge first: the anchors taken next are then all inside the kept history.
        const purge = await purgeExpiredAuditEntries(options.db);
        return {
          status: "anchored",
          report: { ...purge, anchored: await anchorAuditChains(options.db) },
        };
      }
      if (message.action === "dispatch_syncs" || message.action === "security_alerts") {
        const handler = options.systemActions?.[message.action];
        if (!handler) {
          return {
            status: "rejected",
            jobId: null,
            error: message.action === "dispatch_syncs"
              ? "This deployment has no sync dispatcher"
              : "This deployment has no security alerting",
          };
        }
        return { status: "dispatched", report: await handler() };
      }
      return { status: "reaped", report: await reapStaleJobs(options) };
  }
}

async function runSchedule(
  options: RunnerOptions,
  message: ScheduleMessage,
  meta: DeliveryMeta,
): Promise<DeliveryOutcome> {
  const log = options.log.child({ scheduleId: message.scheduleId, kind: message.kind });
  const task = options.registry.get(message.kind);
  if (!task) {
    const error = `Cannot run scheduled task "${message.kind}": this deployment does not know it`;
    log.error(error, { messageId: meta.messageId });
    return { status: "failed", jobId: null, final: meta.retried >= message.maxRetries, error };
  }
  const parsed = task.payload.safeParse(message.payload);
  const claims = workerClaims(message.orgId, message.actorUserId);
  const dedupKey = `qstash:${meta.messageId}`;
  const prepared = await options.db.asTenant(claims, async (tx) => {
    const [own] = await tx<{ id: string }[]>`
      select id from public.jobs
      where org_id = ${message.orgId} and kind = ${message.kind} and dedup_key = ${dedupKey}`;
    if (own) return { jobId: own.id, skipped: false };
    if (message.skipIfRunning) {
      const [active] = await tx<{ id: string }[]>`
        select id from public.jobs
        where org_id = ${message.orgId} and kind = ${message.kind}
          and subject is not distinct from ${message.subject}
          and status in ('queued', 'running')
        limit 1`;
      if (active) return { jobId: active.id, skipped: true };
    }
    const { row } = await insertJob(tx, {
      orgId: message.orgId,
      kind: message.kind,
      subject: message.subject,
      payload: message.payload,
      maxRetries: message.maxRetries,
      dedupKey,
      actorUserId: message.actorUserId,
      scheduleId: message.scheduleId,
      messageId: meta.messageId,
      failure: parsed.success ? undefined : {
        message: `The schedule's payload is not valid for "${message.kind}": ${
          parsed.error.issues.map((i) => `${i.path.join(".") || "(payload)"} ${i.message}`)
            .join("; ")
        }`.slice(0, 2000),
        code: "invalid_payload",
      },
    });
    return { jobId: row.id, skipped: false };
  });
  if (prepared.skipped) {
    log.info("scheduled run skipped: the previous one is still going", {
      runningJobId: prepared.jobId,
    });
    return { status: "skipped", jobId: prepared.jobId, reason: "previous run still active" };
  }
  if (!parsed.success) {
    log.error("scheduled run refused: invalid payload", { jobId: prepared.jobId });
    return { status: "rejected", jobId: prepared.jobId, error: "invalid payload" };
  }
  return await runJob(options, {
    v: 1,
    type: "job",
    jobId: prepared.jobId,
    orgId: message.orgId,
    kind: message.kind,
    segment: 0,
    maxRetries: message.maxRetries,
  }, meta);
}

type Claim =
  | { kind: "claimed"; row: JobRow }
  | { kind: "seen" }
  | {
    kind: "not_claimed";
    current:
      | { status: JobStatus; segment: number; leased: boolean; lease_left_ms: number }
      | undefined;
  };

async function runJob(
  options: RunnerOptions,
  message: JobMessage,
  meta: DeliveryMeta,
): Promise<DeliveryOutcome> {
  const log = options.log.child({
    jobId: message.jobId,
    kind: message.kind,
    segment: message.segment,
    messageId: meta.messageId,
  });
  const claims = workerClaims(message.orgId);
  const task = options.registry.get(message.kind);
  if (!task) {
    const final = meta.retried >= message.maxRetries;
    const error = `Cannot run task "${message.kind}": this deployment does not know it`;
    log.error(error, { final });
    if (final) await failQueuedJob(options.db, claims, message, error, "unknown_task_kind");
    return { status: "failed", jobId: message.jobId, final, error };
  }

  const token = crypto.randomUUID();
  const waitUntil = Date.now() + options.leaseMs + 1000;
  let claim = await tryClaim(options, claims, message, meta, token);
  // Another delivery holds the job (a redelivery while it runs, or a crashed
  // process whose lease has not run out): wait for it to finish or expire.
  while (
    claim.kind === "not_claimed" && claim.current?.leased &&
    claim.current.segment === message.segment && Date.now() < waitUntil
  ) {
    await sleep(Math.min(250, Math.max(20, claim.current.lease_left_ms)));
    claim = await tryClaim(options, claims, message, meta, token);
  }

  if (claim.kind === "seen") {
    return { status: "duplicate", jobId: message.jobId, reason: "message already processed" };
  }
  if (claim.kind === "not_claimed") {
    return await notClaimed(options, claims, message, meta, claim.current, log);
  }
  return await execute(options, task, message, meta, claim.row, token, log);
}

async function tryClaim(
  options: RunnerOptions,
  claims: WorkerClaims,
  message: JobMessage,
  meta: DeliveryMeta,
  token: string,
): Promise<Claim> {
  return await options.db.asTenant(claims, async (tx): Promise<Claim> => {
    const [prior] = await tx<{ status: string }[]>`
      select status from public.job_deliveries where message_id = ${meta.messageId}`;
    if (prior && (prior.status === "succeeded" || prior.status === "duplicate")) {
      return { kind: "seen" };
    }
    const [row] = await tx<JobRow[]>`
      update public.jobs set
        status = 'running', lease_token = ${token},
        lease_until = now() + ${options.leaseMs} * interval '1 millisecond',
        heartbeat_at = now(), attempts = attempts + 1,
        started_at = coalesce(started_at, now())
      where id = ${message.jobId} and segment = ${message.segment}
        and status in ('queued', 'running')
        and (lease_until is null or lease_until < now())
      returning ${tx(JOB_ROW_COLUMNS)}`;
    if (row) {
      await recordDelivery(tx, message, meta, "running");
      return { kind: "claimed", row: normalize(row) };
    }
    const [current] = await tx<
      { status: JobStatus; segment: number; leased: boolean; lease_left_ms: number }[]
    >`
      select status, segment, coalesce(lease_until > now(), false) as leased,
             coalesce(extract(epoch from (lease_until - now())) * 1000, 0)::float8 as lease_left_ms
      from public.jobs where id = ${message.jobId}`;
    return { kind: "not_claimed", current };
  });
}

async function recordDelivery(
  tx: Tx,
  message: JobMessage,
  meta: DeliveryMeta,
  status: "running" | "duplicate",
): Promise<void> {
  await tx`
    insert into public.job_deliveries (message_id, org_id, job_id, segment, retried, status)
    values (${meta.messageId}, ${message.orgId}, ${message.jobId}, ${message.segment},
            ${meta.retried}, ${status})
    on conflict (message_id) do update set
      retried = excluded.retried, attempts = public.job_deliveries.attempts + 1,
      status = excluded.status, error = null, received_at = now(),
      finished_at = case when excluded.status = 'duplicate' then now() end
    where public.job_deliveries.status not in ('succeeded', 'duplicate')`;
}

async function notClaimed(
  options: RunnerOptions,
  claims: WorkerClaims,
  message: JobMessage,
  meta: DeliveryMeta,
  current: Extract<Claim, { kind: "not_claimed" }>["current"],
  log: Logger,
): Promise<DeliveryOutcome> {
  if (!current) {
    log.warn("delivery for a job that does not exist (deleted, or not this organization's)");
    return { status: "duplicate", jobId: message.jobId, reason: "job not found" };
  }
  if (current.segment < message.segment) {
    // The job has not reached this segment yet; QStash will try again.
    log.warn("delivery for a segment the job has not reached", { jobSegment: current.segment });
    return { status: "busy", jobId: message.jobId, retryAfterSeconds: 5 };
  }
  if (current.segment === message.segment && current.leased) {
    log.warn("job is still held by another delivery", { leaseLeftMs: current.lease_left_ms });
    return {
      status: "busy",
      jobId: message.jobId,
      retryAfterSeconds: Math.ceil(current.lease_left_ms / 1000),
    };
  }
  // The job moved past this segment, or finished: this delivery is a duplicate.
  // If the continuation was committed but never published (a crash in between),
  // publish it now; QStash's deduplication drops it if it was.
  if (current.status === "queued" && current.segment === message.segment + 1) {
    try {
      await publishSegment(options, claims, message, current.segment);
    } catch (error) {
      log.error("cannot republish the job's continuation", { error });
      return {
        status: "failed",
        jobId: message.jobId,
        final: false,
        error: "Cannot queue the job's continuation",
      };
    }
  }
  await options.db.asTenant(claims, (tx) => recordDelivery(tx, message, meta, "duplicate"));
  return {
    status: "duplicate",
    jobId: message.jobId,
    reason: FINISHED.includes(current.status)
      ? `job already ${current.status}`
      : "segment already done",
  };
}

/**
 * Publishes the message that runs `segment` of a job, and records its id.
 */
async function publishSegment(
  options: RunnerOptions,
  claims: WorkerClaims,
  message: JobMessage,
  segment: number,
): Promise<void> {
  const { messageId } = await options.transport.publish({
    body: { ...message, segment },
    dedupId: `job-${message.jobId}-${segment}`,
    retries: message.maxRetries,
  });
  await options.db.asTenant(claims, (tx) =>
    tx`update public.jobs set message_id = ${messageId}
       where id = ${message.jobId} and segment = ${segment} and status = 'queued'`);
}

async function failQueuedJob(
  db: Database,
  claims: WorkerClaims,
  message: JobMessage,
  error: string,
  code: string,
): Promise<void> {
  await db.asTenant(
    claims,
    (tx) =>
      tx`update public.jobs set status = 'failed', error = ${error}, error_code = ${code},
         finished_at = now(), lease_token = null, lease_until = null
       where id = ${message.jobId} and segment = ${message.segment}
         and status in ('queued', 'running') and (lease_until is null or lease_until < now())`,
  );
}

/** Progress waiting to be written with the next write to the job row. */
interface PendingProgress {
  fraction: number | null;
  message: string | null;
  counters: JobCounters;
}

async function execute(
  options: RunnerOptions,
  task: AnyTaskDefinition,
  message: JobMessage,
  meta: DeliveryMeta,
  row: JobRow,
  token: string,
  log: Logger,
): Promise<DeliveryOutcome> {
  const claims = workerClaims(message.orgId, row.actor_user_id);
  const db = options.db;
  const jobId = message.jobId;
  const budget = task.timeBudgetMs ?? options.timeBudgetMs;
  const deadline = Date.now() + budget;
  const abort = new AbortController();
  let savedThisDelivery = 0;

  // Writes to the job row from this delivery run one at a time, in order.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => {});
    return next;
  };

  let pending: PendingProgress = { fraction: null, message: null, counters: {} };
  const take = (extra?: ProgressUpdate): PendingProgress => {
    const out: PendingProgress = {
      fraction: extra?.fraction ?? pending.fraction,
      message: extra?.message ?? pending.message,
      counters: { ...pending.counters, ...extra?.counters },
    };
    pending = { fraction: null, message: null, counters: {} };
    if (out.fraction !== null) out.fraction = clamp(out.fraction);
    if (out.message !== null) out.message = out.message.slice(0, 500);
    return out;
  };

  // Why a conditional update of this delivery's job row matched nothing.
  const lostReason = async (tx: Tx): Promise<Error> => {
    const [now] = await tx<{ status: JobStatus }[]>`
      select status from public.jobs where id = ${jobId}`;
    return now?.status === "cancelled" ? new JobCancelledError(jobId) : new LeaseLostError(jobId);
  };

  // Saves the cursor and progress, and extends the lease, inside `tx`.
  const save = async (tx: Tx, cursor: unknown, progress: PendingProgress) => {
    if (task.cursor) {
      const checked = task.cursor.safeParse(cursor);
      if (!checked.success) {
        throw new PermanentTaskError(
          `Cannot save the cursor of "${task.kind}": it does not match the task's cursor schema`,
          { code: "invalid_cursor" },
        );
      }
    }
    const [ok] = await tx`
      update public.jobs set
        cursor = ${tx.json(jsonOf(cursor))},
        progress = coalesce(${progress.fraction}::real, progress),
        progress_message = coalesce(${progress.message}::text, progress_message),
        counters = counters || ${tx.json(progress.counters)},
        lease_until = now() + ${options.leaseMs} * interval '1 millisecond',
        heartbeat_at = now()
      where id = ${jobId} and lease_token = ${token} and status = 'running'
      returning 1 as ok`;
    if (!ok) throw await lostReason(tx);
    savedThisDelivery++;
  };

  const flushProgress = () =>
    serial(async () => {
      if (pending.fraction === null && pending.message === null && !hasKeys(pending.counters)) {
        return;
      }
      const p = take();
      await db.asTenant(claims, (tx) =>
        tx`update public.jobs set
             progress = coalesce(${p.fraction}::real, progress),
             progress_message = coalesce(${p.message}::text, progress_message),
             counters = counters || ${tx.json(p.counters)}, heartbeat_at = now()
           where id = ${jobId} and lease_token = ${token} and status = 'running'`);
    }).catch((error) => log.warn("cannot save job progress", { error }));

  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  const renew = async () => {
    try {
      const rows = await db.asTenant(claims, async (tx) => {
        const updated = await tx`
          update public.jobs set
            lease_until = now() + ${options.leaseMs} * interval '1 millisecond',
            heartbeat_at = now()
          where id = ${jobId} and lease_token = ${token} and status = 'running'
          returning 1 as ok`;
        return updated.length > 0 ? null : await lostReason(tx);
      });
      if (rows && !abort.signal.aborted) abort.abort(rows);
    } catch (error) {
      log.warn("cannot renew the job's lease", { error });
    }
  };
  let renewing: Promise<void> | null = null;
  const renewTimer = setInterval(() => {
    renewing ??= renew().finally(() => (renewing = null));
  }, Math.max(50, Math.floor(options.leaseMs / 3)));
  const stopTimers = async () => {
    clearInterval(renewTimer);
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    await renewing;
    await chain;
  };

  const payload = task.payload.safeParse(row.payload);
  let cursor: unknown = row.cursor;
  if (cursor !== null && task.cursor) {
    const checked = task.cursor.safeParse(cursor);
    cursor = checked.success ? checked.data : undefined;
  }

  const ctx: TaskContext<unknown> = {
    job: {
      id: jobId,
      orgId: message.orgId,
      kind: task.kind,
      subject: row.subject,
      segment: row.segment,
      attempt: row.attempts,
      retried: meta.retried,
      maxRetries: row.max_retries,
      actorUserId: row.actor_user_id,
    },
    cursor: cursor ?? null,
    log,
    signal: abort.signal,
    deadline,
    timeLeftMs: () => Math.max(0, deadline - Date.now()),
    shouldYield: () => savedThisDelivery > 0 && Date.now() >= deadline,
    tx: (fn) => db.asTenant(claims, fn),
    progress(fraction, text, counters) {
      pending = {
        fraction,
        message: text ?? pending.message,
        counters: { ...pending.counters, ...counters },
      };
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined;
        flushProgress();
      }, 500);
    },
    checkpoint: (next, progress) => {
      abort.signal.throwIfAborted();
      return serial(() => db.asTenant(claims, (tx) => save(tx, next, take(progress))));
    },
    step: (fn) => {
      abort.signal.throwIfAborted();
      return serial(() =>
        db.asTenant(claims, async (tx) => {
          const result: IterationStep<unknown> = await fn(tx);
          await save(tx, result.cursor, take(result));
          return result;
        })
      );
    },
    async iterate(start, fn) {
      let at = ctx.cursor ?? start;
      for (;;) {
        if (ctx.shouldYield()) return ctx.continueWith(at);
        const result = await ctx.step((tx) => fn(tx, at));
        at = result.cursor;
        if (result.done) return ctx.done(result.result);
      }
    },
    continueWith: (next) => ({ type: "continue", cursor: next }),
    done: (result) => ({ type: "done", result: result ?? null }),
    enqueue: async (next, nextPayload, followUp = {}) => {
      abort.signal.throwIfAborted();
      const client = options.tasks ??
        createTaskClient({
          db,
          log,
          transport: options.transport,
          defaultRetries: FOLLOW_UP_RETRIES,
        });
      return await client.enqueue(next, nextPayload, {
        ...followUp,
        orgId: message.orgId,
        actorUserId: row.actor_user_id,
      });
    },
  };

  let outcome: TaskOutcome;
  try {
    if (!payload.success) {
      throw new PermanentTaskError(
        `The payload is not valid for "${task.kind}": ${
          payload.error.issues.map((i) => `${i.path.join(".") || "(payload)"} ${i.message}`)
            .join("; ")
        }`,
        { code: "invalid_payload" },
      );
    }
    if (row.cursor !== null && cursor === undefined) {
      throw new PermanentTaskError(
        `Cannot resume "${task.kind}": the saved cursor does not match the task's cursor schema`,
        { code: "invalid_cursor" },
      );
    }
    outcome = (await task.handler(ctx, payload.data)) ?? ctx.done();
    if (abort.signal.aborted) throw abort.signal.reason;
  } catch (error) {
    await stopTimers();
    return await recordFailure(options, message, meta, token, take(), error, log);
  }
  await stopTimers();

  const progress = take();
  if (outcome.type === "done") {
    const finished = await db.asTenant(claims, async (tx) => {
      const [ok] = await tx`
        update public.jobs set
          status = 'succeeded', progress = 1,
          progress_message = coalesce(${progress.message}::text, progress_message),
          counters = counters || ${tx.json(progress.counters)},
          result = ${tx.json(jsonOf(outcome.result))}, error = null, error_code = null,
          finished_at = now(), lease_token = null, lease_until = null
        where id = ${jobId} and lease_token = ${token} and status = 'running'
        returning kind,
          extract(epoch from finished_at - coalesce(started_at, created_at))::float8 as seconds`;
      if (!ok) return await lostReason(tx);
      observeJob(ok.kind, "succeeded", ok.seconds);
      await tx`update public.job_deliveries set status = 'succeeded', finished_at = now()
               where message_id = ${meta.messageId}`;
      return null;
    });
    if (finished) {
      return await recordFailure(options, message, meta, token, progress, finished, log);
    }
    log.info("job succeeded", { attempts: row.attempts });
    return { status: "succeeded", jobId };
  }

  // Continue: commit the cursor and the next segment first, then publish the
  // continuation. A crash in between is repaired by the redelivery of this
  // message (see notClaimed) or by the reaper.
  const moved = await db.asTenant(claims, async (tx) => {
    const [next] = await tx<{ segment: number }[]>`
      update public.jobs set
        status = 'queued', segment = segment + 1, cursor = ${tx.json(jsonOf(outcome.cursor))},
        progress = coalesce(${progress.fraction}::real, progress),
        progress_message = coalesce(${progress.message}::text, progress_message),
        counters = counters || ${tx.json(progress.counters)},
        lease_token = null, lease_until = null, heartbeat_at = now()
      where id = ${jobId} and lease_token = ${token} and status = 'running'
      returning segment`;
    return next ?? await lostReason(tx);
  });
  if (moved instanceof Error) {
    return await recordFailure(options, message, meta, token, progress, moved, log);
  }
  try {
    await publishSegment(options, claims, message, moved.segment);
  } catch (error) {
    log.error("cannot publish the job's continuation; QStash will redeliver", { error });
    await db.asTenant(
      claims,
      (tx) =>
        tx`update public.job_deliveries set status = 'failed', finished_at = now(),
           error = 'Cannot queue the continuation'
         where message_id = ${meta.messageId}`,
    );
    return { status: "failed", jobId, final: false, error: "Cannot queue the job's continuation" };
  }
  await db.asTenant(
    claims,
    (tx) =>
      tx`update public.job_deliveries set status = 'succeeded', finished_at = now()
       where message_id = ${meta.messageId}`,
  );
  log.debug("job continues", { nextSegment: moved.segment });
  return { status: "continued", jobId };
}

async function recordFailure(
  options: RunnerOptions,
  message: JobMessage,
  meta: DeliveryMeta,
  token: string,
  progress: PendingProgress,
  error: unknown,
  log: Logger,
): Promise<DeliveryOutcome> {
  const claims = workerClaims(message.orgId);
  const jobId = message.jobId;
  if (error instanceof JobCancelledError) {
    await options.db.asTenant(
      claims,
      (tx) =>
        tx`update public.job_deliveries set status = 'succeeded', finished_at = now(),
           error = 'Job cancelled'
         where message_id = ${meta.messageId}`,
    );
    log.info("job cancelled while running");
    return { status: "cancelled", jobId };
  }
  if (error instanceof LeaseLostError) {
    await options.db.asTenant(
      claims,
      (tx) =>
        tx`update public.job_deliveries set status = 'failed', finished_at = now(),
           error = 'Another delivery took the job over'
         where message_id = ${meta.messageId}`,
    );
    log.warn("job taken over by another delivery; this one stops");
    return { status: "lease_lost", jobId };
  }
  const permanent = error instanceof PermanentTaskError;
  const final = permanent || meta.retried >= message.maxRetries;
  const { message: text, code } = describeTaskError(error);
  log[final ? "error" : "warn"](final ? "job failed" : "job attempt failed; QStash will retry", {
    error: error instanceof Error
      ? { name: error.name, message: error.message, stack: error.stack }
      : String(error),
    retried: meta.retried,
    maxRetries: message.maxRetries,
  });
  const recorded = await options.db.asTenant(claims, async (tx) => {
    const [ok] = await tx`
      update public.jobs set
        status = ${final ? "failed" : "queued"}, error = ${text}, error_code = ${code},
        progress = coalesce(${progress.fraction}::real, progress),
        progress_message = coalesce(${progress.message}::text, progress_message),
        counters = counters || ${tx.json(progress.counters)},
        finished_at = ${final ? new Date() : null}, lease_token = null, lease_until = null
      where id = ${jobId} and lease_token = ${token} and status = 'running'
      returning kind,
        extract(epoch from finished_at - coalesce(started_at, created_at))::float8 as seconds`;
    if (ok && final) observeJob(ok.kind, "failed", ok.seconds);
    await tx`update public.job_deliveries set status = 'failed', error = ${text}, finished_at = now()
             where message_id = ${meta.messageId}`;
    return Boolean(ok);
  });
  if (!recorded) log.warn("job changed while the failure was recorded");
  if (permanent) return { status: "rejected", jobId, error: text };
  return { status: "failed", jobId, final, error: text };
}

function clamp(fraction: number): number {
  if (!Number.isFinite(fraction)) return 0;
  return Math.min(1, Math.max(0, fraction));
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

// deno-lint-ignore no-explicit-any
function jsonOf(value: unknown): any {
  return value === undefined ? null : value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
