/**
 * Instance profiles: simulated instances that look like the world rather than
 * like our own generator — fields omitted, property records absent, tables
 * missing or denied, pages cut short by row ACLs, service accounts that never
 * log in, settings as an older release family ships them.
 *
 * A profile is a scenario applied to a generated dataset. Its ground truth is
 * defined by the scenario, never by running a check: {@link visibleManifest}
 * applies the control rules of manifest.ts to the data the integration user can
 * actually see (missing and denied tables emptied, ACL-hidden rows removed), and
 * the scenario lists what it hides ({@link ProfileScenario}) so a test can say
 * which verdicts must be "could not judge" and why.
 *
 * @module
 */

import { formatGlideDateTime } from "../../shared/servicenow/query/mod.ts";
import type { ReadAclPolicy } from "./instance.ts";
import { computeManifest, type Manifest } from "./manifest.ts";
import type { ControlId } from "./params.ts";
import type { Dataset } from "./store.ts";

const DAY = 86_400_000;

/** The profiles the simulator knows. */
export const PROFILES = ["sparse", "locked_down", "integration_heavy", "legacy_release"] as const;
/** A profile name. */
export type ProfileName = typeof PROFILES[number];

/** What a profile hides or changes: the scenario, which is the ground truth. */
export interface ProfileScenario {
  readonly profile: ProfileName;
  readonly description: string;
  /** Tables the instance does not have (400 "Invalid table": plugin not installed). */
  readonly absentTables: readonly string[];
  /** Tables the integration user may not read (403). */
  readonly deniedTables: readonly string[];
  /**
   * Fields omitted from every record (field-level ACL), with the controls whose
   * rule reads them on that table: those controls' violations on the table are
   * undetectable.
   */
  readonly hiddenFields: readonly {
    readonly table: string;
    readonly field: string;
    readonly controls: readonly ControlId[];
  }[];
  /** Rows only visible when they match `visible` (row ACL: pages come back short). */
  readonly hiddenRows: readonly { readonly table: string; readonly visible: string }[];
  /** Property records the profile removed (the platform default applies). */
  readonly removedProperties: readonly string[];
  /** Property records the profile set, as that instance has them. */
  readonly setProperties: Readonly<Record<string, string>>;
  /** Plugin ids whose `v_plugin` row the profile removed (not installed). */
  readonly removedPlugins: readonly string[];
  /** Service and integration accounts the profile added, by user_name. */
  readonly serviceAccounts: Readonly<Record<string, ServiceAccount>>;
}

/**
 * A service or integration account of a scenario: its roles, when it was
 * created, when its password was last changed (null: never since creation),
 * its last authenticated API session (`last_login_time`; null: never) and the
 * days on which it called the REST API (rows of `syslog_transaction`), all in
 * days before the instance's time.
 */
export interface ServiceAccount {
  readonly roles: readonly string[];
  readonly createdDaysAgo: number;
  readonly passwordChangedDaysAgo: number | null;
  readonly lastLoginDaysAgo: number | null;
  readonly apiCallsDaysAgo: readonly number[];
}

const NONE = {
  absentTables: [],
  deniedTables: [],
  hiddenFields: [],
  hiddenRows: [],
  removedProperties: [],
  setProperties: {},
  removedPlugins: [],
  serviceAccounts: {},
} as const;

