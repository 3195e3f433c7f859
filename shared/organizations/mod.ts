export {
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
export type { Member, MemberPage, Organization, OrganizationSummary } from "./store.ts";
export {
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
export {
  acceptInvitation,
  checkMemberSeats,
  createInvitation,
  createInvitationSchema,
  hashToken,
  INVITABLE_ROLES,
  INVITATION_TTL_DAYS,
  invitationTokenSchema,
  listInvitations,
  previewInvitation,
  resendInvitation,
  revokeInvitation,
} from "./invitations.ts";
export type { Invitation, InvitationPreview, InvitationStatus } from "./invitations.ts";
export {
  acceptOwnershipOffer,
  cancelOwnershipOffer,
  deleteOrganization,
  deleteOrganizationSchema,
  getOwnershipOffer,
  offerOwnership,
  offerOwnershipSchema,
} from "./ownership.ts";
export type { OwnershipOffer } from "./ownership.ts";
export { PAGE_PLANNER, readGuardedPage, readNewestFirstPage } from "./guarded_page.ts";
export type { NewestFirstSql, PageGuard } from "./guarded_page.ts";
