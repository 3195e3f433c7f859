/**
 * Which ServiceNow tables a sync reads, with which fields (`sysparm_fields`)
 * and, for tables that grow without bound, which records (`sysparm_query`,
 * and a time window for the append-only log tables).
 *
 * The check catalog decides: {@linkcode syncPlanFromFields} turns its
 * `requiredFields` and `requiredRecords` into the plan a deployment syncs
 * (`shared/instances` does that), windowing the {@linkcode LOG_TABLES}.
 * {@linkcode DEFAULT_TABLE_FIELDS} lists the tables and typed fields the
 * `snow_<table>` views expose, and {@linkcode DEFAULT_SYNC_TABLES} is a plan
 * over exactly those (tests, tools).
 *
 * @module
 */

/** How a typed view casts a field: string, boolean, integer or date-time. */
export type FieldKind = "s" | "b" | "i" | "dt";

/** One table of a sync plan. */
export interface SyncTableSpec {
  /** ServiceNow table name. */
  readonly table: string;
  /** Fields to request; `sys_id` and `sys_updated_on` are always added. */
  readonly fields: readonly string[];
  /**
   * Encoded query limiting which records are kept (e.g. audit rows of some
   * tables). Records that stop matching are removed by the next key scan.
   */
  readonly filter?: string;
  /**
   * Keep only records created in the last `days` days: from 00:00:00 UTC of
   * the day `days` days before the sync started (see {@linkcode windowStart}).
   * The sync reads `sys_created_on>=<that instant>` and drops stored records
   * older than it — they leave the copy, they are not counted as deletions.
   */
  readonly window?: { readonly days: number };
}

/**
 * Append-only log tables, which hold millions of rows on a real instance: they
 * are synced with a time window. "log": transaction and system logs; "audit":
 * audit history (kept longer, as audit-period evidence).
 */
export const LOG_TABLES: Readonly<Record<string, "log" | "audit">> = {
  syslog_transaction: "log",
  syslog: "log",
  sysevent: "log",
  sys_audit: "audit",
  sys_audit_delete: "audit",
};

/** Window lengths in days for the {@linkcode LOG_TABLES}; 0 or absent keeps every record. */
export interface LogWindows {
  log?: number;
  audit?: number;
}

const DAY_MS = 86_400_000;

/**
 * Where a window of `days` days ending at `asOf` starts: 00:00:00 UTC of the
 * day `days` days earlier, as a ServiceNow UTC date-time. Whole days keep the
 * query the same for every sync of a day.
 *
 * @param days length of the window
 * @param asOf when the sync started
 * @example
 * windowStart(90, new Date("2026-06-01T13:45:00Z")); // "2026-03-03 00:00:00"
 */
export function windowStart(days: number, asOf: Date): string {
  const start = new Date(asOf.getTime() - days * DAY_MS);
  start.setUTCHours(0, 0, 0, 0);
  return start.toISOString().slice(0, 19).replace("T", " ");
}

/** Fields every synced record carries, whatever the plan says. */
export const SYSTEM_FIELDS: readonly string[] = [
  "sys_id",
  "sys_created_on",
  "sys_created_by",
  "sys_updated_on",
  "sys_updated_by",
];

