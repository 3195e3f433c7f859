/**
 * Embeds of a widget version (admins): a token that reads exactly that
 * version's data for its organization, optionally for some instances only,
 * until it expires or is revoked; and the organization's allow-list of origins
 * that may frame the embed page.
 *
 * @module
 */

import { z } from "zod";
import { checkPlanLimit, lockOrgForLimits } from "../billing/mod.ts";
import type { Database, Sql, TenantClaims, Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { requirePermission } from "../organizations/mod.ts";
import { requireWidget, versionOf } from "./store.ts";
import { generateEmbedToken, hashEmbedToken, parseEmbedToken } from "./token.ts";

/** Body of `POST /widgets/:widgetId/embeds`. */
export const createEmbedSchema = z.object({
  name: z.string().trim().min(1).max(100),
  /** The version to pin; the widget's current version when absent. */
  version: z.number().int().min(1).optional(),
  /** Only these instances of the organization; every instance when absent. */
  instance_ids: z.array(z.uuid()).min(1).max(100).optional(),
  /** When the embed stops working; never (until revoked) when absent or null. */
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
}).strict();

/** Body of `POST /widgets/embeds/:embedId/move`. */
export const moveEmbedSchema = z.object({ version: z.number().int().min(1) }).strict();

/** An embed as admins see it (never the token or its hash). */
export const embedSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  widget_id: z.uuid(),
  widget_name: z.string(),
  version: z.number().int(),
  name: z.string(),
  /** The token's public part, `ciq_embed_<id>`. */
  prefix: z.string(),
  instance_ids: z.array(z.uuid()).nullable(),
  status: z.enum(["active", "expired", "revoked"]),
  created_by: z.uuid().nullable(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
/** An embed. */
export type Embed = z.output<typeof embedSchema>;

/** A new embed: the token is in this answer only. */
export const createdEmbedSchema = z.object({ token: z.string(), embed: embedSchema });

/** Body of `PUT /widgets/origins`. */
export const embedOriginsSchema = z.object({
  org_id: z.uuid(),
  origins: z.array(
    z.string().trim().toLowerCase().regex(/^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/, {
      message: "Give an origin: scheme://host[:port], no path, e.g. https://portal.example.com",
    }),
  ).max(50),
}).strict();

interface EmbedRow {
  id: string;
  org_id: string;
  widget_id: string;
  widget_name: string;
  version: number;
  name: string;
  prefix: string;
  instance_ids: string[] | null;
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

function toEmbed(r: EmbedRow): Embed {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const status = r.revoked_at
    ? "revoked"
    : r.expires_at && r.expires_at.getTime() <= Date.now()
    ? "expired"
    : "active";
  return {
    ...r,
    status,
    created_at: r.created_at.toISOString(),
    expires_at: iso(r.expires_at),
    revoked_at: iso(r.revoked_at),
    last_used_at: iso(r.last_used_at),
  };
}

function selectEmbeds(tx: Tx, orgId: string, embedId: string | null) {
  return tx<EmbedRow[]>`
    select e.id, e.org_id, e.widget_id, w.name as widget_name, v.version, e.name, e.prefix,
           e.instance_ids, e.created_by, e.created_at, e.expires_at, e.revoked_at, e.last_used_at
    from public.widget_embeds e
    join public.widgets w on w.id = e.widget_id
    join public.widget_versions v on v.id = e.version_id
    where e.org_id = ${orgId} and (${embedId}::uuid is null or e.id = ${embedId}::uuid)
    order by e.revoked_at is not null, e.created_at desc, e.id`;
}

/**
 * Creates an embed of one version of a widget, within the plan's embed limit.
 *
 * @param db the database
 * @param claims the caller (admin or higher)
 * @param widgetId the widget
 * @param input name, version, instance filter, expiry
 * @returns the token (shown once) and the embed
 * @throws {HttpError} 402 on a plan without embeds or over its limit, 400 for instances not in the organization
 */
export function createEmbed(
  db: Database,
  claims: TenantClaims,
  widgetId: string,
  input: z.output<typeof createEmbedSchema>,
): Promise<{ token: string; embed: Embed }> {
  if (input.expires_at && Date.parse(input.expires_at) <= Date.now()) {
    throw new HttpError(400, "The expiry must be in the future", { code: "validation_failed" });
  }
  return db.asTenant(claims, async (tx) => {
    const widget = await requireWidget(tx, widgetId, "widgets.embed");
    const version = await versionOf(tx, widget, input.version);
    if (input.instance_ids) {
      const [found] = await tx<{ n: number }[]>`
        select count(*)::int as n from public.instances
        where org_id = ${widget.org_id} and id = any(${input.instance_ids}::uuid[])`;
      if (found!.n !== new Set(input.instance_ids).size) {
        throw new HttpError(400, "Some instances are not in this organization", {
          code: "validation_failed",
          details: [{ path: "instance_ids", message: "Unknown instance" }],
        });
      }
    }
    await lockOrgForLimits(tx, widget.org_id);
    // 402 `feature_not_in_plan` with the plan and the one to upgrade to.
    await tx`select private.require_plan_feature(${widget.org_id}, 'embeds')`;
    const [embeds] = await tx<{ used: number }[]>`
      select count(*)::int as used from public.widget_embeds
      where org_id = ${widget.org_id} and revoked_at is null
        and (expires_at is null or expires_at > now())`;
    await checkPlanLimit(tx, widget.org_id, "widget_embeds", embeds!.used);
    const token = await generateEmbedToken();
    await tx`
      insert into public.widget_embeds (id, org_id, widget_id, version_id, name, prefix,
        secret_hash, instance_ids, created_by, expires_at)
      values (${token.id}, ${widget.org_id}, ${widget.id}, ${version.id}, ${input.name},
        ${token.prefix}, ${token.hash}, ${input.instance_ids ?? null}, ${claims.sub},
        ${input.expires_at ?? null})`;
    const [row] = await selectEmbeds(tx, widget.org_id, token.id);
    return { token: token.token, embed: toEmbed(row!) };
  });
}

/**
 * The organization's embeds, live ones first.
 *
 * @param db the database
 * @param claims the caller (admin or higher)
 * @param orgId the organization
 */
export function listEmbeds(db: Database, claims: TenantClaims, orgId: string): Promise<Embed[]> {
  return db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "widgets.embed");
    return (await selectEmbeds(tx, orgId, null)).map(toEmbed);
  });
}

