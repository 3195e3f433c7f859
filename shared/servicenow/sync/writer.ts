import type { Tx } from "../../db/mod.ts";

/** A record as the Table API returns it (display values off). */
export type SnowRecord = Record<string, unknown>;

/** Where a batch of records goes. */
export interface TableTarget {
  orgId: string;
  instanceId: string;
  table: string;
}

/** What {@linkcode upsertRecords} did. */
export interface UpsertOutcome {
  /** Records inserted or changed; unchanged re-reads are not counted. */
  upserted: number;
  /** Newest `sys_updated_on` of the batch (UTC "YYYY-MM-DD HH:MM:SS"), or null. */
  newest: string | null;
}

const SYS_ID = /^[0-9a-zA-Z_.-]{1,64}$/;

/**
 * Flattens a record to ServiceNow's raw storage form: references become their
 * sys_id (`{link, value}` → value), `display_value=all` pairs become their
 * value, and everything else is kept as the string it was.
 *
 * @param record a record from the Table API
 */
export function normalizeRecord(record: SnowRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(record)) {
    if (value === null || value === undefined) continue;
    if (typeof value === "object") {
      const inner = (value as { value?: unknown }).value;
      out[field] = inner === undefined || inner === null ? "" : String(inner);
    } else {
      out[field] = String(value);
    }
  }
  return out;
}

/**
 * Writes a batch of records in one statement: new ones are inserted, changed
 * ones updated, identical ones left alone (so re-reading the overlap window
 * costs no writes). Runs under the caller's claims, so RLS applies.
 *
 * @param tx a transaction under worker claims
 * @param target organization, instance and table
 * @param records the batch (records without a valid sys_id are skipped)
 */
export async function upsertRecords(
  tx: Tx,
  target: TableTarget,
  records: readonly SnowRecord[],
): Promise<UpsertOutcome> {
  const rows: Record<string, string>[] = [];
  let newest: string | null = null;
  for (const record of records) {
    // Raw values (every value a string) are kept as they are: no copy per record.
    const row = allStrings(record) ? record as Record<string, string> : normalizeRecord(record);
    if (!row.sys_id || !SYS_ID.test(row.sys_id)) continue;
    rows.push(row);
    const updated = row.sys_updated_on;
    if (updated && (newest === null || updated > newest)) newest = updated;
  }
  if (rows.length === 0) return { upserted: 0, newest };
  const result = await tx`
    insert into public.snow_records as s
      (org_id, instance_id, table_name, sys_id, sys_updated_on, data)
    select ${target.orgId}::uuid, ${target.instanceId}::uuid, ${target.table},
           r ->> 'sys_id', public.sn_datetime(r ->> 'sys_updated_on'), r
    from jsonb_array_elements(${tx.json(rows)}::jsonb) as r
    on conflict (instance_id, table_name, sys_id) do update
      set data = excluded.data, sys_updated_on = excluded.sys_updated_on, synced_at = now()
      where s.data is distinct from excluded.data`;
  return { upserted: result.count, newest };
}

function allStrings(record: SnowRecord): boolean {
  for (const key in record) if (typeof record[key] !== "string") return false;
  return true;
}

/** A run's scratch space for one table's keys. */
export interface SeenKeysTarget {
  orgId: string;
  runId: string;
  table: string;
}

/**
 * Remembers sys_ids seen on the instance during a run (idempotent).
 *
 * @param tx a transaction under worker claims
 * @param target organization, run and table
 * @param sysIds keys of one page or key-scan batch
 */
export async function recordSeenKeys(
  tx: Tx,
  target: SeenKeysTarget,
  sysIds: readonly string[],
): Promise<void> {
  const keys = sysIds.filter((id) => SYS_ID.test(id));
  if (keys.length === 0) return;
  await tx`
    insert into public.sync_seen_keys (org_id, sync_run_id, table_name, sys_id)
    select ${target.orgId}::uuid, ${target.runId}::uuid, ${target.table}, k
    from unnest(${keys}::text[]) as k
    on conflict do nothing`;
}

