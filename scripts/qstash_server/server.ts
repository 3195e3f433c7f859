// The subset of QStash's REST API (v2) that @upstash/qstash's Client calls for
// publishing, schedules, messages, the dead-letter queue and signing keys.
import { type Context, Hono } from "hono";
import type { Sql } from "../../shared/db/mod.ts";
import { createLogger, type Logger } from "../../shared/log/mod.ts";
import {
  bodyFields,
  DEDUP_WINDOW_MS,
  Engine,
  insertMessage,
  messageJson,
  type MessageRow,
  type NewMessage,
  newMessageId,
  type ScheduleRow,
} from "./_engine.ts";
import { evaluateRetryDelay, parseCron, parseDuration } from "./_parse.ts";
import { ensureQStashSchema } from "./_schema.ts";
import { randomId } from "./_signing.ts";

/** Options for {@linkcode createQStashServer}. */
export interface QStashServerOptions {
  /** Where state lives (schema `qstash_dev`, created if missing). */
  sql: Sql;
  log?: Logger;
  /** The clock for delays, retries and cron; `Date.now` by default. Signatures use real time. */
  clock?: () => number;
  /**
   * Multiplies QStash's default retry backoff, min(1 day, e^(2.5·n) s).
   * 1 is real QStash (12 s, 2 min 28 s, 30 min…); tests use tiny values.
   */
  retryDelayScale?: number;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
  /** Longest the loop sleeps before looking for due work (default 1000 ms). */
  pollMs?: number;
  /** A delivery loop silent this long is dead; its deliveries are taken over (default 10 s). */
  workerTimeoutMs?: number;
  /** Delivery timeout when the message sets none (default 5 min). */
  defaultTimeoutMs?: number;
  /** Retries when `Upstash-Retries` is absent (default 3). */
  defaultRetries?: number;
  /** On stop, wait this long for deliveries in flight before aborting them (default 2 s). */
  stopGraceMs?: number;
  /** Used for deliveries; the global fetch by default. */
  fetch?: typeof fetch;
  /** Fixed credentials instead of the ones stored (generated on first start). */
  token?: string;
  signingKeys?: { current: string; next: string };
}

/** A running stand-in. */
export interface QStashServer {
  /** Bearer token the Client must send. */
  readonly token: string;
  readonly currentSigningKey: string;
  readonly nextSigningKey: string;
  /** Handles the REST API; paths start at `/v2/…` (strip any mount prefix first). */
  fetch(req: Request): Promise<Response>;
  /** Starts delivering in the background. */
  start(): Promise<void>;
  /** Stops delivering; deliveries cut short go back to the queue. */
  stop(): Promise<void>;
  /** Fires due schedules and delivers all due messages now (manual clocks). */
  processDue(): Promise<number>;
  /** Deliveries in flight in this process. */
  readonly inflight: number;
}

/**
 * The configuration that points the task client and the tasks function at a
 * stand-in mounted at `<origin>/qstash`: its URL, token and signing keys.
 *
 * @param qstash the stand-in
 * @param origin where it is served, e.g. `http://127.0.0.1:54321`
 * @returns `QSTASH_URL`, `QSTASH_TOKEN`, `QSTASH_CURRENT_SIGNING_KEY`, `QSTASH_NEXT_SIGNING_KEY`
 */
export function qstashEnv(qstash: QStashServer, origin: string): Record<string, string> {
  return {
    QSTASH_URL: `${origin}/qstash`,
    QSTASH_TOKEN: qstash.token,
    QSTASH_CURRENT_SIGNING_KEY: qstash.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: qstash.nextSigningKey,
  };
}

interface Settings {
  token: string;
  current_signing_key: string;
  next_signing_key: string;
}

type Env = { Variables: { now: Date } };

/**
 * Creates the local QStash stand-in on a Postgres database: its REST API, and
 * a delivery loop started with `start()`. State is in Postgres, so stopping and
 * starting again (even after a kill) delivers every pending message.
 *
 * @param options database, clock, backoff scale and concurrency
 */
