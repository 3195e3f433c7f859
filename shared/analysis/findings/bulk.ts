/**
 * Triage and mute many findings at once. Each call is one transaction: every
 * finding must exist, be visible to the caller (RLS) and belong to one
 * organization, or nothing changes.
 *
 * @module
 */

import { z } from "zod";
import type { Database, TenantClaims, Tx } from "../../db/mod.ts";
import { HttpError } from "../../http/errors.ts";
import { requirePermission } from "../../organizations/mod.ts";
import { TRIAGE_STATES, type TriageState } from "./findings.ts";

/** Most findings one bulk call changes. */
export const BULK_LIMIT = 200;

const findingIds = z.array(z.uuid()).min(1).max(BULK_LIMIT).refine(
  (ids) => new Set(ids).size === ids.length,
  { message: "List each finding once" },
);

/** Body of `POST /findings/bulk/triage`. */
export const bulkTriageSchema = z.object({
  finding_ids: findingIds,
  state: z.enum(TRIAGE_STATES),
  note: z.string().trim().max(2000).optional(),
});

/** Body of `POST /findings/bulk/mute`. */
export const bulkMuteSchema = z.object({
  finding_ids: findingIds,
  reason: z.string().trim().min(3).max(2000),
  owner_id: z.uuid(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
});

/** What a bulk call changed. */
export interface BulkResult {
  /** The organization the findings belong to. */
  org_id: string;
  /** Findings changed. */
  updated: number;
  /** Findings left as they were (already in that state, or already muted). */
  unchanged: number;
}

/**
 * The organization of every finding listed, once they are all found.
 *
 * @throws {HttpError} 404 naming the findings the caller cannot see, 422 when they span organizations
 */
async function organizationOf(tx: Tx, ids: readonly string[]): Promise<string> {
  const rows = await tx<{ id: string; org_id: string }[]>`
    select id, org_id from public.analysis_findings where id = any (${ids as string[]}::uuid[])`;
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new HttpError(404, `Cannot change the findings: ${missing.length} not found`, {
      code: "findings_not_found",
      details: missing.map((id) => ({ path: "finding_ids", message: `not found: ${id}` })),
    });
  }
  const orgs = new Set(rows.map((r) => r.org_id));
  if (orgs.size !== 1) {
    throw new HttpError(422, "Cannot change the findings: they belong to several organizations", {
      code: "mixed_organizations",
    });
  }
  return rows[0]!.org_id;
}

/**
 * Sets the triage state of many findings (analyst or higher), recording one
 * event per finding whose state or note changed.
 *
 * @param db the database
 * @param claims the caller
 * @param input the findings, the state and an optional note
 * @returns how many changed
 * @throws {HttpError} 404 unknown or hidden finding, 403 below analyst, 422 mixed organizations
 */
export async function bulkTriage(
  db: Database,
  claims: TenantClaims,
  input: z.output<typeof bulkTriageSchema>,
): Promise<BulkResult> {
  return await db.asTenant(claims, async (tx) => {
    const orgId = await organizationOf(tx, input.finding_ids);
    await requirePermission(tx, orgId, "findings.triage");
    const note = input.note && input.note.length > 0 ? input.note : null;
    const before = await tx<{ finding_id: string; state: TriageState; note: string | null }[]>`
      select finding_id, state, note from public.analysis_finding_triage
      where finding_id = any (${input.finding_ids}::uuid[]) for update`;
    const previous = new Map(before.map((b) => [b.finding_id, b]));
    const changed = input.finding_ids.filter((id) => {
      const b = previous.get(id);
      return (b?.state ?? "open") !== input.state || (b?.note ?? null) !== note;
    });
    if (changed.length === 0) {
      return { org_id: orgId, updated: 0, unchanged: input.finding_ids.length };
    }
    await tx`
      insert into public.analysis_finding_triage (finding_id, org_id, state, note, updated_by, updated_at)
      select id, ${orgId}, ${input.state}, ${note}, ${claims.sub}, now()
      from unnest(${changed}::uuid[]) as id
      on conflict (finding_id) do update set
        state = excluded.state, note = excluded.note, updated_by = excluded.updated_by, updated_at = now()`;
    const from = changed.map((id) => previous.get(id)?.state ?? "open");
    await tx`
      insert into public.analysis_finding_events (org_id, finding_id, kind, from_state, to_state, note, actor_id)
      select ${orgId}, c.id, 'triage', c.from_state, ${input.state}, ${note}, ${claims.sub}
      from unnest(${changed}::uuid[], ${from}::text[]) as c (id, from_state)`;
    return {
      org_id: orgId,
      updated: changed.length,
      unchanged: input.finding_ids.length - changed.length,
    };
  });
}

/**
 * Mutes many findings (analyst or higher), one finding suppression each with
 * the same reason, owner and expiry. Findings already muted by a suppression
 * of their own are left as they are.
 *
 * @param db the database
 * @param claims the caller
 * @param input the findings, why, who owns the mutes, until when
 * @returns how many were muted
 * @throws {HttpError} 404 unknown or hidden finding, 403 below analyst, 422 invalid owner, expiry or mixed organizations
 */
export async function bulkMute(
  db: Database,
  claims: TenantClaims,
  input: z.output<typeof bulkMuteSchema>,
): Promise<BulkResult> {
  return await db.asTenant(claims, async (tx) => {
    const orgId = await organizationOf(tx, input.finding_ids);
    await requirePermission(tx, orgId, "suppressions.manage");
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
    const muted = await tx<{ id: string }[]>`
      insert into public.analysis_suppressions
        (org_id, scope, check_id, instance_id, finding_id, reason, owner_id, expires_at, created_by)
      select f.org_id, 'finding', f.check_id, f.instance_id, f.id, ${input.reason}, ${input.owner_id},
             ${expires}, ${claims.sub}
      from public.analysis_findings f
      where f.id = any (${input.finding_ids}::uuid[])
        and not exists (
          select 1 from public.analysis_suppressions s
          where s.finding_id = f.id and s.scope = 'finding' and s.revoked_at is null
            and (s.expires_at is null or s.expires_at > now()))
      returning finding_id as id`;
    if (muted.length > 0) {
      await tx`
        insert into public.analysis_finding_events (org_id, finding_id, kind, note, actor_id)
        select ${orgId}, id, 'suppressed', ${input.reason}, ${claims.sub}
        from unnest(${muted.map((m) => m.id)}::uuid[]) as id`;
    }
    return {
      org_id: orgId,
      updated: muted.length,
      unchanged: input.finding_ids.length - muted.length,
    };
  });
}
