/**
 * Findings of a run: filtered, sorted, keyset-paginated lists; one finding in
 * full (its check's rationale and remediation, evidence, history across runs,
 * triage and suppressions); and triage changes.
 *
 * @module
 */

import { z } from "zod";
import { type Database, readPage, type TenantClaims, type Tx } from "../../db/mod.ts";
import type postgres from "postgres";
import { encodeCursor } from "../../http/cursor.ts";
import { HttpError } from "../../http/errors.ts";
import { requirePermission } from "../../organizations/mod.ts";
import {
  type FrameworkMapping,
  getCheck,
  type Reference,
  type Remediation,
  type Severity,
} from "../catalog/mod.ts";
import {
  CUSTOM_CHECK_COLUMNS,
  type CustomCheckRecord,
  fromCustom,
  normalizeCustom,
} from "../org_checks.ts";
import { FINDINGS_PLANNER, findingsCursor, findingsPageQuery, sortKeyCount } from "./list_query.ts";
import { fillRemediation, recordUrl } from "./remediation.ts";

/** Triage states of a finding. */
export const TRIAGE_STATES = [
  "open",
  "under_review",
  "remediating",
  "risk_accepted",
  "false_positive",
] as const;
/** Where people are with a finding. */
export type TriageState = typeof TRIAGE_STATES[number];

/** Sort orders of the findings list. */
export const FINDING_SORTS = ["severity", "check", "resource", "first_seen", "last_seen"] as const;

const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z.string().transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean)).pipe(
    z.array(item).max(50),
  );

/** Filters of the findings of a run, shared by the list and the groups. */
const findingFilterSchema = z.object({
  run_id: z.uuid().optional(),
  /** The instance's latest succeeded run, when no run_id is given. */
  instance_id: z.uuid().optional(),
  severity: list(z.enum(["critical", "high", "medium", "low", "informational"])).optional(),
  area: list(z.string().regex(/^[a-z_]{1,40}$/)).optional(),
  framework: z.string().regex(/^[a-z0-9_]{1,60}$/).optional(),
  status: list(z.enum(["FAIL", "PASS", "NOT_EVALUATED"])).optional(),
  delta: list(z.enum(["new", "unchanged", "resolved", "reopened"])).optional(),
  check_id: list(z.string().regex(/^[a-z0-9_]{1,100}$/)).optional(),
  triage: list(z.enum(TRIAGE_STATES)).optional(),
  muted: z.enum(["true", "false"]).optional(),
  /** Text in the resource key or the evidence. */
  q: z.string().trim().min(1).max(100).optional(),
});

const RUN_OR_INSTANCE = {
  message: "Give run_id or instance_id",
  path: ["run_id"],
};

/** Query string of `GET /findings`. */
export const listFindingsQuerySchema = findingFilterSchema.extend({
  sort: z.enum(FINDING_SORTS).default("severity"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2000).optional(),
}).refine((q) => q.run_id || q.instance_id, RUN_OR_INSTANCE);

/** Query string of `GET /findings/groups`: the list's filters, no sort or page. */
export const findingGroupsQuerySchema = findingFilterSchema.refine(
  (q) => q.run_id || q.instance_id,
  RUN_OR_INSTANCE,
);

/** Filters of the findings of a run, parsed. */
export type FindingFilterQuery = z.output<typeof findingFilterSchema>;

/** Query of the findings list, parsed. */
export type ListFindingsQuery = z.output<typeof listFindingsQuerySchema>;

/** A finding in a run, as listed. */
export interface FindingListItem {
  id: string;
  run_id: string;
  instance_id: string;
  check_id: string;
  check_title: string;
  severity: Severity;
  area: string;
  family: string;
  frameworks: string[];
  resource_key: string;
  table_name: string;
  sys_id: string | null;
  /** The record in the ServiceNow instance (`<instance>/<table>.do?sys_id=…`), when there is one. */
  record_url: string | null;
  /** In this run: FAIL, PASS (resolved by it) or NOT_EVALUATED. */
  status: "FAIL" | "PASS" | "NOT_EVALUATED";
  delta: "new" | "unchanged" | "resolved" | "reopened" | null;
  evidence: Record<string, unknown>;
  first_seen_at: Date;
  last_seen_at: Date;
  /** Now: open or resolved. */
  current_status: "open" | "resolved";
  reopened_count: number;
  triage_state: TriageState;
  /** The suppression that mutes it now, if any. */
  suppression_id: string | null;
  muted: boolean;
}

