/**
 * Deterministic dataset generator. The baseline is clean for every control rule of
 * params.ts / README.md; when `plant` is on, a known set of violations is added and
 * recorded in `planted` (the manifest is then computed from the data by the rule
 * oracle in manifest.ts, and tests check that the two agree).
 *
 * @module
 */

import { formatGlideDateTime } from "../../shared/servicenow/query/mod.ts";
import {
  HARDENING_SETTINGS,
  isSettingCompliant,
} from "../../shared/servicenow/hardening/catalog.ts";
import { CONTROL_PARAMS, type ControlId } from "./params.ts";
import { Random } from "./random.ts";
import { SCHEMAS } from "./schema.ts";
import { Dataset, type Row } from "./store.ts";

/** Options of {@link generateDataset}. */
export interface GenerateOptions {
  /** Instance name; used in e-mail domains and the build tag. */
  instance: string;
  /** PRNG seed. */
  seed: number | string;
  /** Number of sys_user records (≥ 50). */
  users: number;
  /** Number of change_request records. */
  changes: number;
  /** Number of incident records. */
  incidents: number;
  /** Simulated "now" at generation. */
  now: Date;
  /** Plant control violations (default true). */
  plant: boolean;
  /** user_name of the integration account the connector uses. */
  integrationUserName: string;
  /** Roles granted to the integration account (through the "ComplianceIQ Integration" group). */
  integrationRoles: readonly string[];
  /** OAuth client registered for the connector. */
  oauthClient: {
    clientId: string;
    name: string;
    accessTokenLifespan: number;
    refreshTokenLifespan: number;
  };
}

/** One planted violation. */
export interface PlantedViolation {
  control: ControlId;
  table: string;
  sysId: string;
  note: string;
}

/** What {@link generateDataset} returns. */
export interface GeneratedData {
  dataset: Dataset;
  planted: PlantedViolation[];
}

/** The well-known baseline admin sys_id (docs/servicenow/tables.md#sys_user). */
export const ADMIN_SYS_ID = "6816f79cc0a8016401c5a33be04be441";

const DAY = 86_400_000;
const HOUR = 3_600_000;

const FIRST = (
  "james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan joseph " +
  "jessica thomas sarah charles karen christopher lisa daniel nancy matthew betty anthony margaret mark sandra " +
  "donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth carol kevin amanda brian dorothy " +
  "george melissa timothy deborah ronald stephanie edward rebecca jason sharon jeffrey laura ryan cynthia jacob " +
  "kathleen gary amy nicholas angela eric helen jonathan anna stephen brenda larry pamela justin nicole scott " +
  "emma brandon samantha benjamin katherine samuel christine gregory debra alexander rachel frank carolyn " +
  "patrick janet raymond maria jack olivia dennis heather jerry diane tyler julie aaron joyce jose victoria"
).split(" ");
const LAST = (
  "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson " +
  "anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis " +
  "robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall " +
  "rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker cruz edwards collins reyes " +
  "stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard " +
  "ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes price alvarez"
).split(" ");
const TIME_ZONES = [
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "Europe/London",
  "Europe/Berlin",
  "Asia/Kolkata",
  "GMT",
];
const DATE_FORMATS = ["", "yyyy-MM-dd", "MM/dd/yyyy", "dd.MM.yyyy"];
const TITLES = [
  "Analyst",
  "Engineer",
  "Manager",
  "Specialist",
  "Consultant",
  "Administrator",
  "Coordinator",
  "Director",
];

interface RoleDef {
  name: string;
  elevated?: boolean;
  contains?: string[];
  description: string;
}

const ROLE_DEFS: RoleDef[] = [
  {
    name: "admin",
    description: "System Administrator",
    contains: [
      "itil_admin",
      "user_admin",
      "approver_user",
      "catalog_admin",
      "report_admin",
      "knowledge_admin",
      "rest_api_explorer",
      "impersonator",
      "snc_platform_rest_api_access",
      "scan_admin",
      "oauth_admin",
      "rate_limit_admin",
      "web_service_admin",
      "import_admin",
      "template_editor",
    ],
  },
  { name: "security_admin", elevated: true, description: "Security administration (elevated)" },
  { name: "itil_admin", contains: ["itil"], description: "ITIL administrator" },
  {
    name: "itil",
    contains: [
      "knowledge",
      "catalog",
      "report_user",
      "sn_incident_write",
      "sn_change_write",
      "sn_problem_write",
      "task_editor",
    ],
    description: "ITIL fulfiller",
  },
  { name: "change_manager", contains: ["itil", "approver_user"], description: "Change manager" },
  { name: "user_admin", description: "User administration" },
  { name: "approver_user", description: "Approver" },
  { name: "impersonator", description: "Can impersonate users" },
  { name: "snc_internal", description: "Internal user" },
  { name: "snc_external", description: "External user" },
  { name: "snc_read_only", description: "Read-only access" },
  { name: "x_ciq_auditor", description: "ComplianceIQ read-only auditor (custom)" },
  { name: "public", description: "Public" },
  { name: "nobody", description: "Nobody" },
  { name: "rest_api_explorer", description: "REST API Explorer" },
  { name: "snc_platform_rest_api_access", description: "Platform REST API access" },
  { name: "rate_limit_admin", description: "Rate limit administration" },
  { name: "scan_admin", description: "Instance Scan administration" },
  { name: "oauth_admin", description: "OAuth administration" },
  { name: "catalog_admin", contains: ["catalog"], description: "Catalog administrator" },
  { name: "report_admin", contains: ["report_user"], description: "Report administrator" },
  { name: "knowledge_admin", contains: ["knowledge"], description: "Knowledge administrator" },
  { name: "knowledge", description: "Knowledge" },
  { name: "catalog", description: "Catalog" },
  { name: "report_user", description: "Reporting" },
  { name: "sn_incident_write", description: "Incident write" },
  { name: "sn_change_write", description: "Change write" },
  { name: "sn_problem_write", description: "Problem write" },
  { name: "task_editor", description: "Task editor" },
  { name: "web_service_admin", description: "Web service administration" },
  { name: "import_admin", description: "Import administration" },
  { name: "template_editor", description: "Template editor" },
];

interface GroupInfo {
  id: string;
  name: string;
  roles: string[];
  active: boolean;
}

/** A user as the generator tracks it (kept by the simulator for clock advances). */
export interface UserInfo {
  id: string;
  userName: string;
  kind: "regular" | "external" | "special" | "privileged";
  groups: Set<string>;
  direct: Set<string>;
}

/** Generator state that later clock advances reuse. */
export interface WorldModel {
  roleIds: Map<string, string>;
  roleContains: Map<string, string[]>;
  groups: Map<string, GroupInfo>;
  groupsByName: Map<string, GroupInfo>;
  users: Map<string, UserInfo>;
  teamGroupIds: string[];
  cabMembers: string[];
  counters: {
    change: number;
    incident: number;
    task: number;
    problem: number;
    user: number;
    sir: number;
  };
  integrationUserName: string;
  /** E-mail domain of the instance's users. */
  domain: string;
}

const worlds = new WeakMap<Dataset, WorldModel>();

/**
 * The generator's world model for a dataset (roles, groups, memberships).
 *
 * @param ds a generated dataset
 * @returns the model
 * @throws when the dataset was not produced by {@link generateDataset}
 */
export function worldOf(ds: Dataset): WorldModel {
  const w = worlds.get(ds);
  if (!w) throw new Error("Cannot find the world model: dataset was not generated");
  return w;
}

class Generator {
  readonly ds: Dataset;
  readonly rng: Random;
  readonly now: number;
  readonly planted: PlantedViolation[] = [];
  readonly w: WorldModel;
  readonly domain: string;

  constructor(readonly o: GenerateOptions) {
    this.ds = new Dataset(o.now);
    this.rng = new Random(`${o.seed}:${o.instance}`);
    this.now = o.now.getTime();
    this.domain = `${o.instance}.example.com`;
    this.w = {
      roleIds: new Map(),
      roleContains: new Map(),
      groups: new Map(),
      groupsByName: new Map(),
      users: new Map(),
      teamGroupIds: [],
      cabMembers: [],
      counters: { change: 30000, incident: 10000, task: 20000, problem: 40000, user: 0, sir: 1000 },
      integrationUserName: o.integrationUserName,
      domain: `${o.instance}.example.com`,
    };
    worlds.set(this.ds, this.w);
  }

  ts(ms: number): string {
    return formatGlideDateTime(new Date(Math.min(ms, this.now)));
  }

  tsAny(ms: number): string {
    return formatGlideDateTime(new Date(ms));
  }

  between(fromMs: number, toMs: number): number {
    return fromMs + Math.floor(this.rng.next() * Math.max(1, toMs - fromMs) / 1000) * 1000;
  }

  plant(control: ControlId, table: string, sysId: string, note: string): void {
    if (this.o.plant) this.planted.push({ control, table, sysId, note });
  }

  /** Whether to plant one of `k` candidates (deterministic, proportional). */
  count(rate: number, base: number, min: number): number {
    if (!this.o.plant) return 0;
    return Math.max(min, Math.round(base * rate));
  }

  sys(created: number, by = "system", updated = created, mods = 0): Record<string, string> {
    return {
      sys_created_on: this.ts(created),
      sys_updated_on: this.ts(updated),
      sys_created_by: by,
      sys_updated_by: by,
      sys_mod_count: String(mods),
    };
  }

  run(): GeneratedData {
    this.reference();
    this.roles();
    this.groups();
    this.users();
    this.materializeAllRoles();
    this.resolveDeferred();
    this.aclsAndTables();
    this.properties();
    this.plugins();
    this.changes();
    this.incidents();
    this.configRecords();
    this.updateSets();
    this.oauthAndCerts();
    this.transactions();
    this.dictionary();
    this.hrAndSecurity();
    this.auditTrail();
    this.securityConfig();
    return { dataset: this.ds, planted: this.planted };
  }

  // ---------------------------------------------------------------- reference data
  companyIds: string[] = [];
  departmentIds: string[] = [];
  locationIds: string[] = [];
  stdTemplateIds: string[] = [];

  reference(): void {
    const created = this.now - 900 * DAY;
    this.ds.insert("sys_scope", {
      sys_id: "global",
      name: "Global",
      scope: "global",
      version: "",
      active: "true",
      ...this.sys(created, "glide.maint"),
    });
    for (
      const [name, sym] of [["ACME Corporation", "ACME"], ["ACME Europe GmbH", ""], [
        "Initech",
        "INTC",
      ]]
    ) {
      const id = this.rng.sysId();
      this.companyIds.push(id);
      this.ds.insert("core_company", {
        sys_id: id,
        name: name!,
        stock_symbol: sym!,
        ...this.sys(created, "admin"),
      });
    }
    for (
      const name of [
        "IT",
        "Finance",
        "HR",
        "Sales",
        "Engineering",
        "Operations",
        "Legal",
        "Support",
        "Marketing",
        "Security",
      ]
    ) {
      const id = this.rng.sysId();
      this.departmentIds.push(id);
      this.ds.insert("cmn_department", {
        sys_id: id,
        name,
        company: this.companyIds[0]!,
        ...this.sys(created, "admin"),
      });
    }
    for (
      const [name, city, country] of [
        ["HQ", "San Diego", "USA"],
        ["London Office", "London", "UK"],
        ["Berlin Office", "Berlin", "Germany"],
        ["Bangalore DC", "Bengaluru", "India"],
      ]
    ) {
      const id = this.rng.sysId();
      this.locationIds.push(id);
      this.ds.insert("cmn_location", {
        sys_id: id,
        name: name!,
        city: city!,
        country: country!,
        ...this.sys(created, "admin"),
      });
    }
    for (
      const name of [
        "Server patching",
        "Certificate renewal",
        "Firewall rule change",
        "Add user to distribution list",
      ]
    ) {
      const id = this.rng.sysId();
      this.stdTemplateIds.push(id);
      this.ds.insert("std_change_producer_version", {
        sys_id: id,
        name,
        version: "1",
        ...this.sys(created, "admin"),
      });
    }
  }

