import type { Database, TenantClaims, Tx } from "../db/mod.ts";
import { decodeCursor, encodeCursor } from "../http/cursor.ts";
import { HttpError } from "../http/errors.ts";
import { type Action, minimumRole } from "../permissions/mod.ts";
import { DEFAULT_ORG_SETTINGS, type OrgRole, type OrgSettings, roleAtLeast } from "./schemas.ts";

/** An organization as a member sees it. */
export interface Organization {
  id: string;
  name: string;
  slug: string;
  plan: string;
  subscription_status: string;
  max_instances: number;
  max_users: number;
  settings: OrgSettings;
  created_at: Date;
  updated_at: Date;
  /** The caller's role in it. */
  role: OrgRole;
}

/** One line of `GET /organizations`. */
export type OrganizationSummary = Pick<
  Organization,
  "id" | "name" | "slug" | "plan" | "subscription_status" | "role" | "created_at"
>;

/** A member of an organization. */
export interface Member {
  user_id: string;
  email: string;
  display_name: string;
  role: OrgRole;
  /** When they joined, ISO 8601 in UTC. */
  joined_at: string;
}

/** A page of members. */
export interface MemberPage {
  data: Member[];
  next_cursor: string | null;
}

const NOT_FOUND = "Organization not found";
const UUID = /^[0-9a-f-]{36}$/;

/**
 * The organizations the caller belongs to, newest first.
 *
 * @param tx a tenant transaction
 */
export async function listMyOrganizations(tx: Tx): Promise<OrganizationSummary[]> {
  return await tx<OrganizationSummary[]>`
    select o.id, o.name, o.slug, o.plan, o.subscription_status, m.role, o.created_at
    from public.organizations o
    join public.memberships m on m.org_id = o.id and m.user_id = (select auth.uid())
    order by o.created_at desc, o.id`;
}

/**
 * Creates an organization; the database makes the caller its owner.
 *
 * @param tx a tenant transaction
 * @param userId the caller
 * @param input name and optional slug (derived from the name when absent)
 */
export async function createOrganization(
  tx: Tx,
  userId: string,
  input: { name: string; slug?: string },
): Promise<Organization> {
  const id = crypto.randomUUID();
  try {
    // No RETURNING: the new row becomes visible only once the owner membership exists.
    await tx`
      insert into public.organizations (id, name, slug, settings, created_by)
      values (${id}, ${input.name}, ${input.slug ?? ""}, ${tx.json({ ...DEFAULT_ORG_SETTINGS })},
              ${userId})`;
  } catch (error) {
    throw slugTaken(error) ?? error;
  }
  return await getOrganization(tx, id);
}

/**
 * One organization the caller belongs to, with their role.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @throws {HttpError} 404 when it does not exist or the caller is not a member
 */
export async function getOrganization(tx: Tx, orgId: string): Promise<Organization> {
  const [org] = await tx<Organization[]>`
    select o.id, o.name, o.slug, o.plan, o.subscription_status, o.max_instances, o.max_users,
           o.settings, o.created_at, o.updated_at, m.role
    from public.organizations o
    join public.memberships m on m.org_id = o.id and m.user_id = (select auth.uid())
    where o.id = ${orgId}`;
  if (!org) throw new HttpError(404, NOT_FOUND);
  return { ...org, settings: { ...DEFAULT_ORG_SETTINGS, ...org.settings } };
}

/**
 * The caller's role in `orgId`, refusing with 404 for non-members (so outsiders
 * cannot tell the organization exists) and 403 below `min`.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param min the least role the action needs
 */
export async function requireRole(tx: Tx, orgId: string, min: OrgRole): Promise<OrgRole> {
  const [row] = await tx<{ role: OrgRole }[]>`
    select role from public.memberships where org_id = ${orgId} and user_id = (select auth.uid())`;
  if (!row) throw new HttpError(404, NOT_FOUND);
  if (!roleAtLeast(row.role, min)) {
    throw new HttpError(403, `This needs the ${min} role or higher; you are ${article(row.role)}`, {
      code: "insufficient_role",
      details: { required: min, actual: row.role },
    });
  }
  return row.role;
}

/**
 * The caller's role in `orgId` when the permission matrix lets it perform
 * `action`: 404 for non-members, 403 below the action's least role.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param action the action of the permission matrix
 */
export function requirePermission(tx: Tx, orgId: string, action: Action): Promise<OrgRole> {
  return requireRole(tx, orgId, minimumRole(action));
}

/**
 * Updates name, slug and/or settings (admin or owner).
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param patch the fields to change; settings are merged key by key
 */
export async function updateOrganization(
  tx: Tx,
  orgId: string,
  patch: { name?: string; slug?: string; settings?: Partial<OrgSettings> },
): Promise<Organization> {
  await requirePermission(tx, orgId, "organizations.update");
  try {
    await tx`
      update public.organizations set
        name = coalesce(${patch.name ?? null}, name),
        slug = coalesce(${patch.slug ?? null}, slug),
        settings = settings || ${tx.json(patch.settings ?? {})}
      where id = ${orgId}`;
  } catch (error) {
    throw slugTaken(error) ?? error;
  }
  return await getOrganization(tx, orgId);
}

/**
 * A page of members ordered by email, read in one statement: `members_page`
 * sets the caller's claims and role for itself, so RLS decides what is visible.
 *
 * @param db the database
 * @param claims the caller's claims
 * @param orgId the organization
 * @param page size and the cursor from the previous page
 */
