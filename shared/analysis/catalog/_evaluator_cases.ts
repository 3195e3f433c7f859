/**
 * Fixtures of every behavioural check: compliant data (the check PASSes) and
 * data with violations (it FAILs on exactly the violating resources). Shared by
 * evaluators_test.ts and required_fields_test.ts.
 *
 * @module
 */
import { sid, type SnowRecord } from "./_testbed.ts";

export type Fixture = Record<string, SnowRecord[]>;

export interface Case {
  /** Compliant data: the check must PASS. */
  pass: Fixture;
  /** Data with violations: the check must FAIL on exactly `failing`. */
  fail: Fixture;
  /** Aliases of the failing resources (their sid), or `=key` for a literal resource key. */
  failing: string[];
  parameters?: Record<string, unknown>;
}

const RECENT = "2026-05-20 10:00:00";
const OLD = "2025-12-01 00:00:00";

function merge(...fixtures: Fixture[]): Fixture {
  const out: Fixture = {};
  for (const f of fixtures) {
    for (const [t, rows] of Object.entries(f)) out[t] = [...(out[t] ?? []), ...rows];
  }
  return out;
}

function user(alias: string, fields: SnowRecord = {}): SnowRecord {
  return {
    sys_id: sid(alias),
    user_name: alias,
    active: "true",
    locked_out: "false",
    last_login_time: RECENT,
    web_service_access_only: "false",
    internal_integration_user: "false",
    email: `${alias}@acme.test`,
    failed_attempts: "0",
    password_needs_reset: "false",
    enable_multifactor_authn: "true",
    ...fields,
  };
}

function role(name: string, fields: SnowRecord = {}): SnowRecord {
  return { sys_id: sid(`role:${name}`), name, elevated_privilege: "false", ...fields };
}

function grant(
  alias: string,
  userAlias: string,
  roleName: string,
  fields: SnowRecord = {},
): SnowRecord {
  return {
    sys_id: sid(alias),
    user: sid(userAlias),
    role: sid(`role:${roleName}`),
    state: "active",
    inherited: "true",
    ...fields,
  };
}

const ROLES: Fixture = {
  sys_user_role: [
    "admin",
    "security_admin",
    "itil",
    "impersonator",
    "snc_internal",
    "snc_external",
    "public",
    "user_admin",
  ]
    .map((n) => role(n, n === "security_admin" ? { elevated_privilege: "true" } : {})),
};

/** A user with roles: the user record and one grant per role. */
function holder(
  alias: string,
  roles: string[],
  fields: SnowRecord = {},
  grantFields: SnowRecord = {},
): Fixture {
  return {
    sys_user: [user(alias, fields)],
    sys_user_has_role: roles.map((r) => grant(`${alias}:${r}`, alias, r, grantFields)),
  };
}

function acl(alias: string, fields: SnowRecord, roles: string[] = []): Fixture {
  return {
    sys_security_acl: [{
      sys_id: sid(alias),
      name: "incident",
      type: "record",
      operation: "read",
      active: "true",
      advanced: "false",
      script: "",
      condition: "",
      sys_updated_by: "glide.maint",
      ...fields,
    }],
    sys_security_acl_role: roles.map((r) => ({
      sys_security_acl: sid(alias),
      sys_user_role: sid(`role:${r}`),
    })),
  };
}

function change(alias: string, fields: SnowRecord = {}): SnowRecord {
  return {
    sys_id: sid(alias),
    number: alias.toUpperCase(),
    type: "normal",
    state: "3",
    approval: "approved",
    requested_by: sid("req"),
    opened_by: sid("req"),
    assigned_to: sid("impl"),
    work_start: "2026-04-02 10:00:00",
    work_end: "2026-04-02 11:00:00",
    start_date: "2026-04-02 09:00:00",
    end_date: "2026-04-02 12:00:00",
    implementation_plan: "Deploy the new version with the pipeline.",
    backout_plan: "Redeploy the previous version from the registry.",
    test_plan: "Run the smoke tests against the service.",
    close_notes: "Implemented as planned.",
    close_code: "successful",
    unauthorized: "false",
    outside_maintenance_schedule: "false",
    conflict_status: "No Conflict",
    cab_required: "false",
    cab_date_time: "",
    review_status: "1",
    review_comments: "Reviewed by the CAB.",
    std_change_producer_version: "",
    sys_created_on: "2026-05-10 00:00:00",
    ...fields,
  };
}

function approval(
  alias: string,
  changeAlias: string,
  approver: string,
  fields: SnowRecord = {},
): SnowRecord {
  return {
    sys_id: sid(alias),
    sysapproval: sid(changeAlias),
    document_id: sid(changeAlias),
    approver: sid(approver),
    state: "approved",
    sys_updated_on: "2026-04-01 09:00:00",
    ...fields,
  };
}

function script(table: string, alias: string, code: string, fields: SnowRecord = {}): Fixture {
  return {
    [table]: [{
      sys_id: sid(alias),
      name: alias,
      active: "true",
      script: code,
      collection: "incident",
      table: "incident",
      api_name: `global.${alias}`,
      client_callable: "false",
      sys_updated_by: "dev",
      sys_updated_on: RECENT,
      ...fields,
    }],
  };
}

function prop(name: string, value: string): SnowRecord {
  return { sys_id: sid(`prop:${name}`), name, value };
}

function incident(alias: string, fields: SnowRecord = {}): SnowRecord {
  return {
    sys_id: sid(alias),
    number: alias.toUpperCase(),
    priority: "3",
    state: "2",
    active: "true",
    problem_id: "",
    reopen_count: "0",
    caused_by: "",
    opened_at: "2026-05-01 00:00:00",
    resolved_at: "",
    ...fields,
  };
}

