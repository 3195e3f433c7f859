/**
 * Audit and logging checks (docs/servicenow/controls.md#audit-logging-and-configuration L1–L3, and A12's deletion audit).
 *
 * @module
 */

import { behavioural, REF, script } from "../_define.ts";
import type { Check, ParameterSpec } from "../types.ts";
import {
  ACL_IS_EMPTY,
  ACL_ROLES,
  ACL_ROLES_TABLES,
  commaList,
  f,
  isTrue,
  listParam,
  propertyRecord,
  records,
} from "./_sql.ts";

const ACCESS_TABLES: ParameterSpec = {
  name: "tables",
  kind: "string_list",
  description:
    "Access tables whose deletions must be audited (default of glide.ui.audit_deleted_tables).",
  default: [
    "sys_user",
    "sys_user_group",
    "sys_user_role",
    "sys_user_has_role",
    "sys_user_grmember",
    "sys_group_has_role",
    "sys_security_acl_role",
  ],
  minItems: 1,
  maxItems: 200,
  itemPattern: "^[a-z0-9_]{1,80}$",
};

const KEY_TABLES: ParameterSpec = {
  name: "tables",
  kind: "string_list",
  description: "Tables that must be audited.",
  default: [
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
  minItems: 1,
  maxItems: 500,
  itemPattern: "^[a-z0-9_]{1,80}$",
};

const PROPERTY_STEPS = (name: string, what: string) => [
  `Open System Properties (sys_properties_list.do) and filter on Name = ${name}.`,
  what,
];

const SYS_AUDIT_ACL = `btrim(a.data ->> 'name') in ('sys_audit', 'sys_audit.*')`;

/** Audit and logging checks. */
export const AUDIT_CHECKS: readonly Check[] = [
  behavioural({
    id: "audit_table_auditing_disabled",
    title: "Key tables without auditing",
    area: "audit",
    severity: "high",
    riskScore: 7.1,
    description:
      "Collection dictionary rows (element empty) of key tables (users, roles, groups, ACLs, properties, changes, approvals, incidents) whose audit flag is not true.",
    risk:
      "Changes to these tables leave no sys_audit trail, so access grants and configuration edits cannot be reconstructed (AU-2, AU-12).",
    remediation: {
      summary: "Turn on auditing for the table's collection dictionary entry.",
      steps: [
        "Open sys_dictionary.do?sys_id=<resource> (the row with an empty Column name) and select Audit.",
      ],
    },
    references: [REF.auditing],
    resourceType: "sys_dictionary",
    parameters: [KEY_TABLES],
    controls: ["L1"],
    tables: { sys_dictionary: ["name", "element", "audit", "attributes"] },
    sql: `
select d.sys_id as resource_key, 'sys_dictionary' as table_name, d.sys_id, 'FAIL' as status,
       jsonb_build_object('table', d.data ->> 'name', 'audit', d.data ->> 'audit') as evidence
from ${records("sys_dictionary")} d
where d.data ->> 'name' in ${listParam("tables")} and ${f("d", "element")} = ''
  and ${f("d", "audit")} <> 'true'
order by d.sys_id`,
  }),
  behavioural({
    id: "audit_field_excluded_no_audit",
    title: "Fields of key tables excluded from auditing",
    area: "audit",
    severity: "medium",
    riskScore: 5.3,
    description: "Dictionary entries of fields of key tables whose attributes contain no_audit.",
    risk:
      "Edits to an excluded field are not audited even though its table is, leaving a blind spot in the trail.",
    remediation: {
      summary: "Remove the no_audit attribute unless the exclusion is documented and approved.",
      steps: ["Open the dictionary entry, edit Attributes and remove no_audit."],
    },
    references: [REF.auditing],
    resourceType: "sys_dictionary",
    parameters: [KEY_TABLES],
    controls: ["L1"],
    tables: { sys_dictionary: ["name", "element", "attributes"] },
    sql: `
select d.sys_id as resource_key, 'sys_dictionary' as table_name, d.sys_id, 'FAIL' as status,
       jsonb_build_object('table', d.data ->> 'name', 'element', d.data ->> 'element',
                          'attributes', left(d.data ->> 'attributes', 200)) as evidence
from ${records("sys_dictionary")} d
where d.data ->> 'name' in ${listParam("tables")} and ${f("d", "element")} <> ''
  and strpos(${f("d", "attributes")}, 'no_audit') > 0
order by d.sys_id`,
  }),
  behavioural({
    id: "audit_deleted_tables_incomplete",
    title: "Deletion audit list missing access tables",
    area: "audit",
    severity: "high",
    riskScore: 7.1,
    description:
      "glide.ui.audit_deleted_tables exists and does not list every access table (users, groups, roles, grants, memberships, ACL roles).",
    risk:
      "Deleting a role grant or membership would leave no trace, so revocations and covert removals cannot be proven (A12, AU-9).",
    remediation: {
      summary: "Add the missing access tables back to glide.ui.audit_deleted_tables.",
      steps: PROPERTY_STEPS(
        "glide.ui.audit_deleted_tables",
        "Add every listed missing table to Value (comma separated) and save.",
      ),
      code: [script(`
var gr = new GlideRecord('sys_properties');
if (gr.get('name', 'glide.ui.audit_deleted_tables')) {
  var need = ['sys_user', 'sys_user_group', 'sys_user_role', 'sys_user_has_role', 'sys_user_grmember',
    'sys_group_has_role', 'sys_security_acl_role'];
  var have = String(gr.getValue('value') || '').split(',').map(function (x) { return x.trim(); });
  need.forEach(function (t) { if (have.indexOf(t) < 0) have.push(t); });
  gr.setValue('value', have.filter(function (x) { return x; }).join(','));
  gr.update();
}`)],
    },
    references: [REF.auditing],
    resourceType: "sys_properties",
    parameters: [ACCESS_TABLES],
    controls: ["A12", "L2"],
    tables: { sys_properties: ["name", "value"] },
    sql: `
select 'glide.ui.audit_deleted_tables' as resource_key, 'sys_properties' as table_name, p.sys_id, 'FAIL' as status,
       jsonb_build_object('name', 'glide.ui.audit_deleted_tables', 'value', left(p.value, 500),
                          'missing', (select jsonb_agg(t order by t) from jsonb_array_elements_text($2::jsonb -> 'tables') as t
                                      where t not in ${commaList("p.value")})) as evidence
from ${propertyRecord("glide.ui.audit_deleted_tables")} p
where exists (select 1 from jsonb_array_elements_text($2::jsonb -> 'tables') as t where t not in ${
      commaList("p.value")
    })`,
  }),
  behavioural({
    id: "audit_delete_ignore_lists_access_tables",
    title: "Access tables excluded from deletion audit",
    area: "audit",
    severity: "high",
    riskScore: 7.1,
    description:
      "glide.db.audit.ignore.delete exists and lists one of the access tables, so their deletions are not recorded.",
    risk:
      "Role grants or memberships can be deleted without a record in sys_audit_delete (A12, AU-9).",
    remediation: {
      summary: "Remove the access tables from glide.db.audit.ignore.delete.",
      steps: PROPERTY_STEPS(
        "glide.db.audit.ignore.delete",
        "Remove the listed access tables from Value and save.",
      ),
    },
    references: [REF.auditing],
    resourceType: "sys_properties",
    parameters: [ACCESS_TABLES],
    controls: ["A12", "L2"],
    tables: { sys_properties: ["name", "value"] },
    sql: `
select 'glide.db.audit.ignore.delete' as resource_key, 'sys_properties' as table_name, p.sys_id, 'FAIL' as status,
       jsonb_build_object('name', 'glide.db.audit.ignore.delete',
                          'ignored_access_tables', (select jsonb_agg(t order by t) from jsonb_array_elements_text($2::jsonb -> 'tables') as t
                                                    where t in ${commaList("p.value")})) as evidence
from ${propertyRecord("glide.db.audit.ignore.delete")} p
where exists (select 1 from jsonb_array_elements_text($2::jsonb -> 'tables') as t where t in ${
      commaList("p.value")
    })`,
  }),
  behavioural({
    id: "audit_inserts_disabled",
    title: "Record creation is not audited",
    area: "audit",
    severity: "medium",
    riskScore: 4.3,
    description:
      "glide.sys.audit_inserts is absent (default false) or not true, so inserts into audited tables are not recorded.",
    risk:
      "New role grants, ACLs and properties appear without an audit entry showing who created them.",
    remediation: {
      summary: "Set glide.sys.audit_inserts to true.",
      steps: PROPERTY_STEPS(
        "glide.sys.audit_inserts",
        "Create or update the property with Value true.",
      ),
      code: [script(`gs.setProperty('glide.sys.audit_inserts', 'true');`)],
    },
    references: [REF.auditing],
    resourceType: "sys_properties",
    controls: ["L2"],
    tables: { sys_properties: ["name", "value"] },
    sql: `
select 'glide.sys.audit_inserts' as resource_key, 'sys_properties' as table_name, p.sys_id, 'FAIL' as status,
       jsonb_build_object('name', 'glide.sys.audit_inserts', 'present', p.sys_id is not null,
                          'value', p.value, 'effective', coalesce(p.value, 'false')) as evidence
from (select 1) as one
left join ${propertyRecord("glide.sys.audit_inserts")} p on true
where coalesce(p.value, 'false') <> 'true'`,
  }),
  behavioural({
    id: "audit_lazy_writes_enabled",
    title: "Audit records written lazily",
    area: "audit",
    severity: "low",
    riskScore: 3.1,
    description:
      "glide.db.audit.lazy exists and is true, so audit entries are written asynchronously instead of with the change.",
    risk:
      "Asynchronous audit writes can be lost or delayed, leaving gaps in the trail around incidents.",
    remediation: {
      summary: "Set glide.db.audit.lazy to false or delete the property.",
      steps: PROPERTY_STEPS("glide.db.audit.lazy", "Set Value to false (or delete the record)."),
    },
    references: [REF.auditing],
    resourceType: "sys_properties",
    controls: ["L2"],
    tables: { sys_properties: ["name", "value"] },
    sql: `
select 'glide.db.audit.lazy' as resource_key, 'sys_properties' as table_name, p.sys_id, 'FAIL' as status,
       jsonb_build_object('name', 'glide.db.audit.lazy', 'value', p.value) as evidence
from ${propertyRecord("glide.db.audit.lazy")} p
where p.value = 'true'`,
  }),
  behavioural({
    id: "audit_log_delete_acl_present",
    title: "ACLs that allow deleting audit records",
    area: "audit",
    severity: "high",
    riskScore: 8.1,
    description: "Active delete ACLs on sys_audit (named sys_audit or sys_audit.*).",
    risk: "Whoever passes the ACL can erase the audit trail of their own actions (AU-9).",
    remediation: {
      summary: "Deactivate delete ACLs on sys_audit.",
      steps: ["With security_admin elevated, open each ACL and clear Active."],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_security_acl",
    controls: ["L3"],
    tables: { sys_security_acl: ["name", "operation", "active"] },
    sql: `
select a.sys_id as resource_key, 'sys_security_acl' as table_name, a.sys_id, 'FAIL' as status,
       jsonb_build_object('name', a.data ->> 'name', 'operation', a.data ->> 'operation') as evidence
from ${records("sys_security_acl")} a
where ${isTrue("a", "active")} and ${SYS_AUDIT_ACL} and a.data ->> 'operation' = 'delete'
order by a.sys_id`,
  }),
  behavioural({
    id: "audit_log_readable_by_external",
    title: "Audit records readable by external users or everyone",
    area: "audit",
    severity: "high",
    riskScore: 7.5,
    description:
      "Active read ACLs on sys_audit that grant snc_external or public, or are empty (sn_SE10468, sn_SE10476).",
    risk:
      "The audit trail reveals who changed what, including field values; external users must not read it.",
    remediation: {
      summary: "Restrict sys_audit read ACLs to internal audit and admin roles.",
      steps: [
        "With security_admin elevated, remove snc_external and public from the ACL and give it a role.",
      ],
    },
    references: [REF.scanSecurity],
    resourceType: "sys_security_acl",
    controls: ["L3"],
    tables: {
      sys_security_acl: ["name", "operation", "active", "script", "condition"],
      ...ACL_ROLES_TABLES,
    },
    sql: `
with ${ACL_ROLES}
select a.sys_id as resource_key, 'sys_security_acl' as table_name, a.sys_id, 'FAIL' as status,
       jsonb_build_object('name', a.data ->> 'name', 'operation', a.data ->> 'operation',
                          'roles', to_jsonb(coalesce(ar.role_names, '{}'))) as evidence
from ${records("sys_security_acl")} a
left join acl_roles ar on ar.acl_id = a.sys_id
where ${isTrue("a", "active")} and ${SYS_AUDIT_ACL} and a.data ->> 'operation' = 'read'
  and (coalesce(ar.role_names && array['snc_external', 'public'], false) or ${ACL_IS_EMPTY})
order by a.sys_id`,
  }),
];
