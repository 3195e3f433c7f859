// An in-memory queue for unit tests of other domains: enqueueing works exactly
// as with QStash (jobs rows, worker claims, the same runner), but messages wait
// in memory until the test calls `drain()`.
import type { Database } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import { createTaskClient, type TaskClient } from "./client.ts";
import { createTaskRegistry, type TaskRegistry } from "./define.ts";
import type { TaskMessage } from "./_messages.ts";
import { type DeliveryOutcome, deliveryStatus, processMessage } from "./runner.ts";
import type { OutgoingSchedule, ScheduleInfo, TaskTransport } from "./transport.ts";

/** A message whose retries ran out. */
export interface DeadLetter {
  messageId: string;
  body: TaskMessage;
  /** What the last attempt ended with. */
  outcome: DeliveryOutcome;
}

/** What {@linkcode InProcessTaskClient.drain} did. */
export interface DrainReport {
  delivered: number;
  outcomes: DeliveryOutcome[];
}

/** A task client whose queue is in memory and delivered on demand. */
export interface InProcessTaskClient extends TaskClient {
  /** Kinds this client can run: every kind it enqueued or scheduled, plus any registered. */
  readonly registry: TaskRegistry;
  /**
   * Delivers every queued message, and the continuations and retries they
   * cause, until the queue is empty (delays are not waited for).
   */
  drain(options?: { maxDeliveries?: number }): Promise<DrainReport>;
  /** Publishes a schedule's message once, as a cron firing would. */
  fire(scheduleId: string): Promise<void>;
  /** Messages waiting to be delivered. */
  readonly pending: readonly { messageId: string; body: TaskMessage; retried: number }[];
  readonly deadLetters: readonly DeadLetter[];
}

/** Options for {@linkcode createInProcessTaskClient}. */
export interface InProcessTaskClientOptions {
  db: Database;
  log: Logger;
  registry?: TaskRegistry;
  timeBudgetMs?: number;
  leaseMs?: number;
  defaultRetries?: number;
}

interface Queued {
  messageId: string;
  body: TaskMessage;
  retries: number;
  retried: number;
  scheduleId: string | null;
}

/**
 * Creates a task client backed by an in-memory queue and the real runner.
 *
 * @param options database, logger and budgets
 */
export function createInProcessTaskClient(
  options: InProcessTaskClientOptions,
): InProcessTaskClient {
  const registry = options.registry ?? createTaskRegistry();
  const queue: Queued[] = [];
  const dead: DeadLetter[] = [];
  const dedup = new Map<string, string>();
  const schedules = new Map<string, OutgoingSchedule & { createdAt: Date }>();
  let sequence = 0;
  const nextId = () => `msg_local_${++sequence}_${crypto.randomUUID().slice(0, 8)}`;

  const transport: TaskTransport = {
    name: "in-process",
    publish(message) {
      if (message.dedupId && dedup.has(message.dedupId)) {
        return Promise.resolve({ messageId: dedup.get(message.dedupId)!, deduplicated: true });
      }
      const messageId = nextId();
      if (message.dedupId) dedup.set(message.dedupId, messageId);
      queue.push({
        messageId,
        body: message.body,
        retries: message.retries,
        retried: 0,
        scheduleId: null,
      });
      return Promise.resolve({ messageId, deduplicated: false });
    },
    cancel(messageId) {
      const index = queue.findIndex((m) => m.messageId === messageId);
      if (index >= 0) queue.splice(index, 1);
      return Promise.resolve(index >= 0);
    },
    messageState(messageId) {
      if (queue.some((m) => m.messageId === messageId)) return Promise.resolve("pending");
      if (dead.some((m) => m.messageId === messageId)) return Promise.resolve("dead");
      return Promise.resolve("gone");
    },
    upsertSchedule(schedule) {
      schedules.set(schedule.id, { ...schedule, createdAt: new Date() });
      return Promise.resolve();
    },
    getSchedule(id) {
      const s = schedules.get(id);
      const info: ScheduleInfo | null = s
        ? { id: s.id, cron: s.cron, paused: false, nextRunAt: null, lastRunAt: null }
        : null;
      return Promise.resolve(info);
    },
    removeSchedule(id) {
      return Promise.resolve(schedules.delete(id));
    },
  };

  const client = createTaskClient({
    db: options.db,
    log: options.log,
    transport,
    defaultRetries: options.defaultRetries ?? 3,
    onTask: (task) => registry.add(task),
  });
  const runner = {
    db: options.db,
    log: options.log,
    registry,
    transport,
    timeBudgetMs: options.timeBudgetMs ?? 25_000,
    leaseMs: options.leaseMs ?? 15_000,
    staleAfterMs: 120_000,
    // Follow-up work queued by handlers lands in this queue, its kind registered.
    tasks: client,
  };

  return {
    ...client,
    registry,
    get pending() {
      return queue.map(({ messageId, body, retried }) => ({ messageId, body, retried }));
    },
    get deadLetters() {
      return [...dead];
    },
    async drain(drainOptions = {}) {
      const max = drainOptions.maxDeliveries ?? 10_000;
      const outcomes: DeliveryOutcome[] = [];
      while (queue.length > 0) {
        if (outcomes.length >= max) {
          throw new Error(`Cannot drain the task queue: more than ${max} deliveries`);
        }
        const message = queue.shift()!;
        const outcome = await processMessage(runner, message.body, {
          messageId: message.messageId,
          retried: message.retried,
          scheduleId: message.scheduleId,
        });
        outcomes.push(outcome);
        if (deliveryStatus(outcome) >= 300) {
          if (message.retried < message.retries) {
            queue.push({ ...message, retried: message.retried + 1 });
          } else {
            dead.push({ messageId: message.messageId, body: message.body, outcome });
          }
        }
      }
      return { delivered: outcomes.length, outcomes };
    },
    fire(scheduleId) {
      const schedule = schedules.get(scheduleId);
      if (!schedule) {
        return Promise.reject(new Error(`Cannot fire schedule "${scheduleId}": no such schedule`));
      }
      queue.push({
        messageId: nextId(),
        body: schedule.body,
        retries: schedule.retries,
        retried: 0,
        scheduleId,
      });
      return Promise.resolve();
    },
  };
}