/** Field kinds per table for the typed views (fields not listed are strings). */
export const DEFAULT_TABLE_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldKind>>>> = {
  sys_user: {
    user_name: "s",
    first_name: "s",
    last_name: "s",
    name: "s",
    email: "s",
    active: "b",
    locked_out: "b",
    failed_attempts: "i",
    last_login: "dt",
    last_login_time: "dt",
    password_needs_reset: "b",
    web_service_access_only: "b",
    internal_integration_user: "b",
    enable_multifactor_authn: "b",
    source: "s",
    sso_source: "s",
    manager: "s",
    department: "s",
    company: "s",
    employee_number: "s",
    title: "s",
    vip: "b",
    roles: "s",
  },
  sys_user_role: {
    name: "s",
    description: "s",
    elevated_privilege: "b",
    assignable_by: "s",
    can_delegate: "b",
    grantable: "b",
    scoped_admin: "b",
    includes_roles: "s",
    suffix: "s",
  },
  sys_user_role_contains: { role: "s", contains: "s" },
  sys_user_has_role: {
    user: "s",
    role: "s",
    inherited: "b",
    granted_by: "s",
    included_in_role: "s",
    inh_count: "i",
    state: "s",
  },
  sys_user_group: {
    name: "s",
    active: "b",
    manager: "s",
    parent: "s",
    type: "s",
    roles: "s",
    email: "s",
    description: "s",
    source: "s",
  },
  sys_user_grmember: { user: "s", group: "s" },
  sys_group_has_role: { group: "s", role: "s", inherits: "b", granted_by: "s" },
  sys_security_acl: {
    name: "s",
    type: "s",
    operation: "s",
    decision_type: "s",
    active: "b",
    admin_overrides: "b",
    advanced: "b",
    script: "s",
    condition: "s",
    description: "s",
  },
  sys_security_acl_role: { sys_security_acl: "s", sys_user_role: "s" },
  sys_properties: {
    name: "s",
    value: "s",
    type: "s",
    description: "s",
    is_private: "b",
    read_roles: "s",
    write_roles: "s",
  },
  v_plugin: { id: "s", name: "s", active: "s", version: "s" },
  change_request: {
    number: "s",
    short_description: "s",
    type: "s",
    state: "i",
    approval: "s",
    active: "b",
    requested_by: "s",
    opened_by: "s",
    opened_at: "dt",
    assigned_to: "s",
    assignment_group: "s",
    start_date: "dt",
    end_date: "dt",
    work_start: "dt",
    work_end: "dt",
    closed_at: "dt",
    close_code: "s",
    close_notes: "s",
    implementation_plan: "s",
    backout_plan: "s",
    test_plan: "s",
    risk: "i",
    impact: "i",
    priority: "i",
    cab_required: "b",
    cab_date_time: "dt",
    unauthorized: "b",
    outside_maintenance_schedule: "b",
    production_system: "b",
    chg_model: "s",
    std_change_producer_version: "s",
    conflict_status: "s",
    review_status: "i",
    review_comments: "s",
  },
  change_task: {
    number: "s",
    change_request: "s",
    state: "i",
    assigned_to: "s",
    assignment_group: "s",
    work_start: "dt",
    work_end: "dt",
  },
  sysapproval_approver: {
    approver: "s",
    state: "s",
    sysapproval: "s",
    document_id: "s",
    source_table: "s",
    group: "s",
    due_date: "dt",
  },
  incident: {
    number: "s",
    short_description: "s",
    state: "i",
    active: "b",
    priority: "i",
    impact: "i",
    urgency: "i",
    severity: "i",
    caller_id: "s",
    opened_by: "s",
    opened_at: "dt",
    assigned_to: "s",
    assignment_group: "s",
    resolved_at: "dt",
    resolved_by: "s",
    closed_at: "dt",
    close_code: "s",
    reopen_count: "i",
    problem_id: "s",
    rfc: "s",
    caused_by: "s",
    made_sla: "b",
    category: "s",
  },
  task_sla: {
    task: "s",
    sla: "s",
    stage: "s",
    has_breached: "b",
    active: "b",
    start_time: "dt",
    end_time: "dt",
    planned_end_time: "dt",
    percentage: "s",
    business_percentage: "s",
  },
  sys_audit: {
    tablename: "s",
    fieldname: "s",
    documentkey: "s",
    oldvalue: "s",
    newvalue: "s",
    user: "s",
    reason: "s",
    record_checkpoint: "i",
  },
  sys_update_set: {
    name: "s",
    description: "s",
    state: "s",
    application: "s",
    release_date: "dt",
    installed_from: "s",
  },
  sys_ws_operation: {
    name: "s",
    web_service_definition: "s",
    http_method: "s",
    relative_path: "s",
    active: "b",
    requires_authentication: "b",
    requires_acl_authorization: "b",
  },
  oauth_entity: {
    name: "s",
    client_id: "s",
    active: "b",
    type: "s",
    access_token_lifespan: "i",
    refresh_token_lifespan: "i",
    default_grant_type: "s",
  },
  sys_certificate: { name: "s", type: "s", expires: "dt", active: "b" },
};