  // ---------------------------------------------------------------- roles and groups
  roles(): void {
    const created = this.now - 1000 * DAY;
    for (const def of ROLE_DEFS) {
      const id = this.rng.sysId();
      this.w.roleIds.set(def.name, id);
      this.w.roleContains.set(def.name, def.contains ?? []);
    }
    for (const def of ROLE_DEFS) {
      this.ds.insert("sys_user_role", {
        sys_id: this.w.roleIds.get(def.name)!,
        name: def.name,
        description: def.description,
        elevated_privilege: def.elevated ? "true" : "false",
        can_delegate: "true",
        grantable: "true",
        scoped_admin: "false",
        includes_roles: (def.contains ?? []).join(","),
        ...this.sys(created, "glide.maint"),
      });
      for (const c of def.contains ?? []) {
        this.ds.insert("sys_user_role_contains", {
          sys_id: this.rng.sysId(),
          role: this.w.roleIds.get(def.name)!,
          contains: this.w.roleIds.get(c)!,
          ...this.sys(created, "glide.maint"),
        });
      }
    }
  }

  addGroup(
    name: string,
    roles: string[],
    opts: { active?: boolean; description?: string } = {},
  ): GroupInfo {
    const created = this.now - this.rng.int(400, 1500) * DAY;
    const g: GroupInfo = { id: this.rng.sysId(), name, roles, active: opts.active ?? true };
    this.w.groups.set(g.id, g);
    this.w.groupsByName.set(name, g);
    this.ds.insert("sys_user_group", {
      sys_id: g.id,
      name,
      active: String(g.active),
      description: opts.description ?? `${name} group`,
      roles: roles.join(","),
      email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, ".")}@${this.domain}`,
      include_members: "false",
      exclude_manager: "false",
      ...this.sys(created, "admin"),
    });
    for (const r of roles) {
      this.ds.insert("sys_group_has_role", {
        sys_id: this.rng.sysId(),
        group: g.id,
        role: this.w.roleIds.get(r)!,
        inherits: "true",
        ...this.sys(created, "admin"),
      });
    }
    return g;
  }

  groups(): void {
    this.addGroup("Employees", ["snc_internal"], { description: "All internal employees" });
    this.addGroup("Customers", ["snc_external"], { description: "External customer contacts" });
    this.addGroup("ServiceNow Admins", ["admin"]);
    this.addGroup("Security Operations", ["security_admin"]);
    this.addGroup("Identity Team", ["user_admin"]);
    this.addGroup("ITSM Leads", ["itil_admin"]);
    this.addGroup("Change Management", ["change_manager"]);
    this.addGroup("CAB Approval", ["approver_user"]);
    this.addGroup("Service Desk", ["itil"]);
    this.addGroup("ComplianceIQ Integration", [...this.o.integrationRoles]);
    this.addGroup("Service Desk Leads", ["impersonator"]);
    this.addGroup("Legacy Team", [], { active: false, description: "Decommissioned team" });
    const teams = Math.max(8, Math.round(this.o.users / 60));
    const names = [
      "Network",
      "Database",
      "Linux",
      "Windows",
      "Storage",
      "Application Support",
      "Middleware",
      "Cloud",
      "Desktop",
      "Messaging",
      "Identity",
      "Backup",
    ];
    for (let i = 0; i < teams; i++) {
      const base = names[i % names.length]!;
      const g = this.addGroup(
        i < names.length ? base : `${base} ${Math.floor(i / names.length) + 1}`,
        ["itil"],
      );
      this.w.teamGroupIds.push(g.id);
    }
  }

  group(name: string): GroupInfo {
    return this.w.groupsByName.get(name)!;
  }

  // ---------------------------------------------------------------- users
  nameCounts = new Map<string, number>();
  regular: UserInfo[] = [];
  inactive: UserInfo[] = [];

  newUserName(first: string, last: string): string {
    const key = `${first}.${last}`;
    const n = this.nameCounts.get(key) ?? 0;
    this.nameCounts.set(key, n + 1);
    return n === 0 ? key : `${key}${n + 1}`;
  }

  addUser(spec: {
    id?: string;
    userName: string;
    first: string;
    last: string;
    kind: UserInfo["kind"];
    active: boolean;
    lockedOut?: boolean;
    lastLogin?: number | null;
    created?: number;
    wsOnly?: boolean;
    integration?: boolean;
    mfa?: boolean;
    failed?: number;
    needsReset?: boolean;
    email?: string;
    groups?: string[];
    direct?: string[];
  }): UserInfo {
    const id = spec.id ?? this.rng.sysId();
    const created = spec.created ?? this.between(this.now - 1800 * DAY, this.now - 120 * DAY);
    const lastLogin = spec.lastLogin === undefined
      ? this.between(this.now - 80 * DAY, this.now - HOUR)
      : spec.lastLogin;
    const u: UserInfo = {
      id,
      userName: spec.userName,
      kind: spec.kind,
      groups: new Set(spec.groups ?? []),
      direct: new Set(spec.direct ?? []),
    };
    this.w.users.set(id, u);
    const tz = this.rng.pick(TIME_ZONES);
    const ldap = spec.kind === "regular" && this.rng.chance(0.6);
    const name = `${cap(spec.first)} ${cap(spec.last)}`.trim();
    const updated = Math.max(created, lastLogin ?? created);
    this.ds.insert("sys_user", {
      sys_id: id,
      user_name: spec.userName,
      first_name: cap(spec.first),
      last_name: cap(spec.last),
      name,
      email: spec.email ?? `${spec.userName}@${this.domain}`,
      active: String(spec.active),
      locked_out: String(spec.lockedOut ?? !spec.active),
      failed_attempts: String(
        spec.failed ?? (spec.active ? this.rng.weighted([[0, 85], [1, 10], [2, 5]]) : 0),
      ),
      last_login: lastLogin === null ? "" : this.ts(lastLogin).slice(0, 10),
      last_login_time: lastLogin === null ? "" : this.ts(lastLogin),
      last_login_device: lastLogin === null
        ? ""
        : this.rng.pick(["Chrome on Windows", "Safari on macOS", "Edge on Windows", "Mobile app"]),
      // Set (or last rotated) when the record was last updated.
      last_password_change: this.ts(updated),
      password_needs_reset: String(spec.needsReset ?? false),
      web_service_access_only: String(spec.wsOnly ?? false),
      internal_integration_user: String(spec.integration ?? false),
      enable_multifactor_authn: String(spec.mfa ?? this.rng.chance(0.7)),
      source: ldap ? `ldap:CN=${name},OU=Users,DC=${this.o.instance},DC=com` : "",
      manager: spec.kind === "regular" && this.regular.length > 0 && this.rng.chance(0.9)
        ? this.rng.pick(this.regular.slice(0, Math.max(1, Math.min(this.regular.length, 500)))).id
        : "",
      department: spec.kind === "external" ? "" : this.rng.pick(this.departmentIds),
      company: spec.kind === "external"
        ? this.companyIds[2]!
        : this.companyIds[this.rng.int(0, 1)]!,
      location: this.rng.pick(this.locationIds),
      employee_number: spec.kind === "regular" || spec.kind === "privileged"
        ? String(100000 + this.w.counters.user)
        : "",
      title: spec.kind === "regular" ? this.rng.pick(TITLES) : "",
      phone: spec.kind === "regular" ? `+1 555 ${String(this.rng.int(1000000, 9999999))}` : "",
      vip: String(this.rng.chance(0.01)),
      time_zone: tz,
      date_format: this.rng.pick(DATE_FORMATS),
      time_format: "",
      preferred_language: "en",
      notification: "2",
      calendar_integration: "1",
      ...this.sys(created, "admin", updated, this.rng.int(1, 40)),
    });
    this.w.counters.user++;
    return u;
  }

  users(): void {
    const o = this.o;
    const emp = this.group("Employees").id;
    const p = o.plant;
    // Baseline accounts. In the clean baseline `admin` is deactivated with no roles (sn_SE10101).
    this.addUser({
      id: ADMIN_SYS_ID,
      userName: "admin",
      first: "System",
      last: "Administrator",
      kind: "special",
      active: p,
      lockedOut: !p,
      mfa: false,
      created: this.now - 1500 * DAY,
      direct: p ? ["admin", "security_admin"] : [],
    });
    if (p) {
      this.plant("A4", "sys_user", ADMIN_SYS_ID, "baseline admin account is active");
      this.plant("A6", "sys_user", ADMIN_SYS_ID, "admin + security_admin");
      this.plant("A11", "sys_user", ADMIN_SYS_ID, "admin without MFA");
      this.defer(
        "A7",
        "sys_user_has_role",
        ADMIN_SYS_ID,
        { inherited: "false" },
        "direct grants to admin",
      );
    }
    this.addUser({
      userName: "guest",
      first: "Guest",
      last: "",
      kind: "special",
      active: false,
      lastLogin: null,
    });
    this.addUser({
      userName: "soap.guest",
      first: "SOAP",
      last: "Guest",
      kind: "special",
      active: false,
      lastLogin: null,
    });
    this.addUser({
      userName: o.integrationUserName,
      first: "ComplianceIQ",
      last: "Integration",
      kind: "special",
      active: true,
      wsOnly: true,
      integration: true,
      mfa: false,
      groups: [this.group("ComplianceIQ Integration").id],
    });

    // Privileged staff: 6 admins, 4 security admins, 3 identity admins, 2 ITSM leads.
    const privileged = (group: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const first = this.rng.pick(FIRST);
        const last = this.rng.pick(LAST);
        this.addUser({
          userName: this.newUserName(first, last),
          first,
          last,
          kind: "privileged",
          active: true,
          mfa: true,
          failed: 0,
          groups: [emp, this.group(group).id],
        });
      }
    };
    privileged("ServiceNow Admins", 6);
    privileged("Security Operations", 4);
    privileged("Identity Team", 3);
    privileged("ITSM Leads", 2);
    privileged("Service Desk Leads", 0);

    // Regular internal users and external contacts.
    const remaining = Math.max(30, o.users - this.w.users.size);
    const externalCount = Math.round(remaining * 0.04);
    const changeMgmt = this.group("Change Management").id;
    const cab = this.group("CAB Approval").id;
    const desk = this.group("Service Desk").id;
    for (let i = 0; i < remaining; i++) {
      const first = this.rng.pick(FIRST);
      const last = this.rng.pick(LAST);
      const external = i >= remaining - externalCount;
      const active = external ? true : this.rng.chance(0.9);
      const groups: string[] = [];
      if (external) groups.push(this.group("Customers").id);
      else if (active) {
        groups.push(emp);
        if (this.rng.chance(0.82)) {
          groups.push(this.rng.pick(this.w.teamGroupIds));
          if (this.rng.chance(0.25)) groups.push(this.rng.pick(this.w.teamGroupIds));
        }
        if (this.rng.chance(0.02)) groups.push(changeMgmt);
        if (this.rng.chance(0.03)) groups.push(desk);
      }
      const u = this.addUser({
        userName: this.newUserName(first, last),
        first,
        last,
        kind: external ? "external" : "regular",
        active,
        lastLogin: active ? undefined : this.between(this.now - 900 * DAY, this.now - 100 * DAY),
        groups: [...new Set(groups)],
      });
      if (!external && active) this.regular.push(u);
      if (!active) this.inactive.push(u);
    }
    // CAB approvers: a pool of regular users.
    const cabSize = Math.max(8, Math.round(this.regular.length / 150));
    for (const u of this.rng.sample(this.regular.slice(0, Math.max(cabSize * 3, 50)), cabSize)) {
      u.groups.add(cab);
      this.w.cabMembers.push(u.id);
    }
    if (p) this.plantIdentity();
  }

  userRow(id: string): Row {
    return this.ds.table("sys_user").byId.get(id)!;
  }

  setUser(id: string, values: Record<string, string>): void {
    this.ds.table("sys_user").set(this.userRow(id), values);
  }

  /** Picks regular users not yet used by another plant. */
  used = new Set<string>();
  fresh(n: number, pool: UserInfo[] = this.regular): UserInfo[] {
    const out: UserInfo[] = [];
    let guard = 0;
    while (out.length < n && guard++ < n * 50) {
      const u = this.rng.pick(pool);
      if (this.used.has(u.id) || this.w.cabMembers.includes(u.id)) continue;
      this.used.add(u.id);
      out.push(u);
    }
    return out;
  }

  plantIdentity(): void {
    const n = this.regular.length;
    const emp = this.group("Employees").id;
    const admins = this.group("ServiceNow Admins");
    const secops = this.group("Security Operations");
    // A5: seven more admins (13 > 10); this also pushes user_admin and itil_admin over 10.
    const extraAdmins = this.fresh(7);
    for (const u of extraAdmins) {
      u.groups.add(admins.id);
      this.setUser(u.id, { enable_multifactor_authn: "true", failed_attempts: "0" });
    }
    this.plant("A5", "sys_user_role", this.w.roleIds.get("admin")!, "13 active admins");
    this.plant(
      "A5",
      "sys_user_role",
      this.w.roleIds.get("user_admin")!,
      "admins contain user_admin",
    );
    this.plant(
      "A5",
      "sys_user_role",
      this.w.roleIds.get("itil_admin")!,
      "admins contain itil_admin",
    );
    // A1: two dormant admins (one never logged in).
    this.setUser(extraAdmins[0]!.id, {
      last_login_time: this.ts(this.now - 200 * DAY),
      last_login: this.ts(this.now - 200 * DAY).slice(0, 10),
    });
    this.setUser(extraAdmins[1]!.id, { last_login_time: "", last_login: "" });
    for (const u of extraAdmins.slice(0, 2)) {
      this.plant("A1", "sys_user", u.id, "dormant admin");
      this.plant("A2", "sys_user", u.id, "dormant");
    }
    // A11: admins without MFA.
    for (const u of extraAdmins.slice(2, 4)) {
      this.setUser(u.id, { enable_multifactor_authn: "false" });
      this.plant("A11", "sys_user", u.id, "admin without MFA");
    }
    // A6: admins who are also security admins; internal + external.
    for (const u of extraAdmins.slice(4, 6)) {
      u.groups.add(secops.id);
      this.plant("A6", "sys_user", u.id, "admin + security_admin");
    }
    for (const u of this.fresh(2)) {
      u.groups.add(this.group("Customers").id);
      this.plant("A6", "sys_user", u.id, "snc_internal + snc_external");
    }
    // A2: dormant regular users, some never logged in.
    for (const u of this.fresh(Math.max(3, Math.round(n * 0.03)))) {
      const never = this.rng.chance(0.15);
      const t = this.between(this.now - 700 * DAY, this.now - 91 * DAY);
      this.setUser(u.id, {
        last_login_time: never ? "" : this.ts(t),
        last_login: never ? "" : this.ts(t).slice(0, 10),
      });
      this.plant("A2", "sys_user", u.id, never ? "never logged in" : "no login for > 90 days");
    }
    // A3 (c): deactivated but not locked out; (d)+(e): deactivated but still in a group.
    for (
      const u of this.fresh(Math.max(2, Math.round(this.inactive.length * 0.05)), this.inactive)
    ) {
      this.setUser(u.id, { locked_out: "false" });
      this.plant("A3", "sys_user", u.id, "inactive but not locked out");
    }
    for (
      const u of this.fresh(Math.max(2, Math.round(this.inactive.length * 0.03)), this.inactive)
    ) {
      u.groups.add(emp);
      u.groups.add(this.rng.pick(this.w.teamGroupIds));
      this.defer("A3", "sys_user_grmember", u.id, null, "inactive user still a group member");
      this.defer("A3", "sys_user_has_role", u.id, null, "inactive user still holds roles");
    }
    // A4: generic accounts, shared e-mail, interactive integration account.
    const generic = [["test.user", "Test", "User"], ["svc_backup", "Backup", "Service"], [
      "temp.contractor1",
      "Temp",
      "Contractor",
    ], ["training.user", "Training", "User"]];
    for (const [userName, first, last] of generic) {
      const u = this.addUser({
        userName: userName!,
        first: first!,
        last: last!,
        kind: "special",
        active: true,
        groups: [emp],
      });
      this.plant("A4", "sys_user", u.id, "generic user_name");
    }
    const sharers = this.fresh(4);
    for (let i = 0; i < 4; i += 2) {
      const email = `${sharers[i]!.userName}@${this.domain}`;
      this.setUser(sharers[i + 1]!.id, { email });
      this.plant("A4", "sys_user", sharers[i]!.id, "shared e-mail");
      this.plant("A4", "sys_user", sharers[i + 1]!.id, "shared e-mail");
    }
    const reporting = this.addUser({
      userName: "reporting.integration",
      first: "Reporting",
      last: "Integration",
      kind: "special",
      active: true,
      integration: true,
      wsOnly: false,
      mfa: false,
      direct: ["admin"],
    });
    this.plant(
      "A4",
      "sys_user",
      reporting.id,
      "integration account allowed to log in interactively",
    );
    this.defer(
      "A7",
      "sys_user_has_role",
      reporting.id,
      { inherited: "false" },
      "direct admin grant",
    );
    this.defer(
      "A8",
      "sys_user_has_role",
      reporting.id,
      { inherited: "false" },
      "integration account holds admin",
    );
    this.plant("L6", "sys_user", reporting.id, "integration account with UI transactions");
    // No A11 plant: MFA is about interactive accounts, and an integration user is
    // not one (A4, A8 and L6 cover it).
    this.reportingId = reporting.id;
    // A7: direct itil grants.
    for (const u of this.fresh(Math.max(2, Math.round(n * 0.003)))) {
      u.direct.add("itil");
      this.defer("A7", "sys_user_has_role", u.id, { inherited: "false" }, "direct itil grant");
    }
    // A10: brute force, locked out, reset pending.
    for (const u of this.fresh(Math.max(2, Math.round(n * 0.005)))) {
      this.setUser(u.id, { failed_attempts: String(this.rng.int(5, 12)) });
      this.plant("A10", "sys_user", u.id, "failed_attempts >= 5");
    }
    for (const u of this.fresh(2)) {
      this.setUser(u.id, { locked_out: "true", failed_attempts: "6" });
      this.plant("A10", "sys_user", u.id, "locked out");
    }
    for (const u of this.fresh(Math.max(2, Math.round(n * 0.004)))) {
      this.setUser(u.id, { password_needs_reset: "true" });
      this.plant("A10", "sys_user", u.id, "password reset pending");
    }
    // A15: non-admin impersonators.
    for (const u of this.fresh(2)) {
      u.groups.add(this.group("Service Desk Leads").id);
      this.plant("A15", "sys_user", u.id, "impersonator without admin");
    }
    // A9: members of the inactive Legacy Team.
    for (const u of this.fresh(3)) {
      u.groups.add(this.group("Legacy Team").id);
      this.defer(
        "A9",
        "sys_user_grmember",
        u.id,
        { group: this.group("Legacy Team").id },
        "member of inactive group",
      );
    }
  }

  reportingId = "";
  plantedKinds = new Set<string>();

  /**
   * Picks a plant for a change or incident: first any kind not planted yet that suits
   * this record (so every control gets at least one), otherwise a random one.
   */
  choosePlant(kinds: [string, number][], rate: number, a: string, b: string): string | null {
    if (kinds.length === 0) return null;
    for (const [k] of kinds) {
      if (!this.plantedKinds.has(k) && suits(k, a, b)) {
        this.plantedKinds.add(k);
        return k;
      }
    }
    if (!this.rng.chance(rate)) return null;
    const k = this.rng.weighted(kinds);
    return suits(k, a, b) ? k : null;
  }
  deferred: {
    control: ControlId;
    table: string;
    userId: string;
    match: Record<string, string> | null;
    note: string;
  }[] = [];

  /** Plants rows of `table` belonging to a user once role rows and memberships exist. */
  defer(
    control: ControlId,
    table: string,
    userId: string,
    match: Record<string, string> | null,
    note: string,
  ): void {
    if (this.o.plant) this.deferred.push({ control, table, userId, match, note });
  }

  resolveDeferred(): void {
    for (const table of ["sys_user_has_role", "sys_user_grmember"]) {
      const items = this.deferred.filter((d) => d.table === table);
      if (items.length === 0) continue;
      const t = this.ds.table(table);
      const userCol = t.col("user");
      const wanted = new Set(items.map((d) => d.userId));
      for (const row of t.rows) {
        const uid = row[userCol]!;
        if (!wanted.has(uid)) continue;
        for (const d of items) {
          if (d.userId !== uid) continue;
          if (d.match && !Object.entries(d.match).every(([k, v]) => t.get(row, k) === v)) continue;
          this.plant(d.control, table, row[0]!, d.note);
        }
      }
    }
  }

  // ---------------------------------------------------------------- memberships and role rows
  materializeAllRoles(): void {
    const created = this.now - 300 * DAY;
    for (const u of this.w.users.values()) {
      for (const gid of u.groups) {
        this.ds.insert("sys_user_grmember", {
          sys_id: this.rng.sysId(),
          user: u.id,
          group: gid,
          ...this.sys(created, "admin"),
        });
      }
      materializeUserRoles(this.ds, this.w, u, this.rng, this.ts(created));
    }
    // A9: grants and memberships pointing at deleted users.
    if (this.o.plant) {
      const role = this.w.roleIds.get("itil")!;
      for (let i = 0; i < 4; i++) {
        const row = this.ds.insert("sys_user_has_role", {
          sys_id: this.rng.sysId(),
          user: i === 0 ? "" : this.rng.sysId(),
          role,
          inherited: "false",
          inh_count: "1",
          state: "active",
          ...this.sys(created, "admin"),
        });
        this.plant("A9", "sys_user_has_role", row[0]!, i === 0 ? "empty user" : "user deleted");
        this.plant("A7", "sys_user_has_role", row[0]!, "direct grant");
      }
      const gm = this.ds.insert("sys_user_grmember", {
        sys_id: this.rng.sysId(),
        user: this.rng.sysId(),
        group: this.rng.pick(this.w.teamGroupIds),
        ...this.sys(created, "admin"),
      });
      this.plant("A9", "sys_user_grmember", gm[0]!, "user deleted");
    }
  }

  // ---------------------------------------------------------------- ACLs and tables
  aclsAndTables(): void {
    const created = this.now - 700 * DAY;
    const customTables = ["u_vendor_contacts", "u_legacy_import", "u_asset_audit", "u_hr_notes"];
    const tables = [...SCHEMAS.keys(), "task", ...customTables];
    const noAcl = this.o.plant
      ? new Set(["u_vendor_contacts", "u_legacy_import"])
      : new Set<string>();
    const role = (name: string) => this.w.roleIds.get(name)!;
    for (const name of tables) {
      const id = this.rng.sysId();
      const schema = SCHEMAS.get(name);
      this.ds.insert("sys_db_object", {
        sys_id: id,
        name,
        label: schema?.label ?? name.replace(/^u_/, "").replace(/_/g, " "),
        super_class: "",
        is_extendable: String(name === "task"),
        access: "public",
        ws_access: "true",
        read_access: "true",
        create_access: "true",
        update_access: "true",
        delete_access: "true",
        ...this.sys(created, name.startsWith("u_") ? "admin" : "glide.maint"),
      });
      if (noAcl.has(name)) {
        this.plant("A13", "sys_db_object", id, "table without ACL");
        continue;
      }
      const sensitive = [
        "sys_audit",
        "sys_audit_delete",
        "sys_properties",
        "sys_security_acl",
        "sys_security_acl_role",
        "syslog_transaction",
        "oauth_entity",
        "sys_certificate",
      ].includes(name);
      const readOnly = name === "sys_audit" || name === "sys_audit_delete";
      for (const op of readOnly ? ["read"] : ["read", "write", "create", "delete"]) {
        const roles = op === "read"
          ? sensitive
            ? ["admin", "security_admin", "x_ciq_auditor"]
            : ["itil", "snc_read_only", "x_ciq_auditor"]
          : ["admin"];
        this.acl(name, op, roles, created);
      }
    }
    // Field ACLs and REST endpoint ACLs.
    this.acl("sys_user.user_password", "read", ["nobody"], created);
    this.acl("sys_user.phone", "read", ["itil", "x_ciq_auditor"], created);
    this.acl("Table API", "execute", ["snc_platform_rest_api_access"], created, {
      type: "rest_endpoint",
      active: "false",
    });
    this.acl("*", "read", ["admin"], created);
    this.acl("*.*", "read", ["admin"], created);
    void role;
    if (!this.o.plant) return;
    // A13: empty ACLs (no role, condition or script), a public-role ACL, hidden scripts.
    for (const t of ["u_asset_audit", "u_hr_notes", "incident"]) {
      const id = this.acl(`${t}.*`, "read", [], created, { by: "admin" });
      this.plant("A13", "sys_security_acl", id, "empty ACL");
    }
    const pub = this.acl("u_asset_audit", "write", ["public"], created, { by: "admin" });
    this.plant("A13", "sys_security_acl", pub, "public role only");
    for (const t of ["change_request", "sys_user"]) {
      const id = this.acl(`${t}.comments`, "read", ["itil"], created, {
        by: "admin",
        script: "answer = gs.getUser().hasRole('itil') || current.caller_id == gs.getUserID();",
        advanced: "false",
      });
      this.plant("A13", "sys_security_acl", id, "script present but advanced=false");
    }
    // L3: sys_audit readable by external users; a delete ACL on sys_audit.
    const ext = this.acl("sys_audit", "read", ["snc_external"], created, { by: "admin" });
    this.plant("L3", "sys_security_acl", ext, "sys_audit readable by snc_external");
    const del = this.acl("sys_audit", "delete", ["admin"], created, { by: "admin" });
    this.plant("L3", "sys_security_acl", del, "delete ACL on sys_audit");
  }

  acl(
    name: string,
    operation: string,
    roles: string[],
    created: number,
    opts: {
      type?: string;
      active?: string;
      by?: string;
      script?: string;
      advanced?: string;
      condition?: string;
    } = {},
  ): string {
    const id = this.rng.sysId();
    this.ds.insert("sys_security_acl", {
      sys_id: id,
      name,
      type: opts.type ?? "record",
      operation,
      decision_type: "allow",
      active: opts.active ?? "true",
      admin_overrides: "true",
      advanced: opts.advanced ?? "false",
      script: opts.script ?? "",
      condition: opts.condition ?? "",
      description: `${operation} access to ${name}`,
      ...this.sys(created, opts.by ?? "glide.maint"),
    });
    for (const r of roles) {
      this.ds.insert("sys_security_acl_role", {
        sys_id: this.rng.sysId(),
        sys_security_acl: id,
        sys_user_role: this.w.roleIds.get(r)!,
        ...this.sys(created, opts.by ?? "glide.maint"),
      });
    }
    return id;
  }

  // ---------------------------------------------------------------- properties and plugins
  propertyIds = new Map<string, string>();

  setProperty(name: string, value: string, type = "string", by = "admin"): string {
    const id = this.rng.sysId();
    this.propertyIds.set(name, id);
    const created = this.between(this.now - 900 * DAY, this.now - 60 * DAY);
    this.ds.insert("sys_properties", {
      sys_id: id,
      name,
      value,
      type: value === "true" || value === "false"
        ? "boolean"
        : /^\d+$/.test(value)
        ? "integer"
        : type,
      description: "",
      ignore_cache: "false",
      is_private: "false",
      ...this.sys(created, by),
    });
    return id;
  }

  properties(): void {
    const o = this.o;
    this.setProperty(
      "glide.buildtag",
      "glide-australia-12-10-2025__patch2-02-18-2026",
      "string",
      "glide.maint",
    );
    this.setProperty(
      "glide.war",
      "glide-australia-12-10-2025__patch2-02-18-2026.zip",
      "string",
      "glide.maint",
    );
    this.setProperty("glide.product.name", "ServiceNow", "string", "glide.maint");
    this.setProperty("instance_name", o.instance, "string", "glide.maint");
    this.setProperty(
      "glide.servlet.uri",
      `https://${o.instance}.service-now.com/`,
      "string",
      "glide.maint",
    );
    this.setProperty("glide.ui.list.max_rows", "100", "integer");
    // Hardening settings: the clean baseline makes every catalog setting compliant, storing a
    // record only when the fallback would not be; planted ones are non-compliant.
    const props = HARDENING_SETTINGS.filter((s) => s.kind === "property");
    const planted = new Set(
      o.plant ? this.rng.sample(props.map((s) => s.name), Math.round(props.length * 0.3)) : [],
    );
    if (o.plant) {
      // Always plant these: they drive L2/L5/L8/A11/A14/A15 and the invalid-query behaviour.
      for (
        const n of [
          "glide.oauth.clients.allowed.for.implicit.grant",
          "glide.sys.log_impersonation",
          "glide.basicauth.required.csv",
          "glide.authenticate.multifactor",
          "glide.invalid_query.returns_no_rows",
          "glide.ui.session_timeout",
        ]
      ) planted.add(n);
      // The connector must keep working: keep the password grant allowed (non-compliant, planted) but sandbox on.
      planted.add("glide.oauth.inbound.ropc.grant_type.disabled");
    }
    for (const s of props) {
      const fallbackOk = isSettingCompliant(s, s.fallback ?? s.defaultValue);
      if (planted.has(s.name)) {
        // Non-compliant: absent when the fallback already fails, otherwise a bad value.
        if (
          !fallbackOk && this.rng.chance(0.5) &&
          s.name !== "glide.oauth.clients.allowed.for.implicit.grant"
        ) continue;
        this.setProperty(s.name, badValue(s.rule));
        continue;
      }
      const good = goodValue(s.rule);
      if (!fallbackOk || s.defaultValue !== null || this.rng.chance(0.3)) {
        this.setProperty(s.name, good);
      }
    }
    // Audit settings (A12, L2).
    if (o.plant) {
      this.setProperty(
        "glide.ui.audit_deleted_tables",
        "sys_user,sys_user_group,sys_user_role,sys_user_has_role",
      );
      this.setProperty(
        "glide.db.audit.ignore.delete",
        "sys_user_preference,sys_audit,sys_trigger,wf_context,sys_user_grmember",
      );
    } else {
      this.setProperty("glide.sys.audit_inserts", "true");
    }
  }

  plugins(): void {
    const list: [string, string, boolean][] = [
      ["com.glide.high_security", "High Security Settings", true],
      ["com.glide.role_management", "Contextual Security: Role Management V2", true],
      ["com.snc.system_security", "Security Jump Start (ACL Rules)", true],
      ["com.snc.snc_access_control", "SNC Access Control", !this.o.plant],
      ["com.snc.ipauthenticator", "IP Address Access Control", true],
      ["com.snc.platform.security.oauth", "OAuth 2.0", true],
      ["com.snc.change_management", "Change Management", true],
      ["com.snc.incident", "Incident Management", true],
      ["com.snc.sla", "Service Level Management", true],
      ["com.glide.security.audit", "Identity and Access Audit", false],
    ];
    const created = this.now - 800 * DAY;
    for (const [id, name, active] of list) {
      this.ds.insert("v_plugin", {
        sys_id: this.rng.sysId(),
        id,
        name,
        active: active ? "active" : "inactive",
        version: "26.0.1",
        ...this.sys(created, "glide.maint"),
      });
      this.ds.insert("sys_plugins", {
        sys_id: this.rng.sysId(),
        source: id,
        name,
        active: String(active),
        version: "26.0.1",
        ...this.sys(created, "glide.maint"),
      });
    }
    // Applications whose tables or properties the dataset has (HR profiles, the
    // concurrent-session limit): installed. Fixed sys_ids, so adding them
    // changes no other generated value.
    for (
      const [id, name] of [
        ["com.sn_hr_core", "HR Service Delivery"],
        ["com.glide.limit.concurrent.sessions", "Limit Concurrent Sessions"],
      ]
    ) {
      this.ds.insert("v_plugin", {
        sys_id: `plugin.${id}`,
        id: id!,
        name: name!,
        active: "active",
        version: "26.0.1",
        ...this.sys(created, "glide.maint"),
      });
    }
  }

  /**
   * The configuration tables record-based hardening settings judge (docs/servicenow/tables.md,
   * docs/servicenow/hardening.md): IP access rules, the lockout script actions, the role-based MFA
   * criterion, ServiceNow's 5,000 excluded passwords and the (empty) Java
   * allowlists (the tables exist, empty). Compliant on a clean instance; a
   * planted one lacks the MFA criterion (its property is planted too, so the
   * ground truth judges the setting by it). Drawn from a generator of its own,
   * so the rest of the data stays as it was.
   */
  securityConfig(): void {
    const rng = new Random(`${this.o.seed}:${this.o.instance}:security-config`);
    const created = this.now - 800 * DAY;
    const sys = () => this.sys(created, "glide.maint");
    const rules: [string, string, string, string][] = [
      ["allow", "10.0.0.0", "10.255.255.255", "Corporate network"],
      ["allow", "192.0.2.0", "192.0.2.255", "VPN egress"],
      ["deny", "0.0.0.0", "255.255.255.255", "Everything else"],
    ];
    for (const [type, start, end, description] of rules) {
      this.ds.insert("ip_access", {
        sys_id: rng.sysId(),
        type,
        range_start: start,
        range_end: end,
        active: "true",
        description,
        ...sys(),
      });
    }
    const lockout: [string, string][] = [
      ["5e44f9bf0a0a0a0a019a6440b2137767", "SNC User Lockout Check"],
      ["d92636b2975301008e00958e3b297567", "SNC User Lockout Check with Auto Unlock"],
    ];
    for (const [sysId, name] of lockout) {
      this.ds.insert("sysevent_script_action", {
        sys_id: sysId,
        name,
        event_name: "login.failed",
        active: "true",
        order: "100",
        synchronous: "false",
        condition_script: "",
        script: "(function lockout(event) { /* counts failed logins */ })(event);",
        description: "",
        ...sys(),
      });
    }
    if (!this.o.plant) {
      this.ds.insert("multi_factor_criteria", {
        sys_id: "d427668b73003300fdbd04fbc4f6a7b6",
        name: "Role based multi-factor authentication",
        active: "true",
        roles: "",
        description: "Users with the selected roles must use multi-factor authentication.",
        ...sys(),
      });
    }
    const words = ["password", "qwerty", "letmein", "welcome", "dragon", "monkey", "sunshine"];
    const seen = new Set<string>();
    for (let i = 0; seen.size < 5000; i++) {
      const word = words[i % words.length]!;
      const candidate = i < words.length ? word : `${word}${rng.int(0, 99_999)}`;
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      this.ds.insert("blacklisted_password", {
        sys_id: rng.sysId(),
        password: candidate,
        ...sys(),
      });
    }
  }

  // ---------------------------------------------------------------- changes and approvals
  changeWindows: { id: string; start: number; end: number; assignee: string }[] = [];
  closedChangeIds: string[] = [];

  memberOf(groupId: string): string[] {
    const out: string[] = [];
    for (const u of this.regular) if (u.groups.has(groupId)) out.push(u.id);
    return out;
  }

  changes(): void {
    const M = this.o.changes;
    const teamMembers = new Map<string, string[]>();
    for (const g of this.w.teamGroupIds) teamMembers.set(g, []);
    for (const u of this.regular) {
      for (const g of u.groups) teamMembers.get(g)?.push(u.id);
    }
    const teams = this.w.teamGroupIds.filter((g) => (teamMembers.get(g)?.length ?? 0) >= 3);
    const cab = new Set(this.w.cabMembers);
    const requesters = this.regular.filter((u) => !cab.has(u.id)).map((u) => u.id);
    const plantKinds: [string, number][] = this.o.plant
      ? [
        ["C1", 0.01],
        ["C2", 0.01],
        ["C2t", 0.005],
        ["C3", 0.015],
        ["C4", 0.01],
        ["C4u", 0.003],
        ["C5", 0.01],
        ["C6", 0.02],
        ["C7", 0.02],
        ["C7o", 0.005],
        ["C7c", 0.003],
        ["C8", 0.1],
        ["C9", 0.03],
        ["C10", 0.01],
        ["C11", 0.01],
      ]
      : [];
    const userName = (id: string) => this.w.users.get(id)?.userName ?? "system";
    for (let i = 0; i < M; i++) {
      const type = this.rng.weighted([["normal", 70], ["standard", 25], ["emergency", 5]] as const);
      const state = this.rng.weighted(
        [["3", 60], ["4", 5], ["-5", 5], ["-4", 5], ["-3", 5], ["-2", 5], ["-1", 5], [
          "0",
          10,
        ]] as const,
      );
      const id = this.rng.sysId();
      const team = this.rng.pick(teams);
      const members = teamMembers.get(team)!;
      let assignee = this.rng.pick(members);
      let requester = this.rng.pick(requesters);
      if (requester === assignee) {
        requester = requesters[(requesters.indexOf(requester) + 1) % requesters.length]!;
      }
      const number = `CHG${String(++this.w.counters.change).padStart(7, "0")}`;
      // Timeline.
      const past = state === "3" || state === "4" || state === "0";
      let created: number;
      let start: number;
      let workStart: number | null = null;
      let workEnd: number | null = null;
      let closed: number | null = null;
      if (past) {
        created = this.between(this.now - 720 * DAY, this.now - 14 * DAY);
        start = created + this.between(2 * DAY, 9 * DAY);
      } else if (state === "-1") {
        start = this.now - this.between(10 * 60_000, 2 * HOUR);
        created = start - this.between(2 * DAY, 9 * DAY);
      } else {
        created = this.now - this.between(HOUR, 10 * DAY);
        start = this.now + this.between(DAY, 14 * DAY);
      }
      const end = start + this.between(3 * HOUR, 10 * HOUR);
      const approvedAt = created + Math.floor((start - created) * (0.3 + 0.5 * this.rng.next()));
      if (state === "3" || state === "0" || state === "-1") {
        workStart = Math.min(start + this.between(0, 40 * 60_000), this.now - 60_000);
        if (state !== "-1") {
          workEnd = Math.min(workStart + this.between(HOUR, end - workStart - 60_000), end);
          if (state === "3") {
            closed = Math.min(workEnd + this.between(HOUR, 48 * HOUR), this.now - 60_000);
          }
        }
      }
      const approvalNeeded = type !== "standard" &&
        ["-3", "-2", "-1", "0", "3", "4"].includes(state);
      const approved = type === "standard"
        ? state !== "-5" && state !== "-4"
        : ["-2", "-1", "0", "3"].includes(state);
      let approval = type === "standard"
        ? approved ? "approved" : "not requested"
        : state === "-3"
        ? "requested"
        : approved
        ? "approved"
        : state === "4"
        ? "rejected"
        : "not requested";
      const risk = this.rng.weighted([["2", 15], ["3", 50], ["4", 35]] as const);
      const cabRequired = type === "normal" && risk === "2";
      const values: Record<string, string> = {
        sys_id: id,
        number,
        short_description: this.rng.pick([
          "Patch database servers",
          "Upgrade load balancer firmware",
          "Rotate TLS certificates",
          "Deploy release 4.2",
          "Add firewall rule",
          "Migrate file share",
          "Resize VM cluster",
          "Update LDAP configuration",
        ]),
        description: "Planned change raised through the change process.",
        type,
        state,
        active: String(state !== "3" && state !== "4"),
        priority: this.rng.pick(["2", "3", "3", "4"]),
        impact: this.rng.pick(["2", "3"]),
        urgency: this.rng.pick(["2", "3"]),
        risk,
        scope: "3",
        opened_at: this.ts(created),
        opened_by: requester,
        requested_by: requester,
        requested_by_date: this.tsAny(start),
        assigned_to: assignee,
        assignment_group: team,
        approval,
        approval_set: approved && type !== "standard" ? this.ts(approvedAt) : "",
        upon_approval: "proceed",
        upon_reject: "cancel",
        start_date: this.tsAny(start),
        end_date: this.tsAny(end),
        work_start: workStart === null ? "" : this.ts(workStart),
        work_end: workEnd === null ? "" : this.ts(workEnd),
        closed_at: closed === null ? "" : this.ts(closed),
        closed_by: closed === null ? "" : assignee,
        close_code: state === "3"
          ? this.rng.weighted([["successful", 90], ["successful_issues", 10]] as const)
          : "",
        close_notes: state === "3" ? "Implemented as planned; verification completed." : "",
        implementation_plan:
          "1. Notify stakeholders. 2. Apply change per runbook. 3. Verify service health.",
        backout_plan:
          "Restore previous configuration from backup and restart the affected services.",
        test_plan: "Run smoke tests and monitoring checks for 30 minutes after the change.",
        justification: "Required to maintain supportability.",
        cab_required: String(cabRequired),
        cab_date_time: cabRequired && ["-2", "-1", "0", "3"].includes(state)
          ? this.ts(approvedAt - HOUR)
          : "",
        conflict_status: "No Conflict",
        conflict_last_run: this.ts(created + HOUR),
        outside_maintenance_schedule: "false",
        production_system: String(this.rng.chance(0.6)),
        unauthorized: "false",
        on_hold: "false",
        phase: "requested",
        phase_state: "open",
        std_change_producer_version: type === "standard" ? this.rng.pick(this.stdTemplateIds) : "",
        category: this.rng.pick(["Hardware", "Software", "Network", "Security"]),
        review_status: type === "emergency" && state === "3" ? "1" : "",
        review_comments: type === "emergency" && state === "3"
          ? "Post-implementation review held; no issues found."
          : "",
        made_sla: "true",
        reassignment_count: String(this.rng.int(0, 2)),
      };
      const lastTouch = Math.max(created, approvedAt, workStart ?? 0, workEnd ?? 0, closed ?? 0);
      // Change tasks.
      const taskAssignees: string[] = [];
      const tasks = type !== "standard" && ["-1", "0", "3"].includes(state)
        ? this.rng.int(0, 2)
        : 0;
      for (let k = 0; k < tasks; k++) {
        const a = this.rng.pick(members);
        taskAssignees.push(a);
        const tid = this.rng.sysId();
        this.ds.insert("change_task", {
          sys_id: tid,
          number: `CTASK${String(++this.w.counters.task).padStart(7, "0")}`,
          short_description: k === 0 ? "Implement" : "Verify",
          change_request: id,
          parent: id,
          state: state === "3" || state === "0" ? "3" : "2",
          active: String(!(state === "3" || state === "0")),
          assigned_to: a,
          assignment_group: team,
          change_task_type: k === 0 ? "implementation" : "testing",
          opened_at: this.ts(created),
          opened_by: requester,
          approval: "not requested",
          priority: "4",
          ...this.sys(created, userName(requester), Math.min(lastTouch, this.now)),
        });
      }
      // Approvers from CAB, never the requester, the assignee or a task assignee.
      const excluded = new Set([requester, assignee, ...taskAssignees]);
      const pool = this.w.cabMembers.filter((u) => !excluded.has(u));
      const approvers = approvalNeeded ? this.rng.sample(pool, this.rng.int(1, 2)) : [];
      let approverState = state === "-3" ? "requested" : state === "4" ? "rejected" : "approved";
      let approvalTime = approvedAt;
      // Plants.
      const kind = this.choosePlant(plantKinds, 0.2, type, state);
      switch (kind) {
        case "C1":
          approvers.splice(0, approvers.length, requester);
          this.plant("C1", "change_request", id, "requester approved own change");
          break;
        case "C2":
          approvers.splice(0, approvers.length, assignee);
          this.plant("C2", "change_request", id, "assignee approved");
          break;
        case "C2t":
          if (taskAssignees.length > 0) {
            approvers.splice(0, approvers.length, taskAssignees[0]!);
            this.plant("C2", "change_request", id, "change task assignee approved");
          }
          break;
        case "C3":
          values.assigned_to = requester;
          assignee = requester;
          this.plant("C3", "change_request", id, "requested_by = assigned_to");
          break;
        case "C4":
          if (this.rng.chance(0.5)) {
            values.approval = "requested";
            approval = "requested";
            approverState = "requested";
          } else approvers.splice(0);
          this.plant("C4", "change_request", id, "implemented without approval");
          break;
        case "C4u":
          values.unauthorized = "true";
          this.plant("C4", "change_request", id, "unauthorized=true");
          break;
        case "C5":
          approvalTime = (workStart ?? start) + this.between(10 * 60_000, 3 * HOUR);
          values.approval_set = this.ts(approvalTime);
          this.plant("C5", "change_request", id, "approved after work_start");
          break;
        case "C6": {
          const field = this.rng.pick(["backout_plan", "test_plan", "implementation_plan"]);
          values[field] = this.rng.pick(["", "   ", "n/a", "TBD", "see above"]);
          this.plant("C6", "change_request", id, `${field} missing or placeholder`);
          break;
        }
        case "C7":
          if (this.rng.chance(0.5)) {
            values.work_start = this.ts(start - this.between(HOUR, 6 * HOUR));
          } else values.work_end = this.tsAny(end + this.between(HOUR, 8 * HOUR));
          this.plant("C7", "change_request", id, "work outside planned window");
          break;
        case "C7o":
          values.outside_maintenance_schedule = "true";
          this.plant("C7", "change_request", id, "outside maintenance schedule");
          break;
        case "C7c":
          values.conflict_status = "Conflict";
          this.plant("C7", "change_request", id, "schedule conflict");
          break;
        case "C8":
          values[this.rng.chance(0.5) ? "review_comments" : "review_status"] = "";
          this.plant("C8", "change_request", id, "emergency change without review");
          break;
        case "C9":
          values.close_code = "unsuccessful";
          values.close_notes = "Change failed and was backed out.";
          this.plant("C9", "change_request", id, "unsuccessful");
          break;
        case "C10":
          values.cab_required = "true";
          values.cab_date_time = "";
          this.plant("C10", "change_request", id, "CAB required, no CAB date");
          break;
        case "C11":
          if (this.rng.chance(0.5)) values.close_notes = "";
          else values.work_start = "";
          this.plant("C11", "change_request", id, "closed without evidence");
          break;
        default:
          break;
      }
      this.ds.insert("change_request", {
        ...values,
        ...this.sys(
          created,
          userName(requester),
          Math.min(Math.max(lastTouch, approvalTime), this.now),
          this.rng.int(3, 15),
        ),
      });
      for (const a of approvers) {
        const decided = approverState !== "requested";
        this.ds.insert("sysapproval_approver", {
          sys_id: this.rng.sysId(),
          approver: a,
          state: approverState,
          sysapproval: id,
          document_id: id,
          source_table: "change_request",
          approval_source: decided ? this.rng.pick(["email", "ui"]) : "",
          due_date: this.tsAny(start),
          ...this.sys(
            created + HOUR,
            "system",
            decided ? Math.min(approvalTime, this.now) : created + HOUR,
            decided ? 1 : 0,
          ),
        });
      }
      if (values.work_start && values.approval === "approved" && ["-1", "0", "3"].includes(state)) {
        const ws = Date.parse(values.work_start.replace(" ", "T") + "Z");
        const we = values.work_end ? Date.parse(values.work_end.replace(" ", "T") + "Z") : this.now;
        this.changeWindows.push({ id, start: ws, end: we, assignee });
      }
      if (state === "3") this.closedChangeIds.push(id);
      // State audit trail for changes that reached Implement.
      if (workStart !== null) {
        const by = userName(assignee);
        this.audit("change_request", "state", id, "-2", "-1", by, workStart);
        if (workEnd !== null) this.audit("change_request", "state", id, "-1", "0", by, workEnd);
        if (closed !== null) this.audit("change_request", "state", id, "0", "3", by, closed);
      }
    }
  }

  audit(
    table: string,
    field: string,
    key: string,
    oldValue: string,
    newValue: string,
    user: string,
    at: number,
  ): string {
    const id = this.rng.sysId();
    this.ds.insert("sys_audit", {
      sys_id: id,
      tablename: table,
      fieldname: field,
      documentkey: key,
      oldvalue: oldValue,
      newvalue: newValue,
      user,
      reason: "",
      record_checkpoint: "1",
      internal_checkpoint: "",
      ...this.sys(at, user),
    });
    return id;
  }

  // ---------------------------------------------------------------- incidents, problems, SLAs
  incidents(): void {
    const N = this.o.incidents;
    const slaIds = new Map<string, string>();
    const created = this.now - 900 * DAY;
    for (const pr of ["1", "2", "3", "4"]) {
      const id = this.rng.sysId();
      slaIds.set(pr, id);
      const hours = CONTROL_PARAMS.resolutionTargetHours[pr]!;
      this.ds.insert("contract_sla", {
        sys_id: id,
        name: `Priority ${pr} resolution (${hours} hours)`,
        active: "true",
        collection: "incident",
        type: "SLA",
        target: "resolution",
        duration: this.tsAny(hours * HOUR),
        start_condition: `priority=${pr}^active=true`,
        stop_condition: "state=6^ORstate=7",
        ...this.sys(created, "admin"),
      });
    }
    const plantKinds: [string, number][] = this.o.plant
      ? [["I1", 0.01], ["I2", 0.03], ["I3", 0.02], ["I4", 0.02], ["I5", 0.005], ["I6", 0.01]]
      : [];
    const callers = this.regular.map((u) => u.id);
    const teamMembers = new Map<string, string[]>();
    for (const u of this.regular) {
      for (const g of u.groups) {
        if (this.w.teamGroupIds.includes(g)) {
          (teamMembers.get(g) ?? teamMembers.set(g, []).get(g)!).push(u.id);
        }
      }
    }
    const teams = [...teamMembers.keys()];
    let problemFor: { id: string; uses: number } | null = null;
    const userName = (id: string) => this.w.users.get(id)?.userName ?? "system";
    for (let i = 0; i < N; i++) {
      const id = this.rng.sysId();
      const state = this.rng.weighted(
        [["1", 5], ["2", 10], ["3", 5], ["6", 10], ["7", 65], ["8", 5]] as const,
      );
      const impact = this.rng.weighted([["1", 10], ["2", 30], ["3", 60]] as const);
      const urgency = this.rng.weighted([["1", 10], ["2", 30], ["3", 60]] as const);
      const priority = String(Number(impact) + Number(urgency) - 1);
      const opened = state === "7" || state === "8"
        ? this.between(this.now - 700 * DAY, this.now - 10 * DAY)
        : this.between(this.now - 8 * DAY, this.now - HOUR);
      const target = CONTROL_PARAMS.resolutionTargetHours[priority]! * HOUR;
      let resolved: number | null = null;
      let closed: number | null = null;
      if (state === "6" || state === "7") {
        resolved = Math.min(
          opened + this.between(10 * 60_000, Math.floor(target * 0.9)),
          this.now - 60_000,
        );
        if (state === "7") {
          closed = Math.min(resolved + this.between(HOUR, 72 * HOUR), this.now - 60_000);
        }
      }
      if (state === "8") {
        closed = Math.min(opened + this.between(HOUR, 24 * HOUR), this.now - 60_000);
      }
      const team = this.rng.pick(teams);
      const assignee = this.rng.pick(teamMembers.get(team)!);
      const caller = this.rng.pick(callers);
      const values: Record<string, string> = {
        sys_id: id,
        number: `INC${String(++this.w.counters.incident).padStart(7, "0")}`,
        short_description: this.rng.pick([
          "Email not syncing",
          "VPN disconnects",
          "Laptop slow",
          "Cannot access SharePoint",
          "Printer offline",
          "Password reset request",
          "Application error 500",
          "Server CPU alert",
        ]),
        state,
        incident_state: state,
        active: String(state !== "7" && state !== "8"),
        impact,
        urgency,
        priority,
        caller_id: caller,
        opened_by: caller,
        opened_at: this.ts(opened),
        assigned_to: state === "1" ? "" : assignee,
        assignment_group: team,
        resolved_at: resolved === null ? "" : this.ts(resolved),
        resolved_by: resolved === null ? "" : assignee,
        closed_at: closed === null ? "" : this.ts(closed),
        closed_by: closed === null ? "" : assignee,
        close_code: resolved === null ? "" : "Solution provided",
        close_notes: resolved === null ? "" : "Resolved by support.",
        category: this.rng.pick(["inquiry", "software", "hardware", "network", "database"]),
        contact_type: this.rng.pick(["phone", "email", "self-service"]),
        approval: "not requested",
        made_sla: "true",
        reopen_count: "0",
        severity: "3",
        notify: "1",
        child_incidents: "0",
        business_stc: resolved === null ? "" : String(Math.round((resolved - opened) / 1000)),
        calendar_stc: resolved === null ? "" : String(Math.round((resolved - opened) / 1000)),
        upon_approval: "proceed",
        upon_reject: "cancel",
      };
      // P1/P2 resolved or closed incidents always have a problem in the baseline (I1).
      if ((priority === "1" || priority === "2") && (state === "6" || state === "7")) {
        if (!problemFor || problemFor.uses >= 3) {
          problemFor = { id: this.problem(opened, team, assignee), uses: 0 };
        }
        problemFor.uses++;
        values.problem_id = problemFor.id;
      }
      let breached = false;
      const kind = this.choosePlant(plantKinds, 0.1, priority, state);
      switch (kind) {
        case "I1":
          if ((priority === "1" || priority === "2") && (state === "6" || state === "7")) {
            values.problem_id = "";
            this.plant("I1", "incident", id, "P1/P2 without problem");
          }
          break;
        case "I2":
          breached = true;
          values.made_sla = "false";
          break;
        case "I3":
          values.reopen_count = String(this.rng.int(1, 3));
          values.reopened_time = this.ts(opened + HOUR);
          values.reopened_by = caller;
          this.plant("I3", "incident", id, "reopened");
          break;
        case "I4":
          if (resolved !== null) {
            const late = opened + target + this.between(HOUR, 3 * target);
            if (late + 2 * HOUR < this.now) {
              resolved = late;
              values.resolved_at = this.ts(late);
              values.business_stc = String(Math.round((late - opened) / 1000));
              values.calendar_stc = values.business_stc;
              if (closed !== null) {
                closed = late + HOUR;
                values.closed_at = this.ts(closed);
              }
              breached = true;
              values.made_sla = "false";
              this.plant("I4", "incident", id, "resolved after target");
            }
          }
          break;
        case "I5":
          if (state === "7" || state === "8") {
            values.active = "true";
            this.plant("I5", "incident", id, "closed but active");
          }
          break;
        case "I6":
          if (this.closedChangeIds.length > 0) {
            const chg = this.rng.pick(this.closedChangeIds);
            values.caused_by = chg;
            this.plant("I6", "incident", id, "caused by change");
            this.plant("C9", "change_request", chg, "caused an incident");
          }
          break;
        default:
          break;
      }
      const last = Math.max(opened, resolved ?? 0, closed ?? 0);
      this.ds.insert("incident", {
        ...values,
        ...this.sys(opened, userName(caller), Math.min(last, this.now), this.rng.int(1, 12)),
      });
      if (state !== "8" && priority !== "5") {
        const sid = this.rng.sysId();
        const done = state === "6" || state === "7";
        this.ds.insert("task_sla", {
          sys_id: sid,
          task: id,
          sla: slaIds.get(priority)!,
          stage: done ? "completed" : state === "3" ? "paused" : "in_progress",
          has_breached: String(breached),
          active: String(!done),
          start_time: this.ts(opened),
          end_time: done && resolved !== null ? this.ts(resolved) : "",
          planned_end_time: this.tsAny(opened + target),
          original_breach_time: this.tsAny(opened + target),
          duration: this.tsAny(Math.max(0, (resolved ?? this.now) - opened)),
          percentage: String(
            Math.min(999, Math.round(((resolved ?? this.now) - opened) / target * 100)),
          ),
          business_percentage: "0",
          timezone: "GMT",
          ...this.sys(opened, "system", Math.min(last, this.now)),
        });
        if (breached) this.plant("I2", "task_sla", sid, "breached");
      }
    }
  }

  problem(opened: number, team: string, assignee: string): string {
    const id = this.rng.sysId();
    this.ds.insert("problem", {
      sys_id: id,
      number: `PRB${String(++this.w.counters.problem).padStart(7, "0")}`,
      short_description: "Recurring service disruption",
      state: "104",
      active: "true",
      priority: "2",
      opened_at: this.ts(opened + HOUR),
      assigned_to: assignee,
      assignment_group: team,
      approval: "not requested",
      problem_statement: "Investigate root cause of repeated incidents.",
      known_error: "false",
      ...this.sys(opened + HOUR, "admin"),
    });
    return id;
  }

  // ---------------------------------------------------------------- scripts, REST, etc.
  configRecords(): void {
    const scale = Math.max(1, Math.round(this.o.users / 2000));
    const created = () => this.between(this.now - 900 * DAY, this.now - 30 * DAY);
    const tables = [
      "incident",
      "change_request",
      "sys_user",
      "problem",
      "task",
      "sc_req_item",
      "global",
    ];
    for (let i = 0; i < 40 * scale; i++) {
      const c = created();
      this.ds.insert("sys_script", {
        sys_id: this.rng.sysId(),
        name: `${this.rng.pick(["Set", "Validate", "Notify", "Sync", "Update"])} ${
          this.rng.pick(["assignment", "priority", "approvals", "CI", "SLA"])
        } ${i + 1}`,
        collection: this.rng.pick(tables),
        when: this.rng.pick(["before", "after", "async", "display"]),
        order: String(this.rng.pick([100, 200, 1000])),
        active: String(this.rng.chance(0.85)),
        action_insert: "true",
        action_update: String(this.rng.chance(0.7)),
        action_delete: "false",
        action_query: "false",
        advanced: "true",
        script:
          "(function executeRule(current, previous) {\n  // business logic\n})(current, previous);",
        priority: "100",
        ...this.sys(c, "admin", c + DAY, 2),
      });
    }
    for (let i = 0; i < 25 * scale; i++) {
      const c = created();
      const callable = this.rng.chance(0.3);
      const name = `${this.rng.pick(["Util", "Helper", "Ajax", "Integration"])}${i + 1}`;
      this.ds.insert("sys_script_include", {
        sys_id: this.rng.sysId(),
        name,
        api_name: `global.${name}`,
        client_callable: String(callable),
        access: "package_private",
        active: "true",
        script: callable
          ? `var ${name} = Class.create();\n${name}.prototype = Object.extendsObject(AbstractAjaxProcessor, { getValue: function() { var gr = new GlideRecordSecure('incident'); return gr.getRowCount(); } });`
          : `var ${name} = Class.create();\n${name}.prototype = { initialize: function() {} };`,
        sandbox_callable: "false",
        ...this.sys(c, "admin"),
      });
    }
    for (let i = 0; i < 20 * scale; i++) {
      const c = created();
      this.ds.insert("sys_script_client", {
        sys_id: this.rng.sysId(),
        name: `Client script ${i + 1}`,
        table: this.rng.pick(["incident", "change_request", "problem"]),
        type: this.rng.pick(["onLoad", "onChange", "onSubmit"]),
        ui_type: this.rng.pick(["0", "10"]),
        active: "true",
        global: "true",
        script: "function onLoad() {\n}",
        ...this.sys(c, "admin"),
      });
    }
    for (let i = 0; i < 10; i++) {
      const c = created();
      this.ds.insert("sys_ui_page", {
        sys_id: this.rng.sysId(),
        name: `x_page_${i + 1}`,
        category: "general",
        html: "<j:jelly xmlns:j='jelly:core'><p>Page</p></j:jelly>",
        ...this.sys(c, "admin"),
      });
    }
    // Scripted REST APIs.
    const apis = ["asset_sync", "hr_events", "monitoring_hook", "vendor_portal"];
    const plantOps = this.o.plant
      ? new Set(["monitoring_hook/alerts", "vendor_portal/contacts"])
      : new Set<string>();
    for (const api of apis) {
      const c = created();
      const defId = this.rng.sysId();
      this.ds.insert("sys_ws_definition", {
        sys_id: defId,
        name: api.replace(/_/g, " "),
        service_id: api,
        namespace: "x_acme",
        base_uri: `/api/x_acme/${api}`,
        active: "true",
        enforce_acl: "",
        consumes: "application/json",
        produces: "application/json",
        is_versioned: "false",
        requires_authentication: "true",
        requires_acl_authorization: "true",
        ...this.sys(c, "admin"),
      });
      for (const res of ["status", "alerts", "contacts"]) {
        const key = `${api}/${res}`;
        const id = this.rng.sysId();
        const isPublic = plantOps.has(key);
        this.ds.insert("sys_ws_operation", {
          sys_id: id,
          name: res,
          web_service_definition: defId,
          http_method: res === "status" ? "GET" : "POST",
          relative_path: `/${res}`,
          operation_uri: `/api/x_acme/${api}/${res}`,
          operation_script: "(function process(request, response) {\n})(request, response);",
          active: "true",
          requires_authentication: String(!isPublic),
          requires_acl_authorization: String(!isPublic),
          requires_snc_internal_role: "true",
          enforce_acl: "",
          ...this.sys(c, "admin"),
        });
        if (isPublic) this.plant("A14", "sys_ws_operation", id, "public scripted REST resource");
      }
    }
    // A public but inactive operation is not a finding.
    // Outbound REST messages.
    for (
      const [name, auth] of [
        ["Slack notify", "oauth2"],
        ["Jira sync", "basic"],
        ["Weather", "no_authentication"],
        ["PagerDuty", "basic"],
        ["Azure AD", "oauth2"],
      ]
    ) {
      const id = this.rng.sysId();
      const c = created();
      this.ds.insert("sys_rest_message", {
        sys_id: id,
        name: name!,
        rest_endpoint: `https://api.${name!.toLowerCase().replace(/\s+/g, "")}.example.net/v1`,
        authentication_type: auth!,
        use_mutual_auth: "false",
        ...this.sys(c, "admin"),
      });
      for (const fn of ["get", "post"]) {
        this.ds.insert("sys_rest_message_fn", {
          sys_id: this.rng.sysId(),
          rest_message: id,
          function_name: fn === "get" ? "Default GET" : "Default POST",
          http_method: fn,
          rest_endpoint: `https://api.${
            name!.toLowerCase().replace(/\s+/g, "")
          }.example.net/v1/items`,
          authentication_type: "inherit_from_parent",
          ...this.sys(c, "admin"),
        });
      }
    }
    // Public pages.
    for (const page of CONTROL_PARAMS.baselinePublicPages) {
      this.ds.insert("sys_public", {
        sys_id: this.rng.sysId(),
        page,
        active: "true",
        ...this.sys(this.now - 1000 * DAY, "glide.maint"),
      });
    }
    this.ds.insert("sys_public", {
      sys_id: this.rng.sysId(),
      page: "kb_view.do",
      active: "false",
      ...this.sys(this.now - 1000 * DAY, "glide.maint"),
    });
    if (this.o.plant) {
      const id = this.rng.sysId();
      this.ds.insert("sys_public", {
        sys_id: id,
        page: "u_vendor_portal",
        active: "true",
        ...this.sys(this.now - 200 * DAY, "admin"),
      });
      this.plant("A14", "sys_public", id, "public page");
    }
    this.ds.insert("sys_rate_limit_rules", {
      sys_id: this.rng.sysId(),
      name: "Table API per user",
      rest_api: "Table API",
      resource: "GET /now/v2/table/*",
      active: "false",
      request_limit_per_hour: "100000",
      apply_to: "all",
      ...this.sys(this.now - 300 * DAY, "admin"),
    });
  }

  // ---------------------------------------------------------------- update sets
  updateSets(): void {
    const n = Math.max(20, Math.round(this.o.changes / 20));
    const closed = this.ds.table("change_request").rows.filter((r) =>
      r[this.ds.table("change_request").col("state")] === "3"
    );
    const numberCol = this.ds.table("change_request").col("number");
    const admins = [...this.w.users.values()].filter((u) => u.kind === "privileged").map((u) =>
      u.userName
    );
    for (let i = 0; i < n; i++) {
      const c = this.between(this.now - 600 * DAY, this.now - DAY);
      const chg = closed.length > 0 ? this.rng.pick(closed)[numberCol]! : "CHG0000001";
      const state = this.rng.weighted(
        [["complete", 80], ["in progress", 12], ["ignore", 8]] as const,
      );
      const id = this.rng.sysId();
      const by = this.rng.pick(admins);
      const values: Record<string, string> = {
        sys_id: id,
        name: `${chg} ${
          this.rng.pick([
            "Incident form tweaks",
            "ACL fixes",
            "Catalog item update",
            "Notification changes",
            "SLA definitions",
          ])
        }`,
        description: `Delivered under ${chg}.`,
        state,
        application: "global",
        release_date: state === "complete" ? this.ts(c + DAY) : "",
      };
      if (this.o.plant && state === "complete" && this.rng.chance(0.1)) {
        values.name = this.rng.pick(["Quick fix", "Hotfix for prod", "Admin changes", "Test"]);
        values.description = this.rng.pick(["", "Direct fix", "Misc changes"]);
        this.plant("C12", "sys_update_set", id, "complete without change reference");
      }
      this.ds.insert("sys_update_set", { ...values, ...this.sys(c, by, c + DAY, 3) });
    }
    this.ds.insert("sys_update_set", {
      sys_id: this.rng.sysId(),
      name: "Default",
      description: "Default update set",
      state: "in progress",
      application: "global",
      ...this.sys(this.now - 900 * DAY, "glide.maint"),
    });
    if (this.o.plant) {
      for (let i = 0; i < 2; i++) {
        const id = this.rng.sysId();
        const c = this.between(this.now - 200 * DAY, this.now - 20 * DAY);
        const chg = closed.length > 0 ? this.rng.pick(closed)[numberCol]! : "CHG0000001";
        const by = this.rng.pick(admins);
        this.ds.insert("sys_update_set", {
          sys_id: id,
          name: `${chg} Reopened fix ${i + 1}`,
          description: `Delivered under ${chg}.`,
          state: "in progress",
          application: "global",
          ...this.sys(c, by, c + 5 * DAY, 5),
        });
        this.audit("sys_update_set", "state", id, "in progress", "complete", by, c + 2 * DAY);
        this.audit("sys_update_set", "state", id, "complete", "in progress", by, c + 5 * DAY);
        this.plant("C12", "sys_update_set", id, "re-opened after complete");
      }
    }
  }

  // ---------------------------------------------------------------- OAuth and certificates
  oauthAndCerts(): void {
    const o = this.o.oauthClient;
    const created = this.now - 400 * DAY;
    const clients: [string, string, number, number, string][] = [
      [o.name, o.clientId, o.accessTokenLifespan, o.refreshTokenLifespan, "client_credentials"],
      ["Mobile app", "mobile-" + this.rng.sysId().slice(0, 12), 1800, 8_640_000, "password"],
      [
        "ServiceNow Agent",
        "agent-" + this.rng.sysId().slice(0, 12),
        1800,
        8_640_000,
        "authorization_code",
      ],
      ["Monitoring", "mon-" + this.rng.sysId().slice(0, 12), 1800, 8_640_000, "client_credentials"],
    ];
    if (this.o.plant) {
      clients.push([
        "Legacy BI",
        "bi-" + this.rng.sysId().slice(0, 12),
        86_400,
        8_640_000,
        "password",
      ]);
      clients.push([
        "Partner portal",
        "pp-" + this.rng.sysId().slice(0, 12),
        1800,
        31_536_000,
        "authorization_code",
      ]);
    }
    for (const [name, clientId, access, refresh, grant] of clients) {
      const id = this.rng.sysId();
      this.ds.insert("oauth_entity", {
        sys_id: id,
        name,
        client_id: clientId,
        client_secret: "",
        active: "true",
        type: "client",
        access_token_lifespan: String(access),
        refresh_token_lifespan: String(refresh),
        default_grant_type: grant,
        redirect_url: grant === "authorization_code" ? "https://app.example.com/callback" : "",
        public_client: "false",
        ...this.sys(created, "admin"),
      });
      if (
        access > CONTROL_PARAMS.maxAccessTokenLifespan ||
        refresh > CONTROL_PARAMS.maxRefreshTokenLifespan
      ) this.plant("L8", "oauth_entity", id, "token lifespan too long");
    }
    const certs: [string, number, boolean][] = [
      ["Corporate root CA", 2000, true],
      ["Intranet TLS", 300, true],
      ["SAML signing", 500, true],
      ["MID server", 120, true],
      ["Old partner cert", -100, false],
    ];
    if (this.o.plant) {
      certs.push(["Payment gateway client", 10, true]);
      certs.push(["Expired LDAP CA", -5, true]);
    }
    for (const [name, days, active] of certs) {
      const id = this.rng.sysId();
      const expires = this.now + days * DAY;
      this.ds.insert("sys_certificate", {
        sys_id: id,
        name,
        type: name.includes("CA") ? "ca_cert" : "trust_store",
        format: "pem",
        expires: this.tsAny(expires),
        valid_from: this.tsAny(expires - 730 * DAY),
        expires_in: String(days),
        issuer_name: "CN=ACME Issuing CA",
        subject_common_name: `CN=${name.toLowerCase().replace(/\s+/g, "-")}.${this.domain}`,
        active: String(active),
        warn_in_days_to_expire: "30",
        ...this.sys(this.now - 400 * DAY, "admin"),
      });
      if (active && days < CONTROL_PARAMS.certificateExpiryDays) {
        this.plant("L7", "sys_certificate", id, "expires soon or expired");
      }
    }
  }

  // ---------------------------------------------------------------- transaction log
  transactions(): void {
    const n = Math.min(20_000, Math.max(300, Math.round(this.o.users * 0.3)));
    const integration = this.o.integrationUserName;
    const people = this.regular.map((u) => u.userName);
    for (let i = 0; i < n; i++) {
      const at = this.between(this.now - 30 * DAY, this.now - 60_000);
      const rest = this.rng.chance(0.35);
      const user = rest ? integration : this.rng.pick(people);
      const type = rest ? "rest" : this.rng.pick(["form", "list", "list", "form", "scheduler"]);
      this.ds.insert("syslog_transaction", {
        sys_id: this.rng.sysId(),
        url: rest
          ? `/api/now/table/${
            this.rng.pick(["sys_user", "incident", "change_request"])
          }?sysparm_limit=1000`
          : `/${this.rng.pick(["incident", "change_request", "sys_user"])}.do`,
        type,
        response_time: String(this.rng.int(40, 4000)),
        client_transaction: String(!rest),
        remote_ip: `10.${this.rng.int(0, 255)}.${this.rng.int(0, 255)}.${this.rng.int(1, 254)}`,
        system_id: `app${this.rng.int(1, 4)}:${this.o.instance}`,
        ...this.sys(at, user),
      });
    }
    if (this.o.plant && this.reportingId) {
      for (let i = 0; i < 3; i++) {
        const at = this.between(this.now - 20 * DAY, this.now - 60_000);
        this.ds.insert("syslog_transaction", {
          sys_id: this.rng.sysId(),
          url: "/sys_user_list.do",
          type: "list",
          response_time: "512",
          client_transaction: "true",
          remote_ip: "10.1.2.3",
          system_id: `app1:${this.o.instance}`,
          ...this.sys(at, "reporting.integration"),
        });
      }
    }
  }

  // ---------------------------------------------------------------- dictionary
  dictionary(): void {
    const created = this.now - 1000 * DAY;
    const notAudited = this.o.plant ? new Set(["sysapproval_approver"]) : new Set<string>();
    for (const schema of SCHEMAS.values()) {
      const collection = this.rng.sysId();
      const audited = (schema.audit ?? false) && !notAudited.has(schema.name);
      this.ds.insert("sys_dictionary", {
        sys_id: collection,
        name: schema.name,
        element: "",
        internal_type: "collection",
        column_label: schema.label,
        audit: String(audited),
        active: "true",
        attributes: "",
        ...this.sys(created, "glide.maint"),
      });
      if (notAudited.has(schema.name)) {
        this.plant("L1", "sys_dictionary", collection, "audit disabled");
      }
      for (const col of schema.columns) {
        const id = this.rng.sysId();
        const noAudit = this.o.plant && schema.name === "sys_user" && col.name === "roles";
        this.ds.insert("sys_dictionary", {
          sys_id: id,
          name: schema.name,
          element: col.name,
          internal_type: col.type,
          max_length: col.type === "string" ? "100" : col.type === "script" ? "8000" : "40",
          reference: col.reference ?? "",
          column_label: col.name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()),
          attributes: noAudit ? "no_audit" : "",
          audit: "false",
          active: "true",
          mandatory: String(col.name === "sys_id"),
          read_only: String(col.name.startsWith("sys_")),
          display: String(col.name === schema.display),
          choice: col.choices ? "1" : "0",
          ...this.sys(created, "glide.maint"),
        });
        if (noAudit) {
          this.plant("L1", "sys_dictionary", id, "no_audit attribute on a key table field");
        }
      }
    }
  }

  // ---------------------------------------------------------------- HR and security incidents
  hrAndSecurity(): void {
    const hrUsers = this.regular.filter(() => this.rng.chance(0.3));
    for (const u of hrUsers) {
      const start = this.between(this.now - 3000 * DAY, this.now - 200 * DAY);
      const leaving = this.rng.chance(0.05);
      this.ds.insert("sn_hr_core_profile", {
        sys_id: this.rng.sysId(),
        user: u.id,
        employment_start_date: this.ts(start).slice(0, 10),
        employment_end_date: leaving
          ? this.tsAny(this.now + this.rng.int(2, 90) * DAY).slice(0, 10)
          : "",
        employee_number: this.ds.table("sys_user").get(this.userRow(u.id), "employee_number"),
        position: this.ds.table("sys_user").get(this.userRow(u.id), "title"),
        ...this.sys(start, "hr.integration"),
      });
    }
    for (const u of this.inactive.slice(0, Math.round(this.inactive.length * 0.3))) {
      const end = this.between(this.now - 800 * DAY, this.now - 100 * DAY);
      this.ds.insert("sn_hr_core_profile", {
        sys_id: this.rng.sysId(),
        user: u.id,
        employment_start_date: this.ts(end - 1000 * DAY).slice(0, 10),
        employment_end_date: this.ts(end).slice(0, 10),
        ...this.sys(end - 1000 * DAY, "hr.integration", end),
      });
    }
    if (this.o.plant) {
      for (const u of this.fresh(Math.max(2, Math.round(this.regular.length * 0.005)))) {
        const end = this.between(this.now - 60 * DAY, this.now - 2 * DAY);
        this.ds.insert("sn_hr_core_profile", {
          sys_id: this.rng.sysId(),
          user: u.id,
          employment_start_date: this.ts(end - 900 * DAY).slice(0, 10),
          employment_end_date: this.ts(end).slice(0, 10),
          ...this.sys(end - 900 * DAY, "hr.integration", end),
        });
        this.plant("A3", "sys_user", u.id, "HR employment ended but user active");
      }
    }
    // Security incidents.
    const analysts = [...this.w.users.values()].filter((u) =>
      u.groups.has(this.group("Security Operations").id)
    ).map((u) => u.id);
    const count = Math.max(10, Math.round(this.o.incidents / 200));
    for (let i = 0; i < count; i++) {
      const open = this.rng.chance(0.3);
      const opened = open
        ? this.between(this.now - 25 * DAY, this.now - HOUR)
        : this.between(this.now - 500 * DAY, this.now - 30 * DAY);
      this.sir(opened, open ? this.rng.pick(["16", "18", "19"]) : "3", analysts);
    }
    if (this.o.plant) {
      for (let i = 0; i < 2; i++) {
        const id = this.sir(
          this.between(this.now - 200 * DAY, this.now - 45 * DAY),
          "18",
          analysts,
        );
        this.plant("I7", "sn_si_incident", id, "open security incident older than 30 days");
      }
    }
  }

  sir(opened: number, state: string, analysts: string[]): string {
    const id = this.rng.sysId();
    const closed = state === "3";
    this.ds.insert("sn_si_incident", {
      sys_id: id,
      number: `SIR${String(++this.w.counters.sir).padStart(7, "0")}`,
      short_description: this.rng.pick([
        "Phishing campaign",
        "Malware on endpoint",
        "Suspicious login",
        "Data exfiltration alert",
      ]),
      state,
      active: String(!closed),
      priority: this.rng.pick(["1", "2", "3"]),
      opened_at: this.ts(opened),
      closed_at: closed ? this.ts(opened + 5 * DAY) : "",
      assigned_to: analysts.length > 0 ? this.rng.pick(analysts) : "",
      approval: "not requested",
      risk_score: String(this.rng.int(10, 90)),
      ...this.sys(opened, "admin", closed ? opened + 5 * DAY : opened),
    });
    return id;
  }

  // ---------------------------------------------------------------- audit trail for security config
  auditTrail(): void {
    const windows = this.changeWindows.filter((w) => w.end - w.start > 60_000);
    const props = this.ds.table("sys_properties").rows;
    const acls = this.ds.table("sys_security_acl").rows;
    const roleRows = this.ds.table("sys_user_role").rows;
    const n = Math.max(10, Math.round(this.o.changes / 100));
    const targets: [string, readonly Row[], string][] = [
      ["sys_properties", props, "value"],
      ["sys_security_acl", acls, "active"],
      ["sys_user_role", roleRows, "description"],
    ];
    for (let i = 0; i < n && windows.length > 0; i++) {
      const win = this.rng.pick(windows);
      const [table, rows, field] = this.rng.pick(targets);
      const row = this.rng.pick(rows);
      const at = this.between(win.start, win.end);
      this.audit(table, field, row[0]!, "old", "new", this.w.users.get(win.assignee)!.userName, at);
    }
    if (this.o.plant) {
      const admins = [...this.w.users.values()].filter((u) => u.kind === "privileged").map((u) =>
        u.userName
      );
      for (let i = 0; i < 5; i++) {
        const [table, rows, field] = this.rng.pick(targets);
        const row = this.rng.pick(rows);
        // Off-hours edits by an admin who is not a change implementer at that moment.
        const at = this.between(this.now - 60 * DAY, this.now - DAY);
        const id = this.audit(table, field, row[0]!, "true", "false", this.rng.pick(admins), at);
        this.plant("C13", "sys_audit", id, "security config edited outside an approved change");
      }
    }
    // Deletion audit of historical terminations.
    for (let i = 0; i < Math.max(5, Math.round(this.inactive.length * 0.2)); i++) {
      const u = this.rng.pick(this.inactive);
      this.ds.insert("sys_audit_delete", {
        sys_id: this.rng.sysId(),
        tablename: this.rng.pick(["sys_user_has_role", "sys_user_grmember"]),
        documentkey: this.rng.sysId(),
        display_value: u.userName,
        payload: `<record_update><user>${u.id}</user></record_update>`,
        ...this.sys(this.between(this.now - 700 * DAY, this.now - 100 * DAY), "admin"),
      });
    }
  }
}

