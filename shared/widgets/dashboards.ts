/**
 * Dashboards built from widgets: organization dashboards (every member sees
 * them, admins arrange them; one is the Dashboard page's) and personal ones
 * (their owner only). A save names the version it started from; a stale save
 * is refused with 409 and nothing is written. See docs/widgets.md.
 *
 * @module
 */

import { z } from "zod";
import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { requirePermission } from "../organizations/mod.ts";
import { layoutSchema, type Tile, tileSchema } from "./layout.ts";

/** Personal dashboards one member may keep in one organization. */
export const MAX_PERSONAL_DASHBOARDS = 20;
/** Organization dashboards besides the Dashboard page's. */
export const MAX_ORG_DASHBOARDS = 20;

const nameSchema = z.string().trim().min(1).max(100);

/** Body of `POST /widgets/dashboards`. */
export const createDashboardSchema = z.object({
  org_id: z.uuid(),
  name: nameSchema,
  /** `personal`: yours only; `organization`: every member's (admins). */
  scope: z.enum(["personal", "organization"]).default("personal"),
  layout: layoutSchema.default([]),
}).strict();

/** Body of `PATCH /widgets/dashboards/:dashboardId`. */
export const updateDashboardSchema = z.object({
  /** The version the change started from; another save since then → 409. */
  version: z.number().int().min(1),
  name: nameSchema.optional(),
  layout: layoutSchema.optional(),
}).strict();

/** A dashboard as served (tiles of deleted widgets left out). */
export const dashboardSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  scope: z.enum(["personal", "organization"]),
  is_default: z.boolean(),
  name: z.string(),
  layout: z.array(tileSchema),
  version: z.number().int(),
  /** Whether the caller may change it. */
  editable: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** A dashboard. */
export type WidgetDashboard = z.output<typeof dashboardSchema>;

