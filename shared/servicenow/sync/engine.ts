import { z } from "zod";
import type { Tx } from "../../db/mod.ts";
import type { Logger } from "../../log/mod.ts";
import {
  closeRunsOfEndedJobs,
  JobCancelledError,
  LeaseLostError,
  PermanentTaskError,
  type TaskContext,
  type TaskOutcome,
} from "../../tasks/mod.ts";
import { InstanceAuthError, type SnowTableReader, TableUnavailableError } from "./reader.ts";
import { type SyncTableSpec, windowStart } from "./tables.ts";
import { isUnreachable, UNREACHABLE_CODE } from "./unreachable.ts";
import {
  clearSeenKeys,
  countRecords,
  deleteUnseen,
  expireRecords,
  recordSeenKeys,
  upsertRecords,
} from "./writer.ts";

/** Payload of the `servicenow.sync` task. */
export const syncPayloadSchema = z.object({
  instanceId: z.uuid(),
  /** The run "sync now" created; a scheduled firing creates its own. */
  runId: z.uuid().optional(),
  mode: z.enum(["incremental", "full"]).default("incremental"),
  trigger: z.enum(["manual", "schedule", "setup"]).default("schedule"),
});

/** The `servicenow.sync` payload as handlers receive it. */
export type SyncPayload = z.output<typeof syncPayloadSchema>;

const tableProgress = z.object({
  fetched: z.number().int().min(0),
  upserted: z.number().int().min(0),
  deleted: z.number().int().min(0),
  /** Time spent on the table in earlier deliveries (ms). */
  ms: z.number().min(0),
  total: z.number().int().min(0).nullable(),
});

/** Where a sync stopped: which table, which phase, which key. */
export const syncCursorSchema = z.object({
  runId: z.uuid(),
  mode: z.enum(["incremental", "full"]),
  tables: z.array(z.string()),
  index: z.number().int().min(0),
  phase: z.enum(["start", "fetch", "keys", "sweep"]),
  /** Keyset position (last sys_id written) in the fetch or key-scan phase. */
  after: z.string().nullable(),
  /** Incremental lower bound on sys_updated_on for the current table, or null for all records. */
  since: z.string().nullable(),
  /** Newest sys_updated_on read so far from the current table. */
  mark: z.string().nullable(),
  /** Wall-clock time (epoch ms) the current table's sync started. */
  startedAt: z.number().nullable().default(null),
  /**
   * How deletions are found for the current table: from the keys the fetch saw,
   * a key scan, not at all this run ("none"), or not needed because the table
   * was empty when its full read began ("empty").
   */
  scan: z.enum(["fetch", "keys", "none", "empty"]),
  /** Wall-clock time (epoch ms) the run started. */
  runStartedAt: z.number().default(() => Date.now()),
  /** Newest sys_updated_on read so far in the whole run. */
  runMark: z.string().nullable().default(null),
  /**
   * The sync's clock (epoch ms) when the run started: time windows are
   * measured from it, so every delivery of the run reads the same window.
   */
  asOf: z.number().nullable().default(null),
  table: tableProgress,
});

/** The saved position of a sync. */
export type SyncCursor = z.output<typeof syncCursorSchema>;

/** Tunables of the sync engine (from configuration). */
export interface SyncSettings {
  pageSize: number;
  /** Seconds re-read before the high-water mark on an incremental sync. */
  overlapSeconds: number;
  /** Scan keys for deletions when the last scan is older than this (hours). */
  keyScanHours: number;
}

/** What the engine is given besides the task context. */
export interface SyncEngineDeps {
  /**
   * Opens a reader on the instance: decrypts `instance.credentials` (the sealed
   * envelope), checks the URL and builds the Table API client.
   */
  open(instance: SyncInstance, signal: AbortSignal): Promise<SnowTableReader>;
  /** The tables and fields to sync. */
  plan(): readonly SyncTableSpec[];
  settings: SyncSettings;
  /** The sync's clock: time windows and key-scan times (tests pin it). */
  now?: () => Date;
  /**
   * Called once a sync has completed (succeeded, partial, or failed because no
   * table could be read), after its outcome is committed and before the job
   * finishes; not called when the sync stops with an error. A redelivered
   * completion calls it again, so it must be idempotent. Its errors are
   * logged, never fail the sync. This is where the deployment composes what
   * follows a sync (an analysis) without the engine knowing about it.
   */
  afterSync?: (sync: FinishedSync, ctx: TaskContext<SyncCursor>) => Promise<void>;
}

/** A sync that has completed, as {@linkcode SyncEngineDeps.afterSync} gets it. */
export interface FinishedSync extends SyncResult {
  instanceId: string;
  orgId: string;
  trigger: SyncPayload["trigger"];
}

/** The instance a sync reads, as stored. */
export interface SyncInstance {
  id: string;
  org_id: string;
  name: string;
  url: string;
  auth_type: string;
  /** The sealed credentials envelope (never decrypted outside `open`). */
  credentials: unknown;
}

