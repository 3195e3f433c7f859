import type { z } from "zod";
import { type Database, type TenantClaims, type Tx, workerClaims } from "../db/mod.ts";
import type { Config } from "../env/mod.ts";
import { HttpError } from "../http/errors.ts";
import type { Logger } from "../log/mod.ts";
import { requirePermission } from "../organizations/mod.ts";
import type { AnyTaskDefinition, TaskDefinition } from "./define.ts";
import { insertJob, type Job, JOB_ROW_COLUMNS, type JobRow, publicJob } from "./_jobs.ts";
import type { ScheduleMessage, SystemMessage } from "./_messages.ts";
import {
  createDisabledTransport,
  createQStashTransport,
  type ScheduleInfo,
  type TaskTransport,
} from "./transport.ts";

/** Options of {@linkcode TaskClient.enqueue}. */
export interface EnqueueOptions {
  /** The organization the work acts for; it runs under worker claims for it. */
  orgId: string;
  /** What the job works on (e.g. an instance id), shown in the jobs list. */
  subject?: string | null;
  /**
   * Same id, same organization and kind → the existing job is returned and no
   * second one is created (e.g. a client retrying the request that started it).
   */
  dedupId?: string;
  /** Seconds to wait before the first delivery. */
  delay?: number;
  /** Retries after a failed delivery; the task's, then the configured default. */
  retries?: number;
  /** The user who started the work, kept on the job. */
  actorUserId?: string | null;
}

/** A cron schedule bound to a task kind and payload. */
export interface ScheduleSpec<S extends z.ZodType = z.ZodType, C = unknown> {
  /** Stable id, e.g. `sync-<instanceId>`; upserting the same id replaces the schedule. */
  id: string;
  task: TaskDefinition<S, C>;
  payload: z.input<S>;
  /** Five-field cron in UTC, or prefixed `CRON_TZ=Europe/Paris `. */
  cron: string;
  orgId: string;
  subject?: string | null;
  retries?: number;
  /** Skip a firing while the previous run (same kind and subject) is active. Default true. */
  skipIfRunning?: boolean;
  actorUserId?: string | null;
}

/** Schedules through the queue's schedules API. */
export interface TaskSchedules {
  /** Creates or replaces a schedule. */
  upsert<S extends z.ZodType, C>(spec: ScheduleSpec<S, C>): Promise<ScheduleInfo>;
  get(id: string): Promise<ScheduleInfo | null>;
  /** Deletes a schedule; false when there was none. */
  remove(id: string): Promise<boolean>;
}

/** How other code starts and manages background work. */
export interface TaskClient {
  readonly transport: TaskTransport;
  /** Retries of a job whose call and task set none. */
  readonly defaultRetries: number;
  /**
   * Creates a job and queues its first delivery.
   *
   * @throws {HttpError} 503 when the queue does not accept the message (the job is failed)
   */
  enqueue<S extends z.ZodType, C>(
    task: TaskDefinition<S, C>,
    payload: z.input<S>,
    options: EnqueueOptions,
  ): Promise<Job>;
  /**
   * Publishes a job inserted by {@linkcode queueJob} once its transaction has
   * committed (a job already queued under the same dedup key is returned as is).
   *
   * @throws {HttpError} 503 when the queue does not accept the message (the job is failed)
   */
  publishQueued(queued: QueuedJob): Promise<Job>;
  /**
   * Cancels a queued or running job. With a person's claims it needs the
   * analyst role or higher (404 if the job is not theirs to see, 409 if finished).
   */
  cancel(claims: TenantClaims, jobId: string): Promise<Job>;
  readonly schedules: TaskSchedules;
  /** Creates the housekeeping schedules (reaper and sync dispatcher every minute, audit anchor daily). */
  ensureSystemSchedules(): Promise<void>;
}

/** A job inserted by {@linkcode queueJob}, to publish with `TaskClient.publishQueued`. */
export interface QueuedJob {
  row: JobRow;
  /** False when a job with the same dedup key already existed. */
  created: boolean;
  task: AnyTaskDefinition;
  retries: number;
  delay?: number;
}

function validatePayload(task: { kind: string; payload: z.ZodType }, payload: unknown): void {
  const parsed = task.payload.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      `${i.path.join(".") || "(payload)"} ${i.message}`
    );
    throw new Error(`Cannot queue "${task.kind}": invalid payload (${problems.join("; ")})`);
  }
}

/**
 * Inserts a queued job inside the caller's transaction, so that work can be
 * claimed and its job created atomically (the sync dispatcher does). Nothing is
 * sent to the queue until `TaskClient.publishQueued` is called after commit; a
 * job whose publish never happens is published again by the stale-job reaper.
 *
 * @param tx a worker or service transaction for `opts.orgId`
 * @param task the task kind
 * @param payload its payload (validated)
 * @param opts organization, subject, dedup id, retries and actor
 * @param defaultRetries retries when neither `opts` nor the task sets them
 */