/** A page of findings. */
export interface FindingPage {
  run_id: string | null;
  data: FindingListItem[];
  next_cursor: string | null;
}

/**
 * The run a findings query is about: the given one, or the instance's latest
 * succeeded run.
 *
 * @param tx a tenant transaction
 * @param query run_id or instance_id
 * @returns the run id, or null when the instance has no succeeded run yet
 */
async function targetRun(
  tx: Tx,
  query: { run_id?: string; instance_id?: string },
): Promise<string | null> {
  if (query.run_id) {
    const [run] = await tx<
      { id: string }[]
    >`select id from public.analysis_runs where id = ${query.run_id}`;
    if (!run) throw new HttpError(404, "Analysis run not found");
    return run.id;
  }
  const [instance] = await tx<{ id: string }[]>`
    select id from public.instances where id = ${query.instance_id!}`;
  if (!instance) throw new HttpError(404, "Instance not found");
  const [run] = await tx<{ id: string }[]>`
    select id from public.analysis_runs
    where instance_id = ${query.instance_id!} and status = 'succeeded'
    order by created_at desc limit 1`;
  return run?.id ?? null;
}

/**
 * Lists a run's findings (members): filters, sort, keyset pagination. A page
 * is one statement ({@linkcode findingsPageQuery}); only an empty page asks
 * again, to tell an unknown run or instance (404) from one with no findings.
 *
 * @param db the database
 * @param claims the caller
 * @param query filters, sort, page size and cursor
 * @returns a page; `run_id` null when the instance has not been analysed yet
 * @throws {HttpError} 404 for an unknown run or instance, 400 for a bad cursor
 */
export async function listFindings(
  db: Database,
  claims: TenantClaims,
  query: ListFindingsQuery,
): Promise<FindingPage> {
  const after = query.cursor ? findingsCursor(query.sort, query.cursor) : null;
  const rows = await db.readAsTenant(
    claims,
    (tx) =>
      findingsPageQuery(tx, query, after, query.limit + 1) as postgres.PendingQuery<
        (FindingListItem & { org_id: string } & Record<string, unknown>)[]
      >,
    FINDINGS_PLANNER,
  );
  if (rows.length === 0) {
    const runId = await db.asTenant(claims, (tx) => targetRun(tx, query));
    return { run_id: runId, data: [], next_cursor: null };
  }
  const keys = sortKeyCount(query.sort);
  const data = rows.slice(0, query.limit).map((row) => {
    const item: Record<string, unknown> = { ...row, muted: row.suppression_id !== null };
    delete item.org_id;
    for (let i = 0; i < keys; i++) delete item[`sort_${i}`];
    return item as unknown as FindingListItem;
  });
  const last = rows[query.limit - 1];
  return {
    run_id: rows[0]!.run_id,
    data,
    next_cursor: rows.length > query.limit && last
      ? encodeCursor(Array.from({ length: keys }, (_, i) => String(last[`sort_${i}`])))
      : null,
  };
}

/** The findings of one check in a run that match the filters. */
export interface FindingGroup {
  check_id: string;
  check_title: string;
  severity: Severity;
  area: string;
  /** Affected resources (finding results) that match. */
  count: number;
  /** Of those, muted now. */
  muted: number;
}

/** A run's matching findings, grouped by check. */
export interface FindingGroups {
  run_id: string | null;
  /** Every matching finding result (the sum of the groups' counts). */
  total: number;
  /**
   * True when a filter on the findings themselves (status, change, triage,
   * mute, text) matched more than {@linkcode GROUP_ROWS_CAP} of them: the
   * groups then count the first ones only, and `total` is the cap.
   */
  capped: boolean;
  /** Most severe first, then most resources. */
  data: FindingGroup[];
}

/** The most finding results a filtered groups view reads (`capped` beyond). */
export const GROUP_ROWS_CAP = 10_000;

/**
 * A run's findings grouped by check (members), with the same filters as the
 * list: how many resources each check affects, and how many findings in all.
 *
 * @param db the database
 * @param claims the caller
 * @param query the filters
 * @returns the groups and the total; `run_id` null when the instance has not been analysed yet
 * @throws {HttpError} 404 for an unknown run or instance
 */
