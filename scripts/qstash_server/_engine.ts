// The stand-in's state machine, all in Postgres so a restart loses nothing:
// messages are claimed for delivery with `for update skip locked` (several
// loops may share a database), delivered with a QStash signature, retried with
// QStash's backoff (scaled for tests), dead-lettered when retries run out, and
// taken over from a delivery loop that stopped heartbeating (a killed process).
import type postgres from "postgres";
import type { Sql } from "../../shared/db/mod.ts";
import type { Logger } from "../../shared/log/mod.ts";
import { evaluateRetryDelay, parseCron } from "./_parse.ts";
import { randomId, signDelivery } from "./_signing.ts";

/** A message row. */
export interface MessageRow {
  id: string;
  url: string;
  method: string;
  header: Record<string, string[]>;
  body: Uint8Array;
  retries: number;
  retried: number;
  retry_delay: string | null;
  callback: string | null;
  failure_callback: string | null;
  timeout_ms: number | null;
  dedup_id: string | null;
  schedule_id: string | null;
  label: string | null;
  caller_ip: string | null;
  not_before: Date;
  state: "pending" | "delivering" | "delivered" | "failed" | "cancelled";
  worker_id: string | null;
  lease_until: Date | null;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A schedule row. */
export interface ScheduleRow {
  id: string;
  destination: string;
  cron: string;
  method: string;
  header: Record<string, string[]>;
  body: Uint8Array;
  retries: number;
  retry_delay: string | null;
  delay_ms: string | number;
  callback: string | null;
  failure_callback: string | null;
  timeout_ms: number | null;
  label: string | null;
  caller_ip: string | null;
  paused: boolean;
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_message_id: string | null;
  created_at: Date;
}

/** What a new message needs. */
export interface NewMessage {
  url: string;
  method: string;
  header: Record<string, string[]>;
  body: Uint8Array;
  retries: number;
  retryDelay: string | null;
  callback: string | null;
  failureCallback: string | null;
  timeoutMs: number | null;
  dedupId: string | null;
  scheduleId: string | null;
  label: string | null;
  callerIp: string | null;
  notBefore: Date;
}

/** Engine settings. */
export interface EngineOptions {
  sql: Sql;
  log: Logger;
  now: () => Date;
  signingKeys: () => { current: string; next: string };
  fetch: typeof fetch;
  /** Multiplies QStash's default backoff (1 = real QStash's e^(2.5·n) seconds). */
  retryDelayScale: number;
  concurrency: number;
  pollMs: number;
  workerTimeoutMs: number;
  defaultTimeoutMs: number;
  /** Stop waiting for in-flight deliveries after this long on `stop()`. */
  stopGraceMs: number;
}

/** Deduplication window of QStash. */
export const DEDUP_WINDOW_MS = 10 * 60_000;
const MAX_RESPONSE_CHARS = 64 * 1024;

/**
 * Message id in QStash's style.
 */
export function newMessageId(): string {
  return `msg_${randomId(26)}`;
}

/** Delivers messages and fires schedules from the database. */
export class Engine {
  readonly workerId = `wrk_${randomId(12)}`;
  #o: EngineOptions;
  #running = false;
  #stopping = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #inflight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  #lastHeartbeat = 0;
  #lastPrune = 0;

  constructor(options: EngineOptions) {
    this.#o = options;
  }

  /** Deliveries in progress in this process. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /** Starts the delivery loop. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#heartbeat(true);
    this.#loop = this.#run();
  }

  /** Wakes the loop (after a publish). */
  wake(): void {
    this.#wake?.();
  }

