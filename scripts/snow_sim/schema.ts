/**
 * Table schemas of the simulated instance, with the table and field names of
 * docs/servicenow/tables.md. Column specs are written compactly as `name[:type][=refTable]`.
 *
 * Types: `s` string (default), `b` boolean, `i` integer, `f` decimal, `dt`
 * glide_date_time, `d` glide_date, `dur` glide_duration, `r` reference, `ci` integer
 * choice, `c` string choice, `sc` script, `cond` conditions, `list` glide_list, `pw`
 * password, `pw2` password2, `j` journal, `tn` table_name, `doc` document_id.
 *
 * @module
 */

import type { FieldType } from "../../shared/servicenow/query/mod.ts";

/** Internal type of a column (a subset of sys_dictionary internal_type). */
export type ColumnType =
  | "string"
  | "boolean"
  | "integer"
  | "decimal"
  | "glide_date_time"
  | "glide_date"
  | "glide_duration"
  | "reference"
  | "choice"
  | "script"
  | "conditions"
  | "glide_list"
  | "password"
  | "password2"
  | "journal"
  | "table_name"
  | "document_id"
  | "GUID";

/** One column. */
export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /** Target table of a reference. */
  readonly reference?: string;
  /** Choice value → label. */
  readonly choices?: Readonly<Record<string, string>>;
  /** Integer choice (compares numerically). */
  readonly numeric?: boolean;
}

/** One table. */
export interface TableSchema {
  readonly name: string;
  readonly label: string;
  readonly columns: readonly ColumnDef[];
  /** Column used as the display value of references to this table. */
  readonly display: string;
  /** Parent table (`task` for incident, change_request, …). */
  readonly parent?: string;
  /** Audited per sys_dictionary in the clean baseline. */
  readonly audit?: boolean;
}

const TYPE_CODES: Record<string, ColumnType> = {
  s: "string",
  b: "boolean",
  i: "integer",
  f: "decimal",
  dt: "glide_date_time",
  d: "glide_date",
  dur: "glide_duration",
  r: "reference",
  c: "choice",
  ci: "choice",
  sc: "script",
  cond: "conditions",
  list: "glide_list",
  pw: "password",
  pw2: "password2",
  j: "journal",
  tn: "table_name",
  doc: "document_id",
  guid: "GUID",
};

type Choices = Record<string, Record<string, string>>;

function cols(spec: string, choices: Choices = {}): ColumnDef[] {
  return spec.trim().split(/\s+/).map((item) => {
    const [head, reference] = item.split("=");
    const [name, code = "s"] = head!.split(":");
    const type = TYPE_CODES[code];
    if (!type) throw new Error(`Cannot build schema: unknown type code "${code}" for ${name}`);
    return {
      name: name!,
      type,
      ...(reference ? { reference } : {}),
      ...(choices[name!] ? { choices: choices[name!] } : {}),
      ...(code === "ci" ? { numeric: true } : {}),
    };
  });
}

const SYSTEM = cols(
  "sys_id:guid sys_created_on:dt sys_created_by sys_updated_on:dt sys_updated_by sys_mod_count:i sys_tags",
);
const DOMAIN = cols("sys_class_name:tn sys_domain:r=sys_user_group sys_domain_path");
const METADATA = cols(
  "sys_scope:r=sys_scope sys_package:r=sys_package sys_update_name sys_policy",
  { sys_policy: { "": "", read: "Read-only", protected: "Protected" } },
);

const TASK_CHOICES: Choices = {
  approval: {
    "not requested": "Not Yet Requested",
    requested: "Requested",
    approved: "Approved",
    rejected: "Rejected",
  },
  priority: {
    "1": "1 - Critical",
    "2": "2 - High",
    "3": "3 - Moderate",
    "4": "4 - Low",
    "5": "5 - Planning",
  },
  impact: { "1": "1 - High", "2": "2 - Medium", "3": "3 - Low" },
  urgency: { "1": "1 - High", "2": "2 - Medium", "3": "3 - Low" },
  upon_approval: {
    proceed: "Proceed to Next Task",
    do_nothing: "Wait for a User to Close this task",
  },
  upon_reject: { cancel: "Cancel all future Tasks", goto: "Go to a previous Task" },
  contact_type: {
    phone: "Phone",
    email: "Email",
    "self-service": "Self-service",
    walk_in: "Walk-in",
  },
};