export async function createQStashServer(options: QStashServerOptions): Promise<QStashServer> {
  const sql = options.sql;
  const log = options.log ?? createLogger({ level: "silent" });
  const clock = options.clock ?? Date.now;
  const now = () => new Date(clock());
  await ensureQStashSchema(sql);
  const settings = await loadSettings(sql, options);
  const keys = { current: settings.current_signing_key, next: settings.next_signing_key };
  const defaultRetries = options.defaultRetries ?? 3;

  const engine = new Engine({
    sql,
    log,
    now,
    signingKeys: () => keys,
    fetch: options.fetch ?? fetch,
    retryDelayScale: options.retryDelayScale ?? 1,
    concurrency: options.concurrency ?? 8,
    pollMs: options.pollMs ?? 1000,
    workerTimeoutMs: options.workerTimeoutMs ?? 10_000,
    defaultTimeoutMs: options.defaultTimeoutMs ?? 300_000,
    stopGraceMs: options.stopGraceMs ?? 2000,
  });

  const app = new Hono<Env>();
  app.use(async (c, next) => {
    const auth = c.req.header("authorization") ?? "";
    if (auth !== `Bearer ${settings.token}`) return c.json({ error: "Unauthorized" }, 401);
    c.set("now", now());
    await next();
  });
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json({ error: error.message }, error.status);
    log.error("qstash stand-in: request failed", { error });
    return c.json({ error: "internal error" }, 500);
  });
  app.notFound((c) => c.json({ error: "not found" }, 404));

  // ---------------------------------------------------------------- publish
  app.post("/v2/publish/*", async (c) => {
    const destination = destinationOf(c, "/v2/publish/");
    const body = new Uint8Array(await c.req.arrayBuffer());
    const spec = readPublishHeaders(c.req.raw.headers, defaultRetries);
    const at = c.get("now");
    let dedupId = spec.dedupId;
    if (!dedupId && spec.contentDedup) dedupId = await contentHash(destination, spec.header, body);
    const message: NewMessage = {
      ...spec,
      url: destination,
      body,
      dedupId,
      scheduleId: null,
      callerIp: callerIp(c),
      notBefore: spec.notBefore ?? new Date(at.getTime() + spec.delayMs),
    };
    const result = await sql.begin(async (tx) => {
      if (dedupId) {
        await tx`select pg_advisory_xact_lock(hashtext(${`qstash-dedup:${dedupId}`}))`;
        const [seen] = await tx<{ id: string }[]>`
          select id from qstash_dev.messages
          where dedup_id = ${dedupId} and created_at > ${new Date(at.getTime() - DEDUP_WINDOW_MS)}
          order by created_at limit 1`;
        if (seen) return { messageId: seen.id, url: destination, deduplicated: true };
      }
      const id = newMessageId();
      await insertMessage(tx, id, at, message);
      return { messageId: id, url: destination };
    });
    engine.wake();
    return c.json(result, 201);
  });

  // --------------------------------------------------------------- messages
  app.get("/v2/messages/:id", async (c) => {
    const [message] = await sql<MessageRow[]>`
      select * from qstash_dev.messages
      where id = ${c.req.param("id")} and state in ('pending', 'delivering')`;
    if (!message) throw new ApiError(404, "message not found");
    return c.json(messageJson(message));
  });

  app.delete("/v2/messages/:id", async (c) => {
    const cancelled = await sql`
      update qstash_dev.messages set state = 'cancelled', updated_at = ${c.get("now")}
      where id = ${c.req.param("id")} and state in ('pending', 'delivering')
      returning id`;
    if (cancelled.length === 0) throw new ApiError(404, "message not found");
    return c.json({ cancelled: cancelled.length });
  });

  app.delete("/v2/messages", async (c) => {
    const ids = c.req.queries("messageIds") ?? [];
    const url = c.req.queries("url") ?? [];
    const label = c.req.queries("label") ?? [];
    const scheduleId = c.req.queries("scheduleId") ?? [];
    const cancelled = await sql`
      update qstash_dev.messages set state = 'cancelled', updated_at = ${c.get("now")}
      where state in ('pending', 'delivering')
        and (${ids.length === 0} or id = any (${ids}::text[]))
        and (${url.length === 0} or url = any (${url}::text[]))
        and (${label.length === 0} or label = any (${label}::text[]))
        and (${scheduleId.length === 0} or schedule_id = any (${scheduleId}::text[]))
      returning id`;
    return c.json({ cancelled: cancelled.length });
  });

  // -------------------------------------------------------------------- dlq
  app.get("/v2/dlq", async (c) => {
    const count = Math.min(100, Math.max(1, Number(c.req.query("count") ?? 100) || 100));
    const offset = Math.max(0, Number(c.req.query("cursor") ?? 0) || 0);
    const rows = await sql<DlqRow[]>`
      select * from qstash_dev.dlq where ${dlqFilter(sql, c)}
      order by created_at desc, dlq_id desc
      limit ${count + 1} offset ${offset}`;
    return c.json({
      messages: rows.slice(0, count).map(dlqJson),
      ...(rows.length > count ? { cursor: String(offset + count) } : {}),
    });
  });

  app.delete("/v2/dlq/:id", async (c) => {
    const deleted = await sql`delete from qstash_dev.dlq where dlq_id = ${c.req.param("id")}
                              returning dlq_id`;
    if (deleted.length === 0) throw new ApiError(404, "dlq message not found");
    return c.body(null, 200);
  });

  app.delete("/v2/dlq", async (c) => {
    const deleted = await sql`delete from qstash_dev.dlq where ${
      dlqFilter(sql, c)
    } returning dlq_id`;
    return c.json({ deleted: deleted.length });
  });

  app.post("/v2/dlq/retry", async (c) => {
    const rows = await sql<DlqRow[]>`select * from qstash_dev.dlq where ${dlqFilter(sql, c)}`;
    const responses: { messageId: string }[] = [];
    for (const row of rows) {
      const m = row.message as ReturnType<typeof messageJson> & {
        header: Record<string, string[]>;
      };
      const id = newMessageId();
      await sql.begin(async (tx) => {
        await insertMessage(tx, id, c.get("now"), {
          url: row.url,
          method: String(m.method ?? "POST"),
          header: m.header ?? {},
          body: m.bodyBase64
            ? Uint8Array.from(atob(String(m.bodyBase64)), (ch) => ch.charCodeAt(0))
            : new TextEncoder().encode(String(m.body ?? "")),
          retries: Number(m.maxRetries ?? defaultRetries),
          retryDelay: (m.retryDelayExpression as string | undefined) ?? null,
          callback: (m.callback as string | undefined) ?? null,
          failureCallback: (m.failureCallback as string | undefined) ?? null,
          timeoutMs: null,
          dedupId: null,
          scheduleId: row.schedule_id,
          label: row.label,
          callerIp: null,
          notBefore: c.get("now"),
        });
        await tx`delete from qstash_dev.dlq where dlq_id = ${row.dlq_id}`;
      });
      responses.push({ messageId: id });
    }
    engine.wake();
    return c.json({ responses });
  });

  // -------------------------------------------------------------- schedules
  app.post("/v2/schedules/*", async (c) => {
    const destination = destinationOf(c, "/v2/schedules/");
    const cron = c.req.header("upstash-cron");
    if (!cron) throw new ApiError(400, "Upstash-Cron header is required");
    let next: Date | null;
    try {
      next = parseCron(cron).nextAfter(c.get("now"));
    } catch (error) {
      throw new ApiError(400, `invalid cron: ${error instanceof Error ? error.message : error}`);
    }
    const spec = readPublishHeaders(c.req.raw.headers, defaultRetries);
    const requested = c.req.header("upstash-schedule-id");
    if (requested !== undefined && !/^[A-Za-z0-9_.-]{1,200}$/.test(requested)) {
      throw new ApiError(400, "invalid schedule id");
    }
    const id = requested ?? `scd_${randomId(24)}`;
    const body = new Uint8Array(await c.req.arrayBuffer());
    await sql`
      insert into qstash_dev.schedules (id, destination, cron, method, header, body, retries,
        retry_delay, delay_ms, callback, failure_callback, timeout_ms, label, caller_ip, paused,
        next_run_at, created_at)
      values (${id}, ${destination}, ${cron}, ${spec.method}, ${sql.json(spec.header)}, ${body},
        ${spec.retries}, ${spec.retryDelay}, ${spec.delayMs}, ${spec.callback},
        ${spec.failureCallback}, ${spec.timeoutMs}, ${spec.label}, ${callerIp(c)}, false,
        ${next}, ${c.get("now")})
      on conflict (id) do update set destination = excluded.destination, cron = excluded.cron,
        method = excluded.method, header = excluded.header, body = excluded.body,
        retries = excluded.retries, retry_delay = excluded.retry_delay,
        delay_ms = excluded.delay_ms, callback = excluded.callback,
        failure_callback = excluded.failure_callback, timeout_ms = excluded.timeout_ms,
        label = excluded.label, next_run_at = case when qstash_dev.schedules.paused
          then qstash_dev.schedules.next_run_at else excluded.next_run_at end`;
    engine.wake();
    return c.json({ scheduleId: id });
  });

  app.get("/v2/schedules", async (c) => {
    const rows = await sql<
      ScheduleRow[]
    >`select * from qstash_dev.schedules order by created_at, id`;
    return c.json(await Promise.all(rows.map((row) => scheduleJson(sql, row))));
  });

  app.get("/v2/schedules/:id", async (c) => {
    const [row] = await sql<ScheduleRow[]>`
      select * from qstash_dev.schedules where id = ${c.req.param("id")}`;
    if (!row) throw new ApiError(404, "schedule not found");
    return c.json(await scheduleJson(sql, row));
  });

  app.delete("/v2/schedules/:id", async (c) => {
    const deleted = await sql`delete from qstash_dev.schedules where id = ${c.req.param("id")}
                              returning id`;
    if (deleted.length === 0) throw new ApiError(404, "schedule not found");
    return c.body(null, 200);
  });

  app.patch("/v2/schedules/:id/pause", async (c) => {
    const updated = await sql`update qstash_dev.schedules set paused = true
                              where id = ${c.req.param("id")} returning id`;
    if (updated.length === 0) throw new ApiError(404, "schedule not found");
    return c.body(null, 200);
  });

  app.patch("/v2/schedules/:id/resume", async (c) => {
    const [row] = await sql<ScheduleRow[]>`
      select * from qstash_dev.schedules where id = ${c.req.param("id")}`;
    if (!row) throw new ApiError(404, "schedule not found");
    const next = parseCron(row.cron).nextAfter(c.get("now"));
    await sql`update qstash_dev.schedules set paused = false, next_run_at = ${next}
              where id = ${row.id}`;
    engine.wake();
    return c.body(null, 200);
  });

  // ------------------------------------------------------------------- keys
  app.get("/v2/keys", (c) => c.json({ current: keys.current, next: keys.next }));

  app.post("/v2/keys/rotate", async (c) => {
    keys.current = keys.next;
    keys.next = `sig_${randomId(28)}`;
    await sql`update qstash_dev.settings set current_signing_key = ${keys.current},
                next_signing_key = ${keys.next} where id = 1`;
    return c.json({ current: keys.current, next: keys.next });
  });

  return {
    token: settings.token,
    get currentSigningKey() {
      return keys.current;
    },
    get nextSigningKey() {
      return keys.next;
    },
    fetch: async (req) => await app.fetch(req),
    start: () => engine.start(),
    stop: () => engine.stop(),
    processDue: () => engine.processDue(),
    get inflight() {
      return engine.inflight;
    },
  };
}

