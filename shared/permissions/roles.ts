/** Roles in an organization, least to most privileged. */
export const ORG_ROLES = ["viewer", "auditor", "analyst", "admin", "owner"] as const;
/** A role in an organization. */
export type OrgRole = typeof ORG_ROLES[number];

/**
 * True when `role` is at least `min` in the order viewer < auditor < analyst < admin < owner.
 *
 * @param role the member's role
 * @param min the least role required
 */
export function roleAtLeast(role: OrgRole, min: OrgRole): boolean {
  return ORG_ROLES.indexOf(role) >= ORG_ROLES.indexOf(min);
}