interface Row {
  id: string;
  org_id: string;
  owner_id: string | null;
  is_default: boolean;
  name: string;
  layout: Tile[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

const NOT_FOUND = "Dashboard not found";

// Tiles whose widget no longer exists (or is not the organization's) are left out.
function select(tx: Tx, orgId: string | null, id: string | null) {
  return tx<Row[]>`
    select d.id, d.org_id, d.owner_id, d.is_default, d.name, d.version, d.created_at,
           d.updated_at,
           coalesce((select jsonb_agg(t.tile order by t.n)
                     from jsonb_array_elements(d.layout) with ordinality as t (tile, n)
                     join public.widgets w
                       on w.id = (t.tile ->> 'widget_id')::uuid and w.org_id = d.org_id),
                    '[]') as layout
    from public.dashboards d
    where (${orgId}::uuid is null or d.org_id = ${orgId}::uuid)
      and (${id}::uuid is null or d.id = ${id}::uuid)
    order by d.is_default desc, d.owner_id nulls first, d.created_at, d.id`;
}

function toDashboard(r: Row, canManage: boolean): WidgetDashboard {
  return {
    id: r.id,
    org_id: r.org_id,
    scope: r.owner_id ? "personal" : "organization",
    is_default: r.is_default,
    name: r.name,
    layout: r.layout,
    version: r.version,
    editable: r.owner_id !== null || canManage,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

async function canManage(tx: Tx, orgId: string): Promise<boolean> {
  try {
    await requirePermission(tx, orgId, "dashboards.manage");
    return true;
  } catch (error) {
    if (error instanceof HttpError && error.status === 403) return false;
    throw error;
  }
}

/** The dashboard, checked for `write` (its owner, or an admin for the organization's). */
async function requireDashboard(tx: Tx, id: string, write: boolean): Promise<WidgetDashboard> {
  const [row] = await select(tx, null, id);
  if (!row) throw new HttpError(404, NOT_FOUND);
  await requirePermission(tx, row.org_id, "dashboard.read");
  const manage = await canManage(tx, row.org_id);
  const dashboard = toDashboard(row, manage);
  if (write && !dashboard.editable) {
    throw new HttpError(403, "Only an admin may change the organization's dashboards", {
      code: "forbidden",
      details: { action: "dashboards.manage" },
    });
  }
  return dashboard;
}

async function checkWidgets(tx: Tx, orgId: string, layout: Tile[] | undefined): Promise<void> {
  if (!layout?.length) return;
  const ids = layout.map((t) => t.widget_id);
  const found = await tx<{ id: string }[]>`
    select id from public.widgets where org_id = ${orgId} and id = any(${ids}::uuid[])`;
  const known = new Set(found.map((r) => r.id));
  const missing = layout.flatMap((t, i) =>
    known.has(t.widget_id) ? [] : [{
      path: `layout.${i}.widget_id`,
      message: "No such widget in the organization",
    }]
  );
  if (missing.length) {
    throw new HttpError(400, "The layout is not valid", {
      code: "validation_failed",
      details: missing,
    });
  }
}

/**
 * The organization's dashboards and the caller's personal ones, the Dashboard
 * page's first (created on first use).
 *
 * @param db the database
 * @param claims the caller
 * @param orgId the organization
 */
export function listDashboards(
  db: Database,
  claims: TenantClaims,
  orgId: string,
): Promise<WidgetDashboard[]> {
  return db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "dashboard.read");
    await tx`select private.ensure_default_dashboard(${orgId})`;
    const manage = await canManage(tx, orgId);
    return (await select(tx, orgId, null)).map((r) => toDashboard(r, manage));
  });
}

/**
 * One dashboard.
 *
 * @param db the database
 * @param claims the caller
 * @param id the dashboard
 */
export function getDashboard(
  db: Database,
  claims: TenantClaims,
  id: string,
): Promise<WidgetDashboard> {
  return db.asTenant(claims, (tx) => requireDashboard(tx, id, false));
}

/**
 * Creates a personal dashboard, or (admins) an organization dashboard.
 *
 * @param db the database
 * @param claims the caller
 * @param input organization, name, scope, layout
 */
export function createDashboard(
  db: Database,
  claims: TenantClaims,
  input: z.output<typeof createDashboardSchema>,
): Promise<WidgetDashboard> {
  const userId = typeof claims.sub === "string" ? claims.sub : null;
  const personal = input.scope === "personal";
  return db.asTenant(claims, async (tx) => {
    await requirePermission(
      tx,
      input.org_id,
      personal ? "dashboards.personal" : "dashboards.manage",
    );
    const owner = personal ? userId : null;
    const [count] = await tx<{ n: number }[]>`
      select count(*)::int as n from public.dashboards
      where org_id = ${input.org_id} and owner_id is not distinct from ${owner}::uuid
        and not is_default`;
    const limit = personal ? MAX_PERSONAL_DASHBOARDS : MAX_ORG_DASHBOARDS;
    if (count!.n >= limit) {
      throw new HttpError(409, `At most ${limit} ${input.scope} dashboards`, {
        code: "limit_reached",
      });
    }
    await checkWidgets(tx, input.org_id, input.layout);
    const [row] = await tx<{ id: string }[]>`
      insert into public.dashboards (org_id, owner_id, name, layout, created_by)
      values (${input.org_id}, ${owner}, ${input.name}, ${tx.json(input.layout as never)},
              ${userId})
      returning id`;
    return await requireDashboard(tx, row!.id, true);
  });
}

/**
 * Renames a dashboard and/or replaces its layout, if nobody saved it since
 * `patch.version`.
 *
 * @param db the database
 * @param claims the caller
 * @param id the dashboard
 * @param patch the version it started from, a new name, a new layout
 * @throws {HttpError} 409 `stale_version` when another save came first
 */
export function updateDashboard(
  db: Database,
  claims: TenantClaims,
  id: string,
  patch: z.output<typeof updateDashboardSchema>,
): Promise<WidgetDashboard> {
  return db.asTenant(claims, async (tx) => {
    const current = await requireDashboard(tx, id, true);
    await checkWidgets(tx, current.org_id, patch.layout);
    const layout = patch.layout ? tx.json(patch.layout as never) : null;
    const updated = await tx`
      update public.dashboards set name = coalesce(${patch.name ?? null}, name),
        layout = coalesce(${layout}::jsonb, layout), version = version + 1, updated_at = now()
      where id = ${id} and version = ${patch.version}
      returning id`;
    if (updated.length === 0) {
      throw new HttpError(
        409,
        "Someone saved this dashboard since you opened it; reload it and make your change again",
        { code: "stale_version", details: { version: current.version } },
      );
    }
    return await requireDashboard(tx, id, true);
  });
}

/**
 * Deletes a dashboard (never the Dashboard page's own).
 *
 * @param db the database
 * @param claims the caller
 * @param id the dashboard
 */
export function deleteDashboard(db: Database, claims: TenantClaims, id: string): Promise<void> {
  return db.asTenant(claims, async (tx) => {
    const current = await requireDashboard(tx, id, true);
    if (current.is_default) {
      throw new HttpError(409, "The Dashboard page's layout can be changed, not deleted", {
        code: "default_dashboard",
      });
    }
    await tx`delete from public.dashboards where id = ${id}`;
  });
}