class ApiError extends Error {
  constructor(readonly status: 400 | 401 | 404 | 412, message: string) {
    super(message);
  }
}

async function loadSettings(sql: Sql, options: QStashServerOptions): Promise<Settings> {
  const [stored] = await sql<Settings[]>`
    insert into qstash_dev.settings (id, token, current_signing_key, next_signing_key, created_at)
    values (1, ${`qstash_local_${randomId(32)}`}, ${`sig_${randomId(28)}`},
            ${`sig_${randomId(28)}`}, now())
    on conflict (id) do update set id = excluded.id
    returning token, current_signing_key, next_signing_key`;
  return {
    token: options.token ?? stored!.token,
    current_signing_key: options.signingKeys?.current ?? stored!.current_signing_key,
    next_signing_key: options.signingKeys?.next ?? stored!.next_signing_key,
  };
}

/** The destination URL at the end of the path (as the Client sends it, unencoded). */
function destinationOf(c: Context<Env>, prefix: string): string {
  const url = new URL(c.req.url);
  const at = url.pathname.indexOf(prefix);
  const raw = decodeURIComponent(url.pathname.slice(at + prefix.length)) + url.search;
  if (!/^https?:\/\//.test(raw)) {
    throw new ApiError(
      /^[A-Za-z0-9_.-]+$/.test(raw) ? 404 : 400,
      /^[A-Za-z0-9_.-]+$/.test(raw)
        ? `url group ${raw} not found (the local stand-in delivers to URLs only)`
        : `invalid destination: ${raw}`,
    );
  }
  try {
    new URL(raw);
  } catch {
    throw new ApiError(400, `invalid destination: ${raw}`);
  }
  return raw;
}

