export {
  addMember,
  assertRole,
  callerUserId,
  changeMemberRole,
  createOrganization,
  getOrganization,
  listMembers,
  listMyOrganizations,
  removeMember,
  requirePermission,
  requireRole,
  updateOrganization,
} from "./store.ts";
export { createMembershipCheck } from "./membership_check.ts";
export type { MembershipCheck, MembershipCheckOptions } from "./membership_check.ts";
export type {
  Member,
  MemberAddition,
  MemberPage,
  Organization,
  OrganizationSummary,
} from "./store.ts";
export {
  addMemberSchema,
  changeRoleSchema,
  createOrgSchema,
  createUpdateOrgSchema,
  DEFAULT_ORG_SETTINGS,
  listMembersQuerySchema,
  ORG_ROLES,
  orgSettingsSchema,
  roleAtLeast,
  slugSchema,
} from "./schemas.ts";
export type { OrgRole, OrgSettings, UpdateOrgSchema } from "./schemas.ts";