const codeCases = (table: string, slug: string): Record<string, Case> => ({
  [`code_${slug}_uses_eval`]: {
    pass: merge(
      script(table, "ok1", "var x = JSON.parse(s); obj.eval(x); evaluateRules(1);"),
      script(table, "off", "var r = eval(code);", { active: "false" }),
    ),
    fail: merge(
      script(table, "ok1", "var x = JSON.parse(s);"),
      script(table, "bad", "var r = eval (code);"),
    ),
    failing: ["bad"],
  },
  [`code_${slug}_hardcoded_sys_id`]: {
    pass: script(table, "ok1", "var id = gs.getProperty('x.sys_id'); var n = '0123456789abcdef';"),
    fail: merge(
      script(table, "ok1", "var id = gs.getProperty('x');"),
      script(table, "bad", "var id = '0123456789abcdef0123456789abcdef';"),
    ),
    failing: ["bad"],
  },
  [`code_${slug}_hardcoded_credential`]: {
    pass: script(table, "ok1", "var password = gs.getProperty('x.password'); var pwd = '';"),
    fail: merge(
      script(table, "ok1", "var password = gs.getProperty('x.password');"),
      script(table, "bad1", "var password = 'Secr3t!!';"),
      script(table, "bad2", "request.setBasicAuth('svc', 'pw12');"),
    ),
    failing: ["bad1", "bad2"],
  },
});

