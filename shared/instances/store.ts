import { type Database, type TenantClaims, type Tx } from "../db/mod.ts";
import { decodeCursor, encodeCursor } from "../http/cursor.ts";
import { HttpError } from "../http/errors.ts";
import { readGuardedPage, readNewestFirstPage, requirePermission } from "../organizations/mod.ts";
import type { Action } from "../permissions/mod.ts";
import type { HealthReport } from "./connect.ts";
import type { AuthType, CredentialsEnvelope } from "./credentials.ts";
import { nextRuns, parseStoredSchedule, type SyncSchedule } from "./schemas.ts";

/** Health of an instance as the last connection test found it. */
export type InstanceStatus = "pending" | "healthy" | "degraded" | "unreachable" | "auth_failed";

/** Outcome of a sync run. */
export type SyncRunStatus = "queued" | "running" | "succeeded" | "partial" | "failed" | "cancelled";

/** A sync run in a list (totals only). */
export interface SyncRunSummary {
  id: string;
  mode: "full" | "incremental";
  trigger: "manual" | "schedule" | "setup";
  status: SyncRunStatus;
  job_id: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
  records_fetched: number;
  records_upserted: number;
  records_deleted: number;
  /** Stored records dropped for being older than their table's window. */
  records_expired: number;
  tables_not_readable: number;
  error: string | null;
  requested_by: string | null;
  created_at: Date;
}

/** Per-table figures of one sync run. */
export interface SyncTableResult {
  table_name: string;
  status: "pending" | "running" | "succeeded" | "not_readable" | "not_found" | "failed";
  records_fetched: number;
  records_upserted: number;
  records_deleted: number;
  /** Stored records dropped for being older than the table's window. */
  records_expired: number;
  duration_ms: number | null;
  high_watermark: Date | null;
  error: string | null;
}

/** A sync run with its per-table figures. */
export interface SyncRunDetail extends SyncRunSummary {
  instance_id: string;
  tables: SyncTableResult[];
}