  /**
   * Stops the loop, waits for in-flight deliveries (up to the grace period),
   * aborts the rest and returns their messages to the queue untouched.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#stopping = true;
    this.wake();
    await this.#loop;
    const settled = Promise.all([...this.#inflight.values()].map((d) => d.done));
    const grace = setTimeout(() => {
      for (const d of this.#inflight.values()) d.abort.abort();
    }, this.#o.stopGraceMs);
    await settled;
    clearTimeout(grace);
    const sql = this.#o.sql;
    await sql`
      update qstash_dev.messages set state = 'pending', worker_id = null, lease_until = null
      where worker_id = ${this.workerId} and state = 'delivering'`;
    await sql`delete from qstash_dev.workers where id = ${this.workerId}`;
    this.#stopping = false;
  }

  /**
   * Fires due schedules and delivers every due message now, waiting for the
   * deliveries; repeats until nothing is due. For tests with a manual clock.
   *
   * @returns how many deliveries were made
   */
  async processDue(): Promise<number> {
    await this.#heartbeat(true);
    let delivered = 0;
    for (;;) {
      await this.fireSchedules();
      const claimed = await this.#claim(this.#o.concurrency);
      if (claimed.length === 0) return delivered;
      await Promise.all(claimed.map((m) => this.#deliverTracked(m)));
      delivered += claimed.length;
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        await this.#heartbeat(false);
        await this.fireSchedules();
        const capacity = this.#o.concurrency - this.#inflight.size;
        if (capacity > 0) {
          const claimed = await this.#claim(capacity);
          for (const message of claimed) {
            this.#deliverTracked(message).finally(() => this.wake());
          }
          if (claimed.length === capacity) continue;
        }
        await this.#sleep(await this.#untilNextDue());
      } catch (error) {
        if (!this.#running) break;
        this.#o.log.error("qstash stand-in: delivery loop error", { error });
        await this.#sleep(this.#o.pollMs);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }

  async #untilNextDue(): Promise<number> {
    const [row] = await this.#o.sql<{ next: Date | null }[]>`
      select least(
        (select min(not_before) from qstash_dev.messages where state = 'pending'),
        (select min(next_run_at) from qstash_dev.schedules where not paused)
      ) as next`;
    if (!row?.next) return this.#o.pollMs;
    return Math.min(this.#o.pollMs, Math.max(0, row.next.getTime() - this.#o.now().getTime()));
  }

  async #heartbeat(force: boolean): Promise<void> {
    const now = this.#o.now();
    if (!force && Date.now() - this.#lastHeartbeat < this.#o.workerTimeoutMs / 4) return;
    this.#lastHeartbeat = Date.now();
    const sql = this.#o.sql;
    await sql`
      insert into qstash_dev.workers (id, heartbeat_at) values (${this.workerId}, ${now})
      on conflict (id) do update set heartbeat_at = excluded.heartbeat_at`;
    if (Date.now() - this.#lastPrune > 60_000) {
      this.#lastPrune = Date.now();
      const cutoff = new Date(now.getTime() - Math.max(DEDUP_WINDOW_MS, 3_600_000));
      await sql`delete from qstash_dev.messages
                where state in ('delivered', 'failed', 'cancelled') and updated_at < ${cutoff}`;
      await sql`delete from qstash_dev.workers
                where heartbeat_at < ${new Date(now.getTime() - 24 * 3_600_000)}`;
    }
  }

  /** Publishes a message for every schedule whose time has come. */
  async fireSchedules(): Promise<number> {
    const now = this.#o.now();
    return await this.#o.sql.begin(async (tx) => {
      const due = await tx<ScheduleRow[]>`
        select * from qstash_dev.schedules
        where not paused and next_run_at <= ${now}
        order by next_run_at limit 100
        for update skip locked`;
      for (const schedule of due) {
        const id = newMessageId();
        await insertMessage(tx, id, now, {
          url: schedule.destination,
          method: schedule.method,
          header: schedule.header,
          body: schedule.body,
          retries: schedule.retries,
          retryDelay: schedule.retry_delay,
          callback: schedule.callback,
          failureCallback: schedule.failure_callback,
          timeoutMs: schedule.timeout_ms,
          dedupId: null,
          scheduleId: schedule.id,
          label: schedule.label,
          callerIp: schedule.caller_ip,
          notBefore: new Date(now.getTime() + Number(schedule.delay_ms)),
        });
        // Missed firings (the stand-in was down) collapse into this one.
        let next: Date | null = null;
        try {
          next = parseCron(schedule.cron).nextAfter(now);
        } catch (error) {
          this.#o.log.error("qstash stand-in: schedule has an invalid cron", {
            scheduleId: schedule.id,
            error,
          });
        }
        await tx`
          update qstash_dev.schedules set last_run_at = ${schedule.next_run_at},
            next_run_at = ${next}, last_message_id = ${id}
          where id = ${schedule.id}`;
      }
      return due.length;
    });
  }

  async #claim(limit: number): Promise<MessageRow[]> {
    if (limit <= 0) return [];
    const now = this.#o.now();
    const aliveSince = new Date(now.getTime() - this.#o.workerTimeoutMs);
    return await this.#o.sql<MessageRow[]>`
      with due as (
        select id from qstash_dev.messages
        where (state = 'pending' and not_before <= ${now})
           or (state = 'delivering' and (
                lease_until < ${now}
                or worker_id is null
                or not exists (select 1 from qstash_dev.workers w
                               where w.id = messages.worker_id and w.heartbeat_at > ${aliveSince})))
        order by not_before, created_at
        limit ${limit}
        for update skip locked
      )
      update qstash_dev.messages m set
        state = 'delivering', worker_id = ${this.workerId},
        lease_until = ${now}::timestamptz
          + (coalesce(m.timeout_ms, ${this.#o.defaultTimeoutMs}) + 30000) * interval '1 millisecond',
        -- A delivery cut off by a dead process counts as a failed attempt.
        retried = case when m.state = 'delivering' then m.retried + 1 else m.retried end,
        updated_at = ${now}
      from due where m.id = due.id
      returning m.*`;
  }

  #deliverTracked(message: MessageRow): Promise<void> {
    const abort = new AbortController();
    const done = this.#deliver(message, abort.signal).catch((error) =>
      this.#o.log.error("qstash stand-in: delivery bookkeeping failed", {
        messageId: message.id,
        error,
      })
    ).finally(() => this.#inflight.delete(message.id));
    this.#inflight.set(message.id, { done, abort });
    return done;
  }

  async #deliver(message: MessageRow, signal: AbortSignal): Promise<void> {
    const log = this.#o.log;
    if (message.retried > message.retries) {
      await this.#deadLetter(message, {
        status: null,
        header: {},
        body: "",
        error: "delivery interrupted",
      });
      return;
    }
    const keys = this.#o.signingKeys();
    const body = new Uint8Array(message.body);
    const headers = new Headers();
    for (const [name, values] of Object.entries(message.header)) {
      for (const value of values) headers.append(name, value);
    }
    headers.set("User-Agent", "Upstash-QStash");
    headers.set("Upstash-Message-Id", message.id);
    headers.set("Upstash-Retried", String(message.retried));
    if (message.schedule_id) headers.set("Upstash-Schedule-Id", message.schedule_id);
    if (message.caller_ip) headers.set("Upstash-Caller-Ip", message.caller_ip);
    headers.set(
      "Upstash-Signature",
      await signDelivery({ key: keys.current, url: message.url, body }),
    );

    const timeout = AbortSignal.timeout(message.timeout_ms ?? this.#o.defaultTimeoutMs);
    let status: number | null = null;
    let responseHeader: Record<string, string[]> = {};
    let responseBody = "";
    let error: string | null = null;
    try {
      const response = await this.#o.fetch(message.url, {
        method: message.method,
        headers,
        body: ["GET", "HEAD"].includes(message.method) ? undefined : body,
        signal: AbortSignal.any([signal, timeout]),
        redirect: "manual",
      });
      status = response.status;
      responseHeader = {};
      response.headers.forEach((value, name) => {
        (responseHeader[name] ??= []).push(value);
      });
      responseBody = (await response.text()).slice(0, MAX_RESPONSE_CHARS);
    } catch (cause) {
      if (signal.aborted && this.#stopping) return; // stop(): the message goes back untouched
      error = timeout.aborted
        ? "delivery timed out"
        : cause instanceof Error
        ? cause.message
        : String(cause);
    }
    const outcome = { status, header: responseHeader, body: responseBody, error };
    if (status !== null && status >= 200 && status < 300) {
      const [updated] = await this.#o.sql`
        update qstash_dev.messages set state = 'delivered', last_status = ${status},
          last_error = null, lease_until = null, updated_at = ${this.#o.now()}
        where id = ${message.id} and state = 'delivering' and worker_id = ${this.workerId}
        returning id`;
      if (updated && message.callback) await this.#callback(message, message.callback, outcome);
      log.debug("qstash stand-in: delivered", { messageId: message.id, status });
      return;
    }
    if (message.retried >= message.retries) {
      await this.#deadLetter(message, outcome);
      return;
    }
    const delayMs = this.#retryDelay(message);
    const [updated] = await this.#o.sql`
      update qstash_dev.messages set state = 'pending', retried = retried + 1,
        not_before = ${new Date(this.#o.now().getTime() + delayMs)},
        last_status = ${status}, last_error = ${error}, worker_id = null, lease_until = null,
        updated_at = ${this.#o.now()}
      where id = ${message.id} and state = 'delivering' and worker_id = ${this.workerId}
      returning id`;
    // QStash calls the callback after each attempt, failed ones included.
    if (updated && message.callback) await this.#callback(message, message.callback, outcome);
    log.debug("qstash stand-in: delivery failed, will retry", {
      messageId: message.id,
      status,
      error,
      retryInMs: delayMs,
    });
    this.wake();
  }

  #retryDelay(message: MessageRow): number {
    if (message.retry_delay) {
      try {
        return evaluateRetryDelay(message.retry_delay, message.retried);
      } catch {
        // Validated at publish; fall back to the default if it still fails.
      }
    }
    const seconds = Math.min(86_400, Math.exp(2.5 * (message.retried + 1)));
    return Math.round(seconds * 1000 * this.#o.retryDelayScale);
  }

  async #deadLetter(
    message: MessageRow,
    outcome: {
      status: number | null;
      header: Record<string, string[]>;
      body: string;
      error: string | null;
    },
  ): Promise<void> {
    const now = this.#o.now();
    const moved = await this.#o.sql.begin(async (tx) => {
      const [updated] = await tx`
        update qstash_dev.messages set state = 'failed', last_status = ${outcome.status},
          last_error = ${outcome.error}, lease_until = null, updated_at = ${now}
        where id = ${message.id} and state = 'delivering' and worker_id = ${this.workerId}
        returning id`;
      if (!updated) return false;
      await tx`
        insert into qstash_dev.dlq (dlq_id, message_id, url, schedule_id, label, message,
                                    response_status, response_header, response_body, created_at)
        values (${`dlq_${randomId(20)}`}, ${message.id}, ${message.url}, ${message.schedule_id},
                ${message.label}, ${tx.json(messageJson(message) as never)}, ${outcome.status},
                ${tx.json(outcome.header)}, ${outcome.body || outcome.error || ""}, ${now})`;
      return true;
    });
    if (moved) {
      this.#o.log.warn("qstash stand-in: message dead-lettered", {
        messageId: message.id,
        url: message.url,
        status: outcome.status,
        error: outcome.error,
      });
      if (message.failure_callback) {
        await this.#callback(message, message.failure_callback, outcome);
      }
    }
  }

  /** Publishes the (failure) callback of `message`: its response, QStash's format. */
  async #callback(
    message: MessageRow,
    url: string,
    outcome: { status: number | null; header: Record<string, string[]>; body: string },
  ): Promise<void> {
    const payload = {
      status: outcome.status ?? 0,
      header: outcome.header,
      body: base64(new TextEncoder().encode(outcome.body)),
      retried: message.retried,
      maxRetries: message.retries,
      sourceMessageId: message.id,
      url: message.url,
      method: message.method,
      sourceHeader: message.header,
      sourceBody: base64(new Uint8Array(message.body)),
      notBefore: message.not_before.getTime(),
      createdAt: message.created_at.getTime(),
      scheduleId: message.schedule_id ?? "",
      callerIP: message.caller_ip ?? "",
    };
    const now = this.#o.now();
    await insertMessage(this.#o.sql, newMessageId(), now, {
      url,
      method: "POST",
      header: { "content-type": ["application/json"] },
      body: new TextEncoder().encode(JSON.stringify(payload)),
      retries: message.retries,
      retryDelay: null,
      callback: null,
      failureCallback: null,
      timeoutMs: null,
      dedupId: null,
      scheduleId: null,
      label: message.label,
      callerIp: null,
      notBefore: now,
    });
    this.wake();
  }
}

/**
 * Inserts a pending message.
 *
 * @param sql a connection or transaction
 * @param id the message id
 * @param now creation time (the stand-in's clock)
 * @param message what to deliver
 */
export async function insertMessage(
  sql: Sql | postgres.TransactionSql,
  id: string,
  now: Date,
  message: NewMessage,
): Promise<void> {
  await sql`
    insert into qstash_dev.messages (id, url, method, header, body, retries, retry_delay, callback,
      failure_callback, timeout_ms, dedup_id, schedule_id, label, caller_ip, not_before, state,
      created_at, updated_at)
    values (${id}, ${message.url}, ${message.method}, ${sql.json(message.header)}, ${message.body},
      ${message.retries}, ${message.retryDelay}, ${message.callback}, ${message.failureCallback},
      ${message.timeoutMs}, ${message.dedupId}, ${message.scheduleId}, ${message.label},
      ${message.callerIp}, ${message.notBefore}, 'pending', ${now}, ${now})`;
}

/**
 * A message as QStash's REST API shows it (`GET /v2/messages/:id`).
 *
 * @param message a message row
 */
export function messageJson(message: MessageRow): Record<string, unknown> {
  return {
    messageId: message.id,
    url: message.url,
    method: message.method,
    header: message.header,
    ...bodyFields(new Uint8Array(message.body)),
    maxRetries: message.retries,
    ...(message.retry_delay ? { retryDelayExpression: message.retry_delay } : {}),
    notBefore: message.not_before.getTime(),
    createdAt: message.created_at.getTime(),
    ...(message.callback ? { callback: message.callback } : {}),
    ...(message.failure_callback ? { failureCallback: message.failure_callback } : {}),
    ...(message.schedule_id ? { scheduleId: message.schedule_id } : {}),
    ...(message.caller_ip ? { callerIp: message.caller_ip } : {}),
    ...(message.label ? { label: message.label, labels: message.label.split(",") } : {}),
    flowControlKey: "",
  };
}

/**
 * `body` when the bytes are UTF-8, else `bodyBase64`, as QStash reports bodies.
 *
 * @param bytes a body
 */
export function bodyFields(bytes: Uint8Array): { body?: string; bodyBase64?: string } {
  if (bytes.length === 0) return {};
  try {
    return { body: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { bodyBase64: base64(bytes) };
  }
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
