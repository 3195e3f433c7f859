/**
 * The one statement behind a page of the findings list. It walks indexes in
 * the sort's order and stops after the page: a run's checks by severity (or
 * id), each check's findings on the instance by resource key; or the
 * instance's findings by resource key, first or last seen. A run's result of a
 * finding is probed by its primary key. Triage and the muting suppression are
 * looked up for the page's rows only, after the limit — unless a filter needs
 * them (`triage`, `muted`), which then tests each row it walks.
 * docs/analysis.md, "Reading findings at scale", explains the shape.
 *
 * @module
 */

import type postgres from "postgres";
import type { PlannerSettings, Tx } from "../../db/mod.ts";
import { decodeCursor } from "../../http/cursor.ts";
import type { FINDING_SORTS, FindingFilterQuery, ListFindingsQuery } from "./findings.ts";

type Fragment = postgres.Fragment;
type KeyType = "smallint" | "text" | "bigint" | "uuid";

interface SortSpec {
  /** `check`: checks of the run in key order, then each check's findings; `finding`: findings. */
  walk: "check" | "finding";
  /** Key expressions, in order, over `cr` (the check result) and `f` (the finding); `f.id` last. */
  keys: { expr: string; type: KeyType }[];
  /** Descending on its first key (a timestamp, carried in the cursor as epoch microseconds). */
  newest?: boolean;
}

const MICROS = (column: string) => `(extract(epoch from f.${column}) * 1000000)::bigint`;

const SORTS: Record<(typeof FINDING_SORTS)[number], SortSpec> = {
  severity: {
    walk: "check",
    keys: [
      { expr: "cr.severity_rank", type: "smallint" },
      { expr: "cr.check_id", type: "text" },
      { expr: "f.resource_key", type: "text" },
      { expr: "f.id", type: "uuid" },
    ],
  },
  check: {
    walk: "check",
    keys: [
      { expr: "cr.check_id", type: "text" },
      { expr: "f.resource_key", type: "text" },
      { expr: "f.id", type: "uuid" },
    ],
  },
  resource: {
    walk: "finding",
    keys: [
      { expr: "f.resource_key", type: "text" },
      { expr: "f.check_id", type: "text" },
      { expr: "f.id", type: "uuid" },
    ],
  },
  first_seen: {
    walk: "finding",
    newest: true,
    keys: [{ expr: MICROS("first_seen_at"), type: "bigint" }, { expr: "f.id", type: "uuid" }],
  },
  last_seen: {
    walk: "finding",
    newest: true,
    keys: [{ expr: MICROS("last_seen_at"), type: "bigint" }, { expr: "f.id", type: "uuid" }],
  },
};

/**
 * Planner settings the page statement runs with. A run's size is unknown when
 * the statement is planned (the run is resolved inside it), so row estimates
 * are an average instance's; with sorting off, the planner walks the indexes
 * in the list's order for a 100-finding run and a 100,000-finding one alike
 * (incremental sorts, over one check's page-sized group, stay allowed). That
 * makes the generic plan as good as a custom one, so it is kept (planning this
 * statement costs more than running it). JIT is off: sorting off inflates the
 * estimated cost past JIT's threshold, and compiling would outlast the read.
 */
export const FINDINGS_PLANNER: PlannerSettings = {
  enable_sort: "off",
  jit: "off",
  plan_cache_mode: "force_generic_plan",
};

/** Text each key type accepts from a cursor: values Postgres casts without overflow. */
const CURSOR_KEY_TEXT: Record<KeyType, RegExp> = {
  smallint: /^-?[0-9]{1,4}$/,
  bigint: /^-?[0-9]{1,17}$/,
  text: /^/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
};

/**
 * Reads a findings cursor for a sort.
 *
 * @param sort the list's sort
 * @param cursor the cursor the client sent back
 * @returns the last row's key values, as text
 * @throws {HttpError} 400 `invalid_cursor` when it does not fit the sort
 */
export function findingsCursor(sort: ListFindingsQuery["sort"], cursor: string): string[] {
  const keys = SORTS[sort].keys;
  return decodeCursor(cursor, (values) =>
    values.length === keys.length && keys.every((k, i) => {
        const v = values[i];
        return (typeof v === "string" || typeof v === "number") &&
          CURSOR_KEY_TEXT[k.type].test(String(v));
      })
      ? values.map(String)
      : null);
}

/** How many sort keys a sort has (the columns `sort_0…` of a page row). */
export function sortKeyCount(sort: ListFindingsQuery["sort"]): number {
  return SORTS[sort].keys.length;
}

