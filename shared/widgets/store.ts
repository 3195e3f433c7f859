/**
 * Widgets and their versions: every save of a configuration appends an
 * immutable version and moves the widget to it; a rollback appends a copy of
 * an older version. Reads are for members, writes for analysts and up.
 *
 * @module
 */

import { z } from "zod";
import { type Database, type TenantClaims, type Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { readNewestFirstPage, requirePermission } from "../organizations/mod.ts";
import type { Action } from "../permissions/mod.ts";
import { parseWidgetConfig } from "./config.ts";
import { TEMPLATE_IDS } from "./templates.ts";

/** Body of `POST /widgets`. */
export const createWidgetSchema = z.object({
  org_id: z.uuid(),
  name: z.string().trim().min(1).max(100),
  template: z.enum(TEMPLATE_IDS),
  /** Checked against the template's schema; defaults fill what is left out. */
  config: z.record(z.string(), z.unknown()).default({}),
}).strict();

/** Body of `PATCH /widgets/:widgetId`: a new configuration makes a new version. */
export const updateWidgetSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
}).strict();

/** Body of `POST /widgets/:widgetId/rollback`. */
export const rollbackSchema = z.object({ version: z.number().int().min(1) }).strict();

/** A widget version as stored. */
export const widgetVersionSchema = z.object({
  id: z.uuid(),
  version: z.number().int(),
  config: z.record(z.string(), z.unknown()),
  restored_from: z.number().int().nullable(),
  created_by: z.uuid().nullable(),
  created_at: z.string(),
  /** What changed against the version before it (empty for version 1). */
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
});
/** A widget version. */
export type WidgetVersion = z.output<typeof widgetVersionSchema>;

/** A widget with its current version's configuration. */
export const widgetSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  name: z.string(),
  template: z.string(),
  current_version: z.number().int(),
  config: z.record(z.string(), z.unknown()),
  created_by: z.uuid().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** A widget. */
export type Widget = z.output<typeof widgetSchema>;

const NOT_FOUND = "Widget not found";

