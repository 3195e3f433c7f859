/**
 * The ground-truth manifest: for every control of docs/servicenow/controls.md and every
 * hardening setting of the catalog, exactly which records violate, computed from the
 * current data with the rules documented in README.md (parameters in params.ts).
 *
 * @module
 */

import { formatGlideDateTime } from "../../shared/servicenow/query/mod.ts";
import {
  effectiveSettingValue,
  HARDENING_SETTINGS,
  type HardeningRule,
  isSettingCompliant,
} from "../../shared/servicenow/hardening/catalog.ts";
import { CONTROL_IDS, CONTROL_PARAMS, CONTROL_TITLES, type ControlId } from "./params.ts";
import type { Dataset, Row, TableStore } from "./store.ts";

/** One violating record. */
export interface ManifestViolation {
  table: string;
  sysId: string;
}

/** A non-compliant property (or plugin) finding. */
export interface PropertyFinding {
  /** Property name (plugin id for plugins). */
  name: string;
  kind: "property" | "plugin";
  /** Whether a record exists (sys_properties / v_plugin). */
  present: boolean;
  sysId: string | null;
  /** The record's value, or null when absent. */
  value: string | null;
  /** The value in force (record value, else fallback/default), or null when unknown. */
  effective: string | null;
}

/** Result of one control. */
export interface ControlResult {
  id: ControlId;
  title: string;
  /** Violating records, sorted by table then sys_id. */
  violations: ManifestViolation[];
  /** Violating properties/plugins, sorted by name. */
  properties: PropertyFinding[];
  /** Aggregate figures (C8, I4, A5). */
  metrics?: Record<string, unknown>;
}

/** Compliance of one catalog setting. */
export interface HardeningFinding extends PropertyFinding {
  compliant: boolean;
  /**
   * False when the property is not set on the instance and its platform default
   * is unknown: nobody can tell the value in force, so it is no violation (and
   * no pass) — a product must report it as not evaluated.
   */
  decidable: boolean;
  rule: HardeningRule;
  severity: number | null;
  category: string;
  title: string;
}

/** The full manifest of one instance at one simulated time. */
export interface Manifest {
  instance: string;
  /** Simulated "now" the rules were evaluated at (`YYYY-MM-DD HH:MM:SS` UTC). */
  asOf: string;
  params: typeof CONTROL_PARAMS;
  controls: Record<ControlId, ControlResult>;
  hardening: HardeningFinding[];
}

const DAY = 86_400_000;

class Cols {
  readonly t: TableStore;
  readonly c: Record<string, number> = {};
  constructor(ds: Dataset, name: string, cols: string[]) {
    this.t = ds.table(name);
    for (const col of cols) this.c[col] = this.t.col(col);
  }
  get rows(): readonly Row[] {
    return this.t.rows;
  }
  v(row: Row, col: string): string {
    return row[this.c[col]!] ?? "";
  }
}

/**
 * Evaluates every control rule against the dataset.
 *
 * @param ds the dataset
 * @param instance instance name for the header
 * @returns the manifest
 */