/**
 * Audit rows are kept for the tables the checks trace (and, through the
 * window, for the last 400 days); everything else in sys_audit stays on the
 * instance.
 */
const AUDIT_FILTER = "tablenameINsys_user,sys_user_role,sys_user_has_role,sys_user_group," +
  "sys_user_grmember,sys_group_has_role,sys_security_acl,sys_security_acl_role,sys_properties," +
  "change_request";

const FILTERS: Readonly<Record<string, string>> = { sys_audit: AUDIT_FILTER };

/** Windows of the default plan, in days. */
const DEFAULT_WINDOWS: LogWindows = { log: 90, audit: 400 };

/** A plan over the tables and fields of the typed views. */
export const DEFAULT_SYNC_TABLES: readonly SyncTableSpec[] = Object.entries(
  DEFAULT_TABLE_FIELDS,
).map(([table, kinds]) => {
  const window = windowOf(table, DEFAULT_WINDOWS);
  return {
    table,
    fields: withSystemFields(Object.keys(kinds)),
    ...(FILTERS[table] ? { filter: FILTERS[table] } : {}),
    ...(window ? { window } : {}),
  };
});

/** Which records of a table to keep: a field and the values it may have. */
export interface RecordFilter {
  field: string;
  values: readonly string[];
}

/** Options of {@linkcode syncPlanFromFields}. */
export interface SyncPlanOptions {
  /** Time windows of the {@linkcode LOG_TABLES}; none by default. */
  windows?: LogWindows;
}

/**
 * Turns the check catalog's needs into a sync plan: `requiredFields` (table →
 * fields; `sys_id` and `sys_updated_on` added when missing, nothing else), tables in a stable
 * order, `requiredRecords` (table → field IN values, or null for every
 * record) as each table's filter, and a time window on each of the
 * {@linkcode LOG_TABLES} (`sys_created_on` added to its fields).
 *
 * @param required fields per table
 * @param records which records each table needs; every record when absent
 * @param options windows of the log tables
 * @example
 * syncPlanFromFields(requiredFields(CHECKS), requiredRecords(CHECKS), {
 *   windows: { log: 90, audit: 400 },
 * })
 */
export function syncPlanFromFields(
  required: Readonly<Record<string, readonly string[]>>,
  records: Readonly<Record<string, RecordFilter | null>> = {},
  options: SyncPlanOptions = {},
): SyncTableSpec[] {
  return Object.keys(required).sort().map((table) => {
    const filter = records[table];
    const window = windowOf(table, options.windows ?? {});
    return {
      table,
      fields: [
        ...new Set([
          "sys_id",
          "sys_updated_on",
          ...required[table]!,
          ...(window ? ["sys_created_on"] : []),
        ]),
      ],
      ...(filter && filter.values.length > 0 && /^[a-z0-9_]+$/.test(filter.field)
        ? { filter: `${filter.field}IN${filter.values.join(",")}` }
        : {}),
      ...(window ? { window } : {}),
    };
  });
}

function windowOf(table: string, windows: LogWindows): { days: number } | null {
  const kind = LOG_TABLES[table];
  const days = kind ? windows[kind] : undefined;
  return days && days > 0 ? { days } : null;
}

function withSystemFields(fields: readonly string[]): string[] {
  return [...new Set([...SYSTEM_FIELDS, ...fields])];
}