export async function queueJob<S extends z.ZodType, C>(
  tx: Tx,
  task: TaskDefinition<S, C>,
  payload: z.input<S>,
  opts: EnqueueOptions,
  defaultRetries = 3,
): Promise<QueuedJob> {
  validatePayload(task, payload);
  const retries = opts.retries ?? task.retries ?? defaultRetries;
  const { row, created } = await insertJob(tx, {
    orgId: opts.orgId,
    kind: task.kind,
    subject: opts.subject ?? null,
    payload,
    maxRetries: retries,
    dedupKey: opts.dedupId ?? null,
    actorUserId: opts.actorUserId ?? null,
  });
  return { row, created, task: task as AnyTaskDefinition, retries, delay: opts.delay };
}

/** Options for {@linkcode createTaskClient}. */
export interface TaskClientOptions {
  db: Database;
  log: Logger;
  transport: TaskTransport;
  /** Retries when neither the call nor the task sets them. */
  defaultRetries: number;
  /** Called with every task kind the client enqueues or schedules. */
  onTask?: (task: AnyTaskDefinition) => void;
}

/** Id of the reaper's schedule. */
export const REAPER_SCHEDULE_ID = "ciq-system-reap-stale-jobs";
/** Id of the minute schedule that starts due scheduled syncs (docs/operations.md). */
export const SYNC_DISPATCH_SCHEDULE_ID = "ciq-system-dispatch-syncs";
/**
 * Id of the daily schedule that purges audit entries past their plan's
 * retention and anchors every audit chain head (docs/audit.md).
 */
export const AUDIT_ANCHOR_SCHEDULE_ID = "ciq-system-audit-anchor";

/** Id of the schedule that evaluates `security.event` alert rules every minute. */
export const SECURITY_ALERTS_SCHEDULE_ID = "ciq-system-security-alerts";

/** The housekeeping schedules: stale-job reaper, sync dispatcher, audit anchor, security alerts. */
const SYSTEM_SCHEDULES: {
  id: string;
  cron: string;
  action: SystemMessage["action"];
  retries: number;
}[] = [
  { id: REAPER_SCHEDULE_ID, cron: "* * * * *", action: "reap", retries: 0 },
  { id: SYNC_DISPATCH_SCHEDULE_ID, cron: "* * * * *", action: "dispatch_syncs", retries: 0 },
  { id: AUDIT_ANCHOR_SCHEDULE_ID, cron: "5 0 * * *", action: "audit_anchor", retries: 3 },
  { id: SECURITY_ALERTS_SCHEDULE_ID, cron: "* * * * *", action: "security_alerts", retries: 0 },
];

const SCHEDULE_ID = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Builds a task client on a transport.
 *
 * @param options database, logger, transport and retry default
 */