/**
 * The page statement: `limit` rows after `after` (a decoded cursor), each with
 * the list's columns and `sort_0…` (its key values for the next cursor).
 *
 * @param tx a tenant transaction (or a pipelined read)
 * @param query filters, sort, run or instance
 * @param after the previous page's last keys, or null for the first page
 * @param limit rows to return
 * @returns the query, not yet run
 */
export function findingsPageQuery(
  tx: Tx,
  query: ListFindingsQuery,
  after: string[] | null,
  limit: number,
): Fragment {
  const sort = SORTS[query.sort];
  const keyColumns = tx.unsafe(sort.keys.map((k, i) => `${k.expr} as sort_${i}`).join(", "));
  const walk = sort.walk === "check"
    ? checkWalk(tx, sort, query, after, limit, keyColumns)
    : findingWalk(tx, sort, query, after, limit, keyColumns);
  const pageOrder = tx.unsafe(sort.keys.map((_, i) => `p.sort_${i}`).join(", "));
  return tx`
    with target as materialized (${targetRun(tx, query)})
    select p.*,
           case when p.sys_id ~ '^[0-9a-fA-F]{32}$' and p.table_name ~ '^[a-z0-9_]+$'
                then rtrim(t.url, '/') || '/' || p.table_name || '.do?sys_id=' || p.sys_id
           end as record_url,
           coalesce(tr.state, 'open') as triage_state,
           (${activeSuppression(tx, "p")}) as suppression_id
    from target t
    cross join lateral (${walk}) p
    left join public.analysis_finding_triage tr on tr.finding_id = p.id
    order by ${pageOrder}`;
}

/** The run: the given one, or the instance's latest succeeded run (one row or none). */
function targetRun(tx: Tx, query: FindingFilterQuery): Fragment {
  const columns = tx`r.id, r.org_id, r.instance_id, i.url
    from public.analysis_runs r join public.instances i on i.id = r.instance_id`;
  return query.run_id ? tx`select ${columns} where r.id = ${query.run_id}` : tx`
      select ${columns}
      where r.instance_id = ${query.instance_id!} and r.status = 'succeeded'
      order by r.created_at desc limit 1`;
}

/** Columns of the finding `f` and the check result `cr` a walked row shows. */
const ROW_COLUMNS = `f.id, t.id as run_id, f.instance_id, f.check_id, cr.title as check_title,
  cr.severity, cr.area, cr.family, cr.frameworks, f.resource_key, f.table_name, f.sys_id,
  f.first_seen_at, f.last_seen_at, f.status as current_status, f.reopened_count, t.org_id`;
/** Columns of the run's result `fr` of the finding `f`. */
const RESULT_COLUMNS = `fr.status as result_status, fr.delta as result_delta,
  coalesce(fr.evidence, f.evidence) as result_evidence`;

/** Severity or check order: the run's checks in key order, each check's findings by resource key. */
function checkWalk(
  tx: Tx,
  sort: SortSpec,
  query: ListFindingsQuery,
  after: string[] | null,
  limit: number,
  keyColumns: Fragment,
): Fragment {
  const checkKeys = sort.keys.filter((k) => k.expr.startsWith("cr."));
  const head = tx.unsafe(checkKeys.map((k) => k.expr).join(", "));
  // Checks before the cursor's are skipped on the index; within the cursor's
  // check, findings resume after its resource key and id.
  const skipChecks = after ? tx`and (${head}) >= (${typedList(tx, checkKeys, after)})` : tx``;
  const resume = after
    ? tx`and (f.resource_key, f.id) > (
        case when (${head}) = (${typedList(tx, checkKeys, after)})
             then ${after[checkKeys.length]!}::text else '' end,
        case when (${head}) = (${typedList(tx, checkKeys, after)})
             then ${after[checkKeys.length + 1]!}::uuid
             else '00000000-0000-0000-0000-000000000000'::uuid end)`
    : tx``;
  return tx`
    select ${tx.unsafe(ROW_COLUMNS)}, f.result_status as status, f.result_delta as delta,
           f.result_evidence as evidence, ${keyColumns}
    from public.analysis_check_results cr
    cross join lateral (
      select f.*, ${tx.unsafe(RESULT_COLUMNS)} from public.analysis_findings f
      join public.analysis_finding_results fr on fr.run_id = t.id and fr.finding_id = f.id
      where f.instance_id = t.instance_id and f.check_id = cr.check_id
        ${resultFilters(tx, query)} ${resume}
      order by f.resource_key, f.id
      limit ${limit}
    ) f
    where cr.run_id = t.id ${checkFilters(tx, query)} ${skipChecks}
    order by ${tx.unsafe(sort.keys.map((k) => k.expr).join(", "))}
    limit ${limit}`;
}

