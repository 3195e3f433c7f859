/**
 * Parameters of the control rules (docs/servicenow/controls.md) used by the generator and by
 * the ground-truth manifest. README.md states each rule in words.
 *
 * @module
 */

import type { ControlId } from "../../shared/servicenow/controls.ts";

export { CONTROL_IDS, type ControlId } from "../../shared/servicenow/controls.ts";

/** The parameters every rule uses; exported in the manifest too. */
export const CONTROL_PARAMS = {
  /** A1, A2: no login for more than this many days (or never) is dormant. */
  dormancyDays: 90,
  /**
   * A2: a service or integration account whose last API use (the later of
   * last_login_time and its latest syslog_transaction) is older than this many
   * days, or that was never used, is unused.
   */
  integrationUnusedDays: 90,
  /**
   * A10: a service or integration account whose password was last changed
   * (last_password_change; sys_created_on when empty) more than this many days ago.
   */
  credentialMaxAgeDays: 365,
  /** A1, A11: roles that make an account privileged. */
  privilegedRoles: ["admin", "security_admin"],
  /** A5: roles whose distinct active holders are counted. */
  excessiveAdminRoles: ["admin", "security_admin", "user_admin", "itil_admin"],
  /** A5: more than this many distinct active holders is a finding (sn_SE10473). */
  excessiveAdminThreshold: 10,
  /** A6: toxic role pairs held together by one active user. */
  toxicPairs: [
    ["admin", "security_admin"],
    ["impersonator", "security_admin"],
    ["user_admin", "security_admin"],
    ["snc_internal", "snc_external"],
  ],
  /** A4: generic user_name pattern (case-insensitive, on the trimmed name). */
  genericUserNamePattern:
    "^(admin|test|temp|shared|generic|service|svc|demo|training|itil)[0-9]*([._ -]|$)|[._ -](test|temp|shared|generic|demo|training)[0-9]*([._ -]|$)",
  /** A10: failed_attempts at or above this is a finding. */
  failedAttemptsThreshold: 5,
  /** A15: role whose holders are reviewed. */
  impersonatorRole: "impersonator",
  /** A14: sys_public pages that belong to the baseline (compared without case, leading slash or .do). */
  baselinePublicPages: [
    "login.do",
    "logout_success.do",
    "login_locate_sso.do",
    "password_reset.do",
    "welcome.do",
  ],
  /** C6: a plan shorter than this many characters after trimming counts as missing. */
  planMinLength: 10,
  /** C8: emergency share above this is reported in the metric (not per record). */
  emergencyRatioThreshold: 0.1,
  /** C12: a change number in an update set's name or description links it to change control. */
  changeNumberPattern: "CHG[0-9]{7}",
  /** C13: audited tables whose edits must be covered by an approved change. */
  securityConfigTables: [
    "sys_security_acl",
    "sys_properties",
    "sys_user_role",
    "sys_script",
    "sys_script_include",
  ],
  /** L1: tables whose collection dictionary row must have audit=true. */
  auditedTables: [
    "sys_user",
    "sys_user_has_role",
    "sys_user_group",
    "sys_user_grmember",
    "sys_security_acl",
    "sys_properties",
    "change_request",
    "sysapproval_approver",
    "incident",
  ],
  /** A12, L2: default of glide.ui.audit_deleted_tables; all must stay audited on delete. */
  accessTables: [
    "sys_user",
    "sys_user_group",
    "sys_user_role",
    "sys_user_has_role",
    "sys_user_grmember",
    "sys_group_has_role",
    "sys_security_acl_role",
  ],
  /** L7: active certificates expiring within this many days (or expired) are findings. */
  certificateExpiryDays: 30,
  /** L8: active OAuth clients with longer lifespans (seconds) are findings. */
  maxAccessTokenLifespan: 3600,
  maxRefreshTokenLifespan: 8_640_000,
  /** I4: resolution time targets in hours by priority. */
  resolutionTargetHours: { "1": 4, "2": 24, "3": 72, "4": 168, "5": 720 } as Record<string, number>,
  /** I7: active security incidents opened longer ago than this are findings. */
  staleSecurityIncidentDays: 30,
} as const;

/** Control titles (from docs/servicenow/controls.md). */
export const CONTROL_TITLES: Record<ControlId, string> = {
  A1: "Dormant privileged accounts",
  A2: "Dormant accounts",
  A3: "Terminated or deactivated users still holding access",
  A4: "Shared or generic accounts",
  A5: "Excessive admins",
  A6: "Toxic role combinations",
  A7: "Direct role grants",
  A8: "Integration accounts with admin or elevated roles",
  A9: "Orphaned grants and memberships",
  A10: "Locked-out, brute-forced or reset-pending users",
  A11: "MFA coverage for privileged users",
  A12: "Deletion audit of access tables",
  A13: "ACL hygiene",
  A14: "Public endpoints",
  A15: "Impersonation control",
  C1: "Requester approved their own change",
  C2: "Implementer approved the change",
  C3: "Requester is the implementer",
  C4: "Implemented or closed without approval",
  C5: "Approval after implementation started",
  C6: "Missing backout, test or implementation plan",
  C7: "Implemented outside the approved window",
  C8: "Emergency changes without post-implementation review",
  C9: "Failed changes",
  C10: "CAB required but not held",
  C11: "Closed without implementation evidence",
  C12: "Configuration changes outside change control",
  C13: "Security configuration edits outside approved changes",
  L1: "Audit enabled on key tables",
  L2: "Audit settings",
  L3: "Audit log protection",
  L4: "Hardening baseline",
  L5: "Impersonation and elevation logging",
  L6: "Integration accounts used interactively",
  L7: "Certificate expiry",
  L8: "OAuth hygiene",
  I1: "P1/P2 incidents without a linked problem",
  I2: "SLA breaches",
  I3: "Reopened incidents",
  I4: "Resolution time over target",
  I5: "Closed but still active",
  I6: "Incidents caused by changes",
  I7: "Stale open security incidents",
};
