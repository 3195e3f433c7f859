import { Client, QstashError } from "@upstash/qstash";
import { withinTime } from "../runtime/time_limit.ts";
import type { TaskMessage } from "./_messages.ts";
import { traceHeaders } from "../telemetry/mod.ts";

/** A message to publish to the tasks endpoint. */
export interface OutgoingMessage {
  body: TaskMessage;
  /** Same id within the queue's deduplication window → published once. */
  dedupId?: string;
  /** Seconds to wait before the first delivery. */
  delaySeconds?: number;
  /** Retries after a failed delivery. */
  retries: number;
}

/** A cron schedule that publishes the same message at every firing. */
export interface OutgoingSchedule {
  id: string;
  /** Five-field cron, optionally prefixed `CRON_TZ=<zone> `. */
  cron: string;
  body: TaskMessage;
  retries: number;
}

/** A schedule as the queue reports it. */
export interface ScheduleInfo {
  id: string;
  cron: string;
  paused: boolean;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
}

/**
 * Where a published message is: still to be delivered (or retried), dead
 * (retries exhausted, in the dead-letter queue), or gone (delivered, cancelled,
 * or never accepted).
 */
export type MessageState = "pending" | "dead" | "gone";

/** The queue that carries task messages to the tasks endpoint. */
export interface TaskTransport {
  readonly name: string;
  publish(message: OutgoingMessage): Promise<{ messageId: string; deduplicated: boolean }>;
  /** Cancels a pending message; false when it is no longer pending. */
  cancel(messageId: string): Promise<boolean>;
  messageState(messageId: string): Promise<MessageState>;
  upsertSchedule(schedule: OutgoingSchedule): Promise<void>;
  getSchedule(id: string): Promise<ScheduleInfo | null>;
  /** Deletes a schedule; false when there was none. */
  removeSchedule(id: string): Promise<boolean>;
}

/** Options for {@linkcode createQStashTransport}. */
export interface QStashTransportOptions {
  /** QStash REST base URL. */
  baseUrl: string;
  token: string;
  /** Where QStash delivers: the tasks endpoint's public URL. */
  callbackUrl: string;
  /** Retries of the client's own requests to QStash on network errors (default 3). */
  clientRetries?: number;
  /**
   * The most one call to QStash may take, its retries included (default 30 s):
   * a connection that never answers fails the caller instead of hanging it.
   */
  callTimeoutMs?: number;
}

/**
 * Publishes task messages and manages schedules through QStash's REST API with
 * the official `@upstash/qstash` client (the real service, or the dev stand-in).
 *
 * @param options base URL, token and the tasks endpoint's public URL
 */
export function createQStashTransport(options: QStashTransportOptions): TaskTransport {
  const client = new Client({
    baseUrl: options.baseUrl,
    token: options.token,
    devMode: false,
    enableTelemetry: false,
    retry: {
      retries: options.clientRetries ?? 3,
      backoff: (n) => Math.exp(n) * 50,
    },
  });
  const callbackUrl = options.callbackUrl;
  const limitMs = options.callTimeoutMs ?? 30_000;
  const bounded = <T>(what: string, work: Promise<T>) =>
    withinTime(work, limitMs, `${what} (QStash at ${options.baseUrl})`);
  const notFound = (error: unknown) => error instanceof QstashError && error.status === 404;

  return {
    name: "qstash",
    async publish(message) {
      const response = await bounded(
        "publishing a task message",
        client.publishJSON({
          url: callbackUrl,
          body: message.body,
          // Forwarded to the delivery, whose request span then continues this trace.
          headers: traceHeaders(),
          retries: message.retries,
          ...(message.dedupId ? { deduplicationId: message.dedupId } : {}),
          ...(message.delaySeconds ? { delay: Math.max(0, Math.round(message.delaySeconds)) } : {}),
        }),
      );
      return { messageId: response.messageId, deduplicated: response.deduplicated === true };
    },
    async cancel(messageId) {
      try {
        const { cancelled } = await bounded(
          "cancelling a message",
          client.messages.cancel(messageId),
        );
        return cancelled > 0;
      } catch (error) {
        if (notFound(error)) return false;
        throw error;
      }
    },
    async messageState(messageId) {
      try {
        await bounded("reading a message", client.messages.get(messageId));
        return "pending";
      } catch (error) {
        if (!notFound(error)) throw error;
      }
      const dead = await bounded(
        "reading the dead-letter queue",
        client.dlq.listMessages({ filter: { messageId }, count: 1 }),
      );
      return dead.messages.some((m) => m.messageId === messageId) ? "dead" : "gone";
    },
    async upsertSchedule(schedule) {
      await bounded(
        "creating a schedule",
        client.schedules.create({
          scheduleId: schedule.id,
          destination: callbackUrl,
          cron: schedule.cron,
          body: JSON.stringify(schedule.body),
          headers: { "Content-Type": "application/json" },
          retries: schedule.retries,
        }),
      );
    },
    async getSchedule(id) {
      try {
        const s = await bounded("reading a schedule", client.schedules.get(id));
        return {
          id: s.scheduleId,
          cron: s.cron,
          paused: s.isPaused,
          nextRunAt: s.nextScheduleTime ? new Date(s.nextScheduleTime) : null,
          lastRunAt: s.lastScheduleTime ? new Date(s.lastScheduleTime) : null,
        };
      } catch (error) {
        if (notFound(error)) return null;
        throw error;
      }
    },
    async removeSchedule(id) {
      try {
        await bounded("removing a schedule", client.schedules.delete(id));
        return true;
      } catch (error) {
        if (notFound(error)) return false;
        throw error;
      }
    },
  };
}

/**
 * A transport that refuses every call, naming what to configure. Used when no
 * QStash token is set, so functions that never enqueue still start.
 *
 * @param reason why background work is unavailable
 */
export function createDisabledTransport(reason: string): TaskTransport {
  const refuse = (): Promise<never> =>
    Promise.reject(new Error(`Cannot queue background work: ${reason}`));
  return {
    name: "disabled",
    publish: refuse,
    cancel: refuse,
    messageState: refuse,
    upsertSchedule: refuse,
    getSchedule: refuse,
    removeSchedule: refuse,
  };
}
