/**
 * Background work on QStash: typed task kinds, jobs with progress, cron
 * schedules, continuation for long work, and the runner behind the `tasks`
 * function (the QStash callback endpoint).
 *
 * A domain declares a kind with {@linkcode defineTask}, lists it in
 * `functions/tasks/kinds.ts`, and starts work with `services.tasks.enqueue`:
 *
 * ```ts
 * const job = await services.tasks.enqueue(syncTask, { instanceId }, {
 *   orgId, subject: instanceId, actorUserId: userId,
 * });
 * ```
 *
 * @module
 */
export { createTaskRegistry, defineTask } from "./define.ts";
export type {
  AnyTaskDefinition,
  FollowUpOptions,
  IterationStep,
  JobCounters,
  JobInfo,
  ProgressUpdate,
  TaskContext,
  TaskDefinition,
  TaskOutcome,
  TaskRegistry,
} from "./define.ts";
export {
  AUDIT_ANCHOR_SCHEDULE_ID,
  createTaskClient,
  createTaskClientFromConfig,
  queueJob,
  REAPER_SCHEDULE_ID,
  SECURITY_ALERTS_SCHEDULE_ID,
  SYNC_DISPATCH_SCHEDULE_ID,
  taskCallbackUrl,
} from "./client.ts";
export type {
  EnqueueOptions,
  QueuedJob,
  ScheduleSpec,
  TaskClient,
  TaskClientOptions,
  TaskSchedules,
} from "./client.ts";
export { createInProcessTaskClient } from "./in_process.ts";
export type {
  DeadLetter,
  DrainReport,
  InProcessTaskClient,
  InProcessTaskClientOptions,
} from "./in_process.ts";
export { getJob, listJobDeliveries, listJobs, listJobsQuerySchema } from "./jobs.ts";
export type { JobDelivery, JobPage } from "./jobs.ts";
export type { Job, JobStatus } from "./_jobs.ts";
export { JobCancelledError, LeaseLostError, PermanentTaskError } from "./errors.ts";
export { deliveryStatus, processMessage } from "./runner.ts";
export type { DeliveryOutcome, RunnerOptions, SystemActions } from "./runner.ts";
export { taskMessageSchema } from "./_messages.ts";
export type { DeliveryMeta, TaskMessage } from "./_messages.ts";
export { reapStaleJobs } from "./reaper.ts";
export { closeRunsOfEndedJobs, type RunTable } from "./run_records.ts";
export type { ReaperOptions, ReapReport } from "./reaper.ts";
export { createDisabledTransport, createQStashTransport } from "./transport.ts";
export type {
  MessageState,
  OutgoingMessage,
  OutgoingSchedule,
  QStashTransportOptions,
  ScheduleInfo,
  TaskTransport,
} from "./transport.ts";
export { probeChecksum, probePayloadSchema, probeTask } from "./probe.ts";
export { deliveryOutcomeSchema, jobDeliverySchema, jobSchema } from "./api_schemas.ts";