export async function listFindingGroups(
  db: Database,
  claims: TenantClaims,
  query: FindingFilterQuery,
): Promise<FindingGroups> {
  return await db.asTenant(claims, async (tx) => {
    const runId = await targetRun(tx, query);
    if (!runId) return { run_id: null, total: 0, capped: false, data: [] };
    const perFinding = !!(query.status || query.delta || query.triage || query.q) ||
      query.muted !== undefined || await hasUncountedResults(tx, runId);
    const rows = perFinding
      ? await filteredGroups(tx, runId, query)
      : await readPage(tx, maintainedGroups(tx, runId, query));
    const data = rows.map(({ severity_rank: _rank, ...group }) => group);
    const total = data.reduce((n, g) => n + g.count, 0);
    const capped = perFinding && total > GROUP_ROWS_CAP;
    if (capped) dropLastRow(data);
    return { run_id: runId, total: capped ? GROUP_ROWS_CAP : total, capped, data };
  });
}

type GroupRow = FindingGroup & { severity_rank: number };

/**
 * Whether a run has check results written before their finding counts were
 * kept (null until `deno task db:backfill-finding-counts` counts them): such a
 * run's groups are counted from its finding results.
 */
async function hasUncountedResults(tx: Tx, runId: string): Promise<boolean> {
  const [row] = await tx<{ uncounted: boolean }[]>`
    select exists (select 1 from public.analysis_check_results
                   where run_id = ${runId} and findings is null) as uncounted`;
  return row!.uncounted;
}

/**
 * Takes back the one row read past the cap (it only told that there were more):
 * from the last group, which is not necessarily the one it was counted in, so
 * the counts add up to the cap; a group left empty goes.
 */
function dropLastRow(groups: FindingGroup[]): void {
  const last = groups.at(-1)!;
  last.count--;
  last.muted = Math.min(last.muted, last.count);
  if (last.count === 0) groups.pop();
}

/**
 * Groups from the counts kept with each check's result (`findings`): no finding
 * result is read but those muted one by one. A check muted as a whole (for the
 * organization or this instance) mutes all its findings; otherwise its muted
 * findings are those with a mute of their own, in force now.
 */
function maintainedGroups(tx: Tx, runId: string, query: FindingFilterQuery) {
  return tx<GroupRow[]>`
    with run as (select id, org_id, instance_id from public.analysis_runs where id = ${runId})
    select cr.check_id, cr.title as check_title, cr.severity, cr.area, cr.severity_rank,
           cr.findings as count,
           case when exists (
                  select 1 from public.analysis_suppressions s
                  where s.org_id = run.org_id and s.check_id = cr.check_id
                    and (s.scope = 'check_org'
                         or (s.scope = 'check_instance' and s.instance_id = run.instance_id))
                    and s.revoked_at is null and (s.expires_at is null or s.expires_at > now()))
                then cr.findings
                else (select count(distinct s.finding_id)::int
                      from public.analysis_suppressions s
                      join public.analysis_finding_results fr
                        on fr.run_id = run.id and fr.finding_id = s.finding_id
                      where s.org_id = run.org_id and s.check_id = cr.check_id
                        and s.scope = 'finding' and s.revoked_at is null
                        and (s.expires_at is null or s.expires_at > now()))
           end as muted
    from run join public.analysis_check_results cr on cr.run_id = run.id
    where cr.findings > 0
      ${query.severity ? tx`and cr.severity in ${tx(query.severity)}` : tx``}
      ${query.area ? tx`and cr.area in ${tx(query.area)}` : tx``}
      ${query.framework ? tx`and ${query.framework} = any (cr.frameworks)` : tx``}
      ${query.check_id ? tx`and cr.check_id in ${tx(query.check_id)}` : tx``}
    order by cr.severity_rank, cr.findings desc, cr.check_id`;
}

