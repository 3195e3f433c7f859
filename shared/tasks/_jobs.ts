// SQL shared by the runner, the client and the jobs API. Every statement runs in
// a tenant transaction (worker or user claims): RLS decides what it touches.
import type { Tx } from "../db/mod.ts";
import type { JobCounters } from "./define.ts";

/** Status of a job. */
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** A job as its organization sees it (the API's JSON). */
export interface Job {
  id: string;
  org_id: string;
  kind: string;
  subject: string | null;
  status: JobStatus;
  /** 0–1. */
  progress: number;
  progress_message: string;
  counters: JobCounters;
  result: unknown;
  error: string | null;
  error_code: string | null;
  attempts: number;
  max_retries: number;
  /** Continuations so far. */
  segment: number;
  actor_user_id: string | null;
  cancelled_by: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** A job with the columns only workers use. */
export interface JobRow extends Job {
  payload: unknown;
  cursor: unknown;
  dedup_key: string | null;
  message_id: string | null;
  schedule_id: string | null;
  lease_token: string | null;
  lease_until: Date | null;
}

/** Columns of {@linkcode Job}. */
export const JOB_COLUMNS = [
  "id",
  "org_id",
  "kind",
  "subject",
  "status",
  "progress",
  "progress_message",
  "counters",
  "result",
  "error",
  "error_code",
  "attempts",
  "max_retries",
  "segment",
  "actor_user_id",
  "cancelled_by",
  "created_at",
  "updated_at",
  "started_at",
  "finished_at",
] as const;

/** Columns of {@linkcode JobRow}. */
export const JOB_ROW_COLUMNS = [
  ...JOB_COLUMNS,
  "payload",
  "cursor",
  "dedup_key",
  "message_id",
  "schedule_id",
  "lease_token",
  "lease_until",
] as const;

/** Terminal statuses: nothing runs a job in one of these again. */
export const FINISHED: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

/** What {@linkcode insertJob} needs. */
export interface NewJob {
  orgId: string;
  kind: string;
  subject: string | null;
  payload: unknown;
  maxRetries: number;
  dedupKey: string | null;
  actorUserId: string | null;
  scheduleId?: string | null;
  messageId?: string | null;
  /** A job that is failed from the start (its payload was refused). */
  failure?: { message: string; code: string };
}

/**
 * Inserts a job, or returns the existing one with the same organization, kind
 * and dedup key.
 *
 * @param tx a worker transaction for `job.orgId`
 * @param job the job to create
 */
export async function insertJob(tx: Tx, job: NewJob): Promise<{ row: JobRow; created: boolean }> {
  const failed = job.failure ?? null;
  const [row] = await tx<JobRow[]>`
    insert into public.jobs (org_id, kind, subject, payload, max_retries, dedup_key, actor_user_id,
                             schedule_id, message_id, status, error, error_code, finished_at)
    values (${job.orgId}, ${job.kind}, ${job.subject}, ${tx.json(jsonValue(job.payload))},
            ${job.maxRetries}, ${job.dedupKey}, ${job.actorUserId}, ${job.scheduleId ?? null},
            ${job.messageId ?? null}, ${failed ? "failed" : "queued"}, ${failed?.message ?? null},
            ${failed?.code ?? null}, ${failed ? new Date() : null})
    on conflict (org_id, kind, dedup_key) do nothing
    returning ${tx(JOB_ROW_COLUMNS)}`;
  if (row) return { row: normalize(row), created: true };
  const [existing] = await tx<JobRow[]>`
    select ${tx(JOB_ROW_COLUMNS)} from public.jobs
    where org_id = ${job.orgId} and kind = ${job.kind} and dedup_key = ${job.dedupKey}`;
  if (!existing) {
    throw new Error(`Cannot create a "${job.kind}" job: its dedup key is taken but not visible`);
  }
  return { row: normalize(existing), created: false };
}

/**
 * The public fields of a job row.
 *
 * @param row a row read with {@linkcode JOB_ROW_COLUMNS}
 */
export function publicJob(row: Job): Job {
  const out: Record<string, unknown> = {};
  for (const column of JOB_COLUMNS) out[column] = row[column];
  return normalize(out as unknown as Job);
}

/**
 * Fixes types postgres.js returns loosely (real → number).
 *
 * @param row a job row
 */
export function normalize<T extends Job>(row: T): T {
  row.progress = Number(row.progress);
  return row;
}

/**
 * A value postgres.js can store as jsonb (undefined becomes null).
 *
 * @param value anything JSON-serialisable
 */
export function jsonValue(value: unknown): postgresJson {
  return (value === undefined ? null : value) as postgresJson;
}

// postgres.js's JSON parameter type, without importing its namespace here.
// deno-lint-ignore no-explicit-any
type postgresJson = any;