/** What a finished sync reports as the job result. */
export interface SyncResult {
  runId: string;
  status: "succeeded" | "partial" | "failed";
  records_fetched: number;
  records_upserted: number;
  records_deleted: number;
  /** Stored records dropped for being older than their table's time window. */
  records_expired: number;
  tables: { table: string; status: string }[];
}

const RUN_FAILED_MESSAGE = "The sync stopped";

/**
 * Runs one delivery of a sync: resumes from the saved cursor, streams each
 * table's pages into Postgres one page per transaction (the page's records and
 * the cursor commit together), detects deletions, records per-table figures,
 * and continues in a new delivery when the time budget is spent.
 *
 * @param ctx the task context (worker claims for the instance's organization)
 * @param payload instance, run, mode and trigger
 * @param deps reader factory, plan and settings
 */
export async function runSync(
  ctx: TaskContext<SyncCursor>,
  payload: SyncPayload,
  deps: SyncEngineDeps,
): Promise<TaskOutcome> {
  const log = ctx.log.child({ instanceId: payload.instanceId });
  let runId = ctx.cursor?.runId ?? payload.runId ?? null;
  try {
    const instance = await ctx.tx((tx) => loadInstance(tx, payload.instanceId));
    if (!instance) {
      throw new PermanentTaskError("Cannot sync: the instance no longer exists", {
        code: "instance_gone",
      });
    }
    let cursor: SyncCursor;
    if (ctx.cursor) {
      // A run saved before windows existed takes its clock from this delivery.
      cursor = {
        ...ctx.cursor,
        asOf: ctx.cursor.asOf ?? (deps.now ?? (() => new Date()))().getTime(),
      };
    } else {
      cursor = await ctx.step(async (tx) => {
        const id = await startRun(tx, instance, payload, ctx.job.id);
        runId = id;
        const plan = deps.plan();
        return {
          cursor: initialCursor(
            id,
            payload.mode,
            plan.map((t) => t.table),
            (deps.now ?? (() => new Date()))().getTime(),
          ),
          fraction: 0,
          message: `Starting the ${payload.mode} sync of ${instance.name}`,
          counters: { tables_total: plan.length, tables_done: 0 },
        };
      }).then((s) => s.cursor);
    }
    const reader = await deps.open(instance, ctx.signal);
    const specs = new Map(deps.plan().map((s) => [s.table, s]));
    const states = await ctx.tx((tx) =>
      loadTableStates(tx, instance.id, cursor.tables.slice(cursor.index))
    );
    const rt: SyncRuntime = {
      instance,
      reader,
      specs,
      deps,
      log,
      states,
      counts: new Map(),
      trigger: payload.trigger,
    };
    return await syncTables(ctx, cursor, rt);
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    if (runId) {
      if (error instanceof JobCancelledError) {
        await ctx.tx((tx) => finishRun(tx, runId!, "cancelled", "The sync was cancelled"))
          .catch(() => {});
      } else {
        const final = error instanceof PermanentTaskError || error instanceof InstanceAuthError ||
          ctx.job.retried >= ctx.job.maxRetries;
        if (final) {
          const message = error instanceof Error ? error.message : RUN_FAILED_MESSAGE;
          await ctx.tx(async (tx) => {
            await finishRun(tx, runId!, "failed", message);
            if (error instanceof InstanceAuthError) {
              await tx`update public.instances set status = 'auth_failed' where id = ${payload.instanceId}`;
            } else if (isUnreachable(error)) {
              await tx`update public.instances set status = 'unreachable' where id = ${payload.instanceId}`;
            }
          }).catch((e) => log.error("cannot record the failed sync", { error: e }));
          // Its own code, so alerting tells "could not connect" from "refused".
          if (isUnreachable(error)) {
            throw new PermanentTaskError(error instanceof Error ? error.message : String(error), {
              code: UNREACHABLE_CODE,
              cause: error,
            });
          }
        }
      }
    }
    if (error instanceof InstanceAuthError) {
      throw new PermanentTaskError(error.message, { code: "instance_auth_failed", cause: error });
    }
    throw error;
  }
}

interface SyncRuntime {
  instance: SyncInstance;
  reader: SnowTableReader;
  specs: Map<string, SyncTableSpec>;
  deps: SyncEngineDeps;
  log: Logger;
  /** Each table's state before this delivery, loaded once. */
  states: Map<string, TableState>;
  /** Record counts of upcoming tables, requested ahead and concurrently. */
  counts: Map<string, Promise<number | null>>;
  trigger: SyncPayload["trigger"];
}

interface TableState {
  high_watermark: Date | null;
  last_key_scan_at: Date | null;
  last_full_sync_at: Date | null;
  has_records: boolean;
}

/** Tables whose counts are requested ahead of their turn. */
const COUNT_AHEAD = 8;

function initialCursor(
  runId: string,
  mode: SyncCursor["mode"],
  tables: string[],
  asOf: number,
): SyncCursor {
  return {
    runId,
    mode,
    tables,
    index: 0,
    ...tableStart(),
    runStartedAt: Date.now(),
    runMark: null,
    asOf,
  };
}