interface PublishSpec {
  method: string;
  header: Record<string, string[]>;
  delayMs: number;
  notBefore: Date | null;
  dedupId: string | null;
  contentDedup: boolean;
  retries: number;
  retryDelay: string | null;
  callback: string | null;
  failureCallback: string | null;
  timeoutMs: number | null;
  label: string | null;
}

function readPublishHeaders(headers: Headers, defaultRetries: number): PublishSpec {
  const get = (name: string) => headers.get(name) ?? null;
  const forward: Record<string, string[]> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("upstash-forward-")) {
      (forward[name.slice("upstash-forward-".length)] ??= []).push(value);
    }
  });
  const contentType = get("content-type");
  if (contentType) forward["content-type"] = [contentType];

  const method = (get("upstash-method") ?? "POST").toUpperCase();
  if (!["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"].includes(method)) {
    throw new ApiError(400, `invalid Upstash-Method: ${method}`);
  }
  const delayText = get("upstash-delay");
  const delayMs = delayText === null ? 0 : parseDuration(delayText);
  if (delayMs === null) throw new ApiError(400, `invalid Upstash-Delay: ${delayText}`);
  const notBeforeText = get("upstash-not-before");
  if (notBeforeText !== null && !/^\d+$/.test(notBeforeText)) {
    throw new ApiError(400, `invalid Upstash-Not-Before: ${notBeforeText}`);
  }
  const retriesText = get("upstash-retries");
  const retries = retriesText === null ? defaultRetries : Number(retriesText);
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) {
    throw new ApiError(400, `invalid Upstash-Retries: ${retriesText}`);
  }
  const retryDelay = get("upstash-retry-delay");
  if (retryDelay !== null) {
    try {
      evaluateRetryDelay(retryDelay, 0);
    } catch (error) {
      throw new ApiError(
        400,
        `invalid Upstash-Retry-Delay: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
  const timeoutText = get("upstash-timeout");
  const timeoutMs = timeoutText === null ? null : parseDuration(timeoutText);
  if (timeoutText !== null && (timeoutMs === null || timeoutMs <= 0)) {
    throw new ApiError(400, `invalid Upstash-Timeout: ${timeoutText}`);
  }
  for (const name of ["upstash-callback", "upstash-failure-callback"]) {
    const value = get(name);
    if (value !== null && !/^https?:\/\/\S+$/.test(value)) {
      throw new ApiError(400, `invalid ${name}: ${value}`);
    }
  }
  return {
    method,
    header: forward,
    delayMs,
    notBefore: notBeforeText === null ? null : new Date(Number(notBeforeText) * 1000),
    dedupId: get("upstash-deduplication-id"),
    contentDedup: get("upstash-content-based-deduplication") === "true",
    retries,
    retryDelay,
    callback: get("upstash-callback"),
    failureCallback: get("upstash-failure-callback"),
    timeoutMs,
    label: get("upstash-label"),
  };
}

async function contentHash(
  url: string,
  header: Record<string, string[]>,
  body: Uint8Array,
): Promise<string> {
  const head = JSON.stringify(Object.entries(header).sort(([a], [b]) => a.localeCompare(b)));
  const prefix = new TextEncoder().encode(`${url}\n${head}\n`);
  const all = new Uint8Array(prefix.length + body.length);
  all.set(prefix);
  all.set(body, prefix.length);
  const digest = await crypto.subtle.digest("SHA-256", all);
  return `content:${
    Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}

function callerIp(c: Context<Env>): string {
  return c.req.header("x-forwarded-for")?.split(",")[0]?.trim() ?? "127.0.0.1";
}

interface DlqRow {
  dlq_id: string;
  message_id: string;
  url: string;
  schedule_id: string | null;
  label: string | null;
  message: Record<string, unknown>;
  response_status: number | null;
  response_header: Record<string, string[]> | null;
  response_body: string | null;
  created_at: Date;
}

function dlqFilter(sql: Sql, c: Context<Env>) {
  const list = (name: string) => c.req.queries(name) ?? [];
  const dlqIds = list("dlqIds");
  const messageId = list("messageId");
  const url = list("url");
  const scheduleId = list("scheduleId");
  const label = list("label");
  const status = list("responseStatus").map(Number).filter(Number.isInteger);
  return sql`
    (${dlqIds.length === 0} or dlq_id = any (${dlqIds}::text[]))
    and (${messageId.length === 0} or message_id = any (${messageId}::text[]))
    and (${url.length === 0} or url = any (${url}::text[]))
    and (${scheduleId.length === 0} or schedule_id = any (${scheduleId}::text[]))
    and (${label.length === 0} or label = any (${label}::text[]))
    and (${status.length === 0} or response_status = any (${status}::int[]))`;
}

function dlqJson(row: DlqRow): Record<string, unknown> {
  return {
    ...row.message,
    dlqId: row.dlq_id,
    ...(row.response_status !== null ? { responseStatus: row.response_status } : {}),
    ...(row.response_header ? { responseHeader: row.response_header } : {}),
    ...(row.response_body !== null ? { responseBody: row.response_body } : {}),
  };
}

async function scheduleJson(sql: Sql, row: ScheduleRow): Promise<Record<string, unknown>> {
  let lastScheduleStates: Record<string, string> | undefined;
  if (row.last_message_id) {
    const [last] = await sql<{ state: string }[]>`
      select state from qstash_dev.messages where id = ${row.last_message_id}`;
    if (last) {
      lastScheduleStates = {
        [row.last_message_id]: last.state === "delivered"
          ? "SUCCESS"
          : last.state === "failed" || last.state === "cancelled"
          ? "FAIL"
          : "IN_PROGRESS",
      };
    }
  }
  return {
    scheduleId: row.id,
    cron: row.cron,
    createdAt: row.created_at.getTime(),
    destination: row.destination,
    method: row.method,
    header: row.header,
    ...bodyFields(new Uint8Array(row.body)),
    retries: row.retries,
    ...(Number(row.delay_ms) > 0 ? { delay: Math.round(Number(row.delay_ms) / 1000) } : {}),
    ...(row.callback ? { callback: row.callback } : {}),
    ...(row.failure_callback ? { failureCallback: row.failure_callback } : {}),
    ...(row.caller_ip ? { callerIP: row.caller_ip } : {}),
    ...(row.retry_delay ? { retryDelayExpression: row.retry_delay } : {}),
    ...(row.label ? { label: row.label, labels: row.label.split(",") } : {}),
    isPaused: row.paused,
    ...(row.next_run_at ? { nextScheduleTime: row.next_run_at.getTime() } : {}),
    ...(row.last_run_at ? { lastScheduleTime: row.last_run_at.getTime() } : {}),
    ...(lastScheduleStates ? { lastScheduleStates } : {}),
  };
}