/**
 * Deletes the table's records that the run did not see on the instance, then
 * clears the run's keys for the table. Call only once every key was recorded.
 * With `createdSince` (a windowed table, whose keys were listed from that
 * instant on) only records created since then are candidates: older ones were
 * not listed, which says nothing about whether they still exist.
 *
 * @param tx a transaction under worker claims
 * @param target organization, instance, run, table and the window's start
 * @returns how many records were deleted
 */
export async function deleteUnseen(
  tx: Tx,
  target: TableTarget & { runId: string; createdSince?: string | null },
): Promise<number> {
  const since = target.createdSince ?? null;
  const inWindow = () =>
    since === null
      ? tx``
      : tx`and public.sn_datetime(data ->> 'sys_created_on') >= public.sn_datetime(${since})`;
  // The missing keys come from EXCEPT, a hashed set difference that is linear
  // whatever the planner believes: the scratch table is freshly filled and has
  // no statistics, and both an anti-join and a DELETE … USING were planned as
  // nested loops over "a few rows" and went quadratic (minutes at 85k keys).
  // The deletions then go by primary key, a bounded batch at a time.
  let deleted = 0;
  for (;;) {
    const missing = await tx<{ sys_id: string }[]>`
      select sys_id from (
        select sys_id from public.snow_records
        where instance_id = ${target.instanceId} and table_name = ${target.table}
          ${inWindow()}
        except
        select sys_id from public.sync_seen_keys
        where sync_run_id = ${target.runId} and table_name = ${target.table}
      ) m
      limit ${DELETE_BATCH}`;
    if (missing.length === 0) break;
    const result = await tx`
      delete from public.snow_records
      where instance_id = ${target.instanceId} and table_name = ${target.table}
        and sys_id = any(${missing.map((m) => m.sys_id)}::text[])`;
    deleted += result.count;
    if (missing.length < DELETE_BATCH) break;
  }
  await clearSeenKeys(tx, target.runId, target.table);
  return deleted;
}

const DELETE_BATCH = 10_000;

/**
 * Drops the stored records of a windowed table that are older than the
 * window's start (or carry no valid `sys_created_on`, which the window's query
 * does not match either), a bounded batch at a time: the copy keeps exactly
 * what the window reads. They are not deletions on the instance.
 *
 * @param tx a transaction under worker claims
 * @param target instance, table, the window's start (UTC "YYYY-MM-DD HH:MM:SS"),
 *   and at most how many records to drop (every one when absent)
 * @returns how many records were dropped
 */
export async function expireRecords(
  tx: Tx,
  target: { instanceId: string; table: string; before: string; limit?: number },
): Promise<number> {
  let expired = 0;
  for (;;) {
    const batch = Math.min(
      DELETE_BATCH,
      target.limit === undefined ? DELETE_BATCH : target.limit - expired,
    );
    if (batch <= 0) break;
    const result = await tx`
      delete from public.snow_records
      where instance_id = ${target.instanceId} and table_name = ${target.table}
        and sys_id in (
          select sys_id from public.snow_records
          where instance_id = ${target.instanceId} and table_name = ${target.table}
            and not coalesce(
              public.sn_datetime(data ->> 'sys_created_on') >= public.sn_datetime(${target.before}),
              false)
          limit ${batch})`;
    expired += result.count;
    if (result.count < batch) break;
  }
  return expired;
}

/**
 * Drops a run's remembered keys (for one table, or all of them).
 *
 * @param tx a transaction under worker claims
 * @param runId the run
 * @param table one table, or every table when omitted
 */
export async function clearSeenKeys(tx: Tx, runId: string, table?: string): Promise<void> {
  await tx`
    delete from public.sync_seen_keys
    where sync_run_id = ${runId} ${table ? tx`and table_name = ${table}` : tx``}`;
}

/**
 * Number of records stored for a table of an instance.
 *
 * @param tx a transaction
 * @param instanceId the instance
 * @param table the table
 */
export async function countRecords(tx: Tx, instanceId: string, table: string): Promise<number> {
  const [row] = await tx<{ n: string }[]>`
    select count(*) as n from public.snow_records
    where instance_id = ${instanceId} and table_name = ${table}`;
  return Number(row?.n ?? 0);
}