async function syncTables(
  ctx: TaskContext<SyncCursor>,
  start: SyncCursor,
  rt: SyncRuntime,
): Promise<TaskOutcome> {
  let cursor = start;
  const deliveryStarted = performance.now();
  // Time on the current table: earlier deliveries' share plus this one's.
  let tableBase = start.table.ms;
  let tableStarted = performance.now();
  const elapsed = () => tableBase + (performance.now() - tableStarted);

  while (cursor.index < cursor.tables.length) {
    if (ctx.shouldYield()) return ctx.continueWith(withTime(cursor, elapsed()));
    const table = cursor.tables[cursor.index]!;
    const spec = specOf(rt, table);
    countAhead(ctx, cursor, rt);
    try {
      if (cursor.phase === "start") {
        cursor = await startTable(ctx, cursor, spec, rt);
        tableBase = 0;
        tableStarted = performance.now();
      }
      if (cursor.phase === "fetch") {
        const next = await fetchPages(ctx, cursor, spec, rt, elapsed);
        if (next.yielded) return ctx.continueWith(withTime(next.cursor, elapsed()));
        cursor = next.cursor;
      }
      if (cursor.phase === "keys") {
        const next = await scanKeys(ctx, cursor, spec, rt, elapsed);
        if (next.yielded) return ctx.continueWith(withTime(next.cursor, elapsed()));
        cursor = next.cursor;
      }
      if (cursor.phase === "sweep") {
        const aged = await expireOld(ctx, cursor, spec, rt, elapsed);
        if (aged.yielded) return ctx.continueWith(withTime(aged.cursor, elapsed()));
        cursor = await sweepTable(ctx, aged.cursor, spec, rt, elapsed());
        tableBase = 0;
        tableStarted = performance.now();
      }
    } catch (error) {
      if (!(error instanceof TableUnavailableError)) throw error;
      cursor = await skipTable(ctx, cursor, table, error, elapsed());
      tableBase = 0;
      tableStarted = performance.now();
    }
  }
  rt.log.debug("sync delivery finished", { ms: Math.round(performance.now() - deliveryStarted) });
  const result = await ctx.step(async (tx) => {
    const bound = runBound(cursor);
    if (bound !== null) {
      // Tables read earlier in the run get the run-wide bound too.
      await tx`
        update public.instance_tables t
        set high_watermark = greatest(t.high_watermark, ${new Date(bound)})
        where t.instance_id = ${rt.instance.id} and t.table_name in (
          select r.table_name from public.sync_table_results r
          where r.sync_run_id = ${cursor.runId} and r.status = 'succeeded')`;
    }
    const summary = await completeRun(tx, cursor.runId, rt.instance.id);
    return {
      cursor,
      done: true,
      result: summary,
      fraction: 1,
      message: describeOutcome(summary),
      counters: countersOf(summary),
    };
  });
  const summary = result.result as SyncResult;
  if (rt.deps.afterSync) {
    try {
      await rt.deps.afterSync({
        ...summary,
        instanceId: rt.instance.id,
        orgId: rt.instance.org_id,
        trigger: rt.trigger,
      }, ctx);
    } catch (error) {
      rt.log.error("cannot run what follows the sync; the sync's outcome stands", {
        runId: summary.runId,
        error,
      });
    }
  }
  return ctx.done(summary);
}

function withTime(cursor: SyncCursor, ms: number): SyncCursor {
  return { ...cursor, table: { ...cursor.table, ms: Math.round(ms) } };
}

function overall(cursor: SyncCursor): number {
  const tables = cursor.tables.length || 1;
  const t = cursor.table;
  const within = t.total
    ? Math.min(1, t.fetched / t.total) * (cursor.scan === "keys" ? 0.8 : 0.95)
    : 0;
  return Math.min(0.99, (cursor.index + within) / tables);
}

function progressMessage(cursor: SyncCursor, table: string): string {
  const t = cursor.table;
  const of = t.total !== null ? ` of ${t.total.toLocaleString("en-US")}` : "";
  const phase = cursor.phase === "keys" ? "checking deletions in" : "syncing";
  return `Table ${cursor.index + 1} of ${cursor.tables.length}: ${phase} ${table} (${
    t.fetched.toLocaleString("en-US")
  }${of} records)`;
}