/** The scenarios, by profile. */
export const PROFILE_SCENARIOS: Readonly<Record<ProfileName, ProfileScenario>> = {
  sparse: {
    ...NONE,
    profile: "sparse",
    description:
      "Fields omitted from responses, property records absent, tables missing as if their plugins were not installed",
    // HR Service Delivery, Security Incident Response and change tasks not installed.
    absentTables: ["sn_hr_core_profile", "sn_si_incident", "change_task"],
    removedPlugins: ["com.sn_hr_core", "com.glide.limit.concurrent.sessions"],
    hiddenFields: [
      { table: "sys_user", field: "enable_multifactor_authn", controls: ["A11"] },
      { table: "incident", field: "reopen_count", controls: ["I3"] },
      // A10's credential-age rule reads it, for integration accounts only, and
      // none of this dataset's has an old password: hiding it hides no violation.
      { table: "sys_user", field: "last_password_change", controls: [] },
    ],
    // One with a documented default that complies, one whose default fails,
    // and one whose platform default is unknown.
    removedProperties: [
      "glide.ui.session_timeout",
      "glide.basicauth.required.csv",
      "glide.login.no_blank_password",
    ],
  },
  locked_down: {
    ...NONE,
    profile: "locked_down",
    description:
      "The integration user is denied the audit, transaction-log and OAuth tables, and a row ACL cuts certificate pages short",
    deniedTables: ["sys_audit", "syslog_transaction", "oauth_entity"],
    hiddenRows: [{ table: "sys_certificate", visible: "type=ca_cert" }],
  },
  integration_heavy: {
    ...NONE,
    profile: "integration_heavy",
    description:
      "Many service and integration accounts that never log in interactively, some holding admin",
    // Unused (no API use within 90 days, or never): svc.hr.feed, int.servicebus.
    // Password older than 365 days (or never changed on an account that old):
    // svc.hr.feed, svc.monitoring, int.servicebus.
    serviceAccounts: {
      "svc.erp.sync": {
        roles: ["admin"],
        createdDaysAgo: 900,
        passwordChangedDaysAgo: 30,
        lastLoginDaysAgo: null,
        apiCallsDaysAgo: [2, 10],
      },
      "svc.hr.feed": {
        roles: ["snc_read_only"],
        createdDaysAgo: 400,
        passwordChangedDaysAgo: null,
        lastLoginDaysAgo: null,
        apiCallsDaysAgo: [],
      },
      "svc.monitoring": {
        roles: ["itil"],
        createdDaysAgo: 1200,
        passwordChangedDaysAgo: 500,
        lastLoginDaysAgo: 5,
        apiCallsDaysAgo: [],
      },
      "int.okta.scim": {
        roles: ["user_admin"],
        createdDaysAgo: 300,
        passwordChangedDaysAgo: 200,
        lastLoginDaysAgo: null,
        apiCallsDaysAgo: [1],
      },
      "int.servicebus": {
        roles: ["admin", "security_admin"],
        createdDaysAgo: 1000,
        passwordChangedDaysAgo: 800,
        lastLoginDaysAgo: 200,
        apiCallsDaysAgo: [],
      },
      "int.reporting": {
        roles: ["snc_read_only"],
        createdDaysAgo: 150,
        passwordChangedDaysAgo: null,
        lastLoginDaysAgo: 120,
        apiCallsDaysAgo: [3],
      },
    },
  },
  legacy_release: {
    ...NONE,
    profile: "legacy_release",
    description:
      "Settings as an older release family ships them: newer property records absent, legacy settings at their old values",
    removedProperties: [
      "glide.security.csrf.strict.validation.mode",
      "glide.ui.escape_all_script",
      "glide.html.sanitize_all_fields",
    ],
    setProperties: {
      "glide.http.cache_control": "no-cache",
      "glide.kmf.encrypter.enabled": "false",
      "glide.security.use_csrf_token": "true",
    },
  },
};

/** What {@link applyProfile} asks of the instance besides the data changes. */
export interface ProfileAccess {
  readonly absentTables: string[];
  readonly readAcl: Partial<ReadAclPolicy>;
  readonly hideFields: string[];
}

/**
 * Applies a profile's data changes to a freshly generated dataset and returns
 * the access rules the instance must enforce.
 *
 * @param ds the dataset (changed in place)
 * @param profile the profile
 * @param newId a sys_id source (deterministic per instance)
 * @returns absent tables, read ACLs and hidden fields
 */