/** An instance as the API returns it: never any credential material. */
export interface InstanceView {
  id: string;
  org_id: string;
  name: string;
  url: string;
  auth_type: AuthType;
  /** Credentials are write-only: the API only says that some are stored. */
  credentials: { configured: true };
  status: InstanceStatus;
  build_tag: string | null;
  last_health_check_at: Date | null;
  /** The last connection test's report, if any (in a list, without `tables`). */
  last_health: (Omit<HealthReport, "tables"> & { tables?: HealthReport["tables"] }) | null;
  schedule: (SyncSchedule & { next_runs: Date[]; next_sync_at: Date | null }) | null;
  last_sync_at: Date | null;
  last_sync_status: "succeeded" | "partial" | "failed" | null;
  last_sync: SyncRunSummary | null;
  active_sync: SyncRunSummary | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** What the sync and the connection test need to reach an instance. */
export interface InstanceTarget {
  id: string;
  org_id: string;
  name: string;
  url: string;
  auth_type: AuthType;
}

/** The message every lookup of an invisible instance answers with. */
export const INSTANCE_NOT_FOUND = "Instance not found";

const RUN_COLUMNS = (tx: Tx) =>
  tx`r.id, r.mode, r.trigger, r.status, r.job_id, r.started_at, r.finished_at,
     (extract(epoch from (r.finished_at - r.started_at)) * 1000)::bigint as duration_ms,
     r.records_fetched, r.records_upserted, r.records_deleted, r.records_expired,
     (select count(*) from public.sync_table_results t
       where t.sync_run_id = r.id and t.status = 'not_readable')::int as tables_not_readable,
     r.error, r.requested_by, r.created_at`;

interface InstanceRow extends Omit<InstanceView, "credentials" | "schedule"> {
  sync_cron: string | null;
  next_sync_at: Date | null;
}

function toView(row: InstanceRow): InstanceView {
  const { sync_cron, next_sync_at, ...rest } = row;
  const schedule = parseStoredSchedule(sync_cron);
  let next: Date[] = [];
  if (schedule) {
    try {
      next = nextRuns(schedule, 3);
    } catch {
      next = [];
    }
  }
  return {
    ...rest,
    credentials: { configured: true },
    schedule: schedule ? { ...schedule, next_runs: next, next_sync_at } : null,
    last_sync: normalizeRun(row.last_sync),
    active_sync: normalizeRun(row.active_sync),
  };
}

function normalizeRun(run: SyncRunSummary | null): SyncRunSummary | null {
  if (!run) return null;
  // Rows built with to_jsonb carry bigints as numbers and dates as strings.
  return {
    ...run,
    started_at: run.started_at ? new Date(run.started_at) : null,
    finished_at: run.finished_at ? new Date(run.finished_at) : null,
    created_at: new Date(run.created_at),
    duration_ms: run.duration_ms === null ? null : Number(run.duration_ms),
    records_fetched: Number(run.records_fetched),
    records_upserted: Number(run.records_upserted),
    records_deleted: Number(run.records_deleted),
    records_expired: Number(run.records_expired),
  };
}

/**
 * Instances with their last and active sync. A list (`limit` given) leaves out
 * the per-table access of the last connection test (`last_health.tables`,
 * about 2 KB an instance: two thirds of a list's bytes); one instance has it.
 */
function selectInstances(tx: Tx, where: ReturnType<Tx>, limit?: number) {
  const health = limit === undefined ? tx`i.last_health` : tx`i.last_health - 'tables'`;
  return tx<InstanceRow[]>`
    select i.id, i.org_id, i.name, i.url, i.auth_type, i.status, i.build_tag,
           i.last_health_check_at, ${health} as last_health, i.sync_cron, i.next_sync_at, i.last_sync_at,
           i.last_sync_status, i.created_by, i.created_at, i.updated_at,
           (select to_jsonb(x) from (select ${RUN_COLUMNS(tx)} from public.sync_runs r
              where r.instance_id = i.id and r.status not in ('queued', 'running')
              order by r.created_at desc limit 1) x) as last_sync,
           (select to_jsonb(x) from (select ${RUN_COLUMNS(tx)} from public.sync_runs r
              where r.instance_id = i.id and r.status in ('queued', 'running')
                and (r.job_id is null or exists (
                  select 1 from public.jobs j
                  where j.id = r.job_id and j.status in ('queued', 'running')))
              order by r.created_at desc limit 1) x) as active_sync
    from public.instances i
    where ${where}
    order by i.name
    ${limit === undefined ? tx`` : tx`limit ${limit}`}`;
}

/**
 * A page of the organization's instances in name order, with health and last
 * sync (any member). Names are unique in an organization, so the name alone
 * is the cursor.
 *
 * @param db the database
 * @param claims the caller
 * @param orgId the organization
 * @param page size and the cursor from the previous page
 * @throws {HttpError} 404 when the caller is not a member; 400 `invalid_cursor`
 */
export async function listInstances(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  page: { limit: number; cursor?: string },
): Promise<{ data: InstanceView[]; next_cursor: string | null }> {
  const after = page.cursor
    ? decodeCursor(page.cursor, ([name]) => typeof name === "string" ? name : null)
    : null;
  // In name order off the unique (org_id, name) index; each instance's last and
  // active sync off its newest syncs, never a sort of its whole history.
  const { rows } = await readGuardedPage(
    db,
    claims,
    { orgId },
    "instances.read",
    (tx) =>
      selectInstances(
        tx,
        after === null ? tx`i.org_id = ${orgId}` : tx`i.org_id = ${orgId} and i.name > ${after}`,
        page.limit + 1,
      ),
  );
  const more = rows.length > page.limit;
  const data = rows.slice(0, page.limit).map(toView);
  const last = data.at(-1);
  return { data, next_cursor: more && last ? encodeCursor([last.name]) : null };
}

/**
 * One instance (any member of its organization).
 *
 * @param tx a tenant transaction
 * @param id the instance
 * @throws {HttpError} 404 when it does not exist or belongs to another organization
 */
export async function getInstance(tx: Tx, id: string): Promise<InstanceView> {
  const [row] = await selectInstances(tx, tx`i.id = ${id}`);
  if (!row) throw new HttpError(404, INSTANCE_NOT_FOUND);
  return toView(row);
}

/**
 * Looks up the instance's organization and checks the caller's role in it,
 * so a foreign instance is a 404 and an insufficient role a 403.
 *
 * @param tx a tenant transaction (a user's)
 * @param id the instance
 * @param action the action of the permission matrix the caller wants to perform
 */
export async function authorizeInstance(
  tx: Tx,
  id: string,
  action: Action,
): Promise<InstanceTarget> {
  const [row] = await tx<InstanceTarget[]>`
    select id, org_id, name, url, auth_type from public.instances where id = ${id}`;
  if (!row) throw new HttpError(404, INSTANCE_NOT_FOUND);
  await requirePermission(tx, row.org_id, action);
  return row;
}

/** Values of a new instance, after normalization and sealing. */
export interface NewInstance {
  id: string;
  org_id: string;
  name: string;
  url: string;
  auth_type: AuthType;
  credentials: CredentialsEnvelope;
  sync_cron: string | null;
  created_by: string;
  status?: InstanceStatus;
  build_tag?: string | null;
  last_health?: unknown;
}

/**
 * Inserts an instance (admin or owner). The database enforces the plan's
 * instance limit and unique names.
 *
 * @param tx a tenant transaction
 * @param values the new row
 */
export async function insertInstance(tx: Tx, values: NewInstance): Promise<InstanceView> {
  await requirePermission(tx, values.org_id, "instances.create");
  try {
    await tx`
      insert into public.instances (id, org_id, name, url, auth_type, credentials, sync_cron,
                                    created_by, status, build_tag, last_health, last_health_check_at)
      values (${values.id}, ${values.org_id}, ${values.name}, ${values.url}, ${values.auth_type},
              ${tx.json(values.credentials as unknown as Record<string, string>)},
              ${values.sync_cron}, ${values.created_by}, ${values.status ?? "pending"},
              ${values.build_tag ?? null},
              ${values.last_health === undefined ? null : tx.json(values.last_health as never)},
              ${values.last_health === undefined ? null : new Date()})`;
  } catch (error) {
    throw nameTaken(error, values.name) ?? error;
  }
  return await getInstance(tx, values.id);
}

/** Fields an update may change, already normalized and sealed. */
export interface InstancePatch {
  name?: string;
  url?: string;
  auth_type?: AuthType;
  credentials?: CredentialsEnvelope;
}

/**
 * Updates name, URL and/or credentials (admin or owner). Changing the URL or
 * the credentials resets the health status until the next test.
 *
 * @param tx a tenant transaction
 * @param id the instance
 * @param patch the fields to change
 */
export async function updateInstance(
  tx: Tx,
  id: string,
  patch: InstancePatch,
): Promise<InstanceView> {
  const connectionChanged = patch.url !== undefined || patch.credentials !== undefined;
  // Only the given columns are written: `credentials` is never read back, not
  // even by this statement (users have no SELECT on it).
  // deno-lint-ignore no-explicit-any
  const values: Record<string, any> = {};
  if (patch.name !== undefined) values.name = patch.name;
  if (patch.url !== undefined) values.url = patch.url;
  if (patch.auth_type !== undefined) values.auth_type = patch.auth_type;
  if (patch.credentials !== undefined) values.credentials = tx.json(patch.credentials as never);
  if (connectionChanged) values.status = "pending";
  const columns = Object.keys(values);
  if (columns.length > 0) {
    try {
      const updated = await tx`update public.instances set ${tx(values, columns)} where id = ${id}`;
      if (updated.count === 0) throw new HttpError(404, INSTANCE_NOT_FOUND);
    } catch (error) {
      throw nameTaken(error, patch.name ?? "") ?? error;
    }
  }
  return await getInstance(tx, id);
}

/**
 * Stores the outcome of a connection test.
 *
 * @param tx a tenant transaction (user or worker)
 * @param id the instance
 * @param health status, build tag and the report
 */
export async function recordHealth(
  tx: Tx,
  id: string,
  health: { status: InstanceStatus; build_tag: string | null; report: unknown },
): Promise<void> {
  await tx`
    update public.instances set
      status = ${health.status},
      build_tag = coalesce(${health.build_tag}, build_tag),
      last_health = ${tx.json(health.report as never)},
      last_health_check_at = now()
    where id = ${id}`;
}

/**
 * Deletes an instance and, through foreign keys, its synced records, sync
 * history and table state (admin or owner).
 *
 * @param tx a tenant transaction
 * @param id the instance
 * @returns the deleted instance's schedule id, to remove its QStash schedule
 */
export async function deleteInstance(
  tx: Tx,
  id: string,
): Promise<{ sync_schedule_id: string | null }> {
  const [row] = await tx<{ sync_schedule_id: string | null }[]>`
    delete from public.instances where id = ${id} returning sync_schedule_id`;
  if (!row) throw new HttpError(404, INSTANCE_NOT_FOUND);
  return row;
}

/**
 * Stores the schedule and the time of the next scheduled sync, which the sync
 * dispatcher reads (a per-instance QStash schedule of older versions is
 * forgotten: the caller removes it).
 *
 * @param tx a tenant transaction
 * @param id the instance
 * @param schedule the cron value (`CRON_TZ=` form) and next sync time, or nulls
 */
export async function storeSchedule(
  tx: Tx,
  id: string,
  schedule: { sync_cron: string | null; next_sync_at: Date | null },
): Promise<void> {
  await tx`
    update public.instances
    set sync_cron = ${schedule.sync_cron}, next_sync_at = ${schedule.next_sync_at},
        sync_schedule_id = null
    where id = ${id}`;
}

/**
 * A page of the instance's sync runs, newest first, in one statement (any
 * member of its organization).
 *
 * @param db the database
 * @param claims the caller
 * @param id the instance
 * @param page size and the cursor of the previous page
 * @throws {HttpError} 404 when the instance is not the caller's; 400 `invalid_cursor`
 */
export async function listSyncRuns(
  db: Database,
  claims: TenantClaims,
  id: string,
  page: { limit: number; cursor?: string },
): Promise<{ data: SyncRunSummary[]; next_cursor: string | null }> {
  const { rows: runs, next_cursor } = await readNewestFirstPage(
    db,
    claims,
    { instanceId: id, notFound: INSTANCE_NOT_FOUND },
    "instances.read",
    page,
    "r",
    (tx, k) =>
      tx<(SyncRunSummary & { cursor_key: string })[]>`
        select ${RUN_COLUMNS(tx)}, ${k.cursorKey} from public.sync_runs r
        where r.instance_id = ${id} ${k.after}
        ${k.orderByLimit}`,
  );
  return { data: runs.map((r) => normalizeRun(r)!), next_cursor };
}

/**
 * One sync run with its per-table figures.
 *
 * @param tx a tenant transaction
 * @param instanceId the instance
 * @param runId the run
 * @throws {HttpError} 404 when not visible
 */
export async function getSyncRun(
  tx: Tx,
  instanceId: string,
  runId: string,
): Promise<SyncRunDetail> {
  const [run] = await tx<(SyncRunSummary & { instance_id: string })[]>`
    select ${RUN_COLUMNS(tx)}, r.instance_id from public.sync_runs r
    where r.id = ${runId} and r.instance_id = ${instanceId}`;
  if (!run) throw new HttpError(404, "Sync run not found");
  const tables = await tx<SyncTableResult[]>`
    select table_name, status, records_fetched, records_upserted, records_deleted,
           records_expired, duration_ms, high_watermark, error
    from public.sync_table_results where sync_run_id = ${runId}
    order by table_name`;
  return {
    ...normalizeRun(run)!,
    instance_id: run.instance_id,
    tables: tables.map((t) => ({
      ...t,
      records_fetched: Number(t.records_fetched),
      records_upserted: Number(t.records_upserted),
      records_deleted: Number(t.records_deleted),
      records_expired: Number(t.records_expired),
      duration_ms: t.duration_ms === null ? null : Number(t.duration_ms),
    })),
  };
}

/** Per-table state of an instance: readable or not, record count, high-water mark. */
export interface InstanceTableState {
  table_name: string;
  readable: boolean;
  last_error: string | null;
  high_watermark: Date | null;
  last_full_sync_at: Date | null;
  last_key_scan_at: Date | null;
  record_count: number;
  updated_at: Date;
}

/**
 * The instance's tables as the last syncs left them.
 *
 * @param tx a tenant transaction
 * @param id the instance
 */
export async function listInstanceTables(tx: Tx, id: string): Promise<InstanceTableState[]> {
  const rows = await tx<InstanceTableState[]>`
    select table_name, readable, last_error, high_watermark, last_full_sync_at, last_key_scan_at,
           record_count, updated_at
    from public.instance_tables where instance_id = ${id}
    order by table_name`;
  return rows.map((r) => ({ ...r, record_count: Number(r.record_count) }));
}

function nameTaken(error: unknown, name: string): HttpError | null {
  const pg = error as { code?: string; constraint_name?: string };
  if (pg?.code === "23505" && pg.constraint_name === "instances_org_id_name_key") {
    return new HttpError(409, `An instance named "${name}" already exists in this organization`, {
      code: "instance_name_taken",
      cause: error,
    });
  }
  return null;
}