async function startTable(
  ctx: TaskContext<SyncCursor>,
  cursor: SyncCursor,
  spec: SyncTableSpec,
  rt: SyncRuntime,
): Promise<SyncCursor> {
  const table = spec.table;
  const state = rt.states.get(table) ?? null;
  const since = sinceFor(cursor.mode, state, rt.deps.settings.overlapSeconds);
  let scan: SyncCursor["scan"] = "fetch";
  if (since !== null) {
    const now = (rt.deps.now ?? (() => new Date()))();
    const due = !state?.last_key_scan_at ||
      now.getTime() - state.last_key_scan_at.getTime() >= rt.deps.settings.keyScanHours * 3_600_000;
    scan = due ? "keys" : "none";
  } else if (!state?.has_records) {
    // An empty table cannot have deletions: its first read needs no key set.
    scan = "empty";
  }
  const total = await (rt.counts.get(table) ??
    rt.reader.count(table, { query: queryFor(spec, since, cursor), signal: ctx.signal }));
  // Nothing matches: no page to read (and, without a key scan due, nothing to check).
  const phase: SyncCursor["phase"] = total === 0 && scan !== "keys" ? "sweep" : "fetch";
  const next: SyncCursor = {
    ...cursor,
    phase,
    after: null,
    since,
    mark: null,
    startedAt: Date.now(),
    scan,
    table: { fetched: 0, upserted: 0, deleted: 0, ms: 0, total },
  };
  await ctx.step(async (tx) => {
    await clearSeenKeys(tx, cursor.runId, table);
    await tx`
      insert into public.sync_table_results (org_id, sync_run_id, table_name, status)
      values (${rt.instance.org_id}, ${cursor.runId}, ${table}, 'running')
      on conflict (sync_run_id, table_name) do update
        set status = 'running', records_fetched = 0, records_upserted = 0, records_deleted = 0,
            records_expired = 0,
            error = null, duration_ms = null`;
    return { cursor: next, fraction: overall(next), message: progressMessage(next, table) };
  });
  return next;
}

function specOf(rt: SyncRuntime, table: string): SyncTableSpec {
  return rt.specs.get(table) ?? { table, fields: ["sys_id", "sys_updated_on"] };
}

/** The lower bound on sys_updated_on for an incremental read, or null for a full one. */
function sinceFor(
  mode: SyncCursor["mode"],
  state: TableState | null,
  overlapSeconds: number,
): string | null {
  if (mode !== "incremental" || !state?.high_watermark || !state.last_full_sync_at) return null;
  return formatGlide(new Date(state.high_watermark.getTime() - overlapSeconds * 1000));
}

/**
 * Requests the record counts of the next few tables at once (the client bounds
 * the concurrency), so per-table round trips overlap instead of adding up.
 */
function countAhead(ctx: TaskContext<SyncCursor>, cursor: SyncCursor, rt: SyncRuntime): void {
  const upcoming = cursor.tables.slice(cursor.index + (cursor.phase === "start" ? 0 : 1));
  for (const table of upcoming.slice(0, COUNT_AHEAD)) {
    if (rt.counts.has(table)) continue;
    const spec = specOf(rt, table);
    const since = sinceFor(
      cursor.mode,
      rt.states.get(table) ?? null,
      rt.deps.settings.overlapSeconds,
    );
    // Deferred, so a reader that throws at once still rejects the promise.
    const pending = Promise.resolve().then(() =>
      rt.reader.count(table, { query: queryFor(spec, since, cursor), signal: ctx.signal })
    );
    pending.catch(() => {}); // awaited, and its error handled, when the table's turn comes
    rt.counts.set(table, pending);
  }
}

async function loadTableStates(
  tx: Tx,
  instanceId: string,
  tables: readonly string[],
): Promise<Map<string, TableState>> {
  const rows = await tx<(TableState & { table_name: string })[]>`
    select p.table_name, t.high_watermark, t.last_key_scan_at, t.last_full_sync_at,
           exists (select 1 from public.snow_records r
                   where r.instance_id = ${instanceId} and r.table_name = p.table_name) as has_records
    from unnest(${tables as string[]}::text[]) as p (table_name)
    left join public.instance_tables t
      on t.instance_id = ${instanceId} and t.table_name = p.table_name`;
  return new Map(rows.map((r) => [r.table_name, r]));
}

/**
 * The encoded query of a read: the table's filter, its time window and the
 * incremental bound, ANDed. (Filters are AND-only: a `^NQ` in one would OR the
 * terms after it with the rest.)
 */
function queryFor(spec: SyncTableSpec, since: string | null, cursor: SyncCursor): string {
  const start = windowOf(spec, cursor);
  const parts = [
    spec.filter ?? "",
    start ? `sys_created_on>=${start}` : "",
    since ? `sys_updated_on>=${since}` : "",
  ].filter(Boolean);
  return parts.join("^");
}

/** The first instant of the table's time window for this run, or null without a window. */
function windowOf(spec: SyncTableSpec, cursor: SyncCursor): string | null {
  if (!spec.window) return null;
  return windowStart(spec.window.days, new Date(cursor.asOf ?? Date.now()));
}

