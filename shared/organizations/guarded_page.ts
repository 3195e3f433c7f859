/**
 * A list page in one statement and one round trip: the caller's role check
 * and the page's rows come back together, so a list costs what its index walk
 * costs and not a permission query, a settings change and their round trips
 * besides.
 *
 * @module
 */

import type postgres from "postgres";
import {
  type Database,
  decodeNewestFirst,
  keysetPage,
  newestFirst,
  type PlannerSettings,
  type TenantClaims,
  type Tx,
} from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { type Action, minimumRole } from "../permissions/mod.ts";
import type { OrgRole } from "./schemas.ts";
import { assertRole } from "./store.ts";

/**
 * What a page is checked against: an organization, or an instance (its
 * organization, and a 404 with `notFound` when the caller cannot see it).
 */
export type PageGuard = { orgId: string } | { instanceId: string; notFound: string };

/**
 * Planner settings of a page: walk the list's index in its order whatever the
 * row estimates say (see `readPage` in shared/db/page.ts for why).
 */
export const PAGE_PLANNER: PlannerSettings = { enable_sort: "off", jit: "off" };

type GuardRow = {
  guard_org_id: string;
  guard_role: OrgRole | null;
  guard_page_row: boolean | null;
};

/**
 * Reads a page the caller may see under `action`, in one statement: one row
 * naming the caller's role (and the organization of an instance) joined to
 * the page's rows, which RLS filters as always. Non-members get a 404, roles
 * below the action's least role a 403, exactly as `requirePermission` answers.
 * The page statement keeps its own `order by … limit`; the single guard row
 * drives a nested loop over it, which keeps its order.
 *
 * @param db the database
 * @param claims the caller
 * @param guard the organization or instance the list belongs to
 * @param action the action of the permission matrix
 * @param page builds the page statement (not awaited)
 * @returns the page's rows, the organization and the caller's role
 */
export async function readGuardedPage<T extends postgres.Row>(
  db: Database,
  claims: TenantClaims,
  guard: PageGuard,
  action: Action,
  page: (tx: Tx) => postgres.PendingQuery<T[]>,
): Promise<{ rows: T[]; orgId: string; role: OrgRole }> {
  const rows = await db.readAsTenant(
    claims,
    (tx) =>
      tx<(T & GuardRow)[]>`
        select g.guard_org_id, g.guard_role, p.*
        from (${guardStatement(tx, guard)}) g
        left join lateral (select true as guard_page_row, q.* from (${page(tx)}) q) p
          on g.guard_role is not null`,
    PAGE_PLANNER,
  );
  const head = rows[0];
  if (!head && "instanceId" in guard) throw new HttpError(404, guard.notFound);
  const role = assertRole(head?.guard_role ?? null, minimumRole(action));
  return {
    rows: rows.filter((r) => r.guard_page_row).map(withoutGuard) as unknown as T[],
    orgId: head!.guard_org_id,
    role,
  };
}

function guardStatement(tx: Tx, guard: PageGuard): postgres.PendingQuery<postgres.Row[]> {
  return "orgId" in guard
    ? tx`select ${guard.orgId}::uuid as guard_org_id,
                private.caller_role(${guard.orgId}::uuid) as guard_role`
    : tx`select i.org_id as guard_org_id, private.caller_role(i.org_id) as guard_role
         from public.instances i where i.id = ${guard.instanceId}::uuid`;
}

function withoutGuard<T extends GuardRow>(
  { guard_org_id: _org, guard_role: _role, guard_page_row: _row, ...rest }: T,
): Omit<T, keyof GuardRow> {
  return rest;
}

/** The SQL pieces a newest-first page statement puts in its place. */
export interface NewestFirstSql {
  /** The `cursor_key` column (created_at as exact text), for the select list. */
  cursorKey: postgres.PendingQuery<postgres.Row[]>;
  /** `and (created_at, id) < (…)` after the cursor, or nothing on the first page. */
  after: postgres.PendingQuery<postgres.Row[]>;
  /** `order by created_at desc, id desc limit <page + 1>`. */
  orderByLimit: postgres.PendingQuery<postgres.Row[]>;
}

/**
 * A newest-first page on `(…, created_at desc, id desc)` in one statement
 * ({@linkcode readGuardedPage}): the cursor decoded (400 `invalid_cursor`),
 * the statement `build` writes with the pieces it is given for the table
 * aliased `alias`, and the next cursor from the page's last row (see
 * shared/db/keyset.ts).
 *
 * @param db the database
 * @param claims the caller
 * @param guard the organization or instance the list belongs to
 * @param action the action of the permission matrix
 * @param page size and the cursor of the previous page
 * @param alias the listed table's alias in the statement
 * @param build the page statement (not awaited), with the pieces in place
 * @returns the page's rows, the next cursor and the organization
 */
export async function readNewestFirstPage<T extends { id: string }>(
  db: Database,
  claims: TenantClaims,
  guard: PageGuard,
  action: Action,
  page: { limit: number; cursor?: string },
  alias: string,
  build: (tx: Tx, sql: NewestFirstSql) => postgres.PendingQuery<(T & { cursor_key: string })[]>,
): Promise<{ rows: Omit<T, "cursor_key">[]; next_cursor: string | null; orgId: string }> {
  const after = decodeNewestFirst(page.cursor);
  const { rows, orgId } = await readGuardedPage(db, claims, guard, action, (tx) => {
    const keyset = newestFirst(tx, alias, after);
    return build(tx, {
      cursorKey: keyset.cursorKey,
      after: keyset.after,
      orderByLimit: tx`${keyset.orderBy} limit ${page.limit + 1}`,
    });
  });
  return { ...keysetPage(rows, page.limit), orgId };
}