/** Groups of the finding results a per-finding filter matches, the first GROUP_ROWS_CAP + 1 of them. */
async function filteredGroups(
  tx: Tx,
  runId: string,
  query: FindingFilterQuery,
): Promise<GroupRow[]> {
  return await tx<GroupRow[]>`
    with ${matchingRows(tx, runId, query)},
    capped as (select * from rows limit ${GROUP_ROWS_CAP + 1})
    select check_id, min(check_title) as check_title, min(severity) as severity,
           min(area) as area, min(severity_rank) as severity_rank, count(*)::int as count,
           (count(*) filter (where suppression_id is not null))::int as muted
    from capped group by check_id
    order by min(severity_rank), count(*) desc, check_id`;
}

/**
 * The `run`, `active` and `rows` CTEs: the run's finding results that match the
 * filters (not the sort or page), with the suppression muting each.
 */
function matchingRows(tx: Tx, runId: string, query: FindingFilterQuery) {
  const filters = [
    query.severity ? tx`and cr.severity in ${tx(query.severity)}` : tx``,
    query.area ? tx`and cr.area in ${tx(query.area)}` : tx``,
    query.framework ? tx`and ${query.framework} = any (cr.frameworks)` : tx``,
    query.status ? tx`and fr.status in ${tx(query.status)}` : tx``,
    query.delta ? tx`and fr.delta in ${tx(query.delta)}` : tx``,
    query.check_id ? tx`and fr.check_id in ${tx(query.check_id)}` : tx``,
    query.triage ? tx`and coalesce(t.state, 'open') in ${tx(query.triage)}` : tx``,
    query.q
      ? tx`and (strpos(lower(f.resource_key), lower(${query.q})) > 0
                or strpos(lower(coalesce(fr.evidence, f.evidence)::text), lower(${query.q})) > 0)`
      : tx``,
  ];
  const muted = query.muted === undefined
    ? tx``
    : query.muted === "true"
    ? tx`where suppression_id is not null`
    : tx`where suppression_id is null`;
  return tx`run as (select id, org_id, instance_id from public.analysis_runs where id = ${runId}),
      active as (
        select s.id, s.scope, s.check_id, s.instance_id, s.finding_id, s.created_at
        from public.analysis_suppressions s join run on s.org_id = run.org_id
        where s.revoked_at is null and (s.expires_at is null or s.expires_at > now())
      ),
      all_rows as (
        select cr.check_id, cr.title as check_title, cr.severity, cr.severity_rank, cr.area,
               m.suppression_id
        from run join public.analysis_check_results cr on cr.run_id = run.id
        cross join lateral (
          -- One check's finding results at a time, off the (run, check) index; the
          -- fence (offset 0) keeps the walk per check, so a limit on the rows
          -- stops it, and the mute is looked up for the rows walked only.
          select (select a.id from active a
                   where (a.scope = 'finding' and a.finding_id = fr.finding_id)
                      or (a.check_id = fr.check_id
                          and (a.scope = 'check_org'
                               or (a.scope = 'check_instance' and a.instance_id = f.instance_id)))
                   order by a.created_at limit 1) as suppression_id
          from public.analysis_finding_results fr
          join public.analysis_findings f on f.id = fr.finding_id
          left join public.analysis_finding_triage t on t.finding_id = fr.finding_id
          where fr.run_id = run.id and fr.check_id = cr.check_id ${filters}
          offset 0
        ) m
      ),
      rows as (select * from all_rows ${muted})`;
}

/** The check behind a finding, as the drawer shows it. */
export interface FindingCheck {
  id: string;
  title: string;
  family: string;
  severity: Severity;
  area: string;
  description: string;
  risk: string;
  remediation: Remediation;
  references: readonly Reference[];
  frameworks: readonly FrameworkMapping[];
}

/** One finding in full. */
export interface FindingDetail {
  id: string;
  org_id: string;
  instance_id: string;
  check_id: string;
  resource_key: string;
  table_name: string;
  sys_id: string | null;
  /** The record in the ServiceNow instance (`<instance>/<table>.do?sys_id=…`), when there is one. */
  record_url: string | null;
  /** The instance's URL, for links the remediation steps name (`sys_user.do?sys_id=…`). */
  instance_url: string;
  status: "open" | "resolved";
  evidence: Record<string, unknown>;
  first_seen_at: Date;
  first_seen_run_id: string | null;
  last_seen_at: Date;
  last_seen_run_id: string | null;
  resolved_at: Date | null;
  reopened_count: number;
  check: FindingCheck | null;
  triage: {
    state: TriageState;
    note: string | null;
    updated_by: string | null;
    updated_at: Date | null;
  };
  /** Runs that recorded it, newest first (at most 50). */
  history: {
    run_id: string;
    evaluated_at: Date;
    status: string;
    delta: string | null;
    evidence: Record<string, unknown> | null;
  }[];
  events: {
    id: string;
    kind: string;
    from_state: string | null;
    to_state: string | null;
    note: string | null;
    actor_id: string | null;
    actor_email: string | null;
    created_at: Date;
  }[];
  /** Suppressions that cover it (revoked and expired ones included), newest first. */
  suppressions: SuppressionView[];
  /** The suppression that mutes it now. */
  muted_by: string | null;
}