export function computeManifest(ds: Dataset, instance: string): Manifest {
  const P = CONTROL_PARAMS;
  const nowMs = ds.now.getTime();
  const now = formatGlideDateTime(ds.now);
  const today = now.slice(0, 10);
  const dormantBefore = formatGlideDateTime(new Date(nowMs - P.dormancyDays * DAY));
  const results = new Map<ControlId, ControlResult>();
  for (const id of CONTROL_IDS) {
    results.set(id, { id, title: CONTROL_TITLES[id], violations: [], properties: [] });
  }
  const seen = new Set<string>();
  const add = (id: ControlId, table: string, sysId: string) => {
    const key = `${id}|${table}|${sysId}`;
    if (seen.has(key)) return;
    seen.add(key);
    results.get(id)!.violations.push({ table, sysId });
  };

  // ------------------------------------------------------------ identities
  const users = new Cols(ds, "sys_user", [
    "user_name",
    "active",
    "locked_out",
    "last_login_time",
    "web_service_access_only",
    "internal_integration_user",
    "email",
    "employee_number",
    "manager",
    "failed_attempts",
    "password_needs_reset",
    "enable_multifactor_authn",
    "last_password_change",
    "sys_created_on",
  ]);
  const userById = users.t.byId;
  // Last API use per user name: the latest transaction it made.
  const transactions = new Cols(ds, "syslog_transaction", ["sys_created_by", "sys_created_on"]);
  const lastCall = new Map<string, string>();
  for (const t of transactions.rows) {
    const by = transactions.v(t, "sys_created_by");
    const at = transactions.v(t, "sys_created_on");
    if (at > (lastCall.get(by) ?? "")) lastCall.set(by, at);
  }
  const unusedBefore = formatGlideDateTime(new Date(nowMs - P.integrationUnusedDays * DAY));
  const credentialBefore = formatGlideDateTime(new Date(nowMs - P.credentialMaxAgeDays * DAY));
  const isActive = (id: string) => {
    const r = userById.get(id);
    return r !== undefined && users.v(r, "active") === "true";
  };
  const roles = new Cols(ds, "sys_user_role", ["name", "elevated_privilege"]);
  const roleName = new Map<string, string>();
  const roleElevated = new Set<string>();
  const roleIdByName = new Map<string, string>();
  for (const r of roles.rows) {
    roleName.set(r[0]!, roles.v(r, "name"));
    roleIdByName.set(roles.v(r, "name"), r[0]!);
    if (roles.v(r, "elevated_privilege") === "true") roleElevated.add(r[0]!);
  }
  const hasRole = new Cols(ds, "sys_user_has_role", ["user", "role", "inherited", "state"]);
  const held = new Map<string, Set<string>>();
  for (const r of hasRole.rows) {
    if (hasRole.v(r, "state") !== "active") continue;
    const name = roleName.get(hasRole.v(r, "role"));
    const user = hasRole.v(r, "user");
    if (!name || !userById.has(user)) continue;
    (held.get(user) ?? held.set(user, new Set()).get(user)!).add(name);
  }
  const holds = (user: string, role: string) => held.get(user)?.has(role) ?? false;

  const generic = new RegExp(P.genericUserNamePattern, "i");
  const emailCount = new Map<string, number>();
  for (const u of users.rows) {
    if (users.v(u, "active") !== "true") continue;
    const e = users.v(u, "email").trim().toLowerCase();
    if (e) emailCount.set(e, (emailCount.get(e) ?? 0) + 1);
  }
  const privilegedHolders = new Map<string, Set<string>>();
  for (const role of P.excessiveAdminRoles) privilegedHolders.set(role, new Set());

  for (const u of users.rows) {
    const id = u[0]!;
    const active = users.v(u, "active") === "true";
    const login = users.v(u, "last_login_time");
    const dormant = login === "" || login < dormantBefore;
    const ws = users.v(u, "web_service_access_only") === "true";
    const integ = users.v(u, "internal_integration_user") === "true";
    if (!active) {
      if (users.v(u, "locked_out") === "false") add("A3", "sys_user", id);
      continue;
    }
    const privileged = P.privilegedRoles.some((r) => holds(id, r));
    // Service and integration accounts never log in interactively: dormancy and
    // MFA are about interactive logins (A8 and L6 cover those accounts).
    const service = ws || integ;
    if (privileged && dormant && !service) add("A1", "sys_user", id);
    if (!ws && !integ && dormant) add("A2", "sys_user", id);
    // Service accounts are judged by API use and credential age instead.
    if (service) {
      const calls = lastCall.get(users.v(u, "user_name")) ?? "";
      const lastUse = login > calls ? login : calls;
      if (lastUse === "" || lastUse < unusedBefore) add("A2", "sys_user", id);
      const changed = users.v(u, "last_password_change") || users.v(u, "sys_created_on");
      if (changed !== "" && changed < credentialBefore) add("A10", "sys_user", id);
    }
    if (generic.test(users.v(u, "user_name").trim())) add("A4", "sys_user", id);
    const email = users.v(u, "email").trim().toLowerCase();
    if (email && (emailCount.get(email) ?? 0) > 1) add("A4", "sys_user", id);
    if (integ && !ws) add("A4", "sys_user", id);
    // No owner signal at all: no email, no employee number, no manager.
    const blank = (col: string) => users.v(u, col).trim() === "";
    if (!service && blank("email") && blank("employee_number") && blank("manager")) {
      add("A4", "sys_user", id);
    }
    for (const role of P.excessiveAdminRoles) {
      if (holds(id, role)) privilegedHolders.get(role)!.add(id);
    }
    if (P.toxicPairs.some(([a, b]) => holds(id, a) && holds(id, b))) add("A6", "sys_user", id);
    const failed = Number(users.v(u, "failed_attempts") || "0");
    if (failed >= P.failedAttemptsThreshold || users.v(u, "locked_out") === "true") {
      add("A10", "sys_user", id);
    }
    if (users.v(u, "password_needs_reset") === "true") add("A10", "sys_user", id);
    if (privileged && !service && users.v(u, "enable_multifactor_authn") !== "true") {
      add("A11", "sys_user", id);
    }
    if (holds(id, P.impersonatorRole) && !holds(id, "admin")) add("A15", "sys_user", id);
  }
  const activeCount = users.rows.filter((u) => users.v(u, "active") === "true").length;
  const holderCounts: Record<string, number> = {};
  for (const [role, set] of privilegedHolders) {
    holderCounts[role] = set.size;
    const rid = roleIdByName.get(role);
    if (set.size > P.excessiveAdminThreshold && rid) add("A5", "sys_user_role", rid);
  }
  results.get("A5")!.metrics = {
    distinctActiveHolders: holderCounts,
    activeUsers: activeCount,
    adminShareOfActiveUsers: activeCount === 0 ? 0 : (holderCounts.admin ?? 0) / activeCount,
  };

  const hr = new Cols(ds, "sn_hr_core_profile", ["user", "employment_end_date"]);
  for (const r of hr.rows) {
    const end = hr.v(r, "employment_end_date");
    const user = hr.v(r, "user");
    if (end !== "" && end.slice(0, 10) < today && isActive(user)) add("A3", "sys_user", user);
  }
  for (const r of hasRole.rows) {
    const user = hasRole.v(r, "user");
    const u = userById.get(user);
    if (u && users.v(u, "active") === "false") add("A3", "sys_user_has_role", r[0]!);
    if (hasRole.v(r, "state") === "active" && hasRole.v(r, "inherited") === "false") {
      add("A7", "sys_user_has_role", r[0]!);
    }
    if (!u) add("A9", "sys_user_has_role", r[0]!);
    if (
      u && hasRole.v(r, "state") === "active" &&
      (users.v(u, "web_service_access_only") === "true" ||
        users.v(u, "internal_integration_user") === "true") &&
      (roleElevated.has(hasRole.v(r, "role")) || roleName.get(hasRole.v(r, "role")) === "admin")
    ) add("A8", "sys_user_has_role", r[0]!);
  }
  const groups = new Cols(ds, "sys_user_group", ["active"]);
  const members = new Cols(ds, "sys_user_grmember", ["user", "group"]);
  for (const r of members.rows) {
    const u = userById.get(members.v(r, "user"));
    const g = groups.t.byId.get(members.v(r, "group"));
    if (u && users.v(u, "active") === "false") add("A3", "sys_user_grmember", r[0]!);
    if (!u || !g || groups.v(g, "active") === "false") add("A9", "sys_user_grmember", r[0]!);
  }

  // ------------------------------------------------------------ properties and hardening
  const props = new Cols(ds, "sys_properties", ["name", "value"]);
  const propByName = new Map<string, Row>();
  for (const r of props.rows) {
    if (!propByName.has(props.v(r, "name"))) propByName.set(props.v(r, "name"), r);
  }
  const plugins = new Cols(ds, "v_plugin", ["id", "active"]);
  const pluginById = new Map<string, Row>();
  for (const r of plugins.rows) pluginById.set(plugins.v(r, "id"), r);

  const hardening: HardeningFinding[] = HARDENING_SETTINGS.map((s) => {
    if (s.kind === "plugin") {
      const row = pluginById.get(s.name);
      const effective = row ? plugins.v(row, "active") : "inactive";
      return {
        name: s.name,
        kind: "plugin",
        present: row !== undefined,
        sysId: row?.[0] ?? null,
        value: row ? plugins.v(row, "active") : null,
        effective,
        compliant: isSettingCompliant(s, effective),
        decidable: true,
        rule: s.rule,
        severity: s.severity,
        category: s.category,
        title: s.title,
      };
    }
    const row = propByName.get(s.name);
    const value = row ? props.v(row, "value") : undefined;
    const effective = effectiveSettingValue(s, value);
    return {
      name: s.name,
      kind: "property",
      present: row !== undefined,
      sysId: row?.[0] ?? null,
      value: value ?? null,
      effective,
      compliant: isSettingCompliant(s, effective),
      decidable: effective !== null,
      rule: s.rule,
      severity: s.severity,
      category: s.category,
      title: s.title,
    };
  });
  const finding = (h: HardeningFinding): PropertyFinding => ({
    name: h.name,
    kind: h.kind,
    present: h.present,
    sysId: h.sysId,
    value: h.value,
    effective: h.effective,
  });
  const failing = (pred: (name: string) => boolean) =>
    hardening.filter((h) => h.decidable && !h.compliant && pred(h.name)).map(finding);
  results.get("L4")!.properties = failing(() => true);
  results.get("A11")!.properties = failing((n) => n === "glide.authenticate.multifactor");
  results.get("A14")!.properties = failing((n) => n.startsWith("glide.basicauth.required."));
  const impersonationProps = [
    "glide.sys.log_impersonation",
    "glide.audit.track_impersonation",
    "glide.sys.permissive.impersonate",
  ];
  results.get("A15")!.properties = failing((n) => impersonationProps.includes(n));
  results.get("L5")!.properties = failing((n) =>
    [
      ...impersonationProps,
      "glide.authenticate.session_access.log_audit_event",
      "identity.impersonation.history.enabled",
    ].includes(n)
  );
  results.get("L8")!.properties = failing((n) =>
    n === "glide.oauth.inbound.ropc.grant_type.disabled" ||
    n === "glide.oauth.clients.allowed.for.implicit.grant"
  );

  const rawProp = (name: string): PropertyFinding & { list: string[] } => {
    const row = propByName.get(name);
    const value = row ? props.v(row, "value") : null;
    return {
      name,
      kind: "property",
      present: row !== undefined,
      sysId: row?.[0] ?? null,
      value,
      effective: value,
      list: (value ?? "").split(",").map((x) => x.trim()).filter(Boolean),
    };
  };
  const strip = ({ list: _list, ...rest }: PropertyFinding & { list: string[] }): PropertyFinding =>
    rest;
  const auditDeleted = rawProp("glide.ui.audit_deleted_tables");
  const ignoreDelete = rawProp("glide.db.audit.ignore.delete");
  const deletionFindings: PropertyFinding[] = [];
  if (auditDeleted.present && P.accessTables.some((t) => !auditDeleted.list.includes(t))) {
    deletionFindings.push(strip(auditDeleted));
  }
  if (ignoreDelete.present && P.accessTables.some((t) => ignoreDelete.list.includes(t))) {
    deletionFindings.push(strip(ignoreDelete));
  }
  results.get("A12")!.properties = [...deletionFindings];
  const inserts = rawProp("glide.sys.audit_inserts");
  const lazy = rawProp("glide.db.audit.lazy");
  const l2: PropertyFinding[] = [...deletionFindings];
  if ((inserts.value ?? "false") !== "true") {
    l2.push({ ...strip(inserts), effective: inserts.value ?? "false" });
  }
  if ((lazy.value ?? "false") === "true") l2.push(strip(lazy));
  results.get("L2")!.properties = l2;

  // ------------------------------------------------------------ ACLs, tables, endpoints
  const acls = new Cols(ds, "sys_security_acl", [
    "name",
    "type",
    "operation",
    "active",
    "advanced",
    "script",
    "condition",
  ]);
  const aclRoles = new Cols(ds, "sys_security_acl_role", ["sys_security_acl", "sys_user_role"]);
  const rolesOfAcl = new Map<string, string[]>();
  for (const r of aclRoles.rows) {
    const acl = aclRoles.v(r, "sys_security_acl");
    (rolesOfAcl.get(acl) ?? rolesOfAcl.set(acl, []).get(acl)!).push(
      roleName.get(aclRoles.v(r, "sys_user_role")) ?? "",
    );
  }
  const covered = new Set<string>();
  for (const a of acls.rows) {
    if (acls.v(a, "active") !== "true") continue;
    const id = a[0]!;
    const roleList = rolesOfAcl.get(id) ?? [];
    const noRealRole = roleList.length === 0 || roleList.every((r) => r === "public");
    const script = acls.v(a, "script").trim();
    const empty = noRealRole && acls.v(a, "condition").trim() === "" && script === "";
    if (empty) add("A13", "sys_security_acl", id);
    if (script !== "" && acls.v(a, "advanced") === "false") add("A13", "sys_security_acl", id);
    const name = acls.v(a, "name");
    if (acls.v(a, "type") === "record") covered.add(name.split(".")[0]!);
    if (name === "sys_audit" || name === "sys_audit.*") {
      const op = acls.v(a, "operation");
      const external = roleList.includes("snc_external") || roleList.includes("public");
      if (op === "delete" || (op === "read" && (external || empty))) {
        add("L3", "sys_security_acl", id);
      }
    }
  }
  const dbo = new Cols(ds, "sys_db_object", ["name"]);
  for (const r of dbo.rows) if (!covered.has(dbo.v(r, "name"))) add("A13", "sys_db_object", r[0]!);
  const ops = new Cols(ds, "sys_ws_operation", ["active", "requires_authentication"]);
  for (const r of ops.rows) {
    if (ops.v(r, "active") === "true" && ops.v(r, "requires_authentication") === "false") {
      add("A14", "sys_ws_operation", r[0]!);
    }
  }
  const pub = new Cols(ds, "sys_public", ["page", "active"]);
  // Pages compare as ServiceNow serves them: any case, with or without a leading
  // slash or the .do suffix.
  const page = (name: string) => name.trim().toLowerCase().replace(/^\/+|\.do$/g, "");
  const baselinePages = new Set(P.baselinePublicPages.map(page));
  for (const r of pub.rows) {
    if (pub.v(r, "active") === "true" && !baselinePages.has(page(pub.v(r, "page")))) {
      add("A14", "sys_public", r[0]!);
    }
  }

  // ------------------------------------------------------------ changes
  const chg = new Cols(ds, "change_request", [
    "type",
    "state",
    "approval",
    "requested_by",
    "opened_by",
    "assigned_to",
    "start_date",
    "end_date",
    "work_start",
    "work_end",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "outside_maintenance_schedule",
    "conflict_status",
    "unauthorized",
    "review_status",
    "review_comments",
    "close_code",
    "close_notes",
    "cab_required",
    "cab_date_time",
  ]);
  const appr = new Cols(ds, "sysapproval_approver", ["approver", "state", "sysapproval"]);
  const approvedBy = new Map<string, string[]>();
  const firstApproval = new Map<string, string>();
  for (const r of appr.rows) {
    if (appr.v(r, "state") !== "approved") continue;
    const c = appr.v(r, "sysapproval");
    (approvedBy.get(c) ?? approvedBy.set(c, []).get(c)!).push(appr.v(r, "approver"));
    const at = r[appr.t.col("sys_updated_on")]!;
    const prev = firstApproval.get(c);
    if (prev === undefined || at < prev) firstApproval.set(c, at);
  }
  const ctask = new Cols(ds, "change_task", ["change_request", "assigned_to"]);
  const taskAssignees = new Map<string, Set<string>>();
  for (const r of ctask.rows) {
    const c = ctask.v(r, "change_request");
    const a = ctask.v(r, "assigned_to");
    if (a) (taskAssignees.get(c) ?? taskAssignees.set(c, new Set()).get(c)!).add(a);
  }
  const blank = (v: string) => v.trim() === "";
  let emergency = 0;
  const windowsByUser = new Map<string, [string, string][]>();
  for (const c of chg.rows) {
    const id = c[0]!;
    const type = chg.v(c, "type");
    const state = chg.v(c, "state");
    const approvers = approvedBy.get(id) ?? [];
    const req = chg.v(c, "requested_by");
    const opened = chg.v(c, "opened_by");
    const assignee = chg.v(c, "assigned_to");
    if (type === "emergency") emergency++;
    if (approvers.some((a) => a !== "" && (a === req || a === opened))) {
      add("C1", "change_request", id);
    }
    if (
      approvers.some((a) =>
        a !== "" && (a === assignee || (taskAssignees.get(id)?.has(a) ?? false))
      )
    ) {
      add("C2", "change_request", id);
    }
    if (req !== "" && req === assignee) add("C3", "change_request", id);
    const normalish = type === "normal" || type === "emergency";
    if (
      normalish && ["-1", "0", "3"].includes(state) &&
      (chg.v(c, "approval") !== "approved" || approvers.length === 0)
    ) add("C4", "change_request", id);
    if (chg.v(c, "unauthorized") === "true") add("C4", "change_request", id);
    const ws = chg.v(c, "work_start");
    const first = firstApproval.get(id);
    if (ws !== "" && first !== undefined && first > ws) add("C5", "change_request", id);
    if (
      normalish &&
      ["implementation_plan", "backout_plan", "test_plan"].some((f) =>
        chg.v(c, f).trim().length < P.planMinLength
      )
    ) add("C6", "change_request", id);
    const we = chg.v(c, "work_end");
    const sd = chg.v(c, "start_date");
    const ed = chg.v(c, "end_date");
    if (
      (ws !== "" && sd !== "" && ws < sd) || (we !== "" && ed !== "" && we > ed) ||
      chg.v(c, "outside_maintenance_schedule") === "true" ||
      chg.v(c, "conflict_status") === "Conflict"
    ) add("C7", "change_request", id);
    if (
      type === "emergency" && state === "3" &&
      (chg.v(c, "review_status") === "" || blank(chg.v(c, "review_comments")))
    ) {
      add("C8", "change_request", id);
    }
    if (chg.v(c, "close_code") === "unsuccessful") add("C9", "change_request", id);
    if (
      chg.v(c, "cab_required") === "true" && chg.v(c, "cab_date_time") === "" &&
      ["-2", "-1", "0", "3"].includes(state)
    ) {
      add("C10", "change_request", id);
    }
    if (state === "3" && (ws === "" || blank(chg.v(c, "close_notes")))) {
      add("C11", "change_request", id);
    }
    if (chg.v(c, "approval") === "approved" && ws !== "" && assignee !== "") {
      const u = userById.get(assignee);
      if (u) {
        const name = users.v(u, "user_name");
        (windowsByUser.get(name) ?? windowsByUser.set(name, []).get(name)!).push([
          ws,
          we === "" ? now : we,
        ]);
      }
    }
  }
  const total = chg.rows.length;
  results.get("C8")!.metrics = {
    emergencyChanges: emergency,
    totalChanges: total,
    emergencyRatio: total === 0 ? 0 : emergency / total,
    threshold: P.emergencyRatioThreshold,
    ratioExceeded: total > 0 && emergency / total > P.emergencyRatioThreshold,
  };

  const inc = new Cols(ds, "incident", [
    "priority",
    "state",
    "problem_id",
    "reopen_count",
    "opened_at",
    "resolved_at",
    "active",
    "caused_by",
  ]);
  const perPriority: Record<string, { resolved: number; meanHours: number; overTarget: number }> =
    {};
  for (const r of inc.rows) {
    const id = r[0]!;
    const pr = inc.v(r, "priority");
    const state = inc.v(r, "state");
    if (
      (pr === "1" || pr === "2") && (state === "6" || state === "7") &&
      inc.v(r, "problem_id") === ""
    ) add("I1", "incident", id);
    if (Number(inc.v(r, "reopen_count") || "0") > 0) add("I3", "incident", id);
    const opened = inc.v(r, "opened_at");
    const resolved = inc.v(r, "resolved_at");
    if (opened !== "" && resolved !== "") {
      const hours = (Date.parse(resolved.replace(" ", "T") + "Z") -
        Date.parse(opened.replace(" ", "T") + "Z")) / 3_600_000;
      const stat = perPriority[pr] ??
        (perPriority[pr] = { resolved: 0, meanHours: 0, overTarget: 0 });
      stat.meanHours = (stat.meanHours * stat.resolved + hours) / (stat.resolved + 1);
      stat.resolved++;
      const target = P.resolutionTargetHours[pr];
      if (target !== undefined && hours > target) {
        stat.overTarget++;
        add("I4", "incident", id);
      }
    }
    if (inc.v(r, "active") === "true" && (state === "7" || state === "8")) {
      add("I5", "incident", id);
    }
    const cause = inc.v(r, "caused_by");
    if (cause !== "") {
      add("I6", "incident", id);
      if (chg.t.byId.has(cause)) add("C9", "change_request", cause);
    }
  }
  results.get("I4")!.metrics = { byPriority: perPriority, targetHours: P.resolutionTargetHours };

  const us = new Cols(ds, "sys_update_set", ["name", "description", "state"]);
  const chgPattern = new RegExp(P.changeNumberPattern);
  for (const r of us.rows) {
    if (
      us.v(r, "state") === "complete" && !chgPattern.test(us.v(r, "name")) &&
      !chgPattern.test(us.v(r, "description"))
    ) {
      add("C12", "sys_update_set", r[0]!);
    }
  }
  const audit = new Cols(ds, "sys_audit", [
    "tablename",
    "fieldname",
    "documentkey",
    "oldvalue",
    "newvalue",
    "user",
  ]);
  const createdCol = audit.t.col("sys_created_on");
  for (const r of audit.rows) {
    const table = audit.v(r, "tablename");
    if (
      table === "sys_update_set" && audit.v(r, "fieldname") === "state" &&
      audit.v(r, "oldvalue") === "complete" &&
      audit.v(r, "newvalue") === "in progress" && us.t.byId.has(audit.v(r, "documentkey"))
    ) add("C12", "sys_update_set", audit.v(r, "documentkey"));
    if ((P.securityConfigTables as readonly string[]).includes(table)) {
      const at = r[createdCol]!;
      const wins = windowsByUser.get(audit.v(r, "user")) ?? [];
      if (!wins.some(([s, e]) => s <= at && at <= e)) add("C13", "sys_audit", r[0]!);
    }
  }

  // ------------------------------------------------------------ logging and configuration
  const dict = new Cols(ds, "sys_dictionary", ["name", "element", "audit", "attributes"]);
  for (const r of dict.rows) {
    if (!(P.auditedTables as readonly string[]).includes(dict.v(r, "name"))) continue;
    if (dict.v(r, "element") === "" && dict.v(r, "audit") !== "true") {
      add("L1", "sys_dictionary", r[0]!);
    }
    if (dict.v(r, "element") !== "" && dict.v(r, "attributes").includes("no_audit")) {
      add("L1", "sys_dictionary", r[0]!);
    }
  }
  const tx = new Cols(ds, "syslog_transaction", ["type"]);
  const txBy = tx.t.col("sys_created_by");
  const interactive = new Set<string>();
  for (const r of tx.rows) {
    const type = tx.v(r, "type");
    if (type === "form" || type === "list") interactive.add(r[txBy]!);
  }
  for (const u of users.rows) {
    const integrationAccount = users.v(u, "web_service_access_only") === "true" ||
      users.v(u, "internal_integration_user") === "true";
    if (integrationAccount && interactive.has(users.v(u, "user_name"))) {
      add("L6", "sys_user", u[0]!);
    }
  }
  const certs = new Cols(ds, "sys_certificate", ["active", "expires"]);
  const expiryLimit = formatGlideDateTime(new Date(nowMs + P.certificateExpiryDays * DAY));
  for (const r of certs.rows) {
    const exp = certs.v(r, "expires");
    if (certs.v(r, "active") === "true" && exp !== "" && exp < expiryLimit) {
      add("L7", "sys_certificate", r[0]!);
    }
  }
  const oauth = new Cols(ds, "oauth_entity", [
    "active",
    "access_token_lifespan",
    "refresh_token_lifespan",
  ]);
  for (const r of oauth.rows) {
    if (oauth.v(r, "active") !== "true") continue;
    if (
      Number(oauth.v(r, "access_token_lifespan") || "0") > P.maxAccessTokenLifespan ||
      Number(oauth.v(r, "refresh_token_lifespan") || "0") > P.maxRefreshTokenLifespan
    ) add("L8", "oauth_entity", r[0]!);
  }

  // ------------------------------------------------------------ SLAs and security incidents
  const sla = new Cols(ds, "task_sla", ["task", "has_breached"]);
  for (const r of sla.rows) {
    if (sla.v(r, "has_breached") === "true" && inc.t.byId.has(sla.v(r, "task"))) {
      add("I2", "task_sla", r[0]!);
    }
  }
  const sir = new Cols(ds, "sn_si_incident", ["active", "opened_at"]);
  const staleBefore = formatGlideDateTime(new Date(nowMs - P.staleSecurityIncidentDays * DAY));
  for (const r of sir.rows) {
    const opened = sir.v(r, "opened_at");
    if (sir.v(r, "active") === "true" && opened !== "" && opened < staleBefore) {
      add("I7", "sn_si_incident", r[0]!);
    }
  }

  const controls = {} as Record<ControlId, ControlResult>;
  for (const [id, res] of results) {
    res.violations.sort((
      a,
      b,
    ) => (a.table === b.table ? (a.sysId < b.sysId ? -1 : 1) : a.table < b.table ? -1 : 1));
    res.properties.sort((a, b) => (a.name < b.name ? -1 : 1));
    controls[id] = res;
  }
  return { instance, asOf: now, params: CONTROL_PARAMS, controls, hardening };
}
