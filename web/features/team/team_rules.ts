import { can, roleAtLeast } from "../../../shared/permissions/mod.ts";
import { type Role, ROLES } from "../../lib/api_types.ts";

/**
 * The organizations API's membership rules, mirrored so the UI only offers
 * what the API would accept and explains the rest. The API stays the judge:
 * a refusal it sends is shown as it comes (see api_client.ts).
 *
 * @module
 */

/** What each role may do, shown next to the role picker. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Full control, including billing, owners and deleting the organization.",
  admin: "Manages members, instances and settings.",
  analyst: "Runs analyses and works on findings.",
  auditor: "Read-only access plus exports and the audit log.",
  viewer: "Read-only access to results and dashboards.",
};

/** Display names of the roles. */
export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  analyst: "Analyst",
  auditor: "Auditor",
  viewer: "Viewer",
};

export { roleAtLeast };

/** Who is acting, and how many owners the organization has. */
export interface Actor {
  userId: string;
  role: Role;
  /** Owners in the organization, or null when the list is incomplete. */
  ownerCount: number | null;
}

/** Messages for refused actions (the same words as the API's refusals). */
export const REFUSALS = {
  notAdmin: "Only admins and owners can manage members.",
  ownerRequired: "Only an owner can grant, remove or change the owner role.",
  lastOwner:
    "An organization needs at least one owner. Make someone else an owner before you do this.",
} as const;

/**
 * Roles `actor` may give when adding or changing a member (admins cannot grant owner).
 *
 * @param role the actor's role
 */
export function grantableRoles(role: Role): Role[] {
  if (!can(role, "members.change_role")) return [];
  return [...ROLES].reverse().filter((r) => r !== "owner" || role === "owner");
}

/** Whether `role` may invite, change and remove members. */
export function canManageMembers(role: Role): boolean {
  return can(role, "members.invite") && can(role, "members.change_role") &&
    can(role, "members.remove");
}

/**
 * Why `actor` may not change `target`'s role to `next`, or null when allowed.
 *
 * @param actor who acts
 * @param target the member and their current role
 * @param next the requested role
 */
export function roleChangeRefusal(
  actor: Actor,
  target: { userId: string; role: Role },
  next: Role,
): string | null {
  if (!canManageMembers(actor.role)) return REFUSALS.notAdmin;
  if (next === target.role) return null;
  if ((next === "owner" || target.role === "owner") && actor.role !== "owner") {
    return REFUSALS.ownerRequired;
  }
  if (target.role === "owner" && actor.ownerCount === 1) return REFUSALS.lastOwner;
  return null;
}

/**
 * Why `actor` may not remove `target`, or null when allowed. Removing yourself is leaving.
 *
 * @param actor who acts
 * @param target the member to remove
 */
export function removalRefusal(
  actor: Actor,
  target: { userId: string; role: Role },
): string | null {
  if (target.userId === actor.userId) return leaveRefusal(actor);
  if (!canManageMembers(actor.role)) return REFUSALS.notAdmin;
  if (target.role === "owner" && actor.role !== "owner") return REFUSALS.ownerRequired;
  return null;
}

/**
 * Why `actor` may not leave the organization, or null when they may.
 *
 * @param actor who wants to leave
 */
export function leaveRefusal(actor: Actor): string | null {
  return actor.role === "owner" && actor.ownerCount === 1 ? REFUSALS.lastOwner : null;
}
