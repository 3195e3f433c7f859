import type { z } from "zod";
import type { Tx } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Job } from "./_jobs.ts";

/** Named numbers a job reports, e.g. `{ records: 1200, tables: 4 }`. */
export type JobCounters = Record<string, number>;

/** What the job running a handler looks like to it. */
export interface JobInfo {
  id: string;
  orgId: string;
  kind: string;
  subject: string | null;
  /** Continuation number: 0 for the first delivery, +1 for each `continueWith`. */
  segment: number;
  /** Deliveries that started work on this job so far, this one included. */
  attempt: number;
  /** `Upstash-Retried` of this delivery: 0 on the first try of a message. */
  retried: number;
  maxRetries: number;
  actorUserId: string | null;
}

/** A progress report, saved with a checkpoint or on its own. */
export interface ProgressUpdate {
  /** Fraction done, 0–1 (clamped). */
  fraction?: number;
  message?: string;
  /** Absolute values; keys not mentioned keep their last value. */
  counters?: JobCounters;
}

/** What one step of {@linkcode TaskContext.iterate} returns. */
export interface IterationStep<C> extends ProgressUpdate {
  /** Where the next step starts. */
  cursor: C;
  /** True when the work is complete; `result` becomes the job's result. */
  done?: boolean;
  result?: unknown;
}

/**
 * Options of {@linkcode TaskContext.enqueue}: the organization and the actor
 * are the running job's.
 */
export interface FollowUpOptions {
  /** What the job works on (e.g. an instance id), shown in the jobs list. */
  subject?: string | null;
  /** Same id and kind in the organization → the existing job is returned, none is created. */
  dedupId?: string;
  /** Seconds to wait before the first delivery. */
  delay?: number;
  /** Retries after a failed delivery; the task's, then the configured default. */
  retries?: number;
}

/** What a handler returns: finish the job, or continue in a new delivery. */
export type TaskOutcome =
  | { readonly type: "done"; readonly result: unknown }
  | { readonly type: "continue"; readonly cursor: unknown };

/**
 * Everything a handler gets besides its payload. Database work runs under worker
 * claims for the job's organization, so row-level security applies to it.
 */
export interface TaskContext<C> {
  readonly job: JobInfo;
  /** Where the previous delivery stopped (validated by the task's cursor schema), or null. */
  readonly cursor: C | null;
  readonly log: Logger;
  /** Aborted when the job is cancelled or another delivery has taken it over. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds after which the handler should save a cursor and continue. */
  readonly deadline: number;
  /** Milliseconds left in this delivery's time budget (never negative). */
  timeLeftMs(): number;
  /**
   * True once the time budget is spent and at least one step or checkpoint has
   * been saved in this delivery (so every delivery makes progress).
   */
  shouldYield(): boolean;
  /**
   * Runs `fn` in its own transaction under worker claims for the job's organization.
   * Do not call it from inside {@linkcode step}: use the transaction you are given.
   */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Reports progress; written within a second, or with the next checkpoint. */
  progress(fraction: number, message?: string, counters?: JobCounters): void;
  /** Saves `cursor` (and progress) so a later delivery resumes from it. */
  checkpoint(cursor: C, progress?: ProgressUpdate): Promise<void>;
  /**
   * Runs `fn` and saves the cursor it returns in the same transaction: the
   * step's writes and the cursor commit together or not at all, so a step is
   * applied exactly once even if the process dies at any moment. Keep a step
   * well under TASKS_LEASE_MS and free of slow network calls: it holds a
   * database connection (the embedded database has only one).
   */
  step(fn: (tx: Tx) => Promise<IterationStep<C>>): Promise<IterationStep<C>>;
  /**
   * Repeats atomic steps from `start` (or the saved cursor) until one reports
   * `done`, or the time budget is spent, in which case the job continues in a
   * new delivery from the last saved cursor.
   */
  iterate(start: C, fn: (tx: Tx, cursor: C) => Promise<IterationStep<C>>): Promise<TaskOutcome>;
  /** Ends this delivery and continues the job from `cursor` in a new one. */
  continueWith(cursor: C): TaskOutcome;
  /** Finishes the job with `result`. Returning nothing from the handler does the same. */
  done(result?: unknown): TaskOutcome;
  /**
   * Starts follow-up work for the job's organization, as a new job (e.g. an
   * analysis once a sync has finished); the job's actor is kept on it. It is
   * not part of any step's transaction: give it a `dedupId` derived from this
   * job's work so that a repeated delivery queues it only once.
   *
   * @throws {HttpError} 503 when the queue does not accept the message
   */
  enqueue<S extends z.ZodType, D>(
    task: TaskDefinition<S, D>,
    payload: z.input<S>,
    options?: FollowUpOptions,
  ): Promise<Job>;
}