/** Task columns, shared in the same order (and index) by every task subtable. */
const TASK = cols(
  `number short_description description state:ci active:b priority:ci impact:ci urgency:ci
   opened_at:dt opened_by:r=sys_user closed_at:dt closed_by:r=sys_user close_notes:j
   assigned_to:r=sys_user assignment_group:r=sys_user_group approval:c approval_set:dt
   approval_history:j upon_approval:c upon_reject:c made_sla:b sla_due:dt reassignment_count:i
   escalation:i work_start:dt work_end:dt expected_start:dt due_date:dt activity_due:dt
   follow_up:dt business_duration:dur calendar_duration:dur parent:r=task cmdb_ci:r=cmdb_ci
   business_service:r=cmdb_ci_service company:r=core_company location:r=cmn_location
   contact_type:c watch_list:list work_notes_list:list additional_assignee_list:list
   group_list:list comments:j work_notes:j comments_and_work_notes:j knowledge:b
   correlation_id correlation_display order:i`,
  TASK_CHOICES,
);

const CHANGE_STATES = {
  "-5": "New",
  "-4": "Assess",
  "-3": "Authorize",
  "-2": "Scheduled",
  "-1": "Implement",
  "0": "Review",
  "3": "Closed",
  "4": "Canceled",
};
const INCIDENT_STATES = {
  "1": "New",
  "2": "In Progress",
  "3": "On Hold",
  "6": "Resolved",
  "7": "Closed",
  "8": "Canceled",
};

function task(name: string, label: string, extra: string, choices: Choices = {}): TableSchema {
  const own = cols(extra, choices);
  const state = choices.state;
  const taskCols = TASK.map((c) => (c.name === "state" && state ? { ...c, choices: state } : c));
  return {
    name,
    label,
    columns: [...SYSTEM, ...DOMAIN, ...taskCols, ...own],
    display: "number",
    parent: "task",
    audit: name === "change_request" || name === "incident",
  };
}

function table(
  name: string,
  label: string,
  spec: string,
  opts: {
    display?: string;
    choices?: Choices;
    metadata?: boolean;
    domain?: boolean;
    audit?: boolean;
  } = {},
): TableSchema {
  return {
    name,
    label,
    columns: [
      ...SYSTEM,
      ...(opts.domain ? DOMAIN : []),
      ...(opts.metadata ? METADATA : []),
      ...cols(spec, opts.choices),
    ],
    display: opts.display ?? "name",
    ...(opts.audit ? { audit: true } : {}),
  };
}