/** A suppression as the API shows it. */
export interface SuppressionView {
  id: string;
  org_id: string;
  scope: "finding" | "check_instance" | "check_org";
  check_id: string;
  instance_id: string | null;
  finding_id: string | null;
  reason: string;
  owner_id: string | null;
  owner_email: string | null;
  expires_at: Date | null;
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  /** In force now: neither revoked nor expired. */
  active: boolean;
}

/** Columns of {@link SuppressionView} (alias `s`, owner profile `p`). */
export const SUPPRESSION_SELECT = suppressionSelect("p.email");

/**
 * The suppression columns with the owner's email looked up per row (a primary
 * key probe), for a list without a join to profiles: read after the page's
 * limit, it never scans the profiles a join would hash.
 */
export const SUPPRESSION_PAGE_SELECT = suppressionSelect(
  "(select p.email from public.profiles p where p.id = s.owner_id)",
);

function suppressionSelect(ownerEmail: string): string {
  return `s.id, s.org_id, s.scope, s.check_id, s.instance_id, s.finding_id,
  s.reason, s.owner_id, ${ownerEmail} as owner_email, s.expires_at, s.created_by, s.created_at,
  s.revoked_at, s.revoked_by,
  (s.revoked_at is null and (s.expires_at is null or s.expires_at > now())) as active`;
}

async function checkOf(tx: Tx, orgId: string, checkId: string): Promise<FindingCheck | null> {
  const builtin = getCheck(checkId);
  if (builtin) {
    return {
      id: builtin.id,
      title: builtin.title,
      family: builtin.family,
      severity: builtin.severity,
      area: builtin.area,
      description: builtin.description,
      risk: builtin.risk,
      remediation: builtin.remediation,
      references: builtin.references,
      frameworks: builtin.frameworks,
    };
  }
  const [row] = await tx<CustomCheckRecord[]>`
    select ${tx(CUSTOM_CHECK_COLUMNS)} from public.analysis_custom_checks
    where org_id = ${orgId} and check_id = ${checkId}`;
  if (!row) return null;
  const c = fromCustom(normalizeCustom(row));
  return {
    id: c.id,
    title: c.title,
    family: c.family,
    severity: c.severity,
    area: c.area,
    description: c.description,
    risk: c.risk,
    remediation: c.remediation,
    references: c.references,
    frameworks: c.frameworks,
  };
}

const FINDING_NOT_FOUND = "Finding not found";

/**
 * One finding in full (members).
 *
 * @param db the database
 * @param claims the caller
 * @param findingId the finding
 * @returns the finding with its check, history, triage, events and suppressions
 * @throws {HttpError} 404 when it does not exist or is not the caller's
 */