export function applyProfile(
  ds: Dataset,
  profile: ProfileName,
  newId: () => string,
): ProfileAccess {
  const s = PROFILE_SCENARIOS[profile];
  // A table that does not exist has no records (the manifest sees none).
  for (const table of s.absentTables) {
    for (const row of [...ds.table(table).rows]) ds.delete(table, row[0]!);
  }
  const props = ds.table("sys_properties");
  const byName = (name: string) => props.rows.filter((r) => props.get(r, "name") === name);
  for (const name of s.removedProperties) {
    for (const row of byName(name)) ds.delete("sys_properties", row[0]!);
  }
  for (const [name, value] of Object.entries(s.setProperties)) {
    const rows = byName(name);
    if (rows.length > 0) {
      for (const row of rows) ds.update("sys_properties", row, { value }, "admin");
    } else ds.insert("sys_properties", { sys_id: newId(), name, value, type: "string" }, "admin");
  }
  const plugins = ds.table("v_plugin");
  for (const id of s.removedPlugins) {
    for (const row of plugins.rows.filter((r) => plugins.get(r, "id") === id)) {
      ds.delete("v_plugin", row[0]!);
    }
  }
  addServiceAccounts(ds, s.serviceAccounts, newId);
  const tables: Record<string, string[]> = {};
  for (const t of s.deniedTables) tables[t] = ["nobody"];
  const rows: ReadAclPolicy["rows"] = {};
  for (const h of s.hiddenRows) rows[h.table] = { condition: h.visible, roles: ["admin"] };
  return {
    absentTables: [...s.absentTables],
    readAcl: { tables, rows },
    hideFields: s.hiddenFields.map((h) => `${h.table}.${h.field}`),
  };
}

function addServiceAccounts(
  ds: Dataset,
  accounts: Readonly<Record<string, ServiceAccount>>,
  newId: () => string,
): void {
  const roles = ds.table("sys_user_role");
  const roleId = new Map(roles.rows.map((r) => [roles.get(r, "name"), r[0]!]));
  const daysAgo = (days: number | null) =>
    days === null ? "" : formatGlideDateTime(new Date(ds.now.getTime() - days * DAY));
  for (const [i, [userName, account]] of Object.entries(accounts).entries()) {
    const id = newId();
    const login = daysAgo(account.lastLoginDaysAgo);
    ds.insert("sys_user", {
      sys_id: id,
      user_name: userName,
      name: userName,
      email: "",
      active: "true",
      locked_out: "false",
      failed_attempts: "0",
      last_login: login.slice(0, 10),
      last_login_time: login,
      last_password_change: daysAgo(account.passwordChangedDaysAgo),
      password_needs_reset: "false",
      // Half web-service-only, half flagged as integration users, some both.
      web_service_access_only: String(i % 3 !== 1),
      internal_integration_user: String(i % 3 !== 0),
      enable_multifactor_authn: "false",
      sys_created_on: daysAgo(account.createdDaysAgo),
    }, "admin");
    for (const role of account.roles) {
      const rid = roleId.get(role);
      if (!rid) throw new Error(`Cannot grant role "${role}": the simulator has no such role`);
      ds.insert("sys_user_has_role", {
        sys_id: newId(),
        user: id,
        role: rid,
        inherited: "false",
        inh_count: "1",
        state: "active",
      }, "admin");
    }
    for (const days of account.apiCallsDaysAgo) {
      ds.insert("syslog_transaction", {
        sys_id: newId(),
        url: "/api/now/table/sys_user?sysparm_limit=100",
        type: "rest",
        response_time: "120",
        client_transaction: "false",
        sys_created_on: daysAgo(days),
      }, userName);
    }
  }
}

/**
 * The ground truth of a profile instance as the integration user can know it:
 * the manifest's rules over the data it can see (tables missing or denied
 * emptied, rows hidden by a row ACL removed), minus the violations of controls
 * whose rule reads a hidden field on that table.
 *
 * @param ds the instance's dataset (not changed)
 * @param instance instance name
 * @param profile the profile
 * @param visibleRow whether a row of a table passes the row ACL
 * @returns the manifest of what can be judged
 */
export function visibleManifest(
  ds: Dataset,
  instance: string,
  profile: ProfileName,
  visibleRow: (table: string, row: readonly string[]) => boolean,
): Manifest {
  const s = PROFILE_SCENARIOS[profile];
  const seen = ds.clone();
  for (const table of [...s.absentTables, ...s.deniedTables]) {
    for (const row of [...seen.table(table).rows]) seen.delete(table, row[0]!);
  }
  for (const { table } of s.hiddenRows) {
    for (const row of [...seen.table(table).rows]) {
      if (!visibleRow(table, row)) seen.delete(table, row[0]!);
    }
  }
  const manifest = computeManifest(seen, instance);
  for (const h of s.hiddenFields) {
    for (const control of h.controls) {
      const result = manifest.controls[control];
      result.violations = result.violations.filter((v) => v.table !== h.table);
    }
  }
  return manifest;
}