async function fetchPages(
  ctx: TaskContext<SyncCursor>,
  start: SyncCursor,
  spec: SyncTableSpec,
  rt: SyncRuntime,
  elapsed: () => number,
): Promise<{ cursor: SyncCursor; yielded: boolean }> {
  let cursor = start;
  const table = spec.table;
  // The count is taken before ACLs: once that many records were read, no hidden
  // ones can follow, and the end-of-table probes (an empty page, a count) are
  // skipped. Records added since the count are read by the next sync.
  const total = cursor.table.total;
  let seen = cursor.table.fetched;
  const pages = prefetched(
    rt.reader.pages(table, {
      fields: spec.fields,
      query: queryFor(spec, cursor.since, cursor),
      after: cursor.after,
      pageSize: rt.deps.settings.pageSize,
      signal: ctx.signal,
    }),
    (page) => {
      seen += page.records.length;
      return total === null || seen < total;
    },
  );
  for await (const page of pages) {
    if (page.records.length === 0) continue;
    const last = page.cursor;
    const base = cursor;
    const mark = newer(base.mark, page.maxUpdatedOn);
    const step = await ctx.step(async (tx) => {
      const target = { orgId: rt.instance.org_id, instanceId: rt.instance.id, table };
      const outcome = await upsertRecords(tx, target, page.records);
      if (base.scan === "fetch") {
        await recordSeenKeys(
          tx,
          { orgId: rt.instance.org_id, runId: base.runId, table },
          page.records.map((r) => String(r.sys_id ?? "")),
        );
      }
      const fetched = page.records.length;
      await tx`
        update public.sync_table_results
        set fields_present = array(
          select distinct f from unnest(coalesce(fields_present, '{}') || ${
        fieldsOf(page.records)
      }::text[]) as f
          order by f)
        where sync_run_id = ${base.runId} and table_name = ${table}`;
      const counters = await addFigures(tx, base.runId, table, {
        fetched,
        upserted: outcome.upserted,
        deleted: 0,
      });
      const next: SyncCursor = {
        ...base,
        after: last,
        mark: newer(mark, outcome.newest),
        runMark: newer(base.runMark, newer(mark, outcome.newest)),
        table: {
          ...base.table,
          fetched: base.table.fetched + fetched,
          upserted: base.table.upserted + outcome.upserted,
          ms: Math.round(elapsed()),
        },
      };
      return {
        cursor: next,
        fraction: overall(next),
        message: progressMessage(next, table),
        counters,
      };
    });
    cursor = step.cursor;
    if (ctx.shouldYield()) return { cursor, yielded: true };
  }
  const phase = cursor.scan === "keys" ? "keys" : "sweep";
  return { cursor: { ...cursor, phase, after: null }, yielded: false };
}

/**
 * Reads one page ahead: the next page is requested from the instance while the
 * current one is written to Postgres, so network and database overlap. At most
 * two pages are held, whatever the table's size.
 */
async function* prefetched<T>(
  source: AsyncIterable<T>,
  more: (item: T) => boolean = () => true,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<T>> | null = iterator.next();
  try {
    while (next) {
      const result: IteratorResult<T> = await next;
      if (result.done) return;
      next = more(result.value) ? iterator.next() : null;
      next?.catch(() => {}); // surfaced by the await above on the next turn
      yield result.value;
    }
  } finally {
    await iterator.return?.();
  }
}

function newer(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return b > a ? b : a;
}

/**
 * The table's next high-water mark: the newest change read, moved back by the
 * time the table took (wall clock, pauses between deliveries included). Every
 * record changed after the table's sync began is at least that new, so one
 * changed behind the keyset position is read by the next incremental sync,
 * however long this one ran.
 */
function highWatermark(cursor: SyncCursor): string | null {
  if (cursor.mark === null) return null;
  const newest = parseGlide(cursor.mark);
  if (newest === null) return null;
  const took = cursor.startedAt === null ? 0 : Math.max(0, Date.now() - cursor.startedAt);
  const own = newest.getTime() - took - 1000;
  return formatGlide(new Date(Math.max(own, runBound(cursor) ?? own)));
}

/**
 * A second bound valid for every table of the run: the newest change seen
 * anywhere in it, moved back by the run's duration. It matters for a table
 * whose own newest change is old (bulk-loaded rows sharing one timestamp),
 * which the table's own bound would re-read on every incremental sync.
 */
function runBound(cursor: SyncCursor): number | null {
  const newest = cursor.runMark === null ? null : parseGlide(cursor.runMark);
  if (newest === null) return null;
  return newest.getTime() - Math.max(0, Date.now() - cursor.runStartedAt) - 1000;
}

function parseGlide(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, se] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, se!));
}

async function scanKeys(
  ctx: TaskContext<SyncCursor>,
  start: SyncCursor,
  spec: SyncTableSpec,
  rt: SyncRuntime,
  elapsed: () => number,
): Promise<{ cursor: SyncCursor; yielded: boolean }> {
  let cursor = start;
  const table = spec.table;
  const batches = prefetched(rt.reader.keys(table, {
    query: queryFor(spec, null, cursor),
    after: cursor.after,
    pageSize: Math.max(rt.deps.settings.pageSize, 10_000),
    signal: ctx.signal,
  }));
  for await (const keys of batches) {
    if (keys.length === 0) continue;
    const base = cursor;
    const last = keys.reduce((a, b) => (b > a ? b : a));
    const step = await ctx.step(async (tx) => {
      await recordSeenKeys(tx, { orgId: rt.instance.org_id, runId: base.runId, table }, keys);
      const next: SyncCursor = {
        ...base,
        after: last,
        table: { ...base.table, ms: Math.round(elapsed()) },
      };
      return { cursor: next, fraction: overall(next), message: progressMessage(next, table) };
    });
    cursor = step.cursor;
    if (ctx.shouldYield()) return { cursor, yielded: true };
  }
  return { cursor: { ...cursor, phase: "sweep", after: null }, yielded: false };
}