export async function getFinding(
  db: Database,
  claims: TenantClaims,
  findingId: string,
): Promise<FindingDetail> {
  return await db.asTenant(claims, async (tx) => {
    const [f] = await tx<
      Omit<
        FindingDetail,
        | "check"
        | "triage"
        | "history"
        | "events"
        | "suppressions"
        | "muted_by"
        | "record_url"
        | "instance_url"
      >[]
    >`
      select id, org_id, instance_id, check_id, resource_key, table_name, sys_id, status, evidence,
             first_seen_at, first_seen_run_id, last_seen_at, last_seen_run_id, resolved_at, reopened_count
      from public.analysis_findings where id = ${findingId}`;
    if (!f) throw new HttpError(404, FINDING_NOT_FOUND);
    // Everything else depends only on the finding: sent together, pipelined
    // on the transaction's connection (one round trip, not six).
    const [[instance], check, [triage], history, events, suppressions] = await Promise.all([
      tx<{ url: string }[]>`select url from public.instances where id = ${f.instance_id}`,
      checkOf(tx, f.org_id, f.check_id),
      tx<FindingDetail["triage"][]>`
        select state, note, updated_by, updated_at from public.analysis_finding_triage
        where finding_id = ${findingId}`,
      tx<FindingDetail["history"]>`
        select fr.run_id, r.evaluated_at, fr.status, fr.delta, fr.evidence
        from public.analysis_finding_results fr join public.analysis_runs r on r.id = fr.run_id
        where fr.finding_id = ${findingId}
        order by r.created_at desc limit 50`,
      tx<FindingDetail["events"]>`
        select e.id, e.kind, e.from_state, e.to_state, e.note, e.actor_id, p.email as actor_email,
               e.created_at
        from public.analysis_finding_events e left join public.profiles p on p.id = e.actor_id
        where e.finding_id = ${findingId}
        order by e.created_at desc, e.id limit 100`,
      tx.unsafe(
        `select ${SUPPRESSION_SELECT}
         from public.analysis_suppressions s left join public.profiles p on p.id = s.owner_id
         where s.org_id = $1::uuid and (s.finding_id = $2::uuid
           or (s.check_id = $3 and (s.scope = 'check_org' or (s.scope = 'check_instance' and s.instance_id = $4::uuid))))
         order by s.created_at desc`,
        [f.org_id, findingId, f.check_id, f.instance_id] as never[],
      ) as unknown as Promise<SuppressionView[]>,
    ]);
    const instanceUrl = (instance?.url ?? "").replace(/\/+$/, "");
    return {
      ...f,
      record_url: instanceUrl ? recordUrl(instanceUrl, f.table_name, f.sys_id) : null,
      instance_url: instanceUrl,
      check: check && {
        ...check,
        remediation: fillRemediation(check.remediation, {
          sysId: f.sys_id,
          resourceKey: f.resource_key,
          tableName: f.table_name,
          evidence: f.evidence,
        }),
      },
      triage: triage ?? { state: "open", note: null, updated_by: null, updated_at: null },
      history: [...history],
      events: [...events],
      suppressions: [...suppressions],
      muted_by: suppressions.find((s) => s.active)?.id ?? null,
    };
  });
}

/** Body of `PUT /findings/:id/triage`. */
export const triageSchema = z.object({
  state: z.enum(TRIAGE_STATES),
  note: z.string().trim().max(2000).optional(),
});

/**
 * Sets a finding's triage state (analyst or higher) and records the change.
 *
 * @param db the database
 * @param claims the caller
 * @param findingId the finding
 * @param input the new state and an optional note
 * @returns the triage now
 * @throws {HttpError} 404 unknown finding, 403 below analyst
 */
export async function setTriage(
  db: Database,
  claims: TenantClaims,
  findingId: string,
  input: z.output<typeof triageSchema>,
): Promise<FindingDetail["triage"]> {
  return await db.asTenant(claims, async (tx) => {
    const [f] = await tx<{ org_id: string }[]>`
      select org_id from public.analysis_findings where id = ${findingId}`;
    if (!f) throw new HttpError(404, FINDING_NOT_FOUND);
    await requirePermission(tx, f.org_id, "findings.triage");
    const [before] = await tx<{ state: TriageState }[]>`
      select state from public.analysis_finding_triage where finding_id = ${findingId} for update`;
    const note = input.note && input.note.length > 0 ? input.note : null;
    const [now] = await tx<FindingDetail["triage"][]>`
      insert into public.analysis_finding_triage (finding_id, org_id, state, note, updated_by, updated_at)
      values (${findingId}, ${f.org_id}, ${input.state}, ${note}, ${claims.sub}, now())
      on conflict (finding_id) do update set
        state = excluded.state, note = excluded.note, updated_by = excluded.updated_by, updated_at = now()
      returning state, note, updated_by, updated_at`;
    await tx`
      insert into public.analysis_finding_events (org_id, finding_id, kind, from_state, to_state, note, actor_id)
      values (${f.org_id}, ${findingId}, 'triage', ${
      before?.state ?? "open"
    }, ${input.state}, ${note},
              ${claims.sub})`;
    return now!;
  });
}
