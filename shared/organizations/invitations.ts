import { z } from "zod";
import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import type { Mailer } from "../mail/mod.ts";
import { ORG_ROLES } from "../permissions/mod.ts";
import { invitationEmail } from "./invitation_email.ts";
import { requirePermission } from "./store.ts";

/** How long an invitation link works. */
export const INVITATION_TTL_DAYS = 7;

/** Roles an invitation can grant: any but owner (ownership is transferred, not given). */
export const INVITABLE_ROLES = ORG_ROLES.filter((r) => r !== "owner") as [
  "viewer",
  "auditor",
  "analyst",
  "admin",
];

/** What an invitation is now: `expired` is a pending invitation past its expiry. */
export type InvitationStatus = "pending" | "expired" | "accepted" | "revoked";

/** An invitation as the organization's admins see it. */
export interface Invitation {
  id: string;
  email: string;
  role: (typeof INVITABLE_ROLES)[number];
  status: InvitationStatus;
  expires_at: string;
  sent_at: string;
  send_count: number;
  invited_by_email: string | null;
  created_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
}

/** What the holder of a link sees before accepting it. */
export interface InvitationPreview {
  organization_name: string;
  email: string;
  role: string;
  status: InvitationStatus;
  expires_at: string;
  invited_by: string;
}

/** Body of `POST /organizations/:orgId/invitations`. */
export const createInvitationSchema = z.object({
  email: z.email().max(254),
  role: z.enum(INVITABLE_ROLES),
}).strict();

/** Body of the routes that take a link's secret. */
export const invitationTokenSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "is not an invitation link's token"),
}).strict();

/** What sending an invitation email needs besides the database. */
export interface InvitationServices {
  db: Database;
  mailer: Mailer;
  /** Base URL of the web app, for the link. */
  publicUrl: string;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
// The inviter's email is looked up per row by primary key (after the limit):
// a join would read every profile the caller may see to hash it.
const SELECT_INVITATION = `
  select i.id, i.email, i.role,
    (case when i.status = 'pending' and i.expires_at <= now() then 'expired'
          else i.status::text end) as status,
    to_char(i.expires_at at time zone 'UTC', ${ISO}) as expires_at,
    to_char(i.sent_at at time zone 'UTC', ${ISO}) as sent_at,
    i.send_count,
    (select p.email from public.profiles p where p.id = i.invited_by) as invited_by_email,
    to_char(i.created_at at time zone 'UTC', ${ISO}) as created_at,
    to_char(i.accepted_at at time zone 'UTC', ${ISO}) as accepted_at,
    to_char(i.revoked_at at time zone 'UTC', ${ISO}) as revoked_at
  from public.invitations i`;

/** A new link secret (256 bits, base64url) and the hex SHA-256 the database keeps. */
export async function newInvitationToken(): Promise<{ token: string; hash: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replaceAll("=", "");
  return { token, hash: await hashToken(token) };
}

/** Hex SHA-256 of a link secret. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The organization's invitations, newest first (admins). Expired ones show as
 * `expired`; accepted and revoked ones stay listed as history.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 */
export async function listInvitations(tx: Tx, orgId: string): Promise<Invitation[]> {
  await requirePermission(tx, orgId, "members.invite");
  return await tx.unsafe<Invitation[]>(
    `${SELECT_INVITATION} where i.org_id = $1 order by i.created_at desc, i.id limit 200`,
    [orgId],
  );
}

/**
 * Invites `email` with `role` and mails the link. Nothing here looks up
 * accounts, so the answer is the same whether or not the address has one.
 * Refused: a current member (409 `already_member`, the admin sees the team
 * anyway), an address with an open invitation (409 `already_invited`: resend
 * it), a full organization (402 `plan_limit_reached` from the plan's member
 * limit, members and open invitations counted). When the email cannot be sent,
 * the invitation is taken back and the error returned.
 *
 * @param services database, mailer and public URL
 * @param claims the caller
 * @param orgId the organization
 * @param input address and role
 */
export async function createInvitation(
  services: InvitationServices,
  claims: TenantClaims,
  orgId: string,
  input: z.infer<typeof createInvitationSchema>,
): Promise<Invitation> {
  const email = input.email.trim().toLowerCase();
  const { token, hash } = await newInvitationToken();
  const { invitation, context } = await services.db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "members.invite");
    await checkMemberSeats(tx, orgId);
    const [member] = await tx`
      select 1 from public.memberships m join public.profiles p on p.id = m.user_id
      where m.org_id = ${orgId} and lower(p.email) = ${email}`;
    if (member) {
      throw new HttpError(409, `${email} is already a member`, { code: "already_member" });
    }
    const [open] = await tx`
      select 1 from public.invitations
      where org_id = ${orgId} and email = ${email} and status = 'pending'`;
    if (open) {
      throw new HttpError(
        409,
        `${email} already has an open invitation: resend or revoke it instead`,
        { code: "already_invited" },
      );
    }
    const [row] = await tx<{ id: string }[]>`
      insert into public.invitations (org_id, email, role, token_hash, expires_at, invited_by)
      values (${orgId}, ${email}, ${input.role}, decode(${hash}, 'hex'),
              now() + make_interval(days => ${INVITATION_TTL_DAYS}), ${claims.sub ?? null})
      returning id`;
    return {
      invitation: await getInvitation(tx, orgId, row!.id),
      context: await mailContext(tx, orgId),
    };
  });
  try {
    await services.mailer.send(invitationEmail({ ...context, invitation, token, ...services }));
  } catch (error) {
    await services.db.asTenant(
      claims,
      (tx) => tx`delete from public.invitations where id = ${invitation.id}`,
    );
    throw error;
  }
  return invitation;
}

