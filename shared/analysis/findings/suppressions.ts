/**
 * Muting: a finding, a check on an instance, or a check across the
 * organization, with a reason, an owner and an optional expiry. Whether a
 * suppression is in force is judged when read, so an expired one resurfaces
 * its findings by itself.
 *
 * @module
 */

import { z } from "zod";
import type { Database, TenantClaims } from "../../db/mod.ts";
import { HttpError } from "../../http/errors.ts";
import { readGuardedPage, requirePermission } from "../../organizations/mod.ts";
import { loadOrgChecks } from "../org_checks.ts";
import { SUPPRESSION_PAGE_SELECT, SUPPRESSION_SELECT, type SuppressionView } from "./findings.ts";

/** Body of `POST /suppressions`. */
export const createSuppressionSchema = z.discriminatedUnion("scope", [
  z.object({
    scope: z.literal("finding"),
    finding_id: z.uuid(),
    reason: z.string().trim().min(3).max(2000),
    owner_id: z.uuid(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
  }),
  z.object({
    scope: z.literal("check_instance"),
    check_id: z.string().regex(/^[a-z0-9_]{1,100}$/),
    instance_id: z.uuid(),
    reason: z.string().trim().min(3).max(2000),
    owner_id: z.uuid(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
  }),
  z.object({
    scope: z.literal("check_org"),
    org_id: z.uuid(),
    check_id: z.string().regex(/^[a-z0-9_]{1,100}$/),
    reason: z.string().trim().min(3).max(2000),
    owner_id: z.uuid(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
  }),
]);

/** Query of `GET /suppressions`. */
export const listSuppressionsQuerySchema = z.object({
  org_id: z.uuid(),
  instance_id: z.uuid().optional(),
  check_id: z.string().regex(/^[a-z0-9_]{1,100}$/).optional(),
  /** Only those in force now (default), or every one. */
  active: z.enum(["true", "false", "all"]).default("true"),
});

/**
 * Mutes a finding or a check (analyst or higher; organization-wide: admin or
 * owner). The owner must be a member; the expiry, when given, in the future.
 *
 * @param db the database
 * @param claims the caller
 * @param input what to mute, why, who owns it, until when
 * @returns the suppression
 * @throws {HttpError} 404 unknown finding/instance, 403 role, 422 invalid owner, check or expiry
 */
export async function createSuppression(
  db: Database,
  claims: TenantClaims,
  input: z.output<typeof createSuppressionSchema>,
): Promise<SuppressionView> {
  return await db.asTenant(claims, async (tx) => {
    let orgId: string;
    let checkId: string;
    let instanceId: string | null = null;
    let findingId: string | null = null;
    if (input.scope === "finding") {
      const [f] = await tx<{ org_id: string; check_id: string; instance_id: string }[]>`
        select org_id, check_id, instance_id from public.analysis_findings where id = ${input.finding_id}`;
      if (!f) throw new HttpError(404, "Finding not found");
      ({ org_id: orgId, check_id: checkId, instance_id: instanceId } = f);
      findingId = input.finding_id;
      await requirePermission(tx, orgId, "suppressions.manage");
    } else if (input.scope === "check_instance") {
      const [i] = await tx<{ org_id: string }[]>`
        select org_id from public.instances where id = ${input.instance_id}`;
      if (!i) throw new HttpError(404, "Instance not found");
      orgId = i.org_id;
      checkId = input.check_id;
      instanceId = input.instance_id;
      await requirePermission(tx, orgId, "suppressions.manage");
    } else {
      orgId = input.org_id;
      checkId = input.check_id;
      await requirePermission(tx, orgId, "suppressions.manage_org_wide");
    }
    if (input.scope !== "finding") {
      const checks = await loadOrgChecks(tx, orgId);
      if (!checks.some((c) => c.id === checkId)) {
        throw new HttpError(422, `No check "${checkId}" in this organization`, {
          code: "unknown_check",
          details: [{ path: "check_id", message: "unknown check" }],
        });
      }
    }
    const [member] = await tx`
      select 1 from public.memberships where org_id = ${orgId} and user_id = ${input.owner_id}`;
    if (!member) {
      throw new HttpError(422, "The owner must be a member of the organization", {
        code: "invalid_owner",
        details: [{ path: "owner_id", message: "not a member" }],
      });
    }
    const expires = input.expires_at ? new Date(input.expires_at) : null;
    if (expires && expires.getTime() <= Date.now()) {
      throw new HttpError(422, "The expiry must be in the future", {
        code: "invalid_expiry",
        details: [{ path: "expires_at", message: "in the past" }],
      });
    }
    const [row] = await tx<{ id: string }[]>`
      insert into public.analysis_suppressions
        (org_id, scope, check_id, instance_id, finding_id, reason, owner_id, expires_at, created_by)
      values (${orgId}, ${input.scope}, ${checkId}, ${instanceId}, ${findingId}, ${input.reason},
              ${input.owner_id}, ${expires}, ${claims.sub})
      returning id`;
    if (findingId) {
      await tx`
        insert into public.analysis_finding_events (org_id, finding_id, kind, note, actor_id)
        values (${orgId}, ${findingId}, 'suppressed', ${input.reason}, ${claims.sub})`;
    }
    return await readSuppression(tx, row!.id);
  });
}

async function readSuppression(
  tx: Parameters<Parameters<Database["asTenant"]>[1]>[0],
  id: string,
): Promise<SuppressionView> {
  const [row] = await tx.unsafe(
    `select ${SUPPRESSION_SELECT} from public.analysis_suppressions s
     left join public.profiles p on p.id = s.owner_id where s.id = $1::uuid`,
    [id] as never[],
  );
  if (!row) throw new HttpError(404, "Suppression not found");
  return row as unknown as SuppressionView;
}

/**
 * Lists an organization's suppressions (members), newest first.
 *
 * @param db the database
 * @param claims the caller
 * @param query organization, optional instance and check, and which ones
 * @returns the suppressions
 */
export async function listSuppressions(
  db: Database,
  claims: TenantClaims,
  query: z.output<typeof listSuppressionsQuerySchema>,
): Promise<SuppressionView[]> {
  const { rows } = await readGuardedPage(
    db,
    claims,
    { orgId: query.org_id },
    "suppressions.read",
    (tx) =>
      tx`select ${tx.unsafe(SUPPRESSION_PAGE_SELECT)} from public.analysis_suppressions s
         where s.org_id = ${query.org_id}::uuid
           and (${query.instance_id ?? null}::uuid is null or s.instance_id = ${
        query.instance_id ?? null
      }::uuid or s.scope = 'check_org')
           and (${query.check_id ?? null}::text is null or s.check_id = ${
        query.check_id ?? null
      }::text)
           and (${query.active}::text = 'all' or (${query.active}::text = 'true') =
                (s.revoked_at is null and (s.expires_at is null or s.expires_at > now())))
         order by s.created_at desc limit 500`,
  );
  return rows as unknown as SuppressionView[];
}

/**
 * Revokes a suppression (analyst or higher; organization-wide: admin or owner).
 * The record stays, with who revoked it and when; its findings count again.
 *
 * @param db the database
 * @param claims the caller
 * @param id the suppression
 * @returns the suppression, revoked
 * @throws {HttpError} 404 unknown, 403 role, 409 already revoked
 */
export async function revokeSuppression(
  db: Database,
  claims: TenantClaims,
  id: string,
): Promise<SuppressionView> {
  return await db.asTenant(claims, async (tx) => {
    const [s] = await tx<
      { org_id: string; scope: string; finding_id: string | null; revoked_at: Date | null }[]
    >`select org_id, scope, finding_id, revoked_at from public.analysis_suppressions where id = ${id}`;
    if (!s) throw new HttpError(404, "Suppression not found");
    await requirePermission(
      tx,
      s.org_id,
      s.scope === "check_org" ? "suppressions.manage_org_wide" : "suppressions.manage",
    );
    if (s.revoked_at) {
      throw new HttpError(409, "The suppression was already revoked", { code: "already_revoked" });
    }
    await tx`update public.analysis_suppressions set revoked_at = now(), revoked_by = ${claims.sub}
             where id = ${id}`;
    if (s.finding_id) {
      await tx`
        insert into public.analysis_finding_events (org_id, finding_id, kind, actor_id)
        values (${s.org_id}, ${s.finding_id}, 'unsuppressed', ${claims.sub})`;
    }
    return await readSuppression(tx, id);
  });
}