export function createTaskClient(options: TaskClientOptions): TaskClient {
  const { db, log, transport } = options;

  const client: TaskClient = {
    transport,
    defaultRetries: options.defaultRetries,
    async enqueue(task, payload, opts) {
      const claims = workerClaims(opts.orgId, opts.actorUserId ?? null);
      const queued = await db.asTenant(
        claims,
        (tx) => queueJob(tx, task, payload, opts, options.defaultRetries),
      );
      return await client.publishQueued(queued);
    },

    async publishQueued(queued) {
      const { row, created, task, retries, delay } = queued;
      options.onTask?.(task);
      if (!created) return publicJob(row);
      const claims = workerClaims(row.org_id, row.actor_user_id);
      try {
        const { messageId } = await transport.publish({
          body: {
            v: 1,
            type: "job",
            jobId: row.id,
            orgId: row.org_id,
            kind: task.kind,
            segment: 0,
            maxRetries: retries,
          },
          dedupId: `job-${row.id}-0`,
          delaySeconds: delay,
          retries,
        });
        const [updated] = await db.asTenant(claims, (tx) =>
          tx<JobRow[]>`
            update public.jobs set message_id = coalesce(message_id, ${messageId})
            where id = ${row.id} returning ${tx(JOB_ROW_COLUMNS)}`);
        return publicJob(updated ?? row);
      } catch (error) {
        log.error("cannot queue a job", { kind: task.kind, jobId: row.id, error });
        await db.asTenant(
          claims,
          (tx) =>
            tx`update public.jobs set status = 'failed', error_code = 'queue_unavailable',
               error = 'Cannot start the job: the task queue did not accept it',
               finished_at = now()
             where id = ${row.id} and status = 'queued' and message_id is null`,
        );
        throw new HttpError(503, "Cannot start the job: the task queue is unavailable", {
          code: "queue_unavailable",
          cause: error,
        });
      }
    },

    async cancel(claims, jobId) {
      const row = await db.asTenant(claims, async (tx) => {
        const [job] = await tx<JobRow[]>`
          select ${tx(JOB_ROW_COLUMNS)} from public.jobs where id = ${jobId}`;
        if (!job) throw new HttpError(404, "Job not found");
        if (claims.ciq_actor !== "worker") await requirePermission(tx, job.org_id, "jobs.cancel");
        if (job.status !== "queued" && job.status !== "running") {
          throw new HttpError(
            409,
            `The job already ${job.status === "cancelled" ? "was cancelled" : job.status}`,
            {
              code: "job_finished",
            },
          );
        }
        const [cancelled] = await tx<JobRow[]>`
          update public.jobs set status = 'cancelled', finished_at = now(),
            lease_token = null, lease_until = null
          where id = ${jobId} and status in ('queued', 'running')
          returning ${tx(JOB_ROW_COLUMNS)}`;
        if (!cancelled) {
          throw new HttpError(409, "The job finished meanwhile", { code: "job_finished" });
        }
        return { cancelled, wasQueued: job.status === "queued" };
      });
      // A queued job's message need not be delivered at all; a running one's
      // delivery notices the cancellation at its next checkpoint.
      if (row.wasQueued && row.cancelled.message_id) {
        await transport.cancel(row.cancelled.message_id).catch((error) =>
          log.warn("cannot cancel the job's queued message", { jobId, error })
        );
      }
      return publicJob(row.cancelled);
    },

    schedules: {
      async upsert(spec) {
        if (!SCHEDULE_ID.test(spec.id)) {
          throw new Error(
            `Cannot schedule "${spec.task.kind}": schedule id "${spec.id}" must be 1–100 letters, digits, ".", "_" or "-"`,
          );
        }
        validatePayload(spec.task, spec.payload);
        options.onTask?.(spec.task as AnyTaskDefinition);
        const retries = spec.retries ?? spec.task.retries ?? options.defaultRetries;
        const body: ScheduleMessage = {
          v: 1,
          type: "schedule",
          scheduleId: spec.id,
          orgId: spec.orgId,
          kind: spec.task.kind,
          subject: spec.subject ?? null,
          payload: spec.payload,
          maxRetries: retries,
          skipIfRunning: spec.skipIfRunning ?? true,
          actorUserId: spec.actorUserId ?? null,
        };
        await transport.upsertSchedule({ id: spec.id, cron: spec.cron, body, retries });
        const info = await transport.getSchedule(spec.id);
        if (!info) throw new Error(`Cannot read schedule "${spec.id}" back after creating it`);
        return info;
      },
      get: (id) => transport.getSchedule(id),
      remove: (id) => transport.removeSchedule(id),
    },

    async ensureSystemSchedules() {
      for (const schedule of SYSTEM_SCHEDULES) {
        const body: SystemMessage = { v: 1, type: "system", action: schedule.action };
        await transport.upsertSchedule({ ...schedule, body });
      }
    },
  };
  return client;
}

/**
 * The URL QStash delivers task messages to: TASKS_CALLBACK_URL, or the tasks
 * function under PUBLIC_URL. Null when neither is configured.
 *
 * @param config validated configuration
 */
export function taskCallbackUrl(config: Config): string | null {
  if (config.TASKS_CALLBACK_URL) return config.TASKS_CALLBACK_URL;
  if (!config.PUBLIC_URL) return null;
  return `${config.PUBLIC_URL.replace(/\/$/, "")}/functions/v1/tasks/qstash`;
}

/**
 * The task client the configuration asks for: QStash when QSTASH_TOKEN and a
 * callback URL are set; otherwise one that refuses to queue, naming what is missing.
 *
 * @param config validated configuration
 * @param services database and logger
 */
export function createTaskClientFromConfig(
  config: Config,
  services: { db: Database; log: Logger },
): TaskClient {
  const callbackUrl = taskCallbackUrl(config);
  let transport: TaskTransport;
  if (!config.QSTASH_TOKEN) {
    transport = createDisabledTransport("QSTASH_TOKEN is not set");
  } else if (!callbackUrl) {
    transport = createDisabledTransport("set PUBLIC_URL or TASKS_CALLBACK_URL");
  } else {
    transport = createQStashTransport({
      baseUrl: config.QSTASH_URL,
      token: config.QSTASH_TOKEN,
      callbackUrl,
    });
  }
  return createTaskClient({
    ...services,
    transport,
    defaultRetries: config.TASKS_DEFAULT_RETRIES,
  });
}