interface WidgetRow {
  id: string;
  org_id: string;
  name: string;
  template: string;
  current_version: number;
  config: Record<string, unknown>;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

function toWidget(r: WidgetRow): Widget {
  return { ...r, created_at: r.created_at.toISOString(), updated_at: r.updated_at.toISOString() };
}

function selectWidgets(tx: Tx, orgId: string | null, widgetId: string | null) {
  return tx<WidgetRow[]>`
    select w.id, w.org_id, w.name, w.template, w.current_version, v.config, w.created_by,
           w.created_at, w.updated_at
    from public.widgets w
    join public.widget_versions v on v.widget_id = w.id and v.version = w.current_version
    where (${orgId}::uuid is null or w.org_id = ${orgId}::uuid)
      and (${widgetId}::uuid is null or w.id = ${widgetId}::uuid)
    order by w.created_at desc, w.id`;
}

/**
 * The widget in a transaction, after checking the caller may perform `action`
 * in its organization. 404 when it does not exist or is not visible.
 *
 * @param tx a tenant transaction
 * @param widgetId the widget
 * @param action the action of the permission matrix
 */
export async function requireWidget(tx: Tx, widgetId: string, action: Action): Promise<Widget> {
  const [row] = await selectWidgets(tx, null, widgetId);
  if (!row) throw new HttpError(404, NOT_FOUND);
  await requirePermission(tx, row.org_id, action);
  return toWidget(row);
}

/** Query of `GET /widgets`: 50 a page by default, at most 200. */
export const listWidgetsQuerySchema = z.object({
  org_id: z.uuid(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
}).strict();

/**
 * A page of the organization's widgets, newest first, off the
 * (org_id, created_at desc) index; each widget's current version by key.
 *
 * @param db the database
 * @param claims the caller
 * @param orgId the organization
 * @param page size and the cursor from the previous page
 * @throws {HttpError} 404 when the caller is not a member; 400 `invalid_cursor`
 */
export async function listWidgets(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  page: { limit: number; cursor?: string },
): Promise<{ data: Widget[]; next_cursor: string | null }> {
  const { rows: data, next_cursor } = await readNewestFirstPage(
    db,
    claims,
    { orgId },
    "widgets.read",
    page,
    "w",
    (tx, k) =>
      tx<(WidgetRow & { cursor_key: string })[]>`
        select w.id, w.org_id, w.name, w.template, w.current_version, v.config, w.created_by,
               w.created_at, w.updated_at, ${k.cursorKey}
        from public.widgets w
        join public.widget_versions v on v.widget_id = w.id and v.version = w.current_version
        where w.org_id = ${orgId} ${k.after}
        ${k.orderByLimit}`,
  );
  return { data: data.map(toWidget), next_cursor };
}

/**
 * One widget.
 *
 * @param db the database
 * @param claims the caller
 * @param widgetId the widget
 */
export function getWidget(db: Database, claims: TenantClaims, widgetId: string): Promise<Widget> {
  return db.asTenant(claims, (tx) => requireWidget(tx, widgetId, "widgets.read"));
}

async function appendVersion(
  tx: Tx,
  widget: { id: string; org_id: string },
  config: Record<string, unknown>,
  userId: string | null,
  restoredFrom: number | null,
): Promise<number> {
  // The widget row is locked, so concurrent saves number their versions in turn.
  const [next] = await tx<{ version: number }[]>`
    select coalesce(max(version), 0) + 1 as version from public.widget_versions
    where widget_id = ${widget.id}`;
  await tx`
    insert into public.widget_versions (org_id, widget_id, version, config, restored_from, created_by)
    values (${widget.org_id}, ${widget.id}, ${next!.version}, ${tx.json(config as never)},
            ${restoredFrom}, ${userId})`;
  return next!.version;
}

/**
 * Creates a widget and its version 1.
 *
 * @param db the database
 * @param claims the caller (analyst or higher)
 * @param input organization, name, template and configuration
 * @throws {HttpError} 400 when the configuration does not fit the template
 */
export function createWidget(
  db: Database,
  claims: TenantClaims,
  input: z.output<typeof createWidgetSchema>,
): Promise<Widget> {
  const config = parseWidgetConfig(input.template, input.config);
  const userId = typeof claims.sub === "string" ? claims.sub : null;
  return db.asTenant(claims, async (tx) => {
    await requirePermission(tx, input.org_id, "widgets.write");
    const [w] = await tx<{ id: string }[]>`
      insert into public.widgets (org_id, name, template, created_by)
      values (${input.org_id}, ${input.name}, ${input.template}, ${userId})
      returning id`;
    await appendVersion(tx, { id: w!.id, org_id: input.org_id }, config, userId, null);
    return await requireWidget(tx, w!.id, "widgets.write");
  });
}

async function lockWidget(tx: Tx, widgetId: string): Promise<Widget> {
  const widget = await requireWidget(tx, widgetId, "widgets.write");
  await tx`select 1 from public.widgets where id = ${widgetId} for update`;
  return widget;
}

/**
 * Renames a widget and/or saves a new configuration as a new version.
 *
 * @param db the database
 * @param claims the caller (analyst or higher)
 * @param widgetId the widget
 * @param patch a new name, a new configuration
 */
export function updateWidget(
  db: Database,
  claims: TenantClaims,
  widgetId: string,
  patch: z.output<typeof updateWidgetSchema>,
): Promise<Widget> {
  const userId = typeof claims.sub === "string" ? claims.sub : null;
  return db.asTenant(claims, async (tx) => {
    const widget = await lockWidget(tx, widgetId);
    let version = widget.current_version;
    if (patch.config) {
      const config = parseWidgetConfig(widget.template, patch.config);
      version = await appendVersion(tx, widget, config, userId, null);
    }
    await tx`
      update public.widgets set name = coalesce(${patch.name ?? null}, name),
        current_version = ${version}, updated_at = now()
      where id = ${widgetId}`;
    return await requireWidget(tx, widgetId, "widgets.write");
  });
}

/**
 * Rolls a widget back: appends a new version with an older version's configuration.
 *
 * @param db the database
 * @param claims the caller (analyst or higher)
 * @param widgetId the widget
 * @param version the version to restore
 * @throws {HttpError} 404 when the version does not exist
 */
export function rollbackWidget(
  db: Database,
  claims: TenantClaims,
  widgetId: string,
  version: number,
): Promise<Widget> {
  const userId = typeof claims.sub === "string" ? claims.sub : null;
  return db.asTenant(claims, async (tx) => {
    const widget = await lockWidget(tx, widgetId);
    const [old] = await tx<{ config: Record<string, unknown> }[]>`
      select config from public.widget_versions
      where widget_id = ${widgetId} and version = ${version}`;
    if (!old) throw new HttpError(404, `Widget version ${version} not found`);
    const next = await appendVersion(tx, widget, old.config, userId, version);
    await tx`
      update public.widgets set current_version = ${next}, updated_at = now()
      where id = ${widgetId}`;
    return await requireWidget(tx, widgetId, "widgets.write");
  });
}

/**
 * Deletes a widget with its versions. Refused (409 `widget_embedded`, by a
 * trigger) while an embed of it is live; revoked and expired embeds go with it.
 *
 * @param db the database
 * @param claims the caller (analyst or higher)
 * @param widgetId the widget
 * @returns the deleted widget
 */
export function deleteWidget(
  db: Database,
  claims: TenantClaims,
  widgetId: string,
): Promise<Widget> {
  return db.asTenant(claims, async (tx) => {
    const widget = await lockWidget(tx, widgetId);
    await tx`delete from public.widgets where id = ${widgetId}`;
    return widget;
  });
}

/**
 * Every version of a widget, newest first.
 *
 * @param db the database
 * @param claims the caller
 * @param widgetId the widget
 */
export function listVersions(
  db: Database,
  claims: TenantClaims,
  widgetId: string,
): Promise<WidgetVersion[]> {
  return db.asTenant(claims, async (tx) => {
    await requireWidget(tx, widgetId, "widgets.read");
    const rows = await tx<
      (Omit<WidgetVersion, "created_at" | "changes"> & { created_at: Date })[]
    >`
      select id, version, config, restored_from, created_by, created_at
      from public.widget_versions where widget_id = ${widgetId} order by version desc`;
    return rows.map((r, i) => ({
      ...r,
      created_at: r.created_at.toISOString(),
      changes: configChanges(rows[i + 1]?.config ?? null, r.config),
    }));
  });
}

/**
 * One version of a widget (the current one when `version` is absent).
 *
 * @param tx a tenant transaction
 * @param widget the widget, already authorized
 * @param version the version number
 */
export async function versionOf(
  tx: Tx,
  widget: Widget,
  version?: number,
): Promise<{ id: string; version: number; config: Record<string, unknown> }> {
  const wanted = version ?? widget.current_version;
  const [row] = await tx<{ id: string; version: number; config: Record<string, unknown> }[]>`
    select id, version, config from public.widget_versions
    where widget_id = ${widget.id} and version = ${wanted}`;
  if (!row) throw new HttpError(404, `Widget version ${wanted} not found`);
  return row;
}

/**
 * The top-level configuration fields that differ between two versions.
 *
 * @param before the earlier configuration (null: none, for version 1)
 * @param after the later configuration
 */
export function configChanges(
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
): { field: string; from: unknown; to: unknown }[] {
  if (!before) return [];
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return fields
    .filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]))
    .map((field) => ({ field, from: before[field] ?? null, to: after[field] ?? null }));
}
