/**
 * Identity and access checks (docs/servicenow/controls.md#access-control, A1–A11 and A15, plus SoD rule sets).
 *
 * @module
 */

import { behavioural, REF, script } from "../_define.ts";
import type { Check, ParameterSpec } from "../types.ts";
import {
  daysBefore,
  f,
  hasField,
  HELD_ROLES_TABLES,
  heldRoles,
  intParam,
  isBlank,
  isFalse,
  isServiceAccount,
  isTrue,
  listParam,
  lowerName,
  NAMED_ROLES,
  NOW,
  records,
  SERVICE_ACCOUNT_FIELDS,
  textParam,
} from "./_sql.ts";

const ROLE_ITEM = "^[a-z0-9_.]{1,100}$";

/** The dormancy window; the organization's `dormant_account_days` replaces its default. */
const DORMANCY_DAYS: ParameterSpec = {
  name: "days",
  kind: "integer",
  description: "An account with no login for more than this many days (or never) is dormant.",
  default: 90,
  min: 1,
  max: 3650,
  orgSetting: "dormant_account_days",
};

const PRIVILEGED_ROLES: ParameterSpec = {
  name: "roles",
  kind: "string_list",
  description: "Roles that make an account privileged.",
  default: ["admin", "security_admin"],
  minItems: 1,
  maxItems: 50,
  itemPattern: ROLE_ITEM,
};

const CONFLICTING_PAIRS: ParameterSpec = {
  name: "pairs",
  kind: "role_pairs",
  description: "Role pairs one person must not hold together (segregation of duties rule set).",
  default: [
    ["admin", "security_admin"],
    ["impersonator", "security_admin"],
    ["user_admin", "security_admin"],
    ["snc_internal", "snc_external"],
  ],
  minItems: 1,
  maxItems: 200,
};

const USER_FIELDS = ["user_name", "active"];

/**
 * Generic or shared user names, as ServiceNow instances spell them: starting
 * with a generic word, or carrying one of the words that never name a person as
 * a later part (`helpdesk.shared`, `qa-test2`); any case, trailing digits
 * allowed. `jsmith.admin` is a person's named admin account, not a generic one.
 */
const GENERIC_USER_NAME =
  "^(admin|test|temp|shared|generic|service|svc|demo|training|itil)[0-9]*([._ -]|$)|[._ -](test|temp|shared|generic|demo|training)[0-9]*([._ -]|$)";

/** The baseline admin record's sys_id (the same on every instance; assumed, see docs/servicenow/tables.md). */
const BASELINE_ADMIN_SYS_ID = "6816f79cc0a8016401c5a33be04be441";

/** The role grants of the instance with their user reference (`user_ref`, indexed: see heldRoles). */
const ROLE_GRANTS = `(select r.sys_id, r.data, r.user_ref from public.snow_records r
    where r.instance_id = $1::uuid and r.table_name = 'sys_user_has_role')`;

/**
 * Service and integration accounts cannot log in interactively: interactive-login
 * checks (dormancy, MFA) leave them out; service_accounts.ts and the integration
 * checks cover them.
 */
const INTERACTIVE = `not ${isServiceAccount("u")}`;

/** Active users with no login within `days`, or never. */
const DORMANT = `(${f("u", "last_login_time")} = ''
  or public.sn_datetime(u.data ->> 'last_login_time') < ${daysBefore(intParam("days"))})`;

const ACCOUNT_STEPS = [
  "Open the user record (sys_user.do?sys_id=<resource>) and confirm with its owner or manager whether the access is still needed.",
  "If not, clear Active and select Locked out; remove the user from groups that grant roles.",
  "Record the decision in the access review evidence.",
];

