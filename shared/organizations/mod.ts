export {
  addMember,
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
