export {
  addMember,
  changeMemberRole,
  createOrganization,
  getOrganization,
  listMembers,
  listMyOrganizations,
  removeMember,
  requireRole,
  updateOrganization,
} from "./store.ts";
export type { Member, MemberPage, Organization, OrganizationSummary } from "./store.ts";
export {
  addMemberSchema,
  changeRoleSchema,
  createOrgSchema,
  DEFAULT_ORG_SETTINGS,
  listMembersQuerySchema,
  ORG_ROLES,
  orgSettingsSchema,
  roleAtLeast,
  slugSchema,
  updateOrgSchema,
} from "./schemas.ts";
export type { OrgRole, OrgSettings } from "./schemas.ts";