/** Stored records dropped per step when they fall out of a table's window. */
const EXPIRE_BATCH = 10_000;

/**
 * Drops the stored records of a windowed table older than the window, one
 * bounded batch per step (after a window was shortened, or on the first sync
 * of a copy made without one, that can be millions of rows), continuing in a
 * new delivery when the time budget is spent. Idempotent, so a resumed sweep
 * simply repeats it.
 */
async function expireOld(
  ctx: TaskContext<SyncCursor>,
  start: SyncCursor,
  spec: SyncTableSpec,
  rt: SyncRuntime,
  elapsed: () => number,
): Promise<{ cursor: SyncCursor; yielded: boolean }> {
  const before = windowOf(spec, start);
  if (!before) return { cursor: start, yielded: false };
  let cursor = start;
  let total = 0;
  for (;;) {
    const base = cursor;
    let dropped = 0;
    const step = await ctx.step(async (tx) => {
      dropped = await expireRecords(tx, {
        instanceId: rt.instance.id,
        table: spec.table,
        before,
        limit: EXPIRE_BATCH,
      });
      const counters = await addFigures(tx, base.runId, spec.table, {
        fetched: 0,
        upserted: 0,
        deleted: 0,
        expired: dropped,
      });
      const next: SyncCursor = { ...base, table: { ...base.table, ms: Math.round(elapsed()) } };
      return {
        cursor: next,
        fraction: overall(next),
        message: `Table ${next.index + 1} of ${next.tables.length}: dropping ${spec.table} ` +
          `records older than ${before.slice(0, 10)}`,
        counters: { records_expired: counters.records_expired! },
      };
    });
    cursor = step.cursor;
    total += dropped;
    if (dropped < EXPIRE_BATCH) break;
    if (ctx.shouldYield()) return { cursor, yielded: true };
  }
  if (total > 0) {
    rt.log.info("records older than the table's window left the copy", {
      table: spec.table,
      expired: total,
      windowStart: before,
    });
  }
  return { cursor, yielded: false };
}

async function sweepTable(
  ctx: TaskContext<SyncCursor>,
  cursor: SyncCursor,
  spec: SyncTableSpec,
  rt: SyncRuntime,
  ms: number,
): Promise<SyncCursor> {
  const table = spec.table;
  const clock = rt.deps.now ?? (() => new Date());
  const start = windowOf(spec, cursor);
  const step = await ctx.step(async (tx) => {
    let deleted = 0;
    if (cursor.scan === "fetch" || cursor.scan === "keys") {
      // Only records inside the window were listed: older ones are not deletions.
      deleted = await deleteUnseen(tx, {
        orgId: rt.instance.org_id,
        instanceId: rt.instance.id,
        runId: cursor.runId,
        table,
        createdSince: start,
      });
    }
    const count = await countRecords(tx, rt.instance.id, table);
    const full = cursor.since === null;
    const mark = highWatermark(cursor);
    const counters = await addFigures(tx, cursor.runId, table, {
      fetched: 0,
      upserted: 0,
      deleted,
    });
    await tx`
      update public.sync_table_results
      set status = 'succeeded', duration_ms = ${Math.round(ms)},
          high_watermark = public.sn_datetime(${mark})
      where sync_run_id = ${cursor.runId} and table_name = ${table}`;
    // Field presence: what this run's records carried. A full read replaces what
    // was known; an incremental one adds to it (it saw only changed records);
    // a read that returned no record says nothing and keeps it.
    const [seen] = await tx<{ fields: string[] | null }[]>`
      select fields_present as fields from public.sync_table_results
      where sync_run_id = ${cursor.runId} and table_name = ${table}`;
    const present = seen?.fields ?? null;
    const requested = [...new Set([...spec.fields, "sys_id", "sys_updated_on"])].sort();
    await tx`
      insert into public.instance_tables as t
        (org_id, instance_id, table_name, readable, last_error, high_watermark, last_full_sync_at,
         last_key_scan_at, record_count, table_missing, fields_requested, fields_present, updated_at)
      values (${rt.instance.org_id}, ${rt.instance.id}, ${table}, true, null,
              public.sn_datetime(${mark}), ${full ? clock() : null},
              ${cursor.scan !== "none" ? clock() : null}, ${count}, false,
              ${present === null ? null : requested}::text[], ${present}::text[], now())
      on conflict (instance_id, table_name) do update set
        readable = true, last_error = null, table_missing = false,
        fields_requested = case when excluded.fields_present is null then t.fields_requested
          when ${full}::boolean then excluded.fields_requested
          else array(select distinct f from unnest(coalesce(t.fields_requested, '{}')
                     || excluded.fields_requested) as f order by f) end,
        fields_present = case when excluded.fields_present is null then t.fields_present
          when ${full}::boolean then excluded.fields_present
          else array(select distinct f from unnest(coalesce(t.fields_present, '{}')
                     || excluded.fields_present) as f order by f) end,
        high_watermark = coalesce(excluded.high_watermark, t.high_watermark),
        last_full_sync_at = coalesce(excluded.last_full_sync_at, t.last_full_sync_at),
        last_key_scan_at = coalesce(excluded.last_key_scan_at, t.last_key_scan_at),
        record_count = excluded.record_count, updated_at = now()`;
    const next = nextTableCursor(cursor);
    return {
      cursor: next,
      fraction: overall(next),
      message: `Synced ${table}`,
      counters: { ...counters, tables_done: next.index },
    };
  });
  return step.cursor;
}

