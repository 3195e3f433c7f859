/**
 * ACL hygiene (A13) and public or external exposure (A14, guest and snc_external).
 *
 * @module
 */

import { behavioural, REF } from "../_define.ts";
import type { Check } from "../types.ts";
import {
  ACL_IS_EMPTY,
  ACL_ROLES,
  ACL_ROLES_TABLES,
  f,
  hasField,
  HELD_ROLES_TABLES,
  heldRoles,
  isBlank,
  isFalse,
  isTrue,
  listParam,
  lowerName,
  pageName,
  records,
  snippet,
  unlessAbsent,
} from "./_sql.ts";

const ACL_FIELDS = ["name", "type", "operation", "active", "advanced", "script", "condition"];

const ACL_EVIDENCE =
  `'name', a.data ->> 'name', 'type', a.data ->> 'type', 'operation', a.data ->> 'operation'`;

/** Access control rule checks. */
export const ACCESS_CONTROL_CHECKS: readonly Check[] = [
  behavioural({
    id: "acl_rule_empty",
    title: "Active ACLs with no role, condition or script",
    area: "access_control",
    severity: "high",
    riskScore: 7.5,
    description:
      'Active sys_security_acl records that require no role (or only the public role), have no condition and no script (Auditor check "Empty ACLs", sn_SE10541).',
    risk:
      "An empty ACL grants its operation to everyone who reaches it, including guests, and silently overrides stricter wildcard rules.",
    remediation: {
      summary: "Give every ACL a role, a condition or a script, or deactivate it.",
      steps: [
        "Open each ACL (sys_security_acl.do?sys_id=<resource>) with security_admin elevated.",
        "Add the roles that need the access in Requires role, or deactivate the ACL if it is not needed.",
      ],
    },
    references: [REF.acl, REF.auditor],
    resourceType: "sys_security_acl",
    controls: ["A13"],
    tables: { sys_security_acl: ACL_FIELDS, ...ACL_ROLES_TABLES },
    sql: `
with ${ACL_ROLES}
select a.sys_id as resource_key, 'sys_security_acl' as table_name, a.sys_id, 'FAIL' as status,
       jsonb_build_object(${ACL_EVIDENCE}, 'roles', to_jsonb(coalesce(ar.role_names, '{}'))) as evidence
from ${records("sys_security_acl")} a
left join acl_roles ar on ar.acl_id = a.sys_id
where ${isTrue("a", "active")} and ${ACL_IS_EMPTY}
order by a.sys_id`,
  }),
  behavioural({
    id: "acl_script_hidden_not_advanced",
    title: "ACLs whose script runs although Advanced is cleared",
    area: "access_control",
    severity: "medium",
    riskScore: 5.3,
    description:
      "Active ACLs with a non-empty script and advanced = false: the script still executes but is hidden on the form (community check).",
    risk:
      "Reviewers looking at the form do not see the script that decides access, so a permissive or malicious script goes unnoticed.",
    remediation: {
      summary: "Make hidden ACL scripts visible and reviewed.",
      steps: [
        "Open each ACL, select Advanced, review the script, and remove it if the ACL does not need one.",
      ],
    },
    references: [REF.communityChecks],
    resourceType: "sys_security_acl",
    controls: ["A13"],
    tables: { sys_security_acl: ACL_FIELDS },
    sql: `
select a.sys_id as resource_key, 'sys_security_acl' as table_name, a.sys_id, 'FAIL' as status,
       jsonb_build_object(${ACL_EVIDENCE}, 'script', ${snippet("a", "script", 120)}) as evidence
from ${records("sys_security_acl")} a
where ${isTrue("a", "active")} and not ${isBlank("a", "script")} and ${isFalse("a", "advanced")}
order by a.sys_id`,
  }),
  behavioural({
    id: "acl_table_without_rules",
    title: "Tables without any active record ACL",
    area: "access_control",
    severity: "medium",
    riskScore: 5.3,
    description:
      'sys_db_object tables whose name is not the table part of any active ACL of type record, names compared as ServiceNow\'s queries compare them (any case, surrounding spaces ignored) (Auditor check "Tables without ACLs").',
    risk:
      "Without a table ACL, access falls back to wildcard rules and the default security mode; with glide.sm.default_mode=allow the table is open.",
    remediation: {
      summary: "Create table-level ACLs for read, write, create and delete on each listed table.",
      steps: [
        "With security_admin elevated, create record ACLs named <table> (and <table>.*) with the roles that need access.",
      ],
    },
    references: [REF.auditor, REF.acl],
    resourceType: "sys_db_object",
    controls: ["A13"],
    tables: { sys_db_object: ["name", "label"], sys_security_acl: ["name", "type", "active"] },
    sql: `
with rules as (
  select ${lowerName("a.data ->> 'name'")} as name
  from ${records("sys_security_acl")} a
  where ${unlessAbsent("a", "active", isTrue("a", "active"))}
    and ${unlessAbsent("a", "type", "a.data ->> 'type' = 'record'")}
),
covered as (select distinct split_part(r.name, '.', 1) as table_name from rules r)
select t.sys_id as resource_key, 'sys_db_object' as table_name, t.sys_id, 'FAIL' as status,
       jsonb_build_object('name', t.data ->> 'name', 'label', t.data ->> 'label') as evidence
from ${records("sys_db_object")} t
where ${hasField("t", "name")}
  and not exists (select 1 from covered c where c.table_name = ${lowerName(f("t", "name"))})
  -- a rule whose name is absent could cover any table
  and not exists (select 1 from rules r where r.name is null)
order by t.sys_id`,
  }),
  behavioural({
    id: "acl_wildcard_rule_modified",
    title: "Wildcard ACLs changed from the baseline",
    area: "access_control",
    severity: "medium",
    riskScore: 6.1,
    description:
      "Active ACLs named * or *.* last updated by someone other than glide.maint (the baseline author).",
    risk:
      "The wildcard ACLs are the fallback for every table without its own rule; a local change can open the whole instance at once.",
    remediation: {
      summary:
        "Review the change against the baseline and revert it unless it is deliberate and approved.",
      steps: [
        "Open the ACL's versions (sys_update_version) and compare with the baseline; revert or document the approved change.",
      ],
    },
    references: [REF.acl],
    resourceType: "sys_security_acl",
    tables: { sys_security_acl: ["name", "type", "operation", "active", "sys_updated_by"] },
    sql: `
select a.sys_id as resource_key, 'sys_security_acl' as table_name, a.sys_id, 'FAIL' as status,
       jsonb_build_object(${ACL_EVIDENCE}, 'sys_updated_by', a.data ->> 'sys_updated_by',
                          'sys_updated_on', a.data ->> 'sys_updated_on') as evidence
from ${records("sys_security_acl")} a
where ${isTrue("a", "active")} and btrim(a.data ->> 'name') in ('*', '*.*')
  and ${lowerName(f("a", "sys_updated_by"))} not in ('glide.maint', '')
order by a.sys_id`,
  }),
  behavioural({
    id: "acl_client_callable_script_include_unprotected",
    title: "Client-callable script includes without an ACL",
    area: "access_control",
    severity: "high",
    riskScore: 7.3,
    description:
      "Active client-callable script includes with no active ACL of type client_callable_script_include named after them (name or API name, in any case, surrounding spaces ignored, as ServiceNow's queries compare names) (Auditor check).",
    risk:
      "Client-callable script includes are reachable through GlideAjax by any logged-in user (and by guests when glide.script.ccsi.ispublic is true).",
    remediation: {
      summary:
        "Protect each client-callable script include with an execute ACL, or make it not client-callable.",
      steps: [
        "Create an ACL of type client_callable_script_include, operation execute, named after the script include, with the roles that need it.",
        "If no client code calls it, clear Client callable.",
      ],
    },
    references: [REF.auditor],
    resourceType: "sys_script_include",
    tables: {
      sys_script_include: ["name", "api_name", "active", "client_callable"],
      sys_security_acl: ["name", "type", "active"],
    },
    sql: `
select s.sys_id as resource_key, 'sys_script_include' as table_name, s.sys_id, 'FAIL' as status,
       jsonb_build_object('name', s.data ->> 'name', 'api_name', s.data ->> 'api_name') as evidence
from ${records("sys_script_include")} s
where ${isTrue("s", "active")} and ${isTrue("s", "client_callable")}
  and not exists (
    select 1 from ${records("sys_security_acl")} a
    where ${unlessAbsent("a", "active", isTrue("a", "active"))}
      and ${unlessAbsent("a", "type", "a.data ->> 'type' = 'client_callable_script_include'")}
      and ${
      unlessAbsent(
        "a",
        "name",
        `${lowerName("a.data ->> 'name'")} in (${lowerName("s.data ->> 'name'")}, ${
          lowerName("s.data ->> 'api_name'")
        })`,
      )
    })
  -- an ACL may be named after either: without both, one could exist
  and ${hasField("s", "name")} and ${hasField("s", "api_name")}
order by s.sys_id`,
  }),
  behavioural({
    id: "acl_ui_page_unprotected",
    title: "UI pages without an ACL",
    area: "access_control",
    severity: "low",
    riskScore: 3.9,
    description:
      'UI pages with no active ACL of type ui_page named after them (in any case, surrounding spaces ignored, as ServiceNow\'s queries compare names) (Auditor check "UI pages without ACLs").',
    risk:
      "A UI page without an ACL renders for any user who knows its URL, along with whatever data its processing script reads.",
    remediation: {
      summary: "Add a ui_page ACL with the roles that need each page.",
      steps: [
        "With security_admin elevated, create an ACL of type ui_page, operation read, named after the page.",
      ],
    },
    references: [REF.auditor],
    resourceType: "sys_ui_page",
    tables: { sys_ui_page: ["name"], sys_security_acl: ["name", "type", "active"] },
    sql: `
select p.sys_id as resource_key, 'sys_ui_page' as table_name, p.sys_id, 'FAIL' as status,
       jsonb_build_object('name', p.data ->> 'name') as evidence
from ${records("sys_ui_page")} p
where ${hasField("p", "name")} and not exists (
  select 1 from ${records("sys_security_acl")} a
  where ${unlessAbsent("a", "active", isTrue("a", "active"))}
    and ${unlessAbsent("a", "type", "a.data ->> 'type' = 'ui_page'")}
    and ${
      unlessAbsent(
        "a",
        "name",
        `${lowerName("a.data ->> 'name'")} = ${lowerName("p.data ->> 'name'")}`,
      )
    })
order by p.sys_id`,
  }),
];