export async function listMembers(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  page: { limit: number; cursor?: string },
): Promise<MemberPage> {
  const after = page.cursor
    ? decodeCursor(
      page.cursor,
      ([email, userId]) =>
        typeof email === "string" && typeof userId === "string" && UUID.test(userId)
          ? { email, userId }
          : null,
    )
    : null;
  const rows = await db.sql<Member[]>`
    select user_id, email, display_name, role, joined_at
    from private.members_page(
      ${JSON.stringify(claims)}, ${orgId}, ${after?.email ?? null}, ${after?.userId ?? null},
      ${page.limit + 1}
    )`;
  // RLS shows members only to members; an outsider gets nothing, which is a 404
  // (a member always sees at least themselves, so an empty first page cannot happen).
  if (rows.length === 0 && !after) throw new HttpError(404, NOT_FOUND);
  const more = rows.length > page.limit;
  const data = more ? rows.slice(0, page.limit) : [...rows];
  const last = data.at(-1);
  return {
    data,
    next_cursor: more && last ? encodeCursor([last.email.toLowerCase(), last.user_id]) : null,
  };
}

/** The answer to adding a member by email: the same whether or not an account uses it. */
export interface MemberAddition {
  /** The address as given, trimmed and lower-cased. */
  email: string;
  role: OrgRole;
}

/**
 * Adds the user with this email, if an account uses it, as a member (admin or
 * owner; only an owner can add an owner). The answer is the same whether or not
 * an account exists, and never names anyone, so the endpoint cannot be used to
 * find out who has an account. A full organization is refused before anyone is
 * looked up, for the same reason. Adding a current member is refused (409): the
 * admin sees the team list anyway.
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param input the email address and role
 */
export async function addMember(
  tx: Tx,
  orgId: string,
  input: { email: string; role: OrgRole },
): Promise<MemberAddition> {
  const myRole = await requirePermission(tx, orgId, "members.add");
  if (input.role === "owner" && myRole !== "owner") throw ownerRequired();
  const email = input.email.trim().toLowerCase();
  const [seats] = await tx<{ members: number; max_users: number }[]>`
    select (select count(*) from public.memberships where org_id = ${orgId})::int as members,
           max_users
    from public.organizations where id = ${orgId}`;
  if (seats && seats.members >= seats.max_users) {
    throw new HttpError(
      409,
      `This organization already has ${seats.max_users} members, the most its plan allows`,
      { code: "member_limit_reached" },
    );
  }
  const [found] = await tx<{ id: string | null; member: boolean }[]>`
    select u.id, exists (select 1 from public.memberships m
                         where m.org_id = ${orgId} and m.user_id = u.id) as member
    from (select private.user_id_by_email(${email}) as id) u`;
  if (found?.id) {
    if (found.member) {
      throw new HttpError(409, `${email} is already a member`, { code: "already_member" });
    }
    try {
      await tx`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${found.id}, ${input.role})`;
    } catch (error) {
      if ((error as { code?: string }).code === "23505") {
        throw new HttpError(409, `${email} is already a member`, { code: "already_member" });
      }
      throw error;
    }
  }
  // Recorded whether or not the address has an account (the row change, if any, is too).
  await tx`select private.audit_event(${orgId}, 'members.add_requested', 'memberships', ${
    found?.id ?? null
  }, ${tx.json({ email, role: input.role })}, 'security')`;
  return { email, role: input.role };
}

/**
 * Changes a member's role (admin or owner; owner role changes need an owner,
 * and the last owner cannot step down — the database enforces both).
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param userId the member
 * @param role the new role
 */
export async function changeMemberRole(
  tx: Tx,
  orgId: string,
  userId: string,
  role: OrgRole,
): Promise<Member> {
  const myRole = await requirePermission(tx, orgId, "members.change_role");
  const current = await getMember(tx, orgId, userId);
  if (
    (role === "owner" || current.role === "owner") && role !== current.role && myRole !== "owner"
  ) {
    throw ownerRequired();
  }
  await tx`update public.memberships set role = ${role} where org_id = ${orgId} and user_id = ${userId}`;
  return await getMember(tx, orgId, userId);
}

/**
 * Removes a member: an admin or owner removing someone, or anyone removing
 * themselves (leaving).
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @param userId the member to remove
 * @param callerId the caller
 */
export async function removeMember(
  tx: Tx,
  orgId: string,
  userId: string,
  callerId: string,
): Promise<void> {
  const myRole = await requirePermission(
    tx,
    orgId,
    userId === callerId ? "members.leave" : "members.remove",
  );
  const target = await getMember(tx, orgId, userId);
  if (target.role === "owner" && userId !== callerId && myRole !== "owner") throw ownerRequired();
  await tx`delete from public.memberships where org_id = ${orgId} and user_id = ${userId}`;
}

async function getMember(tx: Tx, orgId: string, userId: string): Promise<Member> {
  const [member] = await tx<Member[]>`
    select m.user_id, p.email, p.display_name, m.role,
      to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as joined_at
    from public.memberships m join public.profiles p on p.id = m.user_id
    where m.org_id = ${orgId} and m.user_id = ${userId}`;
  if (!member) throw new HttpError(404, "Member not found", { code: "member_not_found" });
  return member;
}

function ownerRequired(): HttpError {
  return new HttpError(403, "Only an owner can grant, remove or change the owner role", {
    code: "owner_required",
  });
}

function slugTaken(error: unknown): HttpError | null {
  const pg = error as { code?: string; constraint_name?: string };
  if (pg.code === "23505" && pg.constraint_name === "organizations_slug_key") {
    return new HttpError(409, "That slug is taken: choose another", {
      code: "already_exists",
      details: [{ path: "slug", message: "is already in use" }],
    });
  }
  return null;
}

function article(role: OrgRole): string {
  return `${/^[aeiou]/.test(role) ? "an" : "a"} ${role}`;
}