/** Every simulated table, keyed by name. */
export const SCHEMAS: ReadonlyMap<string, TableSchema> = new Map(
  [
    table(
      "sys_user",
      "User",
      `user_name first_name last_name middle_name name email active:b locked_out:b failed_attempts:i
       last_login:d last_login_time:dt last_login_device last_password_change:dt password_needs_reset:b web_service_access_only:b
       internal_integration_user:b enable_multifactor_authn:b source sso_source ldap_server:r=ldap_server_config
       manager:r=sys_user department:r=cmn_department company:r=core_company location:r=cmn_location
       cost_center:r=cmn_cost_center building:r=cmn_building employee_number title phone mobile_phone
       home_phone vip:b roles:list accumulated_roles:list user_password:pw time_zone date_format time_format
       preferred_language notification:ci calendar_integration:i default_perspective:r=sys_perspective
       schedule:r=cmn_schedule photo avatar introduction gender street city state zip country
       hashed_user_id edu_status last_password:pw`,
      {
        domain: true,
        audit: true,
        choices: { notification: { "1": "Disable", "2": "Enable" } },
      },
    ),
    table(
      "sys_user_role",
      "Role",
      `name description elevated_privilege:b assignable_by:r=sys_user_role can_delegate:b grantable:b
       scoped_admin:b includes_roles requires_subscription suffix`,
      { metadata: true, audit: true },
    ),
    table(
      "sys_user_role_contains",
      "Contained Role",
      "role:r=sys_user_role contains:r=sys_user_role",
      {
        display: "role",
      },
    ),
    table(
      "sys_user_has_role",
      "User Role",
      `user:r=sys_user role:r=sys_user_role inherited:b granted_by:r=sys_user_group
       included_in_role:r=sys_user_role included_in_role_instance:r=sys_user_has_role inh_count:i inh_map
       state:c`,
      {
        display: "role",
        audit: true,
        choices: { state: { active: "Active", pending: "Pending", requested: "Requested" } },
      },
    ),
    table(
      "sys_user_group",
      "Group",
      `name active:b manager:r=sys_user parent:r=sys_user_group type:list roles email description
       default_assignee:r=sys_user cost_center:r=cmn_cost_center exclude_manager:b include_members:b source`,
      { domain: true, audit: true },
    ),
    table("sys_user_grmember", "Group Member", "user:r=sys_user group:r=sys_user_group", {
      display: "user",
      audit: true,
    }),
    table(
      "sys_group_has_role",
      "Group Role",
      "group:r=sys_user_group role:r=sys_user_role inherits:b granted_by:r=sys_user",
      { display: "role", audit: true },
    ),
    table(
      "sys_security_acl",
      "Access Control",
      `name type:r=sys_security_type operation:r=sys_security_operation decision_type:c active:b
       admin_overrides:b advanced:b script:sc condition:cond applies_to:cond description`,
      {
        metadata: true,
        audit: true,
        choices: { decision_type: { allow: "Allow If", deny: "Deny Unless" } },
      },
    ),
    table(
      "sys_security_acl_role",
      "Access Role",
      "sys_security_acl:r=sys_security_acl sys_user_role:r=sys_user_role",
      { display: "sys_user_role", audit: true },
    ),
    table(
      "sys_properties",
      "System Property",
      "name value type:c description choices ignore_cache:b is_private:b read_roles write_roles suffix",
      {
        metadata: true,
        audit: true,
        choices: {
          type: {
            string: "string",
            boolean: "true | false",
            integer: "integer",
            choicelist: "choicelist",
            password: "password",
            password2: "password2",
            timezone: "timezone",
          },
        },
      },
    ),
    table("v_plugin", "Plugins", "id name active:c version description definition", {
      choices: { active: { active: "Active", inactive: "Inactive" } },
    }),
    table("sys_plugins", "Plugin", "source name active:b version description", {}),
    task(
      "change_request",
      "Change Request",
      `type:c phase phase_state requested_by:r=sys_user requested_by_date:dt start_date:dt end_date:dt
       risk:ci scope:ci implementation_plan backout_plan test_plan justification risk_impact_analysis
       change_plan reason close_code:c cab_required:b cab_date_time:dt cab_delegate:r=sys_user
       cab_recommendation chg_model:r=chg_model std_change_producer_version:r=std_change_producer_version
       category conflict_status:c conflict_last_run:dt on_hold:b on_hold_reason on_hold_task
       outside_maintenance_schedule:b production_system:b unauthorized:b review_status:ci review_comments`,
      {
        state: CHANGE_STATES,
        type: { normal: "Normal", standard: "Standard", emergency: "Emergency" },
        risk: { "1": "Very High", "2": "High", "3": "Moderate", "4": "Low" },
        scope: { "1": "Very Large", "2": "Large", "3": "Medium", "4": "Small", "5": "Very Small" },
        close_code: {
          successful: "Successful",
          successful_issues: "Successful with issues",
          unsuccessful: "Unsuccessful",
        },
        conflict_status: {
          "Not Run": "Not Run",
          "No Conflict": "No Conflict",
          Conflict: "Conflict",
        },
        review_status: { "1": "Complete", "2": "Incomplete" },
      },
    ),
    task(
      "change_task",
      "Change Task",
      "change_request:r=change_request change_task_type:c planned_start_date:dt planned_end_date:dt",
      {
        state: { "-5": "Pending", "1": "Open", "2": "In Progress", "3": "Closed", "4": "Canceled" },
        change_task_type: {
          planning: "Planning",
          implementation: "Implementation",
          testing: "Testing",
        },
      },
    ),
    task(
      "incident",
      "Incident",
      `incident_state:ci caller_id:r=sys_user resolved_at:dt resolved_by:r=sys_user reopen_count:i
       reopened_time:dt reopened_by:r=sys_user problem_id:r=problem rfc:r=change_request
       caused_by:r=change_request parent_incident:r=incident child_incidents:i hold_reason:ci close_code
       category subcategory severity:ci notify:ci business_impact cause business_stc:i calendar_stc:i
       origin_id:r=task`,
      {
        state: INCIDENT_STATES,
        incident_state: INCIDENT_STATES,
        hold_reason: { "1": "Awaiting Caller", "3": "Awaiting Problem", "4": "Awaiting Vendor" },
        severity: { "1": "1 - High", "2": "2 - Medium", "3": "3 - Low" },
      },
    ),
    task("problem", "Problem", "problem_statement known_error:b cause_notes fix_notes", {
      state: {
        "101": "New",
        "102": "Assess",
        "103": "Root Cause Analysis",
        "104": "Fix in Progress",
        "106": "Resolved",
        "107": "Closed",
      },
    }),
    task("sn_si_incident", "Security Incident", "category subcategory risk_score:i", {
      state: {
        "10": "Draft",
        "16": "Analysis",
        "18": "Contain",
        "19": "Eradicate",
        "20": "Recover",
        "100": "Review",
        "3": "Closed",
        "7": "Cancelled",
      },
    }),
    table(
      "sysapproval_approver",
      "Approval",
      `approver:r=sys_user state:c sysapproval:r=task document_id:doc source_table:tn group:r=sysapproval_group
       comments:j due_date:dt expected_start:dt approval_source`,
      {
        display: "approver",
        audit: true,
        choices: {
          state: {
            "not requested": "Not Yet Requested",
            requested: "Requested",
            approved: "Approved",
            rejected: "Rejected",
            cancelled: "Cancelled",
            not_required: "No Longer Required",
          },
        },
      },
    ),
    table(
      "contract_sla",
      "SLA Definition",
      "name active:b collection:tn type:c target:c duration:dur start_condition:cond stop_condition:cond",
      {
        choices: {
          type: { SLA: "SLA", OLA: "OLA", "Underpinning contract": "Underpinning contract" },
          target: { response: "Response", resolution: "Resolution" },
        },
      },
    ),
    table(
      "task_sla",
      "Task SLA",
      `task:r=task sla:r=contract_sla stage:c has_breached:b active:b start_time:dt end_time:dt
       planned_end_time:dt original_breach_time:dt pause_time:dt duration:dur business_duration:dur
       pause_duration:dur business_pause_duration:dur time_left:dur business_time_left:dur percentage:f
       business_percentage:f schedule:r=cmn_schedule timezone`,
      {
        display: "sla",
        choices: {
          stage: {
            in_progress: "In progress",
            paused: "Paused",
            achieved: "Achieved",
            cancelled: "Cancelled",
            completed: "Completed",
            breached: "Breached",
          },
        },
      },
    ),
    table(
      "sys_script",
      "Business Rule",
      `name collection:tn when:c order:i active:b action_insert:b action_update:b action_delete:b
       action_query:b advanced:b condition filter_condition:cond role_conditions:list script:sc description
       priority:i`,
      {
        metadata: true,
        choices: { when: { before: "before", after: "after", async: "async", display: "display" } },
      },
    ),
    table(
      "sys_script_include",
      "Script Include",
      "name api_name client_callable:b access:c caller_access:c active:b script:sc description sandbox_callable:b",
      {
        metadata: true,
        choices: {
          access: {
            public: "All application scopes",
            package_private: "This application scope only",
          },
        },
      },
    ),
    table(
      "sys_script_client",
      "Client Script",
      "name table:tn type:c field ui_type:ci script:sc active:b messages description global:b view",
      {
        metadata: true,
        choices: {
          type: {
            onLoad: "onLoad",
            onChange: "onChange",
            onSubmit: "onSubmit",
            onCellEdit: "onCellEdit",
          },
          ui_type: { "0": "Desktop", "1": "Mobile / Service Portal", "10": "All" },
        },
      },
    ),
    table(
      "sys_ui_page",
      "UI Page",
      "name category html:sc client_script:sc processing_script:sc description",
      {
        metadata: true,
      },
    ),
    table(
      "sys_ws_definition",
      "Scripted REST API",
      `name service_id namespace base_uri active:b enforce_acl:list consumes produces is_versioned:b
       default_version doc_link short_description requires_authentication:b requires_acl_authorization:b`,
      { metadata: true },
    ),
    table(
      "sys_ws_operation",
      "Scripted REST Resource",
      `name web_service_definition:r=sys_ws_definition http_method:c relative_path operation_uri
       operation_script:sc active:b requires_authentication:b requires_acl_authorization:b
       requires_snc_internal_role:b enforce_acl:list`,
      {
        metadata: true,
        choices: {
          http_method: { GET: "GET", POST: "POST", PUT: "PUT", PATCH: "PATCH", DELETE: "DELETE" },
        },
      },
    ),
    table(
      "sys_rest_message",
      "REST Message",
      `name rest_endpoint authentication_type:c basic_auth_profile:r=sys_auth_profile_basic
       oauth2_profile:r=oauth_entity_profile use_mutual_auth:b description`,
      {
        metadata: true,
        choices: {
          authentication_type: {
            no_authentication: "No authentication",
            basic: "Basic",
            oauth2: "OAuth 2.0",
          },
        },
      },
    ),
    table(
      "sys_rest_message_fn",
      "HTTP Method",
      `rest_message:r=sys_rest_message function_name http_method:c rest_endpoint authentication_type:c
       basic_auth_profile:r=sys_auth_profile_basic oauth2_profile:r=oauth_entity_profile`,
      {
        display: "function_name",
        metadata: true,
        choices: {
          http_method: { get: "GET", post: "POST", put: "PUT", patch: "PATCH", delete: "DELETE" },
          authentication_type: {
            inherit_from_parent: "Inherit from parent",
            no_authentication: "No authentication",
            basic: "Basic",
            oauth2: "OAuth 2.0",
          },
        },
      },
    ),
    table(
      "sys_update_set",
      "Update Set",
      `name description state:c application:r=sys_scope parent:r=sys_update_set base_update_set:r=sys_update_set
       release_date:dt installed_from origin_sys_id remote_sys_id`,
      {
        choices: {
          state: { "in progress": "In progress", complete: "Complete", ignore: "Ignore" },
        },
      },
    ),
    table(
      "oauth_entity",
      "Application Registry",
      `name client_id client_secret:pw2 active:b type:c access_token_lifespan:i refresh_token_lifespan:i
       redirect_url default_grant_type:c logo_url public_client:b`,
      {
        metadata: true,
        choices: {
          type: { client: "OAuth Client", oauth_provider: "OAuth Provider" },
          default_grant_type: {
            authorization_code: "Authorization Code",
            client_credentials: "Client Credentials",
            password: "Resource Owner Password Credential",
          },
        },
      },
    ),
    table(
      "sys_certificate",
      "X.509 Certificate",
      `name type:c format:c expires:dt valid_from:dt expires_in:i issuer_name subject_common_name active:b
       warn_in_days_to_expire:i`,
      {
        metadata: true,
        choices: {
          type: {
            trust_store: "Trust Store Cert",
            client_certificate: "Client Certificate",
            ca_cert: "CA Cert",
          },
          format: { pem: "PEM", jks: "Java Key Store", pkcs12: "PKCS12 Key Store" },
        },
      },
    ),
    // Configuration tables some hardening settings judge (docs/servicenow/tables.md, docs/servicenow/hardening.md).
    table(
      "ip_access",
      "IP Address Access Control",
      "type:c range_start range_end active:b description",
      { display: "range_start", choices: { type: { allow: "Allow", deny: "Deny" } } },
    ),
    table(
      "sysevent_script_action",
      "Script Action",
      "name event_name active:b order:i synchronous:b condition_script:sc script:sc description",
      { metadata: true },
    ),
    table(
      "multi_factor_criteria",
      "Multi-factor Criteria",
      "name active:b roles:list description",
      { metadata: true },
    ),
    table("blacklisted_password", "Excluded Password", "password", { display: "password" }),
    table("sys_whitelist_package", "Java Package Allowlist", "name", { metadata: true }),
    table(
      "sys_whitelist_member",
      "Java Class Allowlist",
      "name package:r=sys_whitelist_package",
      { metadata: true },
    ),
    table(
      "sys_audit",
      "Sys Audit",
      "tablename fieldname documentkey oldvalue newvalue user reason record_checkpoint:i internal_checkpoint",
      { display: "documentkey" },
    ),
    table("sys_audit_delete", "Deleted Records", "tablename documentkey payload display_value", {
      display: "documentkey",
    }),
    table(
      "syslog_transaction",
      "Transaction Log Entry",
      "url type:c response_time:i client_transaction:b remote_ip system_id",
      {
        display: "url",
        choices: {
          type: { form: "form", list: "list", rest: "rest", soap: "soap", scheduler: "scheduler" },
        },
      },
    ),
    table(
      "sys_dictionary",
      "Dictionary Entry",
      `name:tn element internal_type:r=sys_glide_object max_length:i reference:tn column_label attributes
       audit:b active:b mandatory:b read_only:b display:b default_value choice:i calculation`,
      { display: "element", metadata: true },
    ),
    table(
      "sys_db_object",
      "Table",
      `name label super_class:r=sys_db_object is_extendable:b access:c ws_access:b read_access:b
       create_access:b update_access:b delete_access:b`,
      {
        metadata: true,
        choices: { access: { public: "All application scopes", package_private: "This scope" } },
      },
    ),
    table("sys_public", "Public Page", "page active:b", { display: "page" }),
    table(
      "sn_hr_core_profile",
      "HR Profile",
      "user:r=sys_user employment_start_date:d employment_end_date:d employee_number position",
      { display: "user" },
    ),
    table(
      "sys_rate_limit_rules",
      "Rate Limit Rule",
      `name rest_api resource table:tn active:b request_limit_per_hour:i apply_to:c role:r=sys_user_role
       user:r=sys_user`,
      {
        choices: {
          apply_to: { single_user: "Single user", role: "Users with role", all: "All users" },
        },
      },
    ),
    table("core_company", "Company", "name stock_symbol city country"),
    table(
      "cmn_department",
      "Department",
      "name description company:r=core_company head:r=sys_user",
    ),
    table("cmn_location", "Location", "name city country"),
    table("sys_scope", "Application", "name scope version active:b"),
    table("std_change_producer_version", "Standard Change Template Version", "name version:i"),
  ].map((s) => [s.name, s]),
);