export const CASES: Record<string, Case> = {
  identity_privileged_account_dormant: {
    pass: merge(ROLES, holder("adm", ["admin"]), {
      sys_user: [user("plain", { last_login_time: OLD })],
    }),
    fail: merge(
      ROLES,
      holder("adm", ["admin"]),
      holder("adm2", ["admin"], { last_login_time: OLD }),
      holder("adm3", ["security_admin"], { last_login_time: "" }),
      holder("gone", ["admin"], { active: "false", last_login_time: OLD }),
      holder("pend", ["admin"], { last_login_time: OLD }, { state: "pending" }),
    ),
    failing: ["adm2", "adm3"],
  },
  identity_account_dormant: {
    pass: {
      sys_user: [
        user("u1"),
        user("ws", { web_service_access_only: "true", last_login_time: OLD }),
        user("off", { active: "false", last_login_time: OLD }),
      ],
    },
    fail: {
      sys_user: [
        user("u1"),
        user("u2", { last_login_time: OLD }),
        user("u3", { last_login_time: "" }),
      ],
    },
    failing: ["u2", "u3"],
  },
  identity_inactive_user_not_locked: {
    pass: { sys_user: [user("u1"), user("x", { active: "false", locked_out: "true" })] },
    fail: { sys_user: [user("u1"), user("y", { active: "false", locked_out: "false" })] },
    failing: ["y"],
  },
  identity_terminated_user_active: {
    pass: {
      sys_user: [user("u1"), user("u2", { active: "false" }), user("u3")],
      sn_hr_core_profile: [
        { user: sid("u1"), employment_end_date: "2026-12-31" },
        { user: sid("u2"), employment_end_date: "2026-01-31" },
        { user: sid("u3"), employment_end_date: "" },
      ],
    },
    fail: {
      sys_user: [user("u1"), user("u4")],
      sn_hr_core_profile: [
        { user: sid("u1"), employment_end_date: "2026-12-31" },
        { user: sid("u4"), employment_end_date: "2026-05-01" },
        { user: sid("u4"), employment_end_date: "2026-04-01" },
      ],
    },
    failing: ["u4"],
  },
  identity_inactive_user_holds_roles: {
    pass: merge(ROLES, holder("u1", ["itil"])),
    fail: merge(ROLES, holder("u1", ["itil"]), holder("u2", ["itil"], { active: "false" })),
    failing: ["u2:itil"],
  },
  identity_inactive_user_in_groups: {
    pass: {
      sys_user: [user("u1")],
      sys_user_grmember: [{ sys_id: sid("m1"), user: sid("u1"), group: sid("g") }],
    },
    fail: {
      sys_user: [user("u1"), user("u2", { active: "false" })],
      sys_user_grmember: [
        { sys_id: sid("m1"), user: sid("u1"), group: sid("g") },
        { sys_id: sid("m2"), user: sid("u2"), group: sid("g") },
      ],
    },
    failing: ["m2"],
  },
  identity_account_generic_name: {
    pass: {
      sys_user: [
        user("alice"),
        user("administrator"),
        user("bob"),
        user("temp", { active: "false" }),
        // Named accounts that only look similar: a person's admin account, a
        // surname containing a generic word.
        user("jsmith.admin"),
        user("john.temple"),
        user("contest.manager"),
      ],
    },
    fail: {
      sys_user: [
        user("alice"),
        user("admin"),
        user("svc.backup"),
        user("Test_user"),
        user("itil2"),
        user("admin1"),
        user("test01.shared"),
        // As instances spell them: any case, padded, generic word as a later part.
        user("ADMIN"),
        user(" Svc_Backup2"),
        user("helpdesk.shared"),
        user("qa-test2"),
        user("Front Desk Temp"),
      ],
    },
    failing: [
      "admin",
      "svc.backup",
      "Test_user",
      "itil2",
      "admin1",
      "test01.shared",
      "ADMIN",
      " Svc_Backup2",
      "helpdesk.shared",
      "qa-test2",
      "Front Desk Temp",
    ],
  },
  identity_account_unattributed: {
    pass: {
      sys_user: [
        user("alice", { employee_number: "E1", manager: sid("bob") }),
        // A service account carries no owner signals by design.
        user("svc", {
          email: "",
          employee_number: "",
          manager: "",
          web_service_access_only: "true",
        }),
        // Absent is not empty: a record without these fields is not judged on them.
        user("legacy"),
        user("gone", { active: "false", email: "", employee_number: "", manager: "" }),
      ],
    },
    fail: {
      sys_user: [
        user("alice", { employee_number: "E1", manager: sid("bob") }),
        user("frontdesk", { email: " ", employee_number: "", manager: "" }),
      ],
    },
    failing: ["frontdesk"],
  },
  identity_account_shared_email: {
    pass: {
      sys_user: [
        user("a"),
        user("b"),
        user("c", { active: "false", email: "a@acme.test" }),
        user("e", { email: "" }),
      ],
    },
    fail: {
      sys_user: [
        user("a"),
        user("b"),
        user("d", { email: " A@ACME.test " }),
        user("e", { email: "" }),
      ],
    },
    failing: ["a", "d"],
  },
  identity_integration_account_interactive: {
    pass: {
      sys_user: [
        user("u1"),
        user("int1", { internal_integration_user: "true", web_service_access_only: "true" }),
      ],
    },
    fail: { sys_user: [user("u1"), user("int2", { internal_integration_user: "true" })] },
    failing: ["int2"],
  },
  identity_privileged_role_excessive_holders: {
    parameters: { threshold: 2 },
    pass: merge(
      ROLES,
      holder("a1", ["admin"]),
      holder("a2", ["admin"]),
      holder("a3", ["admin"], { active: "false" }),
    ),
    fail: merge(ROLES, holder("a1", ["admin"]), holder("a2", ["admin"]), holder("a4", ["admin"])),
    failing: ["role:admin"],
  },
  identity_sod_conflicting_roles: {
    pass: merge(
      ROLES,
      holder("u1", ["admin"]),
      holder("u2", ["security_admin"]),
      holder("u3", ["admin", "security_admin"], { active: "false" }),
    ),
    fail: merge(
      ROLES,
      holder("u1", ["admin"]),
      holder("u4", ["admin", "security_admin"]),
      holder("u5", ["snc_internal", "snc_external"]),
    ),
    failing: ["u4", "u5"],
  },
  identity_sod_group_conflicting_roles: {
    pass: merge(ROLES, {
      sys_user_group: [{ sys_id: sid("g1"), name: "g1", active: "true" }, {
        sys_id: sid("g2"),
        name: "g2",
        active: "false",
      }],
      sys_group_has_role: [
        { group: sid("g1"), role: sid("role:admin") },
        { group: sid("g2"), role: sid("role:admin") },
        { group: sid("g2"), role: sid("role:security_admin") },
      ],
    }),
    fail: merge(ROLES, {
      sys_user_group: [{ sys_id: sid("g3"), name: "g3", active: "true" }],
      sys_group_has_role: [{ group: sid("g3"), role: sid("role:admin") }, {
        group: sid("g3"),
        role: sid("role:security_admin"),
      }],
    }),
    failing: ["g3"],
  },
  identity_role_granted_directly: {
    pass: merge(
      ROLES,
      holder("u1", ["itil"]),
      holder("u2", ["itil"], {}, { inherited: "false", state: "pending" }),
    ),
    fail: merge(ROLES, holder("u1", ["itil"]), holder("u3", ["itil"], {}, { inherited: "false" })),
    failing: ["u3:itil"],
  },
  identity_integration_account_privileged: {
    pass: merge(
      ROLES,
      holder("int", ["itil"], { web_service_access_only: "true" }),
      holder("person", ["admin"]),
    ),
    fail: merge(
      ROLES,
      holder("int", ["admin"], { web_service_access_only: "true" }),
      holder("int2", ["security_admin"], { internal_integration_user: "true" }),
      holder("int3", ["admin"], { web_service_access_only: "true" }, { state: "pending" }),
    ),
    failing: ["int:admin", "int2:security_admin"],
  },
  identity_integration_account_unused: {
    pass: {
      sys_user: [
        // An API session within the window, or a recent transaction despite an old login.
        user("int.session", { web_service_access_only: "true", last_login_time: RECENT }),
        user("int.calls", { internal_integration_user: "true", last_login_time: "" }),
        // People are judged by the interactive dormancy checks, not here.
        user("person", { last_login_time: "" }),
        user("int.gone", { web_service_access_only: "true", active: "false", last_login_time: "" }),
        // Absent is not empty: a record without last_login_time is not judged.
        (({ last_login_time: _, ...rest }) => rest)(
          user("int.legacy", { web_service_access_only: "true" }),
        ),
      ],
      syslog_transaction: [
        { sys_id: sid("t1"), sys_created_by: "int.calls", sys_created_on: RECENT },
      ],
    },
    fail: {
      sys_user: [
        user("int.session", { web_service_access_only: "true", last_login_time: RECENT }),
        user("int.never", { web_service_access_only: "true", last_login_time: "" }),
        user("int.old", { internal_integration_user: "true", last_login_time: OLD }),
        user("int.oldcalls", { web_service_access_only: "true", last_login_time: "" }),
      ],
      syslog_transaction: [
        { sys_id: sid("t2"), sys_created_by: "int.oldcalls", sys_created_on: OLD },
      ],
    },
    failing: ["int.never", "int.old", "int.oldcalls"],
  },
  identity_integration_credential_stale: {
    pass: {
      sys_user: [
        user("int.rotated", {
          web_service_access_only: "true",
          last_password_change: RECENT,
          sys_created_on: "2020-01-01 00:00:00",
        }),
        // Never changed, but created within the period.
        user("int.new", {
          internal_integration_user: "true",
          last_password_change: "",
          sys_created_on: OLD,
        }),
        user("person", { last_password_change: "2020-01-01 00:00:00" }),
        // Absent is not empty: a record without the field is not judged.
        user("int.legacy", {
          web_service_access_only: "true",
          sys_created_on: "2020-01-01 00:00:00",
        }),
      ],
    },
    fail: {
      sys_user: [
        user("int.old", {
          web_service_access_only: "true",
          last_password_change: "2025-03-01 00:00:00",
          sys_created_on: "2020-01-01 00:00:00",
        }),
        user("int.never", {
          internal_integration_user: "true",
          last_password_change: "",
          sys_created_on: "2024-01-01 00:00:00",
        }),
      ],
    },
    failing: ["int.old", "int.never"],
  },
  identity_role_grant_orphaned: {
    pass: merge(ROLES, holder("u1", ["itil"])),
    fail: merge(ROLES, holder("u1", ["itil"]), {
      sys_user_has_role: [grant("go1", "ghost", "itil"), {
        ...grant("go2", "x", "itil"),
        user: "",
      }],
    }),
    failing: ["go1", "go2"],
  },
  identity_group_membership_orphaned: {
    pass: {
      sys_user: [user("u1")],
      sys_user_group: [{ sys_id: sid("g"), name: "g", active: "true" }],
      sys_user_grmember: [{ sys_id: sid("m1"), user: sid("u1"), group: sid("g") }],
    },
    fail: {
      sys_user: [user("u1")],
      sys_user_group: [{ sys_id: sid("g"), name: "g", active: "true" }, {
        sys_id: sid("off"),
        name: "off",
        active: "false",
      }],
      sys_user_grmember: [
        { sys_id: sid("m1"), user: sid("u1"), group: sid("g") },
        { sys_id: sid("m2"), user: sid("ghost"), group: sid("g") },
        { sys_id: sid("m3"), user: sid("u1"), group: sid("nogroup") },
        { sys_id: sid("m4"), user: sid("u1"), group: sid("off") },
      ],
    },
    failing: ["m2", "m3", "m4"],
  },
  identity_account_brute_force_suspected: {
    pass: {
      sys_user: [
        user("u1", { failed_attempts: "2" }),
        user("u2", { active: "false", failed_attempts: "9" }),
      ],
    },
    fail: {
      sys_user: [
        user("u1", { failed_attempts: "2" }),
        user("u3", { failed_attempts: "5" }),
        user("u4", { locked_out: "true" }),
      ],
    },
    failing: ["u3", "u4"],
  },
  identity_password_reset_pending: {
    pass: { sys_user: [user("u1"), user("u2", { active: "false", password_needs_reset: "true" })] },
    fail: { sys_user: [user("u1"), user("u3", { password_needs_reset: "true" })] },
    failing: ["u3"],
  },
  identity_privileged_user_without_mfa: {
    pass: merge(
      ROLES,
      holder("adm", ["admin"]),
      holder("plain", ["itil"], { enable_multifactor_authn: "false" }),
    ),
    fail: merge(
      ROLES,
      holder("adm", ["admin"]),
      holder("adm2", ["admin"], { enable_multifactor_authn: "false" }),
      holder("sec", ["security_admin"], { enable_multifactor_authn: "" }),
    ),
    failing: ["adm2", "sec"],
  },
  identity_impersonator_role_non_admin: {
    pass: merge(ROLES, holder("u1", ["impersonator", "admin"]), holder("u2", ["itil"])),
    fail: merge(ROLES, holder("u1", ["impersonator", "admin"]), holder("u3", ["impersonator"])),
    failing: ["u3"],
  },
  identity_default_admin_account_enabled: {
    pass: merge(ROLES, { sys_user: [user("admin", { active: "false" })], sys_user_grmember: [] }),
    fail: merge(ROLES, {
      sys_user: [
        user("admin"),
        user(" Admin "),
        // The baseline record renamed: still the baseline admin.
        user("renamed", { sys_id: "6816f79cc0a8016401c5a33be04be441", user_name: "sn.root" }),
        user("jsmith.admin"),
      ],
      sys_user_grmember: [],
    }),
    failing: ["admin", " Admin ", "=6816f79cc0a8016401c5a33be04be441"],
  },
  identity_admin_share_high: {
    parameters: { max_share: 0.3 },
    pass: merge(
      ROLES,
      holder("a1", ["admin"]),
      holder("u2", []),
      holder("u3", []),
      holder("u4", []),
    ),
    fail: merge(
      ROLES,
      holder("a1", ["admin"]),
      holder("a2", ["admin"]),
      holder("u3", []),
      holder("u4", []),
    ),
    failing: ["role:admin"],
  },
  acl_rule_empty: {
    pass: merge(
      ROLES,
      acl("acl1", {}, ["itil"]),
      acl("acl2", { active: "false" }),
      acl("acl3", { condition: "active=true" }),
      acl("acl4", { script: "answer = gs.hasRole('itil');", advanced: "true" }),
    ),
    fail: merge(
      ROLES,
      acl("acl1", {}, ["itil"]),
      acl("acl5", {}),
      acl("acl6", { condition: "   " }, ["public"]),
    ),
    failing: ["acl5", "acl6"],
  },
  acl_script_hidden_not_advanced: {
    pass: merge(acl("acl1", { script: "answer = true;", advanced: "true" }), acl("acl2", {})),
    fail: merge(
      acl("acl1", { script: "answer = true;", advanced: "true" }),
      acl("acl3", { script: "answer = true;" }),
    ),
    failing: ["acl3"],
  },
  acl_table_without_rules: {
    pass: merge(
      acl("acl1", { name: "incident.*" }),
      // Named the way an admin typed it: ServiceNow's queries find it for change_request.
      acl("acl9", { name: " Change_Request.* " }),
      {
        sys_db_object: [
          { sys_id: sid("t:incident"), name: "incident", label: "Incident" },
          { sys_id: sid("t:change_request"), name: "change_request", label: "Change Request" },
        ],
      },
    ),
    fail: merge(
      acl("acl1", { name: "incident.*" }),
      acl("acl2", { name: "problem", active: "false" }),
      {
        sys_db_object: [{ sys_id: sid("t:incident"), name: "incident" }, {
          sys_id: sid("t:problem"),
          name: "problem",
        }],
      },
    ),
    failing: ["t:problem"],
  },
  acl_wildcard_rule_modified: {
    pass: merge(acl("acl1", { name: "*" }), acl("acl2", { sys_updated_by: "bob" })),
    fail: merge(acl("acl1", { name: "*" }), acl("acl3", { name: "*.*", sys_updated_by: "bob" })),
    failing: ["acl3"],
  },
  acl_client_callable_script_include_unprotected: {
    pass: merge(
      script("sys_script_include", "Helper", "", { client_callable: "true" }),
      script("sys_script_include", "Internal", "", { client_callable: "false" }),
      acl(
        "acl1",
        { name: "Helper", type: "client_callable_script_include", operation: "execute" },
        ["itil"],
      ),
      // ACLs named in another case or with stray spaces still protect the include.
      script("sys_script_include", "AjaxUtils", "", { client_callable: "true" }),
      acl(
        "acl2",
        { name: "ajaxutils ", type: "client_callable_script_include", operation: "execute" },
        ["itil"],
      ),
      script("sys_script_include", "CartAjax", "", { client_callable: "true" }),
      acl(
        "acl3",
        { name: "Global.CartAjax", type: "client_callable_script_include", operation: "execute" },
        ["itil"],
      ),
    ),
    fail: merge(
      script("sys_script_include", "Helper", "", { client_callable: "true" }),
      script("sys_script_include", "Open", "", { client_callable: "true" }),
      acl(
        "acl1",
        { name: "Helper", type: "client_callable_script_include", operation: "execute" },
        ["itil"],
      ),
    ),
    failing: ["Open"],
  },
  acl_ui_page_unprotected: {
    pass: merge(
      acl("acl1", { name: "p1", type: "ui_page" }),
      acl("acl2", { name: " My_Page", type: "ui_page" }),
      { sys_ui_page: [{ sys_id: sid("p1"), name: "p1" }, { sys_id: sid("p3"), name: "my_page" }] },
    ),
    fail: merge(acl("acl1", { name: "p1", type: "ui_page" }), {
      sys_ui_page: [{ sys_id: sid("p1"), name: "p1" }, { sys_id: sid("p2"), name: "p2" }],
    }),
    failing: ["p2"],
  },
  exposure_scripted_rest_public: {
    pass: {
      sys_ws_operation: [
        { sys_id: sid("op1"), name: "op1", active: "true", requires_authentication: "true" },
        { sys_id: sid("op2"), name: "op2", active: "false", requires_authentication: "false" },
      ],
    },
    fail: {
      sys_ws_operation: [{
        sys_id: sid("op3"),
        name: "op3",
        active: "true",
        requires_authentication: "false",
      }],
    },
    failing: ["op3"],
  },
  exposure_public_page_nonbaseline: {
    pass: {
      sys_public: [
        { sys_id: sid("p1"), page: "login.do", active: "true" },
        { sys_id: sid("p2"), page: "custom.do", active: "false" },
        // Baseline pages as instances spell them.
        { sys_id: sid("p4"), page: "/Login.do", active: "true" },
        { sys_id: sid("p5"), page: "LOGOUT_SUCCESS", active: "true" },
        { sys_id: sid("p6"), page: "password_reset.do ", active: "true" },
      ],
    },
    fail: {
      sys_public: [{ sys_id: sid("p1"), page: "login.do", active: "true" }, {
        sys_id: sid("p3"),
        page: "custom.do",
        active: "true",
      }, { sys_id: sid("p7"), page: "/Login_Custom.do", active: "true" }],
    },
    failing: ["p3", "p7"],
  },
  exposure_scripted_rest_without_acl_check: {
    pass: {
      sys_ws_operation: [{
        sys_id: sid("op1"),
        active: "true",
        requires_authentication: "true",
        requires_acl_authorization: "true",
      }],
    },
    fail: {
      sys_ws_operation: [{
        sys_id: sid("op2"),
        active: "true",
        requires_authentication: "true",
        requires_acl_authorization: "false",
      }],
    },
    failing: ["op2"],
  },
  exposure_acl_external_read_sensitive_table: {
    pass: merge(
      ROLES,
      acl("acl1", { name: "sys_user" }, ["itil"]),
      acl("acl2", { name: "incident" }, ["snc_external"]),
    ),
    fail: merge(
      ROLES,
      acl("acl3", { name: "sys_user.email" }, ["snc_external"]),
      acl("acl4", { name: "sys_properties" }, ["public", "itil"]),
      // Named in another case: ServiceNow applies it to sys_user all the same.
      acl("acl5", { name: " Sys_User.*" }, ["snc_external"]),
    ),
    failing: ["acl3", "acl4", "acl5"],
  },
  exposure_acl_public_write: {
    pass: merge(
      ROLES,
      acl("acl1", { operation: "write" }, ["itil"]),
      acl("acl2", { operation: "read" }, ["public"]),
    ),
    fail: merge(ROLES, acl("acl3", { operation: "delete" }, ["public"])),
    failing: ["acl3"],
  },
  exposure_guest_user_has_roles: {
    pass: merge(ROLES, holder("guest", ["snc_external"]), holder("boss", ["admin"])),
    fail: merge(ROLES, holder("Guest ", ["snc_external", "itil"])),
    failing: ["Guest "],
  },
  ...codeCases("sys_script_client", "client_script"),
  ...codeCases("sys_script", "business_rule"),
  ...codeCases("sys_script_include", "script_include"),
  code_client_script_uses_gliderecord: {
    pass: script(
      "sys_script_client",
      "ok",
      "var ga = new GlideAjax('X'); var s = new GlideRecordSecure('x');",
    ),
    fail: script("sys_script_client", "bad", "var gr = new GlideRecord('incident');"),
    failing: ["bad"],
  },
  code_script_include_client_callable_gliderecord: {
    pass: merge(
      script("sys_script_include", "ok", "var gr = new GlideRecordSecure('x');", {
        client_callable: "true",
      }),
      script("sys_script_include", "server", "var gr = new GlideRecord('x');", {
        client_callable: "false",
      }),
    ),
    fail: script("sys_script_include", "bad", "var gr = new GlideRecord('x');", {
      client_callable: "true",
    }),
    failing: ["bad"],
  },
  code_business_rule_inactive_stale: {
    pass: merge(
      script("sys_script", "recent", "", {
        active: "false",
        sys_updated_on: "2026-05-01 00:00:00",
      }),
      script("sys_script", "live", "", { sys_updated_on: "2024-01-01 00:00:00" }),
    ),
    fail: script("sys_script", "stale", "", {
      active: "false",
      sys_updated_on: "2025-01-01 00:00:00",
    }),
    failing: ["stale"],
  },
  integration_account_interactive_use: {
    pass: {
      sys_user: [user("int", { web_service_access_only: "true" }), user("person")],
      syslog_transaction: [{ type: "rest", sys_created_by: "int" }, {
        type: "form",
        sys_created_by: "person",
      }],
    },
    fail: {
      sys_user: [user("int2", { internal_integration_user: "true" })],
      syslog_transaction: [{ type: "list", sys_created_by: "int2", sys_created_on: RECENT }],
    },
    failing: ["int2"],
  },
  integration_certificate_expiring: {
    pass: {
      sys_certificate: [
        { sys_id: sid("c1"), name: "c1", active: "true", expires: "2027-01-01 00:00:00" },
        { sys_id: sid("c2"), name: "c2", active: "false", expires: "2026-01-01 00:00:00" },
      ],
    },
    fail: {
      sys_certificate: [
        { sys_id: sid("c3"), name: "c3", active: "true", expires: "2026-06-15 00:00:00" },
        { sys_id: sid("c4"), name: "c4", active: "true", expires: "2026-01-01 00:00:00" },
      ],
    },
    failing: ["c3", "c4"],
  },
  integration_oauth_token_lifespan_long: {
    pass: {
      oauth_entity: [
        {
          sys_id: sid("o1"),
          active: "true",
          access_token_lifespan: "1800",
          refresh_token_lifespan: "8640000",
        },
        {
          sys_id: sid("o2"),
          active: "false",
          access_token_lifespan: "99999",
          refresh_token_lifespan: "",
        },
      ],
    },
    fail: {
      oauth_entity: [{
        sys_id: sid("o3"),
        active: "true",
        access_token_lifespan: "7200",
        refresh_token_lifespan: "",
      }],
    },
    failing: ["o3"],
  },
  integration_oauth_client_password_grant: {
    pass: {
      oauth_entity: [
        { sys_id: sid("o1"), active: "true", default_grant_type: "client_credentials" },
        { sys_id: sid("o2"), active: "false", default_grant_type: "password" },
      ],
    },
    fail: { oauth_entity: [{ sys_id: sid("o3"), active: "true", default_grant_type: "password" }] },
    failing: ["o3"],
  },
  integration_rest_message_basic_auth: {
    pass: { sys_rest_message: [{ sys_id: sid("m1"), authentication_type: "oauth2" }] },
    fail: { sys_rest_message: [{ sys_id: sid("m2"), authentication_type: "basic" }] },
    failing: ["m2"],
  },
  integration_rest_method_basic_auth: {
    pass: {
      sys_rest_message_fn: [{ sys_id: sid("f1"), authentication_type: "inherit_from_parent" }],
    },
    fail: { sys_rest_message_fn: [{ sys_id: sid("f2"), authentication_type: "basic" }] },
    failing: ["f2"],
  },
  integration_rest_endpoint_cleartext: {
    pass: { sys_rest_message: [{ sys_id: sid("m1"), rest_endpoint: "https://api.example.com" }] },
    fail: { sys_rest_message: [{ sys_id: sid("m2"), rest_endpoint: "HTTP://api.example.com/v1" }] },
    failing: ["m2"],
  },
  integration_rate_limit_rules_missing: {
    pass: { sys_rate_limit_rules: [{ name: "r1", active: "true" }] },
    fail: { sys_rate_limit_rules: [{ name: "r2", active: "false" }] },
    failing: ["=sys_rate_limit_rules"],
  },
  change_requester_self_approved: {
    pass: {
      change_request: [change("chg1")],
      sysapproval_approver: [
        approval("ap1", "chg1", "boss"),
        approval("ap2", "chg1", "req", { state: "rejected" }),
      ],
    },
    fail: {
      change_request: [
        change("chg2"),
        change("chg3", { requested_by: sid("r3"), opened_by: sid("o3") }),
      ],
      sysapproval_approver: [
        approval("ap3", "chg2", "req"),
        approval("ap4", "chg3", "o3", { sysapproval: "" }),
      ],
    },
    failing: ["chg2", "chg3"],
  },
  change_implementer_approved: {
    pass: {
      change_request: [change("chg1")],
      change_task: [],
      sysapproval_approver: [approval("ap1", "chg1", "boss")],
    },
    fail: {
      change_request: [change("chg2"), change("chg3")],
      change_task: [{ change_request: sid("chg3"), assigned_to: sid("tasker") }],
      sysapproval_approver: [approval("ap2", "chg2", "impl"), approval("ap3", "chg3", "tasker")],
    },
    failing: ["chg2", "chg3"],
  },
  change_requester_is_implementer: {
    pass: {
      change_request: [change("chg1"), change("chg2", { requested_by: "", assigned_to: "" })],
    },
    fail: { change_request: [change("chg3", { assigned_to: sid("req") })] },
    failing: ["chg3"],
  },
  change_implemented_without_approval: {
    pass: {
      change_request: [
        change("chg1", { state: "-1" }),
        change("chg2", { type: "standard", approval: "not requested" }),
        change("chg3", { state: "-5", approval: "not requested" }),
      ],
      sysapproval_approver: [approval("ap1", "chg1", "boss")],
    },
    fail: {
      change_request: [
        change("chg4", { type: "emergency" }),
        change("chg5", { state: "0", approval: "requested" }),
      ],
      sysapproval_approver: [approval("ap5", "chg5", "boss")],
    },
    failing: ["chg4", "chg5"],
  },
  change_flagged_unauthorized: {
    pass: { change_request: [change("chg1")] },
    fail: {
      change_request: [change("chg2", { unauthorized: "true", type: "standard", state: "-5" })],
    },
    failing: ["chg2"],
  },
  change_approved_after_work_started: {
    pass: {
      change_request: [change("chg1"), change("chg2", { work_start: "" })],
      sysapproval_approver: [
        approval("ap1", "chg1", "boss"),
        approval("ap2", "chg2", "boss", { sys_updated_on: "2026-05-01 00:00:00" }),
      ],
    },
    fail: {
      change_request: [change("chg3", { work_start: "2026-03-01 10:00:00" })],
      sysapproval_approver: [
        approval("ap3", "chg3", "boss", { sys_updated_on: "2026-03-01 12:00:00" }),
        approval("ap4", "chg3", "boss2", {
          state: "rejected",
          sys_updated_on: "2026-02-01 00:00:00",
        }),
      ],
    },
    failing: ["chg3"],
  },
  change_plan_missing: {
    pass: {
      change_request: [
        change("chg1"),
        change("chg2", { type: "standard", test_plan: "", backout_plan: "" }),
      ],
    },
    fail: { change_request: [change("chg3", { type: "emergency", test_plan: "  short  " })] },
    failing: ["chg3"],
  },
  change_outside_planned_window: {
    pass: { change_request: [change("chg1"), change("chg2", { work_start: "", work_end: "" })] },
    fail: {
      change_request: [
        change("chg3", { work_start: "2026-04-02 08:00:00" }),
        change("chg4", { work_end: "2026-04-02 13:00:00" }),
      ],
    },
    failing: ["chg3", "chg4"],
  },
  change_schedule_conflict: {
    pass: { change_request: [change("chg1")] },
    fail: {
      change_request: [
        change("chg2", { conflict_status: "Conflict" }),
        change("chg3", { outside_maintenance_schedule: "true" }),
      ],
    },
    failing: ["chg2", "chg3"],
  },
  change_emergency_without_review: {
    pass: {
      change_request: [
        change("chg1", { type: "emergency" }),
        change("chg2", { review_status: "", review_comments: "" }),
      ],
    },
    fail: {
      change_request: [
        change("chg3", { type: "emergency", review_status: "" }),
        change("chg4", { type: "emergency", review_comments: "   " }),
      ],
    },
    failing: ["chg3", "chg4"],
  },
  change_emergency_ratio_high: {
    parameters: { threshold: 0.25, days: 90 },
    pass: {
      change_request: [
        change("chg1", { type: "emergency" }),
        change("chg2"),
        change("chg3"),
        change("chg4"),
        change("old", { type: "emergency", sys_created_on: "2025-01-01 00:00:00" }),
      ],
    },
    fail: {
      change_request: [
        change("chg1", { type: "emergency" }),
        change("chg2", { type: "emergency" }),
        change("chg3"),
        change("chg4"),
      ],
    },
    failing: ["=emergency_ratio"],
  },
  change_closed_unsuccessful: {
    pass: { change_request: [change("chg1")] },
    fail: { change_request: [change("chg2", { close_code: "unsuccessful" })] },
    failing: ["chg2"],
  },
  change_caused_incident: {
    pass: { change_request: [change("chg1")], incident: [incident("inc1")] },
    fail: {
      change_request: [change("chg2")],
      incident: [
        incident("inc2", { caused_by: sid("chg2") }),
        incident("inc3", { caused_by: sid("chg2") }),
      ],
    },
    failing: ["chg2"],
  },
  change_cab_required_not_held: {
    pass: {
      change_request: [
        change("chg1", { cab_required: "true", cab_date_time: "2026-04-01 10:00:00" }),
        change("chg2", { cab_required: "true", state: "-4" }),
      ],
    },
    fail: { change_request: [change("chg3", { cab_required: "true", state: "-1" })] },
    failing: ["chg3"],
  },
  change_closed_without_evidence: {
    pass: { change_request: [change("chg1"), change("chg2", { state: "-1", close_notes: "" })] },
    fail: {
      change_request: [change("chg3", { work_start: "" }), change("chg4", { close_notes: " " })],
    },
    failing: ["chg3", "chg4"],
  },
  change_update_set_without_change: {
    pass: {
      sys_update_set: [
        { sys_id: sid("us1"), name: "CHG0012345 fix", description: "", state: "complete" },
        { sys_id: sid("us2"), name: "wip", description: "", state: "in progress" },
        {
          sys_id: sid("us3"),
          name: "Release",
          description: "Delivered under CHG0000001.",
          state: "complete",
        },
      ],
    },
    fail: {
      sys_update_set: [{
        sys_id: sid("us4"),
        name: "Quick fix chg0000001",
        description: "",
        state: "complete",
      }],
    },
    failing: ["us4"],
  },
  change_update_set_reopened: {
    pass: {
      sys_update_set: [{ sys_id: sid("us1"), name: "a", state: "complete" }],
      sys_audit: [{
        tablename: "sys_update_set",
        fieldname: "state",
        documentkey: sid("us1"),
        oldvalue: "in progress",
        newvalue: "complete",
      }],
    },
    fail: {
      sys_update_set: [{ sys_id: sid("us2"), name: "b", state: "in progress" }],
      sys_audit: [
        {
          tablename: "sys_update_set",
          fieldname: "state",
          documentkey: sid("us2"),
          oldvalue: "complete",
          newvalue: "in progress",
          user: "bob",
        },
        {
          tablename: "sys_update_set",
          fieldname: "state",
          documentkey: sid("gone"),
          oldvalue: "complete",
          newvalue: "in progress",
        },
      ],
    },
    failing: ["us2"],
  },
  change_security_config_edit_unapproved: {
    pass: {
      sys_user: [user("impl")],
      change_request: [
        change("chg1", { work_start: "2026-05-01 00:00:00", work_end: "2026-05-02 00:00:00" }),
      ],
      sys_audit: [
        {
          sys_id: sid("a1"),
          tablename: "sys_properties",
          user: "impl",
          sys_created_on: "2026-05-01 12:00:00",
        },
        {
          sys_id: sid("a2"),
          tablename: "incident",
          user: "someone",
          sys_created_on: "2026-05-01 12:00:00",
        },
      ],
    },
    fail: {
      sys_user: [user("impl")],
      change_request: [
        change("chg1", { work_start: "2026-05-01 00:00:00", work_end: "2026-05-02 00:00:00" }),
      ],
      sys_audit: [
        {
          sys_id: sid("a3"),
          tablename: "sys_security_acl",
          user: "impl",
          sys_created_on: "2026-05-03 00:00:00",
        },
        {
          sys_id: sid("a4"),
          tablename: "sys_script",
          user: "other",
          sys_created_on: "2026-05-01 12:00:00",
        },
      ],
    },
    failing: ["a3", "a4"],
  },
  change_standard_without_template: {
    pass: {
      change_request: [
        change("chg1", { type: "standard", std_change_producer_version: sid("tpl") }),
      ],
    },
    fail: { change_request: [change("chg2", { type: "standard" })] },
    failing: ["chg2"],
  },
  audit_table_auditing_disabled: {
    pass: {
      sys_dictionary: [
        { sys_id: sid("d1"), name: "sys_user", element: "", audit: "true" },
        { sys_id: sid("d2"), name: "x_custom", element: "", audit: "false" },
      ],
    },
    fail: {
      sys_dictionary: [{ sys_id: sid("d3"), name: "incident", element: "", audit: "false" }],
    },
    failing: ["d3"],
  },
  audit_field_excluded_no_audit: {
    pass: {
      sys_dictionary: [{ sys_id: sid("d1"), name: "sys_user", element: "email", attributes: "" }],
    },
    fail: {
      sys_dictionary: [{
        sys_id: sid("d2"),
        name: "sys_user",
        element: "x",
        attributes: "no_audit,foo=bar",
      }],
    },
    failing: ["d2"],
  },
  audit_deleted_tables_incomplete: {
    pass: {
      sys_properties: [
        prop(
          "glide.ui.audit_deleted_tables",
          "sys_user, sys_user_group,sys_user_role,sys_user_has_role,sys_user_grmember,sys_group_has_role,sys_security_acl_role,cmdb_ci",
        ),
      ],
    },
    fail: { sys_properties: [prop("glide.ui.audit_deleted_tables", "sys_user,sys_user_group")] },
    failing: ["=glide.ui.audit_deleted_tables"],
  },
  audit_delete_ignore_lists_access_tables: {
    pass: { sys_properties: [prop("glide.db.audit.ignore.delete", "sys_trigger, wf_context")] },
    fail: {
      sys_properties: [prop("glide.db.audit.ignore.delete", "sys_trigger, sys_user_has_role")],
    },
    failing: ["=glide.db.audit.ignore.delete"],
  },
  audit_inserts_disabled: {
    pass: { sys_properties: [prop("glide.sys.audit_inserts", "true")] },
    fail: { sys_properties: [] },
    failing: ["=glide.sys.audit_inserts"],
  },
  audit_lazy_writes_enabled: {
    pass: { sys_properties: [prop("glide.db.audit.lazy", "false")] },
    fail: { sys_properties: [prop("glide.db.audit.lazy", "true")] },
    failing: ["=glide.db.audit.lazy"],
  },
  audit_log_delete_acl_present: {
    pass: merge(
      acl("acl1", { name: "sys_audit" }),
      acl("acl2", { name: "sys_audit", operation: "delete", active: "false" }),
    ),
    fail: acl("acl3", { name: "sys_audit.*", operation: "delete" }),
    failing: ["acl3"],
  },
  audit_log_readable_by_external: {
    pass: merge(ROLES, acl("acl1", { name: "sys_audit" }, ["admin"])),
    fail: merge(
      ROLES,
      acl("acl2", { name: "sys_audit" }, ["snc_external"]),
      acl("acl3", { name: "sys_audit.*" }),
    ),
    failing: ["acl2", "acl3"],
  },
  incident_major_without_problem: {
    pass: {
      incident: [
        incident("i1", { priority: "1", state: "6", problem_id: sid("prb") }),
        incident("i2", { state: "7" }),
        incident("i3", { priority: "1", state: "2" }),
      ],
    },
    fail: { incident: [incident("i4", { priority: "2", state: "7" })] },
    failing: ["i4"],
  },
  incident_sla_breached: {
    pass: {
      incident: [incident("i1")],
      task_sla: [{ sys_id: sid("s1"), task: sid("i1"), has_breached: "false" }, {
        sys_id: sid("s2"),
        task: sid("chg"),
        has_breached: "true",
      }],
    },
    fail: {
      incident: [incident("i1")],
      task_sla: [{ sys_id: sid("s3"), task: sid("i1"), has_breached: "true" }],
    },
    failing: ["s3"],
  },
  incident_record_reopened: {
    pass: { incident: [incident("i1")] },
    fail: { incident: [incident("i2", { reopen_count: "2" })] },
    failing: ["i2"],
  },
  incident_resolution_over_target: {
    pass: {
      incident: [
        incident("i1", { priority: "1", resolved_at: "2026-05-01 03:00:00" }),
        incident("i2", { priority: "3", resolved_at: "2026-05-03 02:00:00" }),
        incident("i3", { priority: "9", resolved_at: "2026-05-30 00:00:00" }),
      ],
    },
    fail: {
      incident: [
        incident("i4", { priority: "1", resolved_at: "2026-05-01 05:00:00" }),
        incident("i5", { priority: "2", resolved_at: "2026-05-02 06:00:00" }),
      ],
    },
    failing: ["i4", "i5"],
  },
  incident_closed_still_active: {
    pass: { incident: [incident("i1", { active: "false", state: "7" })] },
    fail: { incident: [incident("i2", { state: "8" })] },
    failing: ["i2"],
  },
  incident_caused_by_change: {
    pass: { incident: [incident("i1")] },
    fail: { incident: [incident("i2", { caused_by: sid("chg") })] },
    failing: ["i2"],
  },
  incident_security_stale: {
    pass: {
      sn_si_incident: [
        { sys_id: sid("s1"), active: "true", opened_at: "2026-05-20 00:00:00" },
        { sys_id: sid("s2"), active: "false", opened_at: "2025-01-01 00:00:00" },
      ],
    },
    fail: {
      sn_si_incident: [{ sys_id: sid("s3"), active: "true", opened_at: "2026-04-01 00:00:00" }],
    },
    failing: ["s3"],
  },
};