/** The field names carried by at least one record of a page (sorted). */
function fieldsOf(records: readonly Record<string, unknown>[]): string[] {
  const names = new Set<string>();
  for (const record of records) for (const name in record) names.add(name);
  return [...names].sort();
}

/** The cursor at the start of the table after `cursor`'s, its own counters zeroed. */
function nextTableCursor(cursor: SyncCursor): SyncCursor {
  return { ...cursor, index: cursor.index + 1, ...tableStart() };
}

/** The per-table part of a cursor before the table's first page. */
function tableStart(): Pick<
  SyncCursor,
  "phase" | "after" | "since" | "mark" | "startedAt" | "scan" | "table"
> {
  return {
    phase: "start",
    after: null,
    since: null,
    mark: null,
    startedAt: null,
    scan: "none",
    table: { fetched: 0, upserted: 0, deleted: 0, ms: 0, total: null },
  };
}

async function skipTable(
  ctx: TaskContext<SyncCursor>,
  cursor: SyncCursor,
  table: string,
  error: TableUnavailableError,
  ms: number,
): Promise<SyncCursor> {
  const step = await ctx.step(async (tx) => {
    const [run] = await tx<{ org_id: string; instance_id: string }[]>`
      select org_id, instance_id from public.sync_runs where id = ${cursor.runId}`;
    await clearSeenKeys(tx, cursor.runId, table);
    await tx`
      insert into public.sync_table_results (org_id, sync_run_id, table_name, status, error, duration_ms)
      values (${run!.org_id}, ${cursor.runId}, ${table}, ${error.status}, ${
      error.message.slice(0, 1000)
    },
              ${Math.round(ms)})
      on conflict (sync_run_id, table_name) do update
        set status = excluded.status, error = excluded.error, duration_ms = excluded.duration_ms`;
    if (error.status !== "failed") {
      // Records already stored stay; analysis sees the table as unreadable.
      await tx`
        insert into public.instance_tables as t
          (org_id, instance_id, table_name, readable, table_missing, last_error, updated_at)
        values (${run!.org_id}, ${run!.instance_id}, ${table}, false, ${
        error.status === "not_found"
      }, ${error.message.slice(0, 1000)}, now())
        on conflict (instance_id, table_name) do update
          set readable = false, table_missing = excluded.table_missing,
              last_error = excluded.last_error, updated_at = now()`;
    } else {
      await tx`
        update public.instance_tables set last_error = ${
        error.message.slice(0, 1000)
      }, updated_at = now()
        where instance_id = ${run!.instance_id} and table_name = ${table}`;
    }
    const next = nextTableCursor(cursor);
    return {
      cursor: next,
      fraction: overall(next),
      message: `${table}: ${error.status.replace("_", " ")}`,
      counters: { tables_done: next.index },
    };
  });
  return step.cursor;
}

async function addFigures(
  tx: Tx,
  runId: string,
  table: string,
  figures: { fetched: number; upserted: number; deleted: number; expired?: number },
): Promise<Record<string, number>> {
  const expired = figures.expired ?? 0;
  await tx`
    update public.sync_table_results set
      records_fetched = records_fetched + ${figures.fetched},
      records_upserted = records_upserted + ${figures.upserted},
      records_deleted = records_deleted + ${figures.deleted},
      records_expired = records_expired + ${expired}
    where sync_run_id = ${runId} and table_name = ${table}`;
  const [run] = await tx<{ f: string; u: string; d: string; e: string }[]>`
    update public.sync_runs set
      records_fetched = records_fetched + ${figures.fetched},
      records_upserted = records_upserted + ${figures.upserted},
      records_deleted = records_deleted + ${figures.deleted},
      records_expired = records_expired + ${expired}
    where id = ${runId}
    returning records_fetched as f, records_upserted as u, records_deleted as d,
      records_expired as e`;
  return {
    records_fetched: Number(run?.f ?? 0),
    records_upserted: Number(run?.u ?? 0),
    records_deleted: Number(run?.d ?? 0),
    records_expired: Number(run?.e ?? 0),
  };
}

/**
 * The instance a worker may sync, or null when it is gone.
 *
 * @param tx a transaction under worker claims
 * @param instanceId the instance
 */
export async function loadInstance(tx: Tx, instanceId: string): Promise<SyncInstance | null> {
  const [row] = await tx<SyncInstance[]>`
    select id, org_id, name, url, auth_type, private.instance_credentials(id) as credentials
    from public.instances where id = ${instanceId}`;
  return row ?? null;
}

