import { z } from "zod";
import type { TenantClaims, Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import type { Services } from "../http/mod.ts";
import { requirePermission } from "./store.ts";

/** An owner's open offer to make another member the owner. */
export interface OwnershipOffer {
  from_user_id: string;
  from_email: string;
  to_user_id: string;
  to_email: string;
  created_at: string;
  expires_at: string;
}

/** Body of `PUT /organizations/:orgId/ownership-transfer`. */
export const offerOwnershipSchema = z.object({ user_id: z.uuid() }).strict();

/** Body of `DELETE /organizations/:orgId`: the organization's name, typed. */
export const deleteOrganizationSchema = z.object({
  confirm_name: z.string().max(200),
}).strict();

const ISO = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

/**
 * The open ownership offer, or null (any member may see it).
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 */
export async function getOwnershipOffer(tx: Tx, orgId: string): Promise<OwnershipOffer | null> {
  await requirePermission(tx, orgId, "organizations.read");
  const [offer] = await tx<OwnershipOffer[]>`
    select t.from_user_id, coalesce(f.email, '') as from_email,
      t.to_user_id, coalesce(r.email, '') as to_email,
      to_char(t.created_at at time zone 'UTC', ${ISO}) as created_at,
      to_char(t.expires_at at time zone 'UTC', ${ISO}) as expires_at
    from public.ownership_transfers t
    left join public.profiles f on f.id = t.from_user_id
    left join public.profiles r on r.id = t.to_user_id
    where t.org_id = ${orgId} and t.expires_at > now()`;
  return offer ?? null;
}

/**
 * Offers ownership to another member (owner only); replaces an open offer.
 * Nothing changes until they accept.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param callerId the owner offering
 * @param toUserId the member offered ownership
 */
export async function offerOwnership(
  tx: Tx,
  orgId: string,
  callerId: string,
  toUserId: string,
): Promise<OwnershipOffer> {
  await requirePermission(tx, orgId, "organizations.transfer");
  const [target] = await tx<{ role: string }[]>`
    select role from public.memberships where org_id = ${orgId} and user_id = ${toUserId}`;
  if (!target) {
    throw new HttpError(404, "Only a member of the organization can become its owner", {
      code: "member_not_found",
    });
  }
  if (target.role === "owner" || toUserId === callerId) {
    throw new HttpError(409, "That member is already an owner", { code: "already_owner" });
  }
  await tx`delete from public.ownership_transfers where org_id = ${orgId}`;
  await tx`
    insert into public.ownership_transfers (org_id, from_user_id, to_user_id)
    values (${orgId}, ${callerId}, ${toUserId})`;
  return (await getOwnershipOffer(tx, orgId))!;
}

/**
 * Withdraws the open offer (an owner) or declines it (its recipient).
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 */
export async function cancelOwnershipOffer(tx: Tx, orgId: string): Promise<void> {
  await requirePermission(tx, orgId, "organizations.read");
  const gone = await tx`delete from public.ownership_transfers where org_id = ${orgId} returning 1`;
  if (gone.length === 0) {
    throw new HttpError(404, "There is no ownership offer you can withdraw or decline", {
      code: "transfer_not_found",
    });
  }
}

/**
 * Accepts the open offer as its recipient: they become owner and the owner
 * who offered becomes admin, in one statement the database guards.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 */
export async function acceptOwnershipOffer(tx: Tx, orgId: string): Promise<void> {
  await requirePermission(tx, orgId, "organizations.read");
  await tx`select private.accept_ownership_transfer(${orgId})`;
}

/**
 * Deletes an organization and everything it holds (owner only, with its name
 * typed as confirmation): the database cascades to members, invitations,
 * instances and their credentials, synced records, sync and analysis runs,
 * findings, reports and their files, jobs. Afterwards the queue's cron
 * schedules of its instances and saved reports are removed; one that cannot be
 * removed fires into nothing and is logged.
 *
 * @param services database, task client and logger
 * @param claims the caller
 * @param orgId the organization
 * @param confirmName the organization's name as the caller typed it
 */
export async function deleteOrganization(
  services: Pick<Services, "db" | "tasks" | "log">,
  claims: TenantClaims,
  orgId: string,
  confirmName: string,
): Promise<void> {
  const scheduleIds = await services.db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "organizations.delete");
    const [org] = await tx<{ name: string }[]>`
      select name from public.organizations where id = ${orgId}`;
    if (!org || org.name !== confirmName.trim()) {
      throw new HttpError(422, "Type the organization's name exactly to confirm", {
        code: "confirmation_mismatch",
        details: [{ path: "confirm_name", message: "does not match the organization's name" }],
      });
    }
    const schedules = await tx<{ id: string }[]>`
      select sync_schedule_id as id from public.instances
      where org_id = ${orgId} and sync_schedule_id is not null
      union all
      select schedule_id from public.report_definitions
      where org_id = ${orgId} and schedule_id is not null`;
    const deleted = await tx`delete from public.organizations where id = ${orgId} returning 1`;
    if (deleted.length === 0) throw new HttpError(403, "Only an owner can delete the organization");
    return schedules.map((s) => s.id);
  });
  for (const id of scheduleIds) {
    await services.tasks.schedules.remove(id).catch((error) =>
      services.log.warn("could not remove the schedule of a deleted organization", {
        scheduleId: id,
        orgId,
        error: String(error),
      })
    );
  }
}