/** Exposure to unauthenticated, guest and external users. */
export const EXPOSURE_CHECKS: readonly Check[] = [
  behavioural({
    id: "exposure_scripted_rest_public",
    title: "Scripted REST resources that require no authentication",
    area: "exposure",
    severity: "high",
    riskScore: 8.2,
    description:
      "Active sys_ws_operation records with requires_authentication = false, which makes them public whatever their ACLs (sn_SE10522).",
    risk:
      "Anyone on the internet can call the resource; its script runs as guest and can leak or change data.",
    remediation: {
      summary:
        "Require authentication on every scripted REST resource that is not deliberately public.",
      steps: [
        "Open the resource, select Requires authentication and Requires ACL authorization, and add REST_Endpoint ACLs.",
      ],
    },
    references: [REF.scriptedRest, REF.communityChecks],
    resourceType: "sys_ws_operation",
    controls: ["A14"],
    tables: {
      sys_ws_operation: [
        "name",
        "active",
        "requires_authentication",
        "http_method",
        "operation_uri",
        "web_service_definition",
      ],
    },
    sql: `
select o.sys_id as resource_key, 'sys_ws_operation' as table_name, o.sys_id, 'FAIL' as status,
       jsonb_build_object('name', o.data ->> 'name', 'http_method', o.data ->> 'http_method',
                          'operation_uri', o.data ->> 'operation_uri',
                          'web_service_definition', o.data ->> 'web_service_definition') as evidence
from ${records("sys_ws_operation")} o
where ${isTrue("o", "active")} and ${isFalse("o", "requires_authentication")}
order by o.sys_id`,
  }),
  behavioural({
    id: "exposure_public_page_nonbaseline",
    title: "Public pages beyond the baseline login pages",
    area: "exposure",
    severity: "medium",
    riskScore: 6.5,
    description:
      "Active sys_public records whose page is not one of the baseline public pages (login, logout, SSO locate, password reset, welcome), compared as ServiceNow serves them: case, a leading slash and the .do suffix do not matter.",
    risk:
      "Public pages are served without authentication; a custom page there can expose data or scripts to the internet.",
    remediation: {
      summary: "Deactivate public pages that do not need to be public.",
      steps: [
        "Open sys_public_list.do?sysparm_query=active=true, review each non-baseline page, and clear Active where not needed.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_public",
    parameters: [{
      name: "baseline_pages",
      kind: "string_list",
      description: "Public pages that belong to the baseline and are not findings.",
      default: [
        "login.do",
        "logout_success.do",
        "login_locate_sso.do",
        "password_reset.do",
        "welcome.do",
      ],
      minItems: 0,
      maxItems: 500,
      itemPattern: "^[A-Za-z0-9_.$/-]{1,200}$",
    }],
    controls: ["A14"],
    tables: { sys_public: ["page", "active"] },
    sql: `
select p.sys_id as resource_key, 'sys_public' as table_name, p.sys_id, 'FAIL' as status,
       jsonb_build_object('page', p.data ->> 'page') as evidence
from ${records("sys_public")} p
where ${isTrue("p", "active")}
  and ${pageName(f("p", "page"))} not in (select ${
      pageName("x")
    } from jsonb_array_elements_text($2::jsonb -> 'baseline_pages') as x)
order by p.sys_id`,
  }),
  behavioural({
    id: "exposure_scripted_rest_without_acl_check",
    title: "Scripted REST resources that authenticate but skip ACL checks",
    area: "exposure",
    severity: "medium",
    riskScore: 5.4,
    description:
      "Active sys_ws_operation records with requires_authentication = true and requires_acl_authorization = false.",
    risk:
      "Any authenticated user, including external and integration users, can call the resource regardless of role.",
    remediation: {
      summary:
        "Turn on ACL authorization and attach REST_Endpoint ACLs with the roles that need the API.",
      steps: [
        "Open the resource, select Requires ACL authorization, and add ACLs of type REST_Endpoint.",
      ],
    },
    references: [REF.scriptedRest],
    resourceType: "sys_ws_operation",
    tables: {
      sys_ws_operation: [
        "name",
        "active",
        "requires_authentication",
        "requires_acl_authorization",
        "operation_uri",
      ],
    },
    sql: `
select o.sys_id as resource_key, 'sys_ws_operation' as table_name, o.sys_id, 'FAIL' as status,
       jsonb_build_object('name', o.data ->> 'name', 'operation_uri', o.data ->> 'operation_uri') as evidence
from ${records("sys_ws_operation")} o
where ${isTrue("o", "active")} and ${isTrue("o", "requires_authentication")} and ${
      isFalse("o", "requires_acl_authorization")
    }
order by o.sys_id`,
  }),
  behavioural({
    id: "exposure_acl_external_read_sensitive_table",
    title: "Sensitive tables readable by external users or guests",
    area: "exposure",
    severity: "critical",
    riskScore: 9.1,
    description:
      "Active read ACLs on sensitive tables (users, roles, groups, properties, ACLs, scripts, credentials; ACL names in any case) that grant the snc_external or public role.",
    risk:
      "External portal users or unauthenticated visitors can list identities, security configuration or secrets (the 2023 widget data-exposure class).",
    remediation: {
      summary: "Remove the external and public roles from read ACLs on sensitive tables.",
      steps: [
        "Open each ACL with security_admin elevated and replace snc_external or public with internal roles.",
      ],
    },
    references: [REF.acl, REF.auditor],
    resourceType: "sys_security_acl",
    parameters: [{
      name: "tables",
      kind: "string_list",
      description: "Tables external users and guests must not read.",
      default: [
        "sys_user",
        "sys_user_has_role",
        "sys_user_group",
        "sys_user_grmember",
        "sys_user_role",
        "sys_properties",
        "sys_security_acl",
        "sys_script",
        "sys_script_include",
        "sys_certificate",
        "oauth_entity",
        "sys_auth_profile_basic",
      ],
      minItems: 1,
      maxItems: 500,
      itemPattern: "^[a-z0-9_]{1,80}$",
    }],
    tables: { sys_security_acl: ACL_FIELDS, ...ACL_ROLES_TABLES },
    sql: `
with ${ACL_ROLES}
select a.sys_id as resource_key, 'sys_security_acl' as table_name, a.sys_id, 'FAIL' as status,
       jsonb_build_object(${ACL_EVIDENCE}, 'roles', to_jsonb(ar.role_names)) as evidence
from ${records("sys_security_acl")} a
join acl_roles ar on ar.acl_id = a.sys_id
where ${isTrue("a", "active")} and a.data ->> 'operation' = 'read'
  and split_part(${lowerName(f("a", "name"))}, '.', 1) in ${listParam("tables")}
  and ar.role_names && array['snc_external', 'public']
order by a.sys_id`,
  }),
  behavioural({
    id: "exposure_acl_public_write",
    title: "ACLs letting the public role write, create or delete",
    area: "exposure",
    severity: "critical",
    riskScore: 9.1,
    description: "Active ACLs for write, create or delete that require the public role.",
    risk: "Unauthenticated visitors can change or delete records the ACL covers.",
    remediation: {
      summary: "Replace the public role with the internal roles that need to change the data.",
      steps: [
        "Open each ACL with security_admin elevated, remove public from Requires role and add the right roles.",
      ],
    },
    references: [REF.acl],
    resourceType: "sys_security_acl",
    tables: { sys_security_acl: ACL_FIELDS, ...ACL_ROLES_TABLES },
    sql: `
with ${ACL_ROLES}
select a.sys_id as resource_key, 'sys_security_acl' as table_name, a.sys_id, 'FAIL' as status,
       jsonb_build_object(${ACL_EVIDENCE}, 'roles', to_jsonb(ar.role_names)) as evidence
from ${records("sys_security_acl")} a
join acl_roles ar on ar.acl_id = a.sys_id
where ${isTrue("a", "active")} and a.data ->> 'operation' in ('write', 'create', 'delete')
  and 'public' = any (ar.role_names)
order by a.sys_id`,
  }),
  behavioural({
    id: "exposure_guest_user_has_roles",
    title: "Guest user holding roles",
    area: "exposure",
    severity: "high",
    riskScore: 8.2,
    description:
      "The guest user (used for unauthenticated sessions) holds an active role other than the allowed ones (public, snc_external by default).",
    risk:
      "Every unauthenticated visitor runs as guest; each role it holds is granted to the whole internet.",
    remediation: {
      summary: "Remove every role from the guest user.",
      steps: [
        "Open sys_user_has_role_list.do?sysparm_query=user.user_name=guest and remove the grants and group memberships.",
      ],
    },
    references: [REF.acl],
    resourceType: "sys_user",
    parameters: [{
      name: "allowed_roles",
      kind: "string_list",
      description: "Roles the guest user may hold.",
      default: ["public", "snc_external"],
      minItems: 0,
      maxItems: 50,
      itemPattern: "^[a-z0-9_.]{1,100}$",
    }],
    tables: { sys_user: ["user_name"], ...HELD_ROLES_TABLES },
    sql: `
with ${heldRoles({ users: `${lowerName("u.data ->> 'user_name'")} = 'guest'` })}
select u.sys_id as resource_key, 'sys_user' as table_name, u.sys_id, 'FAIL' as status,
       jsonb_build_object('user_name', u.data ->> 'user_name',
                          'roles', (select jsonb_agg(h.role_name order by h.role_name) from held h
                                    where h.user_id = u.sys_id and h.role_name not in ${
      listParam("allowed_roles")
    })) as evidence
from ${records("sys_user")} u
where ${lowerName("u.data ->> 'user_name'")} = 'guest'
  and exists (select 1 from held h where h.user_id = u.sys_id and h.role_name not in ${
      listParam("allowed_roles")
    })
order by u.sys_id`,
  }),
];