async function startRun(
  tx: Tx,
  instance: SyncInstance,
  payload: SyncPayload,
  jobId: string,
): Promise<string> {
  if (payload.runId) {
    const [run] = await tx<{ id: string }[]>`
      update public.sync_runs
      set status = 'running', started_at = coalesce(started_at, now()), job_id = ${jobId}
      where id = ${payload.runId} and instance_id = ${instance.id} and status in ('queued', 'running')
      returning id`;
    if (!run) {
      throw new PermanentTaskError("Cannot sync: the sync run is missing or already finished", {
        code: "sync_run_gone",
      });
    }
    return run.id;
  }
  await closeStaleRuns(tx, instance.id);
  try {
    const [run] = await tx<{ id: string }[]>`
      insert into public.sync_runs (org_id, instance_id, mode, trigger, status, job_id, started_at)
      values (${instance.org_id}, ${instance.id}, ${payload.mode}, ${payload.trigger}, 'running',
              ${jobId}, now())
      returning id`;
    return run!.id;
  } catch (error) {
    if ((error as { code?: string }).code === "23505") {
      throw new PermanentTaskError("Cannot sync: another sync of this instance is running", {
        code: "sync_already_running",
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Closes queued or running sync runs of an instance whose job has ended (or
 * never existed), so the one-active-run rule does not block a new sync forever.
 *
 * @param tx a transaction (worker or analyst)
 * @param instanceId the instance
 */
export function closeStaleRuns(tx: Tx, instanceId: string): Promise<void> {
  return closeRunsOfEndedJobs(tx, "sync_runs", instanceId, "sync");
}

async function finishRun(
  tx: Tx,
  runId: string,
  status: "failed" | "cancelled",
  error: string,
): Promise<void> {
  const [run] = await tx<{ instance_id: string }[]>`
    update public.sync_runs set status = ${status}, error = ${
    error.slice(0, 1000)
  }, finished_at = now()
    where id = ${runId} and status in ('queued', 'running')
    returning instance_id`;
  await clearSeenKeys(tx, runId);
  if (run && status === "failed") {
    await tx`
      update public.instances set last_sync_at = now(), last_sync_status = 'failed'
      where id = ${run.instance_id}`;
  }
  await tx`
    update public.sync_table_results set status = 'failed', error = coalesce(error, ${
    error.slice(0, 1000)
  })
    where sync_run_id = ${runId} and status in ('pending', 'running')`;
}

async function completeRun(
  tx: Tx,
  runId: string,
  instanceId: string,
): Promise<SyncResult> {
  const tables = await tx<{ table_name: string; status: string }[]>`
    select table_name, status from public.sync_table_results where sync_run_id = ${runId}
    order by table_name`;
  // A table missing from the instance is reported but does not make the sync partial.
  const ok = tables.filter((t) => t.status === "succeeded").length;
  const missing = tables.filter((t) => t.status === "not_found").length;
  const status: SyncResult["status"] = ok + missing === tables.length
    ? "succeeded"
    : ok > 0
    ? "partial"
    : "failed";
  const failed = tables.filter((t) => t.status !== "succeeded" && t.status !== "not_found")
    .map((t) => `${t.table_name} (${t.status.replace("_", " ")})`);
  const [run] = await tx<
    {
      records_fetched: string;
      records_upserted: string;
      records_deleted: string;
      records_expired: string;
    }[]
  >`
    update public.sync_runs set status = ${status}, finished_at = now(),
      error = ${failed.length ? `Not synced: ${failed.join(", ")}`.slice(0, 1000) : null}
    where id = ${runId}
    returning records_fetched, records_upserted, records_deleted, records_expired`;
  await tx`
    update public.instances set last_sync_at = now(), last_sync_status = ${status}
    where id = ${instanceId}`;
  await clearSeenKeys(tx, runId);
  return {
    runId,
    status,
    records_fetched: Number(run?.records_fetched ?? 0),
    records_upserted: Number(run?.records_upserted ?? 0),
    records_deleted: Number(run?.records_deleted ?? 0),
    records_expired: Number(run?.records_expired ?? 0),
    tables: tables.map((t) => ({ table: t.table_name, status: t.status })),
  };
}

function describeOutcome(result: SyncResult): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const unreadable = result.tables.filter((t) => t.status !== "succeeded").length;
  return `Sync ${result.status}: ${n(result.records_fetched)} fetched, ${
    n(result.records_upserted)
  } written, ${n(result.records_deleted)} deleted${
    result.records_expired ? `, ${n(result.records_expired)} older than their window dropped` : ""
  }${unreadable ? `; ${unreadable} table(s) not synced` : ""}`;
}

function countersOf(result: SyncResult): Record<string, number> {
  return {
    records_fetched: result.records_fetched,
    records_upserted: result.records_upserted,
    records_deleted: result.records_deleted,
    records_expired: result.records_expired,
    tables_done: result.tables.length,
    tables_total: result.tables.length,
    tables_not_readable: result.tables.filter((t) => t.status === "not_readable").length,
  };
}

/**
 * Formats a date as ServiceNow writes date-times: UTC "YYYY-MM-DD HH:MM:SS".
 *
 * @param date the instant
 */
export function formatGlide(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}