/**
 * Sends a pending (or expired) invitation again with a new link: the old link
 * stops working at once, and the expiry starts over.
 *
 * @param services database, mailer and public URL
 * @param claims the caller
 * @param orgId the organization
 * @param id the invitation
 */
export async function resendInvitation(
  services: InvitationServices,
  claims: TenantClaims,
  orgId: string,
  id: string,
): Promise<Invitation> {
  const { token, hash } = await newInvitationToken();
  const { invitation, context } = await services.db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "members.invite");
    const current = await getInvitation(tx, orgId, id);
    if (current.status === "accepted" || current.status === "revoked") {
      throw new HttpError(409, `This invitation was ${current.status}: invite again instead`, {
        code: "invitation_closed",
      });
    }
    await tx`
      update public.invitations
      set token_hash = decode(${hash}, 'hex'), sent_at = now(), send_count = send_count + 1,
          expires_at = now() + make_interval(days => ${INVITATION_TTL_DAYS})
      where id = ${id} and org_id = ${orgId}`;
    return {
      invitation: await getInvitation(tx, orgId, id),
      context: await mailContext(tx, orgId),
    };
  });
  await services.mailer.send(invitationEmail({ ...context, invitation, token, ...services }));
  return invitation;
}

/**
 * Revokes a pending (or expired) invitation: its link stops working.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param id the invitation
 */
export async function revokeInvitation(tx: Tx, orgId: string, id: string): Promise<Invitation> {
  await requirePermission(tx, orgId, "members.invite");
  const current = await getInvitation(tx, orgId, id);
  if (current.status === "accepted" || current.status === "revoked") {
    throw new HttpError(409, `This invitation was already ${current.status}`, {
      code: "invitation_closed",
    });
  }
  await tx`
    update public.invitations set status = 'revoked', revoked_at = now()
    where id = ${id} and org_id = ${orgId}`;
  return await getInvitation(tx, orgId, id);
}

/**
 * What a link's holder sees before accepting: organization, address, role and
 * state. Unknown (or replaced) links are 404.
 *
 * @param db the database
 * @param token the secret from the link
 */
export async function previewInvitation(db: Database, token: string): Promise<InvitationPreview> {
  const hash = await hashToken(token);
  const [row] = await db.asService((tx) =>
    tx<InvitationPreview[]>`
      select org_name as organization_name, email, role::text as role, status,
        to_char(expires_at at time zone 'UTC', ${'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'}) as expires_at,
        invited_by_name as invited_by
      from private.invitation_by_token(decode(${hash}, 'hex'))`
  );
  if (!row || row.status === "revoked") {
    throw new HttpError(
      404,
      "This invitation link is not valid: it may have been revoked or replaced by a newer one",
      { code: "invitation_not_found" },
    );
  }
  return row;
}

/**
 * Accepts an invitation as the signed-in caller (whose address must be the
 * invited one): they join with the invited role, and the link is used up.
 *
 * @param tx a tenant transaction
 * @param token the secret from the link
 * @returns the organization joined and the role
 */
export async function acceptInvitation(
  tx: Tx,
  token: string,
): Promise<{ org_id: string; role: string }> {
  const hash = await hashToken(token);
  const [row] = await tx<{ org_id: string; role: string }[]>`
    select org_id, role::text as role from private.accept_invitation(decode(${hash}, 'hex'))`;
  return row!;
}

/**
 * Refuses an invitation when members plus open invitations already fill the
 * plan's member limit: 402 `plan_limit_reached` with the limit, the usage and
 * the plan to upgrade to (the plan check of shared/billing, counted here
 * because open invitations hold seats too). The organization row is locked
 * first, so two concurrent invitations cannot both take the last seat.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 */
export async function checkMemberSeats(tx: Tx, orgId: string): Promise<void> {
  await tx`select private.lock_org_for_limits(${orgId})`;
  const [seats] = await tx<{ used: number }[]>`
    select (select count(*) from public.memberships where org_id = ${orgId})::int
         + (select count(*) from public.invitations
            where org_id = ${orgId} and status = 'pending' and expires_at > now())::int as used`;
  await tx`select private.check_plan_limit(${orgId}, 'members', ${seats?.used ?? 0})`;
}

async function getInvitation(tx: Tx, orgId: string, id: string): Promise<Invitation> {
  const [row] = await tx.unsafe<Invitation[]>(
    `${SELECT_INVITATION} where i.org_id = $1 and i.id = $2`,
    [orgId, id],
  );
  if (!row) throw new HttpError(404, "Invitation not found", { code: "invitation_not_found" });
  return row;
}

async function mailContext(tx: Tx, orgId: string) {
  const [row] = await tx<{ organization_name: string; inviter: string }[]>`
    select o.name as organization_name,
      coalesce(nullif(p.display_name, ''), p.email, 'A teammate') as inviter
    from public.organizations o
    left join public.profiles p on p.id = (select auth.uid())
    where o.id = ${orgId}`;
  return row!;
}