/** Identity and access checks. */
export const IDENTITY_CHECKS: readonly Check[] = [
  behavioural({
    id: "identity_privileged_account_dormant",
    title: "Privileged accounts with no recent login",
    area: "identity",
    severity: "high",
    riskScore: 8.1,
    description:
      "Active interactive users (not web-service-only, not integration users) holding a privileged role (admin, security_admin by default) whose last login is older than the dormancy window, or who never logged in.",
    risk:
      "Unused privileged accounts are not watched by their owners; a guessed or leaked password gives an attacker full control of the instance unnoticed.",
    remediation: {
      summary: "Deactivate dormant privileged accounts or remove their privileged roles.",
      steps: ACCOUNT_STEPS,
    },
    references: [REF.communityChecks, REF.privilegedUsers],
    resourceType: "sys_user",
    parameters: [DORMANCY_DAYS, PRIVILEGED_ROLES],
    controls: ["A1"],
    tables: {
      sys_user: [...USER_FIELDS, "last_login_time", ...SERVICE_ACCOUNT_FIELDS],
      ...HELD_ROLES_TABLES,
    },
    evidenceOnly: { sys_user: ["user_name"] },
    sql: `
with ${heldRoles({ roles: listParam("roles") })},
privileged as (
  select h.user_id, array_agg(h.role_name order by h.role_name) as roles
  from held h where h.role_name in ${listParam("roles")}
  group by h.user_id
)
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name', 'last_login_time', u.data ->> 'last_login_time',
                          'privileged_roles', to_jsonb(p.roles)) as evidence
from ${records("sys_user")} u
join privileged p on p.user_id = u.sys_id
where ${isTrue("u", "active")} and ${INTERACTIVE} and ${DORMANT}
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_account_dormant",
    title: "Interactive accounts with no recent login",
    area: "identity",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Active interactive users (not web-service-only, not integration users) whose last login is older than the dormancy window, or who never logged in.",
    risk:
      "Dormant accounts keep their roles after people change jobs or leave; they widen the attack surface and break least privilege (AC-2(3)).",
    remediation: { summary: "Disable accounts that are no longer used.", steps: ACCOUNT_STEPS },
    references: [REF.privilegedUsers],
    resourceType: "sys_user",
    parameters: [DORMANCY_DAYS],
    controls: ["A2"],
    tables: {
      sys_user: [
        ...USER_FIELDS,
        "last_login_time",
        "web_service_access_only",
        "internal_integration_user",
      ],
    },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name', 'last_login_time', u.data ->> 'last_login_time') as evidence
from ${records("sys_user")} u
where ${isTrue("u", "active")}
  and not ${isTrue("u", "web_service_access_only")} and not ${
      isTrue("u", "internal_integration_user")
    }
  and ${DORMANT}
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_inactive_user_not_locked",
    title: "Deactivated users that are not locked out",
    area: "identity",
    severity: "medium",
    riskScore: 4.3,
    description:
      "Users with Active cleared whose Locked out flag is false (community Instance Scan check).",
    risk:
      "A deactivated account that is not locked can be reactivated or used where active-user login enforcement is relaxed; locking makes deprovisioning explicit.",
    remediation: {
      summary: "Lock out every deactivated user.",
      steps: [
        "Open sys_user_list.do?sysparm_query=active=false^locked_out=false.",
        "Select Locked out on each record.",
      ],
      code: [script(`
var gr = new GlideRecord('sys_user');
gr.addQuery('active', false);
gr.addQuery('locked_out', false);
gr.query();
while (gr.next()) {
  gr.setValue('locked_out', true);
  gr.update();
}`)],
    },
    references: [REF.communityChecks],
    resourceType: "sys_user",
    controls: ["A3"],
    tables: { sys_user: [...USER_FIELDS, "locked_out"] },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name', 'active', u.data ->> 'active',
                          'locked_out', u.data ->> 'locked_out') as evidence
from ${records("sys_user")} u
where ${isFalse("u", "active")} and ${isFalse("u", "locked_out")}
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_terminated_user_active",
    title: "Users still active after their HR employment end date",
    area: "identity",
    severity: "high",
    riskScore: 8.1,
    description:
      "Active users whose HR profile (sn_hr_core_profile) has an employment end date before today (scan sn_SE10460, community check).",
    risk:
      "Leavers who keep working credentials can still read and change data; timely deprovisioning is a core SOX access control.",
    remediation: {
      summary:
        "Deactivate users whose employment has ended and connect HR offboarding to user deprovisioning.",
      steps: [
        "Open the user, clear Active, select Locked out and remove group memberships.",
        "Check the offboarding flow that should have done this and fix its trigger.",
      ],
    },
    references: [REF.communityChecks, REF.scanSecurity],
    resourceType: "sys_user",
    controls: ["A3"],
    tables: { sn_hr_core_profile: ["user", "employment_end_date"], sys_user: USER_FIELDS },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', min(u.data ->> 'user_name'),
                          'employment_end_date', max(h.data ->> 'employment_end_date')) as evidence
from ${records("sn_hr_core_profile")} h
join ${records("sys_user")} u on u.sys_id = h.data ->> 'user'
where ${isTrue("u", "active")} and ${f("h", "employment_end_date")} <> ''
  and left(h.data ->> 'employment_end_date', 10) < to_char(${NOW} at time zone 'UTC', 'YYYY-MM-DD')
group by u.sys_id
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_inactive_user_holds_roles",
    title: "Role grants still held by deactivated users",
    area: "identity",
    severity: "medium",
    riskScore: 5.4,
    description: "sys_user_has_role rows whose user is deactivated (active = false).",
    risk:
      "Roles left on deactivated accounts come back the moment the account is reactivated and make access reviews noisy.",
    remediation: {
      summary: "Remove roles and group memberships from deactivated users.",
      steps: [
        "Open sys_user_has_role_list.do?sysparm_query=user.active=false.",
        "Remove the grants (or the groups that grant them).",
      ],
    },
    references: [REF.communityChecks],
    resourceType: "sys_user_has_role",
    controls: ["A3"],
    tables: {
      sys_user_has_role: ["user", "role", "inherited", "granted_by"],
      sys_user: USER_FIELDS,
    },
    // The deactivated users first, then only their grants (user_ref, see heldRoles).
    sql: `
with inactive as materialized (
  select u.sys_id, u.data from ${records("sys_user")} u where ${isFalse("u", "active")}
)
select g.sys_id as resource_key, 'sys_user_has_role' as table_name, g.sys_id, 'FAIL' as status,
       jsonb_build_object('user', g.data ->> 'user', 'user_name', u.data ->> 'user_name', 'role', g.data ->> 'role',
                          'inherited', g.data ->> 'inherited', 'granted_by', g.data ->> 'granted_by') as evidence
from public.snow_records g
join inactive u on u.sys_id = g.data ->> 'user'
where g.instance_id = $1::uuid and g.table_name = 'sys_user_has_role'
  and g.user_ref = any (array(select sys_id from inactive))
order by g.sys_id`,
  }),
  behavioural({
    id: "identity_inactive_user_in_groups",
    title: "Group memberships of deactivated users",
    area: "identity",
    severity: "low",
    riskScore: 3.7,
    description:
      "sys_user_grmember rows whose user is deactivated (community check `user.active=false`).",
    risk:
      "Memberships on deactivated users restore group roles on reactivation and inflate group-based approvals.",
    remediation: {
      summary: "Remove deactivated users from their groups.",
      steps: [
        "Open sys_user_grmember_list.do?sysparm_query=user.active=false and delete the memberships.",
      ],
      code: [script(`
var gr = new GlideRecord('sys_user_grmember');
gr.addQuery('user.active', false);
gr.query();
while (gr.next()) gr.deleteRecord();`)],
    },
    references: [REF.communityChecks],
    resourceType: "sys_user_grmember",
    controls: ["A3"],
    tables: { sys_user_grmember: ["user", "group"], sys_user: USER_FIELDS },
    sql: `
select m.sys_id as resource_key, 'sys_user_grmember' as table_name, m.sys_id, 'FAIL' as status,
       jsonb_build_object('user', m.data ->> 'user', 'user_name', u.data ->> 'user_name', 'group', m.data ->> 'group') as evidence
from ${records("sys_user_grmember")} m
join ${records("sys_user")} u on u.sys_id = m.data ->> 'user'
where ${isFalse("u", "active")}
order by m.sys_id`,
  }),
  behavioural({
    id: "identity_account_generic_name",
    title: "Active accounts with generic or shared-looking user names",
    area: "identity",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Active users whose user_name (trimmed, any case) matches the generic-account pattern: starting with admin, test, temp, shared, generic, service, svc, demo, training or itil, or carrying test, temp, shared, generic, demo or training as a later part (`helpdesk.shared`, `qa-test2`), each with or without trailing digits; this includes the baseline admin account (sn_SE10101).",
    risk:
      "Generic accounts are shared, so actions cannot be traced to a person (IA-2, PCI DSS 8.2.2).",
    remediation: {
      summary: "Replace generic accounts with named accounts, or deactivate them.",
      steps: [
        "For each account, find who uses it; give each person a named account with the same roles.",
        "Deactivate and lock the generic account (for the baseline admin: remove its roles and groups).",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_user",
    parameters: [{
      name: "pattern",
      kind: "pattern",
      description: "Regular expression for generic user names (case-insensitive).",
      default: GENERIC_USER_NAME,
      maxLength: 500,
    }],
    controls: ["A4"],
    tables: { sys_user: USER_FIELDS },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name') as evidence
from ${records("sys_user")} u
where ${isTrue("u", "active")} and btrim(${f("u", "user_name")}) ~* ${textParam("pattern")}
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_account_unattributed",
    title: "Interactive accounts that cannot be traced to a person",
    area: "identity",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Active interactive users (not web-service-only, not integration users) whose email, employee_number and manager are all set and empty: the signals auditors use besides the name to recognise generic or shared accounts.",
    risk:
      "An account tied to no mailbox, no employee and no manager is usually shared or generic; its actions cannot be traced to a person (IA-2, PCI DSS 8.2.2).",
    remediation: {
      summary: "Give the account an owner (email, employee number, manager) or deactivate it.",
      steps: [
        "Find who uses the account; if it is a person, fill in email, employee number and manager.",
        "If it is shared, give each person a named account and deactivate this one; if it is an integration, set Web service access only.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_user",
    controls: ["A4"],
    tables: {
      sys_user: [...USER_FIELDS, "email", "employee_number", "manager", ...SERVICE_ACCOUNT_FIELDS],
    },
    evidenceOnly: { sys_user: ["user_name"] },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name') as evidence
from ${records("sys_user")} u
where ${isTrue("u", "active")} and ${INTERACTIVE}
  and ${isBlank("u", "email")} and ${isBlank("u", "employee_number")} and ${isBlank("u", "manager")}
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_account_shared_email",
    title: "Active accounts sharing one email address",
    area: "identity",
    severity: "medium",
    riskScore: 4.3,
    description:
      "Active users whose email (trimmed, case-insensitive) is also the email of another active user.",
    risk:
      "Several accounts behind one mailbox point to shared credentials or duplicates, and password resets reach the wrong person.",
    remediation: {
      summary:
        "Give every person one account with their own mailbox; merge or deactivate duplicates.",
      steps: [
        "Group sys_user by email, review each group with the owners, and deactivate duplicate accounts.",
      ],
    },
    resourceType: "sys_user",
    controls: ["A4"],
    tables: { sys_user: [...USER_FIELDS, "email"] },
    sql: `
with active_users as (
  select u.sys_id, u.data,
         lower(regexp_replace(${f("u", "email")}, '^[[:space:]]+|[[:space:]]+$', '', 'g')) as email
  from ${records("sys_user")} u
  where ${isTrue("u", "active")}
)
select a.sys_id as resource_key, 'sys_user' as table_name, a.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', a.data ->> 'user_name', 'email', a.email,
                          'accounts_with_email', count(*) over (partition by a.email)) as evidence
from active_users a
where a.email <> '' and a.email in (select email from active_users group by email having count(*) > 1)
order by a.sys_id`,
  }),
  behavioural({
    id: "identity_integration_account_interactive",
    title: "Integration accounts allowed to log in interactively",
    area: "identity",
    severity: "medium",
    riskScore: 5.9,
    description:
      "Active users flagged internal_integration_user whose web_service_access_only flag is not set, so they can log in to the UI.",
    risk:
      "Integration credentials are stored in other systems; if they also open the UI, a leaked secret gives a full interactive session (A4, sn_SE10475).",
    remediation: {
      summary: "Set Web service access only on integration users.",
      steps: [
        "Open each user and select Web service access only; rotate its password if it was used interactively.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_user",
    controls: ["A4"],
    tables: { sys_user: [...USER_FIELDS, "internal_integration_user", "web_service_access_only"] },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name', 'internal_integration_user', u.data ->> 'internal_integration_user',
                          'web_service_access_only', u.data ->> 'web_service_access_only') as evidence
from ${records("sys_user")} u
where ${isTrue("u", "active")} and ${isTrue("u", "internal_integration_user")} and not ${
      isTrue("u", "web_service_access_only")
    }
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_privileged_role_excessive_holders",
    title: "High-privilege roles held by too many active users",
    area: "identity",
    severity: "high",
    riskScore: 7.1,
    description:
      "Per high-privilege role (admin, security_admin, user_admin, itil_admin), the distinct active users holding it, directly or inherited; more than the threshold fails (sn_SE10473).",
    risk:
      "Every extra administrator is another credential that can take over the instance; broad admin grants defeat least privilege (AC-6(5)).",
    remediation: {
      summary: "Reduce each high-privilege role to the people who need it.",
      steps: [
        "List holders: sys_user_has_role_list.do?sysparm_query=role.name=<role>^user.active=true^state=active.",
        "Remove the role (or the group granting it) from users who do not need it; use elevated roles for occasional tasks.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_user_role",
    parameters: [
      {
        name: "roles",
        kind: "string_list",
        description: "Roles whose distinct active holders are counted.",
        default: ["admin", "security_admin", "user_admin", "itil_admin"],
        minItems: 1,
        maxItems: 50,
        itemPattern: ROLE_ITEM,
      },
      {
        name: "threshold",
        kind: "integer",
        description: "More than this many distinct active holders fails.",
        default: 10,
        min: 0,
        max: 100000,
      },
    ],
    controls: ["A5"],
    returns: "all",
    tables: { sys_user: USER_FIELDS, ...HELD_ROLES_TABLES },
    sql: `
with ${heldRoles({ roles: listParam("roles") })},
active_users as (select u.sys_id, u.data ->> 'user_name' as user_name from ${
      records("sys_user")
    } u where ${isTrue("u", "active")}),
roles as (
  select ro.data ->> 'name' as name, max(ro.sys_id) as role_id
  from ${records("sys_user_role")} ro
  where ro.data ->> 'name' in ${listParam("roles")}
  group by ro.data ->> 'name'
),
counts as (
  select r.name, r.role_id, count(distinct a.sys_id) as holders,
         (array_agg(distinct a.user_name) filter (where a.user_name is not null))[1:20] as sample
  from roles r
  left join held h on h.role_name = r.name
  left join active_users a on a.sys_id = h.user_id
  group by r.name, r.role_id
)
select c.role_id as resource_key, 'sys_user_role' as table_name, c.role_id as sys_id,
       case when c.holders > ${intParam("threshold")} then 'FAIL' else 'PASS' end as status,
       jsonb_build_object('role', c.name, 'active_holders', c.holders, 'threshold', ${
      intParam("threshold")
    },
                          'active_users', (select count(*) from active_users),
                          'sample_holders', to_jsonb(coalesce(c.sample, '{}'))) as evidence
from counts c
order by c.name`,
  }),
  behavioural({
    id: "identity_sod_conflicting_roles",
    title: "Users holding conflicting roles (segregation of duties)",
    area: "identity",
    severity: "high",
    riskScore: 7.5,
    description:
      "Active users holding both roles of a conflicting pair from the organization's SoD rule set (default: admin, impersonator or user_admin with security_admin, and snc_internal with snc_external).",
    risk:
      "One person who can both grant and use security privileges, or who is both internal and external, can act without a second pair of eyes (AC-5, ISO 27001 A.5.3).",
    remediation: {
      summary: "Split the conflicting roles between different people.",
      steps: [
        "For each user, decide which of the two duties the person keeps.",
        "Remove the other role, or the group that grants it; document any accepted exception.",
      ],
    },
    references: [REF.auditor],
    resourceType: "sys_user",
    parameters: [CONFLICTING_PAIRS],
    controls: ["A6"],
    tables: { sys_user: USER_FIELDS, ...HELD_ROLES_TABLES },
    // Candidates first, from the role_ref index alone (user and role of every
    // grant of the pairs' roles, any state): the users holding both roles of a
    // pair. Only their grants are then read and judged (state, role name).
    sql: `
with held_role as materialized (
  ${NAMED_ROLES}
    and r.data ->> 'name' in (select p ->> 0 from jsonb_array_elements($2::jsonb -> 'pairs') p
                              union select p ->> 1 from jsonb_array_elements($2::jsonb -> 'pairs') p)
),
pairs as (select p ->> 0 as a, p ->> 1 as b from jsonb_array_elements($2::jsonb -> 'pairs') as p),
assigned as materialized (
  select h.user_ref, h.role_ref from public.snow_records h
  where h.instance_id = $1::uuid and h.role_ref = any (array(select sys_id from held_role))
),
-- Grouped in byte order ("C"): no locale-aware sort of 90k ids.
candidate as materialized (
  select distinct g.user_ref collate "default" as user_ref
  from (select x.user_ref collate "C" as user_ref
        from assigned x
        join held_role ro on ro.sys_id = x.role_ref
        join pairs on ro.role_name in (pairs.a, pairs.b)
        group by 1, pairs.a, pairs.b
        having bool_or(ro.role_name = pairs.a) and bool_or(ro.role_name = pairs.b)) g
),
held_grant as materialized (
  select h.data ->> 'user' as user_id, ro.role_name
  from public.snow_records h
  join held_role ro on ro.sys_id = h.data ->> 'role'
  where h.instance_id = $1::uuid and h.table_name = 'sys_user_has_role'
    and h.user_ref = any (array(select user_ref from candidate))
    and h.data ->> 'state' = 'active'
),
-- The grants themselves, not a de-duplicated held set: a pair holds or not
-- either way, and the users that exist are the ones the join below keeps.
hits as (
  select h1.user_id, jsonb_agg(distinct jsonb_build_array(pairs.a, pairs.b)) as pairs
  from pairs
  join held_grant h1 on h1.role_name = pairs.a
  join held_grant h2 on h2.user_id = h1.user_id and h2.role_name = pairs.b
  group by h1.user_id
)
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name', 'conflicting_pairs', h.pairs) as evidence
from hits h
join ${records("sys_user")} u on u.sys_id = h.user_id
where u.sys_id = any (array(select user_id from hits)) and ${isTrue("u", "active")}
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_sod_group_conflicting_roles",
    title: "Groups granting conflicting roles together",
    area: "identity",
    severity: "medium",
    riskScore: 6.5,
    description:
      "Active groups whose own role grants (sys_group_has_role) include both roles of a conflicting pair from the SoD rule set, so every member gets the conflict.",
    risk:
      "A group that bundles conflicting duties creates SoD violations for every new member without anyone granting them deliberately.",
    remediation: {
      summary: "Split the group so that each conflicting role is granted by a different group.",
      steps: [
        "Open the group's Roles related list and move one of the roles to a separate group with its own members.",
      ],
    },
    resourceType: "sys_user_group",
    parameters: [CONFLICTING_PAIRS],
    tables: {
      sys_user_group: ["name", "active"],
      sys_group_has_role: ["group", "role"],
      sys_user_role: ["name"],
    },
    sql: `
with granted as (
  select gr.data ->> 'group' as group_id, ro.data ->> 'name' as role_name
  from ${records("sys_group_has_role")} gr
  join ${records("sys_user_role")} ro on ro.sys_id = gr.data ->> 'role'
),
pairs as (select p ->> 0 as a, p ->> 1 as b from jsonb_array_elements($2::jsonb -> 'pairs') as p),
hits as (
  select g1.group_id, jsonb_agg(distinct jsonb_build_array(pairs.a, pairs.b)) as pairs
  from pairs
  join granted g1 on g1.role_name = pairs.a
  join granted g2 on g2.group_id = g1.group_id and g2.role_name = pairs.b
  group by g1.group_id
)
select g.sys_id as resource_key, 'sys_user_group' as table_name, g.sys_id, 'FAIL' as status,
       jsonb_build_object('group', g.data ->> 'name', 'conflicting_pairs', h.pairs) as evidence
from hits h
join ${records("sys_user_group")} g on g.sys_id = h.group_id
where ${isTrue("g", "active")}
order by g.sys_id`,
  }),
  behavioural({
    id: "identity_role_granted_directly",
    title: "Roles granted directly to users instead of through groups",
    area: "identity",
    severity: "low",
    riskScore: 3.1,
    description:
      "Active sys_user_has_role grants with inherited = false (sn_SE10104: users should not be granted roles directly).",
    risk:
      "Direct grants bypass group-based provisioning, so they survive job changes and are missed by group access reviews.",
    remediation: {
      summary: "Grant roles through groups and remove direct grants.",
      steps: [
        "Open sys_user_has_role_list.do?sysparm_query=inherited=false^state=active.",
        "Add the user to a group that carries the role, then remove the direct grant.",
      ],
    },
    references: [REF.scanManageability],
    resourceType: "sys_user_has_role",
    controls: ["A7"],
    tables: {
      sys_user_has_role: ["user", "role", "inherited", "state"],
      sys_user: ["user_name"],
      sys_user_role: ["name"],
    },
    // The conditions are those of the partial index snow_records_direct_grant_idx
    // (a few hundred grants); then only their users and roles are looked up.
    sql: `
with direct as materialized (
  select g.sys_id, g.data from ${records("sys_user_has_role")} g
  where g.data ->> 'state' = 'active' and ${isFalse("g", "inherited")}
)
select g.sys_id as resource_key, 'sys_user_has_role' as table_name, g.sys_id, 'FAIL' as status,
       jsonb_build_object('user', g.data ->> 'user', 'user_name', u.data ->> 'user_name',
                          'role', g.data ->> 'role', 'role_name', ro.data ->> 'name') as evidence
from direct g
left join (select u.sys_id, u.data from ${records("sys_user")} u
           where u.sys_id = any (array(select d.data ->> 'user' from direct d))) u
  on u.sys_id = g.data ->> 'user'
left join ${records("sys_user_role")} ro on ro.sys_id = g.data ->> 'role'
order by g.sys_id`,
  }),
  behavioural({
    id: "identity_integration_account_privileged",
    title: "Integration accounts holding admin or elevated roles",
    area: "identity",
    severity: "high",
    riskScore: 8.1,
    description:
      "Active role grants of admin or of a role marked elevated_privilege to users flagged web_service_access_only or internal_integration_user (sn_SE10444, sn_SE10461).",
    risk:
      "Integration secrets live in other systems; an admin-level integration account turns any leak there into full control of the instance (AC-6(10)).",
    remediation: {
      summary: "Give integration accounts only the roles their integration needs.",
      steps: [
        "Find which tables and APIs the integration uses; create a role with just those ACLs.",
        "Replace the admin or elevated grant with that role and rotate the account's credentials.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_user_has_role",
    controls: ["A8"],
    tables: {
      sys_user_has_role: ["user", "role", "state"],
      sys_user: ["user_name", "web_service_access_only", "internal_integration_user"],
      sys_user_role: ["name", "elevated_privilege"],
    },
    // The integration accounts first, then only their grants (user_ref, see heldRoles).
    sql: `
with integration as materialized (
  select u.sys_id, u.data from ${records("sys_user")} u
  where ${isTrue("u", "web_service_access_only")} or ${isTrue("u", "internal_integration_user")}
)
select g.sys_id as resource_key, 'sys_user_has_role' as table_name, g.sys_id, 'FAIL' as status,
       jsonb_build_object('user', g.data ->> 'user', 'user_name', u.data ->> 'user_name', 'role_name', ro.data ->> 'name',
                          'elevated_privilege', ro.data ->> 'elevated_privilege',
                          'web_service_access_only', u.data ->> 'web_service_access_only',
                          'internal_integration_user', u.data ->> 'internal_integration_user') as evidence
from public.snow_records g
join integration u on u.sys_id = g.data ->> 'user'
join ${records("sys_user_role")} ro on ro.sys_id = g.data ->> 'role'
where g.instance_id = $1::uuid and g.table_name = 'sys_user_has_role'
  and g.user_ref = any (array(select sys_id from integration))
  and g.data ->> 'state' = 'active'
  and (${isTrue("ro", "elevated_privilege")} or ro.data ->> 'name' = 'admin')
order by g.sys_id`,
  }),
  behavioural({
    id: "identity_role_grant_orphaned",
    title: "Role grants whose user no longer exists",
    area: "identity",
    severity: "low",
    riskScore: 3.1,
    description:
      "sys_user_has_role rows whose user is empty or not a sys_user record (community check `userISEMPTY`).",
    risk: "Orphaned grants make access reports wrong and can re-attach to a recreated account.",
    remediation: {
      summary: "Delete orphaned role grants.",
      steps: [
        "Open sys_user_has_role_list.do?sysparm_query=userISEMPTY and delete the rows (and any whose user was deleted).",
      ],
    },
    references: [REF.communityChecks],
    resourceType: "sys_user_has_role",
    controls: ["A9"],
    tables: { sys_user_has_role: ["user", "role"], sys_user: ["user_name"] },
    // Grants with a user reference are matched against the users from the
    // user_ref index alone (no assignment page read); grants whose `user` is
    // not a string (user_ref null) are looked at one by one.
    sql: `
with orphan as materialized (
  select g.sys_id from public.snow_records g
  where g.instance_id = $1::uuid and g.user_ref is not null and not exists (
    select 1 from public.snow_records u
    where u.instance_id = $1::uuid and u.table_name = 'sys_user' and u.sys_id = g.user_ref)
  union all
  select g.sys_id from public.snow_records g
  where g.instance_id = $1::uuid and g.table_name = 'sys_user_has_role' and g.user_ref is null
    and ${hasField("g", "user")}
)
select g.sys_id as resource_key, 'sys_user_has_role' as table_name, g.sys_id, 'FAIL' as status,
       jsonb_build_object('user', g.data ->> 'user', 'role', g.data ->> 'role') as evidence
from ${records("sys_user_has_role")} g
where g.sys_id = any (array(select sys_id from orphan))
order by g.sys_id`,
  }),
  behavioural({
    id: "identity_group_membership_orphaned",
    title: "Group memberships of missing users or of missing or inactive groups",
    area: "identity",
    severity: "low",
    riskScore: 2.7,
    description:
      "sys_user_grmember rows whose user or group does not exist, or whose group is inactive (community check `group.active=false`).",
    risk:
      "Stale memberships distort access reviews and regain meaning if the group is reactivated.",
    remediation: {
      summary: "Delete memberships of missing users and of missing or inactive groups.",
      steps: [
        "Open sys_user_grmember_list.do?sysparm_query=group.active=false and delete the rows; repeat for empty users and groups.",
      ],
    },
    references: [REF.communityChecks],
    resourceType: "sys_user_grmember",
    controls: ["A9"],
    tables: {
      sys_user_grmember: ["user", "group"],
      sys_user: ["user_name"],
      sys_user_group: ["name", "active"],
    },
    sql: `
select m.sys_id as resource_key, 'sys_user_grmember' as table_name, m.sys_id, 'FAIL' as status,
       jsonb_build_object('user', m.data ->> 'user', 'group', m.data ->> 'group', 'group_name', g.data ->> 'name',
                          'user_exists', u.sys_id is not null, 'group_exists', g.sys_id is not null,
                          'group_active', g.data ->> 'active') as evidence
from ${records("sys_user_grmember")} m
left join ${records("sys_user")} u on u.sys_id = m.data ->> 'user'
left join ${records("sys_user_group")} g on g.sys_id = m.data ->> 'group'
where ${hasField("m", "user")} and ${hasField("m", "group")}
  and (u.sys_id is null or g.sys_id is null or ${isFalse("g", "active")})
order by m.sys_id`,
  }),
  behavioural({
    id: "identity_account_brute_force_suspected",
    title: "Active accounts locked out or with many failed logins",
    area: "identity",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Active users that are locked out or whose failed_attempts reached the threshold (brute-force indicator).",
    risk:
      "Repeated failures on an account signal password guessing; a lockout that nobody investigates hides an attack (AC-7).",
    remediation: {
      summary: "Investigate the failed logins before unlocking the account.",
      steps: [
        "Check syslog and sysevent for login.failed events of the user and their source addresses.",
        "Reset the password with the user, then clear Locked out and Failed attempts.",
      ],
    },
    resourceType: "sys_user",
    parameters: [{
      name: "threshold",
      kind: "integer",
      description: "failed_attempts at or above this is a finding.",
      default: 5,
      min: 1,
      max: 1000,
    }],
    controls: ["A10"],
    tables: { sys_user: [...USER_FIELDS, "failed_attempts", "locked_out"] },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name', 'failed_attempts', u.data ->> 'failed_attempts',
                          'locked_out', u.data ->> 'locked_out') as evidence
from ${records("sys_user")} u
where ${isTrue("u", "active")}
  and (coalesce(public.sn_int(u.data ->> 'failed_attempts'), 0) >= ${intParam("threshold")} or ${
      isTrue("u", "locked_out")
    })
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_password_reset_pending",
    title: "Active accounts with a pending password reset",
    area: "identity",
    severity: "low",
    riskScore: 3.5,
    description: "Active users whose password_needs_reset flag is set.",
    risk: "A reset that is never completed leaves a temporary or compromised password in use.",
    remediation: {
      summary: "Have the users complete the reset, or lock accounts that are not used.",
      steps: ["Contact each user; lock accounts whose reset has been pending for weeks."],
    },
    resourceType: "sys_user",
    controls: ["A10"],
    tables: { sys_user: [...USER_FIELDS, "password_needs_reset"] },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name') as evidence
from ${records("sys_user")} u
where ${isTrue("u", "active")} and ${isTrue("u", "password_needs_reset")}
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_privileged_user_without_mfa",
    title: "Privileged users not enrolled in multi-factor authentication",
    area: "identity",
    severity: "high",
    riskScore: 8.1,
    description:
      "Active interactive users (not web-service-only, not integration users) holding a privileged role whose enable_multifactor_authn flag is not set (Security Center metric: local logins not protected by MFA).",
    risk:
      "A phished or reused password is enough to take over an administrator account without MFA (IA-2(1), PCI DSS 8.4.2).",
    remediation: {
      summary: "Enrol privileged users in MFA and enforce it with role-based MFA criteria.",
      steps: [
        "Activate the role-based MFA criteria (multi_factor_criteria) for admin roles.",
        "Set Enable Multi-factor authentication on each listed user, or verify MFA at the identity provider when SSO is used.",
      ],
    },
    references: [REF.privilegedUsers],
    resourceType: "sys_user",
    parameters: [PRIVILEGED_ROLES],
    controls: ["A11"],
    tables: {
      sys_user: [...USER_FIELDS, "enable_multifactor_authn", ...SERVICE_ACCOUNT_FIELDS],
      ...HELD_ROLES_TABLES,
    },
    evidenceOnly: { sys_user: ["user_name"] },
    sql: `
with ${heldRoles({ roles: listParam("roles") })},
privileged as (
  select h.user_id, array_agg(h.role_name order by h.role_name) as roles
  from held h where h.role_name in ${listParam("roles")}
  group by h.user_id
)
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name', 'privileged_roles', to_jsonb(p.roles),
                          'enable_multifactor_authn', u.data ->> 'enable_multifactor_authn') as evidence
from ${records("sys_user")} u
join privileged p on p.user_id = u.sys_id
where ${isTrue("u", "active")} and ${INTERACTIVE}
  and ${hasField("u", "enable_multifactor_authn")}
  and not ${isTrue("u", "enable_multifactor_authn")}
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_impersonator_role_non_admin",
    title: "Non-admin users who can impersonate others",
    area: "identity",
    severity: "high",
    riskScore: 7.2,
    description: "Active users holding the impersonator role without holding admin.",
    risk:
      "Impersonation lets a user act as anyone, including administrators; outside the admin team it breaks accountability (AC-6(9)).",
    remediation: {
      summary: "Remove the impersonator role from users who are not administrators.",
      steps: [
        "Open sys_user_has_role_list.do?sysparm_query=role.name=impersonator and remove the grants (or groups) for non-admins.",
      ],
    },
    resourceType: "sys_user",
    parameters: [{
      name: "roles",
      kind: "string_list",
      description: "Roles that allow impersonation.",
      default: ["impersonator"],
      minItems: 1,
      maxItems: 20,
      itemPattern: ROLE_ITEM,
    }],
    controls: ["A15"],
    tables: { sys_user: USER_FIELDS, ...HELD_ROLES_TABLES },
    sql: `
with ${
      heldRoles({
        roles: `(select jsonb_array_elements_text($2::jsonb -> 'roles') union select 'admin')`,
      })
    }
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name',
                          'impersonation_roles', (select jsonb_agg(distinct h.role_name) from held h
                                                  where h.user_id = u.sys_id and h.role_name in ${
      listParam("roles")
    })) as evidence
from ${records("sys_user")} u
where ${isTrue("u", "active")}
  and exists (select 1 from held h where h.user_id = u.sys_id and h.role_name in ${
      listParam("roles")
    })
  and not exists (select 1 from held h where h.user_id = u.sys_id and h.role_name = 'admin')
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_default_admin_account_enabled",
    title: "Baseline admin account still active or holding roles",
    area: "identity",
    severity: "high",
    riskScore: 7.5,
    description:
      "The baseline `admin` user (user name `admin` in any case, or the baseline record's sys_id when it was renamed) is active, or still holds roles or group memberships (sn_SE10101).",
    risk:
      "The admin account name is known to every attacker and shared by installers; it should not be a working login.",
    remediation: {
      summary:
        "Give administrators named accounts, then deactivate the baseline admin account and strip its roles.",
      steps: [
        "Make sure at least two named accounts hold admin and can log in.",
        "Open the admin user, remove its roles and groups, clear Active and select Locked out.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_user",
    tables: {
      sys_user: USER_FIELDS,
      sys_user_has_role: ["user", "state"],
      sys_user_grmember: ["user"],
    },
    sql: `
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name', 'active', u.data ->> 'active',
                          'role_grants', (select count(*) from ${ROLE_GRANTS} g
                                          where g.user_ref = u.sys_id and g.data ->> 'state' = 'active'),
                          'group_memberships', (select count(*) from ${
      records("sys_user_grmember")
    } m
                                                where m.data ->> 'user' = u.sys_id)) as evidence
from ${records("sys_user")} u
where (${lowerName("u.data ->> 'user_name'")} = 'admin' or u.sys_id = '${BASELINE_ADMIN_SYS_ID}')
  and (${isTrue("u", "active")}
       or exists (select 1 from ${ROLE_GRANTS} g
                  where g.user_ref = u.sys_id and g.data ->> 'state' = 'active')
       or exists (select 1 from ${
      records("sys_user_grmember")
    } m where m.data ->> 'user' = u.sys_id))
order by u.sys_id`,
  }),
  behavioural({
    id: "identity_admin_share_high",
    title: "Share of active users holding admin above the limit",
    area: "identity",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Distinct active users holding admin (directly or inherited) as a share of all active users; above the limit fails (A5 ratio metric).",
    risk:
      "When a large part of the user base is admin, ACLs stop protecting anything and every phished account is critical.",
    remediation: {
      summary:
        "Reduce admin to a small operations team; use delegated or scoped admin roles for the rest.",
      steps: [
        "Review the admin holders (see the excessive-holders check) and move routine work to narrower roles.",
      ],
    },
    resourceType: "sys_user_role",
    parameters: [{
      name: "max_share",
      kind: "number",
      description: "Largest acceptable share of active users holding admin (0–1).",
      default: 0.05,
      min: 0,
      max: 1,
    }],
    returns: "all",
    tables: { sys_user: USER_FIELDS, ...HELD_ROLES_TABLES },
    sql: `
with ${heldRoles({ roles: "('admin')" })},
active_users as (select u.sys_id from ${records("sys_user")} u where ${isTrue("u", "active")}),
admin_role as (select max(ro.sys_id) as role_id from ${
      records("sys_user_role")
    } ro where ro.data ->> 'name' = 'admin'),
figures as materialized ( -- counted once, not once per reference below
  select (select count(*) from active_users) as active_users,
         (select count(distinct h.user_id) from held h join active_users a on a.sys_id = h.user_id
          where h.role_name = 'admin') as admins
)
select r.role_id as resource_key, 'sys_user_role' as table_name, r.role_id as sys_id,
       case when fg.active_users > 0 and fg.admins::numeric / fg.active_users > ${
      intParam("max_share")
    }
            then 'FAIL' else 'PASS' end as status,
       jsonb_build_object('admins', fg.admins, 'active_users', fg.active_users,
                          'share', case when fg.active_users = 0 then 0 else round(fg.admins::numeric / fg.active_users, 4) end,
                          'max_share', ${intParam("max_share")}) as evidence
from admin_role r cross join figures fg
where r.role_id is not null`,
  }),
];