/**
 * Revokes an embed: its token answers 410 from the next request on.
 *
 * @param db the database
 * @param claims the caller (admin or higher)
 * @param orgId the organization
 * @param embedId the embed
 */
export function revokeEmbed(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  embedId: string,
): Promise<Embed> {
  return db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "widgets.embed");
    const [row] = await selectEmbeds(tx, orgId, embedId);
    if (!row) throw new HttpError(404, "Embed not found");
    if (!row.revoked_at) {
      await tx`
        update public.widget_embeds set revoked_at = now(), revoked_by = ${claims.sub}
        where id = ${embedId} and org_id = ${orgId}`;
    }
    return toEmbed((await selectEmbeds(tx, orgId, embedId))[0]!);
  });
}

/**
 * Moves an embed to another version of its widget (the owner's decision: a
 * new save never moves it).
 *
 * @param db the database
 * @param claims the caller (admin or higher)
 * @param orgId the organization
 * @param embedId the embed
 * @param version the version to pin
 * @throws {HttpError} 404 unknown embed or version, 409 when revoked
 */
export function moveEmbed(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  embedId: string,
  version: number,
): Promise<Embed> {
  return db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "widgets.embed");
    const [row] = await selectEmbeds(tx, orgId, embedId);
    if (!row) throw new HttpError(404, "Embed not found");
    if (row.revoked_at) throw new HttpError(409, "A revoked embed cannot be moved");
    const [target] = await tx<{ id: string }[]>`
      select id from public.widget_versions
      where widget_id = ${row.widget_id} and version = ${version}`;
    if (!target) throw new HttpError(404, `Widget version ${version} not found`);
    await tx`update public.widget_embeds set version_id = ${target.id} where id = ${embedId}`;
    return toEmbed((await selectEmbeds(tx, orgId, embedId))[0]!);
  });
}

/**
 * The origins allowed to frame the organization's embeds.
 *
 * @param db the database
 * @param claims the caller (viewer or higher)
 * @param orgId the organization
 */
export function listEmbedOrigins(
  db: Database,
  claims: TenantClaims,
  orgId: string,
): Promise<string[]> {
  return db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "widgets.read");
    const rows = await tx<{ origin: string }[]>`
      select origin from public.widget_embed_origins where org_id = ${orgId} order by origin`;
    return rows.map((r) => r.origin);
  });
}

/**
 * Replaces the allow-list of origins.
 *
 * @param db the database
 * @param claims the caller (admin or higher)
 * @param input the organization and its origins
 */
export function setEmbedOrigins(
  db: Database,
  claims: TenantClaims,
  input: z.output<typeof embedOriginsSchema>,
): Promise<string[]> {
  const origins = [...new Set(input.origins)].sort();
  return db.asTenant(claims, async (tx) => {
    await requirePermission(tx, input.org_id, "widgets.embed");
    await tx`
      delete from public.widget_embed_origins
      where org_id = ${input.org_id} and not (origin = any(${origins}::text[]))`;
    for (const origin of origins) {
      await tx`
        insert into public.widget_embed_origins (org_id, origin, created_by)
        values (${input.org_id}, ${origin}, ${claims.sub})
        on conflict (org_id, origin) do nothing`;
    }
    return origins;
  });
}

/** A verified embed: what the public endpoint serves. */
export interface ResolvedEmbed {
  id: string;
  org_id: string;
  widget_id: string;
  version_id: string;
  widget_name: string;
  template: string;
  config: Record<string, unknown>;
  instance_ids: string[] | null;
  origins: string[];
}

/**
 * Verifies an embed token.
 *
 * @param sql the pool, as the server's login role (the lookup is a security-definer function)
 * @param token the token from the URL
 * @throws {HttpError} 404 for an unknown token, 410 when revoked or expired
 */
export async function resolveEmbed(sql: Sql, token: string): Promise<ResolvedEmbed> {
  const id = parseEmbedToken(token);
  if (!id) throw new HttpError(404, "Embed not found");
  const hash = await hashEmbedToken(token);
  const [row] = await sql<(Omit<ResolvedEmbed, "id"> & {
    expires_at: Date | null;
    revoked_at: Date | null;
  })[]>`
    select org_id, widget_id, version_id, widget_name, template, config, instance_ids, expires_at, revoked_at,
           origins
    from private.resolve_widget_embed(${id}::uuid, ${hash})`;
  if (!row) throw new HttpError(404, "Embed not found");
  if (row.revoked_at) {
    throw new HttpError(410, "This embed has been revoked", { code: "embed_revoked" });
  }
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) {
    throw new HttpError(410, "This embed has expired", { code: "embed_expired" });
  }
  return {
    id,
    org_id: row.org_id,
    widget_id: row.widget_id,
    version_id: row.version_id,
    widget_name: row.widget_name,
    template: row.template,
    config: row.config,
    instance_ids: row.instance_ids,
    origins: row.origins,
  };
}