/** Columns of the virtual `task` table (system + domain + task columns). */
export const TASK_SCHEMA: TableSchema = {
  name: "task",
  label: "Task",
  columns: [...SYSTEM, ...DOMAIN, ...TASK],
  display: "number",
};

/** Tables whose rows extend `task`, in a fixed order. */
export const TASK_TABLES: readonly string[] = [...SCHEMAS.values()]
  .filter((s) => s.parent === "task")
  .map((s) => s.name);

/**
 * The evaluator type of a column.
 *
 * @param col the column
 * @returns how the query evaluator compares it
 */
export function fieldTypeOf(col: ColumnDef): FieldType {
  switch (col.type) {
    case "boolean":
      return "boolean";
    case "integer":
      return "integer";
    case "decimal":
      return "decimal";
    case "glide_date_time":
      return "datetime";
    case "glide_date":
      return "date";
    case "glide_duration":
      return "duration";
    case "reference":
      return "reference";
    case "choice":
      return col.numeric ? "integer" : "string";
    case "glide_list":
      return "list";
    default:
      return "string";
  }
}

/**
 * The schema of a table name, including the virtual `task` table.
 *
 * @param name table name
 * @returns the schema or undefined
 */
export function schemaOf(name: string): TableSchema | undefined {
  return name === "task" ? TASK_SCHEMA : SCHEMAS.get(name);
}