function cap(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** Whether a plant kind fits a change (type, state) or an incident (priority, state). */
function suits(kind: string, a: string, b: string): boolean {
  if (kind.startsWith("I")) {
    const priority = a;
    const state = b;
    switch (kind) {
      case "I1":
        return (priority === "1" || priority === "2") && (state === "6" || state === "7");
      case "I4":
        return state === "7";
      case "I5":
        return state === "7" || state === "8";
      default:
        return true;
    }
  }
  const type = a;
  const state = b;
  const implemented = ["-1", "0", "3"].includes(state);
  switch (kind) {
    case "C1":
    case "C2":
    case "C2t":
      return type !== "standard" && ["-2", "-1", "0", "3"].includes(state);
    case "C4":
    case "C5":
      return type !== "standard" && implemented;
    case "C6":
      return type !== "standard";
    case "C7":
      return implemented && state !== "-1";
    case "C8":
      return type === "emergency" && state === "3";
    case "C9":
    case "C11":
      return state === "3";
    case "C10":
      return ["-2", "-1", "0", "3"].includes(state);
    default:
      return true;
  }
}

function goodValue(
  rule: import("../../shared/servicenow/hardening/catalog.ts").HardeningRule,
): string {
  switch (rule.op) {
    case "eq":
      return rule.value;
    case "blank":
      return "";
    case "max":
      return String(rule.value);
    case "range":
      return String(rule.max);
    case "plugin_active":
      return "active";
  }
}

function badValue(
  rule: import("../../shared/servicenow/hardening/catalog.ts").HardeningRule,
): string {
  switch (rule.op) {
    case "eq":
      return rule.value === "true"
        ? "false"
        : rule.value === "false"
        ? "true"
        : rule.value === "enforce"
        ? "log_only"
        : rule.value === "deny"
        ? "allow"
        : `not_${rule.value}`;
    case "blank":
      return "legacy_client,partner_portal";
    case "max":
      return String(rule.value * 2 + 60);
    case "range":
      return "0";
    case "plugin_active":
      return "inactive";
  }
}

/**
 * Materialises sys_user_has_role rows for one user from direct grants and group
 * memberships, following role containment (one row per grant path), and refreshes
 * sys_user.roles / accumulated_roles (all effective role names).
 *
 * @param ds the dataset
 * @param w the world model
 * @param u the user
 * @param rng id source
 * @param createdOn sys_created_on text for new rows
 * @returns the inserted row ids
 */
export function materializeUserRoles(
  ds: Dataset,
  w: WorldModel,
  u: UserInfo,
  rng: Random,
  createdOn: string,
): string[] {
  const ids: string[] = [];
  const names = new Set<string>();
  const add = (
    role: string,
    grantedBy: string,
    inherited: boolean,
    parent: string,
    parentRow: string,
    depth: number,
  ) => {
    const roleId = w.roleIds.get(role);
    if (!roleId || depth > 6) return;
    const id = rng.sysId();
    ids.push(id);
    names.add(role);
    ds.insert("sys_user_has_role", {
      sys_id: id,
      user: u.id,
      role: roleId,
      inherited: String(inherited),
      granted_by: grantedBy,
      included_in_role: parent ? w.roleIds.get(parent)! : "",
      included_in_role_instance: parentRow,
      inh_count: "1",
      inh_map: "",
      state: "active",
      sys_created_on: createdOn,
      sys_updated_on: createdOn,
      sys_created_by: "admin",
      sys_updated_by: "admin",
    });
    for (const child of w.roleContains.get(role) ?? []) {
      add(child, grantedBy, true, role, id, depth + 1);
    }
  };
  for (const r of u.direct) add(r, "", false, "", "", 0);
  for (const gid of u.groups) {
    const g = w.groups.get(gid);
    if (!g) continue;
    for (const r of g.roles) add(r, gid, true, "", "", 0);
  }
  const list = [...names].sort().join(",");
  const users = ds.table("sys_user");
  const row = users.byId.get(u.id);
  if (row) users.set(row, { roles: list, accumulated_roles: list });
  return ids;
}

/**
 * Generates a dataset.
 *
 * @param options what to generate
 * @returns the dataset and the planted violations
 */
export function generateDataset(options: GenerateOptions): GeneratedData {
  return new Generator(options).run();
}
