import { type OrgRole, roleAtLeast } from "./roles.ts";

/** Plans an organization can be on (the `public.org_plan` enum). */
export type OrgPlan = "trial" | "basic" | "professional" | "enterprise";

/** Who may perform one action in an organization. */
export interface Permission {
  /** The least role that may perform it (viewer < auditor < analyst < admin < owner). */
  role: OrgRole;
  /** What it does, as the docs table and the web app's hints say it. */
  summary: string;
  /** A stricter rule that applies in some cases, in words (enforced by the server). */
  note?: string;
  /** Plans that include the action; every plan when absent. */
  plans?: readonly OrgPlan[];
}

/**
 * The permission matrix: every action a member can take in an organization,
 * and the least role it needs. The server's checks (`requirePermission`), the
 * web app's gating (`can`), the route declarations, the docs table in
 * docs/architecture.md and the SQL-policy tests all read this one object.
 */
export const PERMISSIONS = {
  "organizations.read": { role: "viewer", summary: "See the organization and its settings" },
  "organizations.update": { role: "admin", summary: "Rename the organization, change settings" },
  "organizations.transfer": {
    role: "owner",
    summary: "Offer ownership to a member, or withdraw the offer",
    note: "the member accepts; the one who offered becomes admin",
  },
  "organizations.delete": {
    role: "owner",
    summary: "Delete the organization and all its data",
    note: "the organization's name typed as confirmation",
  },
  "members.read": { role: "viewer", summary: "See the team" },
  "members.invite": {
    role: "admin",
    summary: "Invite people by email; see, resend and revoke invitations",
    note: "any role but owner; up to the plan's member limit",
  },
  "members.change_role": {
    role: "admin",
    summary: "Change a member's role",
    note: "granting or taking away the owner role needs the owner role",
  },
  "members.remove": {
    role: "admin",
    summary: "Remove a member",
    note: "removing an owner needs the owner role; anyone may remove themselves",
  },
  "members.leave": {
    role: "viewer",
    summary: "Leave the organization",
    note: "not the last owner",
  },
  "instances.read": {
    role: "viewer",
    summary: "See instances, their syncs, tables and schedules",
  },
  "instances.create": {
    role: "admin",
    summary: "Add an instance, test unsaved connection settings",
    note: "up to the plan's instance limit",
  },
  "instances.update": { role: "admin", summary: "Change an instance's URL or credentials" },
  "instances.delete": { role: "admin", summary: "Delete an instance and its synced data" },
  "instances.test": {
    role: "analyst",
    summary: "Test a saved instance's connection",
    note: "with changed URL or credentials: instances.update",
  },
  "instances.sync": { role: "analyst", summary: "Start a sync" },
  "instances.schedule": { role: "admin", summary: "Set or clear the sync schedule" },
  "checks.read": { role: "viewer", summary: "Browse the check catalog and its settings" },
  "checks.configure": {
    role: "admin",
    summary: "Enable or disable a check, override its parameters",
  },
  "runs.read": { role: "viewer", summary: "See analysis runs and their verdicts" },
  "runs.start": { role: "analyst", summary: "Start an analysis run" },
  "findings.read": { role: "viewer", summary: "See findings with their evidence and history" },
  "findings.triage": {
    role: "analyst",
    summary: "Set a finding's triage state, assignee and note",
  },
  "suppressions.read": { role: "viewer", summary: "See suppressions" },
  "suppressions.manage": {
    role: "analyst",
    summary: "Mute a finding, or revoke a mute",
    note: "organization-wide mutes of a check: suppressions.manage_org_wide",
  },
  "suppressions.manage_org_wide": {
    role: "admin",
    summary: "Mute a check across every instance, or revoke such a mute",
  },
  "custom_checks.read": { role: "viewer", summary: "See custom checks and the synced tables" },
  "custom_checks.write": {
    role: "analyst",
    summary: "Create, preview, change and delete custom checks",
  },
  "dashboard.read": {
    role: "viewer",
    summary: "See the dashboard: scores, readiness, risks, changes and activity",
  },
  "insights.read": {
    role: "viewer",
    summary: "See trends and recommendations, compare runs and instances",
  },
  "jobs.read": { role: "viewer", summary: "See background jobs and their deliveries" },
  "jobs.cancel": { role: "analyst", summary: "Cancel a background job" },
  "jobs.probe": { role: "admin", summary: "Start a diagnostic job" },
  "reports.read": {
    role: "viewer",
    summary: "See saved reports and generated files, download them, make download links",
  },
  "reports.generate": {
    role: "analyst",
    summary: "Generate a report file; save, change or delete a saved report",
    note: "a schedule, recipients or a webhook: reports.schedule",
  },
  "reports.schedule": {
    role: "admin",
    summary: "Schedule a saved report, choose its recipients and webhook, rotate its secret",
  },
  "reports.share": {
    role: "admin",
    summary: "Make a share link for someone outside the organization, or revoke a link",
  },
  "widgets.read": {
    role: "viewer",
    summary:
      "See widgets, their versions and data (and preview a configuration), and the allowed embed origins",
  },
  "widgets.write": {
    role: "analyst",
    summary:
      "Create a widget, save a new version of it, roll it back, delete it (not while embedded)",
  },
  "widgets.embed": {
    role: "admin",
    summary: "Create or revoke an embed of a widget, change the allowed embed origins",
    note: "an embed token reads exactly one widget version's data",
  },
  "dashboards.personal": {
    role: "viewer",
    summary: "Create, arrange, rename and delete your own personal dashboards",
    note: "only their owner sees a personal dashboard",
  },
  "dashboards.manage": {
    role: "admin",
    summary:
      "Create, arrange, rename and delete the organization's dashboards, the Dashboard page's layout included",
    note: "on the routes of dashboards.personal, for a dashboard of the organization",
  },
  "api_keys.read": {
    role: "admin",
    summary: "See the organization's API keys, their last use and calls",
  },
  "api_keys.manage": {
    role: "admin",
    summary: "Create an API key (viewer or analyst) or revoke one",
    note: "keys themselves can neither read nor manage keys",
  },
  "billing.read": {
    role: "viewer",
    summary: "See the plan, its limits, usage and the subscription state",
  },
  "billing.manage": {
    role: "admin",
    summary: "Change the plan through Checkout, open the billing portal, see invoices",
  },
  "notifications.read": {
    role: "viewer",
    summary: "See your in-app notifications and mark them read; see alert channels and rules",
  },
  "notifications.manage": {
    role: "admin",
    summary:
      "Add, change and remove alert channels and rules, rotate webhook secrets, see deliveries",
  },
  "audit.read": {
    role: "auditor",
    summary:
      "See the audit trail and its verification, review access over a period, export them as CSV",
  },
} as const satisfies Record<string, Permission>;

/** An action of the permission matrix, e.g. `findings.triage`. */
export type Action = keyof typeof PERMISSIONS;

/** Every action, in the matrix's order. */
export const ACTIONS: readonly Action[] = Object.keys(PERMISSIONS) as Action[];

/**
 * The least role `action` needs.
 *
 * @param action an action of the matrix
 */
export function minimumRole(action: Action): OrgRole {
  return PERMISSIONS[action].role;
}

/**
 * Whether a member with `role` (on `plan`) may perform `action`. The web app
 * gates its buttons with this; the server checks the same rule in
 * `requirePermission`.
 *
 * @param role the member's role, or null when not a member
 * @param action an action of the matrix
 * @param plan the organization's plan, when the action depends on it
 */
export function can(role: OrgRole | null | undefined, action: Action, plan?: OrgPlan): boolean {
  if (!role) return false;
  const permission: Permission = PERMISSIONS[action];
  if (plan && permission.plans && !permission.plans.includes(plan)) return false;
  return roleAtLeast(role, permission.role);
}