/** Resource or time order: the instance's findings on one index, each probed for the run's result. */
function findingWalk(
  tx: Tx,
  sort: SortSpec,
  query: ListFindingsQuery,
  after: string[] | null,
  limit: number,
  keyColumns: Fragment,
): Fragment {
  let order: string;
  let resume = tx``;
  if (sort.newest) {
    const column = sort.keys[0]!.expr.includes("first_seen") ? "f.first_seen_at" : "f.last_seen_at";
    order = `${column} desc, f.id`;
    if (after) {
      const at = tx`(timestamptz 'epoch' + ${after[0]!}::bigint * interval '1 microsecond')`;
      resume = tx`and ${tx.unsafe(column)} <= ${at}
        and (${tx.unsafe(column)} < ${at} or f.id > ${after[1]!}::uuid)`;
    }
  } else {
    order = sort.keys.map((k) => k.expr).join(", ");
    if (after) resume = tx`and (${tx.unsafe(order)}) > (${typedList(tx, sort.keys, after)})`;
  }
  return tx`
    select ${tx.unsafe(ROW_COLUMNS)}, fr.status, fr.delta,
           coalesce(fr.evidence, f.evidence) as evidence, ${keyColumns}
    from public.analysis_findings f
    join public.analysis_finding_results fr on fr.run_id = t.id and fr.finding_id = f.id
    join public.analysis_check_results cr on cr.run_id = t.id and cr.check_id = f.check_id
    where f.instance_id = t.instance_id ${checkFilters(tx, query)} ${resultFilters(tx, query)}
      ${resume}
    order by ${tx.unsafe(order)}
    limit ${limit}`;
}

/** `$1::type, $2::type, …` for the first keys of a cursor. */
function typedList(tx: Tx, keys: SortSpec["keys"], values: string[]): Fragment {
  return keys.map((k, i) => tx`${values[i]!}::${tx.unsafe(k.type)}`)
    .reduce((acc, part) => tx`${acc}, ${part}`);
}

/** Filters on the check result `cr`. */
function checkFilters(tx: Tx, query: FindingFilterQuery): Fragment {
  return tx`${query.severity ? tx`and cr.severity in ${tx(query.severity)}` : tx``}
    ${query.area ? tx`and cr.area in ${tx(query.area)}` : tx``}
    ${query.framework ? tx`and ${query.framework} = any (cr.frameworks)` : tx``}
    ${query.check_id ? tx`and cr.check_id in ${tx(query.check_id)}` : tx``}`;
}

/** Filters on the run's result `fr` and the finding `f`: tested on each row walked. */
function resultFilters(tx: Tx, query: FindingFilterQuery): Fragment {
  const triage = tx`coalesce((select ft.state from public.analysis_finding_triage ft
    where ft.finding_id = f.id), 'open')`;
  const muted = query.muted === undefined
    ? tx``
    : tx`and (${activeSuppression(tx, "f", "t.org_id")}) is ${
      tx.unsafe(query.muted === "true" ? "not null" : "null")
    }`;
  return tx`${query.status ? tx`and fr.status in ${tx(query.status)}` : tx``}
    ${query.delta ? tx`and fr.delta in ${tx(query.delta)}` : tx``}
    ${query.triage ? tx`and ${triage} in ${tx(query.triage)}` : tx``}
    ${
    query.q
      ? tx`and (strpos(lower(f.resource_key), lower(${query.q})) > 0
          or strpos(lower(coalesce(fr.evidence, f.evidence)::text), lower(${query.q})) > 0)`
      : tx``
  }
    ${muted}`;
}

/**
 * The suppression in force that mutes a finding (the oldest), or null: one on
 * the finding itself, or one on its check across the organization or on its
 * instance. `row` has `id`, `check_id`, `instance_id` (and `org_id` unless given).
 */
function activeSuppression(tx: Tx, row: string, orgId = `${row}.org_id`): Fragment {
  return tx.unsafe(`
    select a.id from (
      (select s.id, s.created_at from public.analysis_suppressions s
       where s.finding_id = ${row}.id and s.scope = 'finding' and s.revoked_at is null
         and (s.expires_at is null or s.expires_at > now()))
      union all
      (select s.id, s.created_at from public.analysis_suppressions s
       where s.org_id = ${orgId} and s.check_id = ${row}.check_id
         and s.revoked_at is null and s.finding_id is null
         and (s.scope = 'check_org' or s.instance_id = ${row}.instance_id)
         and (s.expires_at is null or s.expires_at > now()))
    ) a order by a.created_at limit 1`);
}