/** A kind of background work: its payload schema, cursor schema and handler. */
export interface TaskDefinition<S extends z.ZodType = z.ZodType, C = unknown> {
  /** Dotted lowercase name, e.g. "servicenow.sync". */
  readonly kind: string;
  readonly payload: S;
  /** Validates the saved cursor before a continuation uses it. */
  readonly cursor?: z.ZodType<C>;
  /** QStash retries after a failed delivery; the configured default when absent. */
  readonly retries?: number;
  /** Time budget of one delivery in ms; the configured default when absent. */
  readonly timeBudgetMs?: number;
  readonly handler: (ctx: TaskContext<C>, payload: z.output<S>) => Promise<TaskOutcome | void>;
}

/** A task definition of any payload and cursor type. */
// deno-lint-ignore no-explicit-any
export type AnyTaskDefinition = TaskDefinition<z.ZodType, any>;

const KIND = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * Declares a kind of background work.
 *
 * @example
 * const countTask = defineTask({
 *   kind: "demo.count",
 *   payload: z.object({ upTo: z.number().int() }),
 *   cursor: z.object({ next: z.number().int() }),
 *   handler: (ctx, { upTo }) =>
 *     ctx.iterate({ next: 0 }, async (tx, { next }) => {
 *       await tx`insert into demo (n) values (${next})`;
 *       return { cursor: { next: next + 1 }, done: next + 1 >= upTo, fraction: (next + 1) / upTo };
 *     }),
 * });
 *
 * @param spec kind, schemas, retries, time budget and handler
 * @throws {Error} when the kind is not a dotted lowercase name
 */
export function defineTask<S extends z.ZodType, C = unknown>(
  spec: TaskDefinition<S, C>,
): TaskDefinition<S, C> {
  if (!KIND.test(spec.kind) || spec.kind.length > 100) {
    throw new Error(
      `Cannot define task "${spec.kind}": a kind is a dotted lowercase name such as "servicenow.sync"`,
    );
  }
  if (spec.retries !== undefined && !(Number.isInteger(spec.retries) && spec.retries >= 0)) {
    throw new Error(`Cannot define task "${spec.kind}": retries must be a whole number ≥ 0`);
  }
  return Object.freeze({ ...spec });
}

/** Looks task kinds up by name; the tasks endpoint runs only kinds it knows. */
export interface TaskRegistry {
  get(kind: string): AnyTaskDefinition | undefined;
  /** Adds a kind; adding the same definition again is a no-op. */
  add(task: AnyTaskDefinition): void;
  readonly kinds: readonly string[];
}

/**
 * Builds a registry from task definitions.
 *
 * @param tasks the kinds this process can run
 * @throws {Error} when two different definitions share a kind
 */
export function createTaskRegistry(tasks: readonly AnyTaskDefinition[] = []): TaskRegistry {
  const byKind = new Map<string, AnyTaskDefinition>();
  const registry: TaskRegistry = {
    get: (kind) => byKind.get(kind),
    add(task) {
      const existing = byKind.get(task.kind);
      if (existing && existing !== task) {
        throw new Error(`Cannot register task "${task.kind}": another task has that kind`);
      }
      byKind.set(task.kind, task);
    },
    get kinds() {
      return [...byKind.keys()].sort();
    },
  };
  for (const task of tasks) registry.add(task);
  return registry;
}
