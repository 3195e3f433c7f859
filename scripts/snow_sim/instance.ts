/**
 * One simulated ServiceNow instance: its dataset, credentials, OAuth tokens, ACL
 * policy, knobs, rate-limit windows and query cache.
 *
 * @module
 */

import {
  type CompiledQuery,
  compileQuery,
  type EncodedQuery,
  type FieldAccessor,
  parseEncodedQuery,
  type QueryResolver,
} from "../../shared/servicenow/query/mod.ts";
import { advanceDataset, type AdvanceReport } from "./advance.ts";
import { generateDataset, type PlantedViolation } from "./generate.ts";
import { defaultKnobs, type Knobs, knobsPatchSchema } from "./knobs.ts";
import { computeManifest, type Manifest } from "./manifest.ts";
import { applyProfile, type ProfileName, visibleManifest } from "./profiles.ts";
import { schemaOf } from "./schema.ts";
import type { Dataset, Row } from "./store.ts";

/** Role-based read policy of the simulated instance (admin always passes). */
export interface ReadAclPolicy {
  /** table → roles (any of) needed to read it; others get 403. */
  tables: Record<string, string[]>;
  /** "table.field" → roles needed to see the field; others get it omitted. */
  fields: Record<string, string[]>;
  /** table → row condition (encoded query); rows not matching are hidden unless the caller has a role. */
  rows: Record<string, { condition: string; roles: string[] }>;
}

/** Options of one instance. */
export interface InstanceOptions {
  /** Instance name: path prefix `/<name>/…` and host `<name>.service-now.com`. */
  name: string;
  /** Dataset seed (default 1). */
  seed?: number | string;
  /** sys_user count (default 600). */
  users?: number;
  /** change_request count (default users/2). */
  changes?: number;
  /** incident count (default users/2). */
  incidents?: number;
  /** Plant control violations (default true). */
  plant?: boolean;
  /** The integration account the connector uses. */
  integrationUser?: { userName?: string; password?: string; roles?: string[] };
  /** OAuth client for the connector; client_credentials tokens run as the integration user. */
  oauthClient?: { clientId?: string; clientSecret?: string };
  /** More Basic/password-grant credentials (the user must exist and be active). */
  credentials?: { userName: string; password: string }[];
  /** Read ACL policy (defaults: sensitive sys_* tables need admin, security_admin or x_ciq_auditor). */
  readAcl?: Partial<ReadAclPolicy>;
  /** Initial knobs. */
  knobs?: Partial<Knobs>;
  /**
   * Tables this instance does not have, as when a plugin is not installed (e.g.
   * `sn_hr_core_profile` without HR Service Delivery): the Table API answers
   * them as ServiceNow answers an unknown table.
   */
  absentTables?: string[];
  /**
   * A profile applied to the generated data (see profiles.ts): sparse,
   * locked_down, integration_heavy or legacy_release.
   */
  profile?: ProfileName;
}

/** Tables that need an auditor-grade role (docs/servicenow/api.md#simulator-fidelity, item 7). */
export const SENSITIVE_TABLES = [
  "sys_security_acl",
  "sys_security_acl_role",
  "sys_properties",
  "sys_audit",
  "sys_audit_delete",
  "syslog_transaction",
  "oauth_entity",
  "sys_certificate",
];

/** Issued OAuth access token. */
interface AccessToken {
  userId: string;
  clientId: string;
  expiresAt: number;
  refreshToken: string | null;
}

const SENSITIVE_ROLES = ["admin", "security_admin", "x_ciq_auditor"];

/** A simulated instance. */
export class SimInstance {
  readonly name: string;
  readonly seed: string | number;
  readonly dataset: Dataset;
  /** Tables the Table API answers as unknown (see {@linkcode InstanceOptions.absentTables}). */
  readonly absentTables: ReadonlySet<string>;
  /** The profile applied to the data, or null. */
  readonly profile: ProfileName | null;
  readonly planted: readonly PlantedViolation[];
  readonly knobs: Knobs;
  readonly readAcl: ReadAclPolicy;
  readonly credentials = new Map<string, string>();
  readonly oauthClient: { clientId: string; clientSecret: string; userName: string };
  readonly integrationUserName: string;
  readonly accessTokens = new Map<string, AccessToken>();
  readonly refreshTokens = new Map<
    string,
    { userId: string; clientId: string; expiresAt: number }
  >();
  readonly rateWindows = new Map<string, { start: number; count: number }>();
  readonly rateRuleId: string;
  listRequests = 0;
  #manifest: { key: string; value: Manifest } | null = null;
  #cache = new Map<string, Row[]>();
  #roles = new Map<string, Set<string>>();
  #rolesKey = "";
  #random: () => number;
  #userNames: { key: string; map: Map<string, Row> } | null = null;

  /**
   * @param o instance options
   * @param now simulated time of generation
   * @param random source for fault injection (seeded by the simulator)
   */
  constructor(o: InstanceOptions, now: Date, random: () => number) {
    this.name = o.name;
    this.seed = o.seed ?? 1;
    this.#random = random;
    const users = Math.max(50, o.users ?? 600);
    this.integrationUserName = o.integrationUser?.userName ?? "complianceiq.integration";
    this.knobs = { ...defaultKnobs(), ...knobsPatchSchema.parse(o.knobs ?? {}) };
    const clientId = o.oauthClient?.clientId ?? "complianceiq-connector";
    const generated = generateDataset({
      instance: o.name,
      seed: this.seed,
      users,
      changes: o.changes ?? Math.round(users / 2),
      incidents: o.incidents ?? Math.round(users / 2),
      now,
      plant: o.plant ?? true,
      integrationUserName: this.integrationUserName,
      integrationRoles: o.integrationUser?.roles ?? ["snc_read_only", "x_ciq_auditor"],
      oauthClient: {
        clientId,
        name: "ComplianceIQ connector",
        accessTokenLifespan: this.knobs.accessTokenTtlSeconds,
        refreshTokenLifespan: this.knobs.refreshTokenTtlSeconds,
      },
    });
    this.dataset = generated.dataset;
    this.planted = generated.planted;
    for (const t of o.absentTables ?? []) {
      if (!this.dataset.hasTable(t) || t === "task") {
        throw new Error(`Cannot leave out table "${t}": the simulator has no such table`);
      }
    }
    this.profile = o.profile ?? null;
    let profileRows: ReadAclPolicy["rows"] = {};
    let profileTables: ReadAclPolicy["tables"] = {};
    const absent = [...(o.absentTables ?? [])];
    if (this.profile) {
      const access = applyProfile(
        this.dataset,
        this.profile,
        () => Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join(""),
      );
      absent.push(...access.absentTables);
      profileRows = access.readAcl.rows ?? {};
      profileTables = access.readAcl.tables ?? {};
      this.knobs.hideFields = [...this.knobs.hideFields, ...access.hideFields];
    }
    this.absentTables = new Set(absent);
    this.credentials.set(
      this.integrationUserName,
      o.integrationUser?.password ?? "integration-password",
    );
    this.credentials.set("admin", "admin");
    for (const c of o.credentials ?? []) this.credentials.set(c.userName, c.password);
    this.oauthClient = {
      clientId,
      clientSecret: o.oauthClient?.clientSecret ?? "connector-secret",
      userName: this.integrationUserName,
    };
    const tables: Record<string, string[]> = {};
    for (const t of SENSITIVE_TABLES) tables[t] = SENSITIVE_ROLES;
    this.readAcl = {
      tables: { ...tables, ...profileTables, ...(o.readAcl?.tables ?? {}) },
      fields: { "sys_user.user_password": ["nobody"], ...(o.readAcl?.fields ?? {}) },
      rows: { ...profileRows, ...(o.readAcl?.rows ?? {}) },
    };
    this.rateRuleId = this.dataset.table("sys_rate_limit_rules").rows[0]?.[0] ?? "";
  }

  /** Fault-injection random number in [0, 1). */
  random(): number {
    return this.#random();
  }

  /**
   * Applies a partial knob update.
   *
   * @param patch knobs to change
   * @returns the knobs now in force
   * @throws {Error} from zod when the patch is invalid
   */
  setKnobs(patch: Partial<Knobs>): Knobs {
    Object.assign(this.knobs, knobsPatchSchema.parse(patch));
    return this.knobs;
  }

  /** Resets every knob to its default. */
  resetKnobs(): Knobs {
    Object.assign(this.knobs, defaultKnobs());
    return this.knobs;
  }

  /**
   * A sys_properties value.
   *
   * @param name property name
   * @returns the value, or undefined when no record exists
   */
  property(name: string): string | undefined {
    const t = this.dataset.table("sys_properties");
    const nameCol = t.col("name");
    const valueCol = t.col("value");
    for (const r of t.rows) if (r[nameCol] === name) return r[valueCol];
    return undefined;
  }

  /** Whether invalid query terms return no rows (knob, else the instance property). */
  strictQueries(): boolean {
    return this.knobs.invalidQueryReturnsNoRows ??
      this.property("glide.invalid_query.returns_no_rows") === "true";
  }

  /** Whether the OAuth password grant is disabled (knob, else the instance property). */
  ropcDisabled(): boolean {
    return this.knobs.ropcDisabled ??
      this.property("glide.oauth.inbound.ropc.grant_type.disabled") === "true";
  }

  /**
   * A user's row by user_name.
   *
   * @param userName login
   * @returns the sys_user row or undefined
   */
  userByName(userName: string): Row | undefined {
    const t = this.dataset.table("sys_user");
    const key = this.dataset.versionOf("sys_user");
    if (this.#userNames?.key !== key) {
      const col = t.col("user_name");
      const map = new Map<string, Row>();
      for (const r of t.rows) map.set(r[col]!, r);
      this.#userNames = { key, map };
    }
    return this.#userNames.map.get(userName);
  }

  /**
   * Whether a user may authenticate (exists, active, not locked out).
   *
   * @param userId sys_id
   * @returns whether login is allowed
   */
  canLogin(userId: string): boolean {
    const t = this.dataset.table("sys_user");
    const r = t.byId.get(userId);
    return r !== undefined && t.get(r, "active") === "true" && t.get(r, "locked_out") !== "true";
  }

  /**
   * The effective role names of a user (active sys_user_has_role rows).
   *
   * @param userId sys_id
   * @returns role names
   */
  rolesOf(userId: string): Set<string> {
    const key = this.dataset.versionOf("sys_user_has_role") + "/" +
      this.dataset.versionOf("sys_user_role");
    if (key !== this.#rolesKey) {
      this.#roles.clear();
      this.#rolesKey = key;
    }
    const cached = this.#roles.get(userId);
    if (cached) return cached;
    const roles = this.dataset.table("sys_user_role");
    const names = new Map<string, string>();
    for (const r of roles.rows) names.set(r[0]!, roles.get(r, "name"));
    const t = this.dataset.table("sys_user_has_role");
    const u = t.col("user");
    const ro = t.col("role");
    const st = t.col("state");
    const out = new Set<string>();
    for (const r of t.rows) {
      if (r[u] === userId && r[st] === "active") {
        const n = names.get(r[ro]!);
        if (n) out.add(n);
      }
    }
    this.#roles.set(userId, out);
    return out;
  }

  /**
   * Whether a user holds any of the roles (admin always passes).
   *
   * @param userId sys_id
   * @param roles required roles (any of)
   * @returns whether allowed
   */
  hasAnyRole(userId: string, roles: readonly string[]): boolean {
    const held = this.rolesOf(userId);
    return held.has("admin") || roles.some((r) => held.has(r));
  }

  /** A query resolver for a table of this instance. */
  resolver(table: string): QueryResolver<Row> {
    const ds = this.dataset;
    const schema = schemaOf(table)!;
    return {
      field: (path) => ds.accessor(table, path),
      text: (value) => {
        const needle = value.toLowerCase();
        const idx = schema.columns
          .map((c, i) => (["string", "journal", "choice"].includes(c.type) ? i : -1))
          .filter((i) => i >= 0);
        return (row) => idx.some((i) => (row[i] ?? "").toLowerCase().includes(needle));
      },
      related: (relTable, field, query) => this.relatedCounter(table, relTable, field, query),
    };
  }

  /**
   * Whether the Table API serves `name` on this instance.
   *
   * @param name a table name
   */
  hasTable(name: string): boolean {
    return this.dataset.hasTable(name) && !this.absentTables.has(name);
  }

  relatedCounter(
    table: string,
    relTable: string,
    field: string,
    query: EncodedQuery,
  ): ((row: Row) => number) | null {
    if (!this.hasTable(relTable)) return null;
    const ref = this.dataset.accessor(relTable, [field]);
    if (!ref) return null;
    void table;
    const compiled = this.compile(relTable, query, "");
    const counts = new Map<string, number>();
    for (const r of this.dataset.rowsOf(relTable)) {
      if (!compiled.test(r)) continue;
      const v = ref.get(r);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    return (row) => counts.get(row[0]!) ?? 0;
  }

  /**
   * Compiles a parsed query for a table with this instance's semantics.
   *
   * @param table table name
   * @param query parsed query
   * @param userId caller sys_id
   * @returns the compiled query
   */
  compile(table: string, query: EncodedQuery, userId: string): CompiledQuery<Row> {
    return compileQuery(query, this.resolver(table), {
      now: this.dataset.now,
      userId,
      invalidQueryReturnsNoRows: this.strictQueries(),
      caseInsensitive: this.knobs.caseInsensitiveQueries,
    });
  }

  /**
   * All rows matching a query, in query order (sys_id order by default; ties by sys_id).
   * Results are cached per data version, so offset paging does not rescan.
   *
   * @param table table name
   * @param queryText the raw sysparm_query (cache key)
   * @param query parsed query
   * @param userId caller
   * @returns matching rows
   */
  matching(table: string, queryText: string, query: EncodedQuery, userId: string): readonly Row[] {
    const rows = this.dataset.rowsOf(table);
    if (query.groups.length === 0 && query.orderBy.length === 0) return rows;
    const key = [
      table,
      this.dataset.versionOf(table),
      this.dataset.now.getTime(),
      userId,
      this.strictQueries(),
      this.knobs.caseInsensitiveQueries,
      queryText,
    ].join("|");
    const hit = this.#cache.get(key);
    if (hit) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const compiled = this.compile(table, query, userId);
    const out = rows.filter((r) => compiled.test(r));
    if (compiled.compare) {
      const cmp = compiled.compare;
      out.sort((a, b) => cmp(a, b) || (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
    }
    this.#cache.set(key, out);
    while (this.#cache.size > 8) this.#cache.delete(this.#cache.keys().next().value!);
    return out;
  }

  /**
   * Row-level read filter for the caller (null when every row is visible).
   *
   * @param table table name
   * @param userId caller
   * @returns predicate or null
   */
  rowFilter(table: string, userId: string): ((row: Row) => boolean) | null {
    const rule = this.readAcl.rows[table];
    if (!rule || this.hasAnyRole(userId, rule.roles)) return null;
    const compiled = this.compile(table, parseEncodedQuery(rule.condition), userId);
    return (row) => compiled.test(row);
  }

  /**
   * Whether the caller may read a table.
   *
   * @param table table name
   * @param userId caller
   * @returns whether readable
   */
  canReadTable(table: string, userId: string): boolean {
    if (this.knobs.denyTables.includes(table)) return false;
    const roles = this.readAcl.tables[table];
    return !roles || this.hasAnyRole(userId, roles);
  }

  /**
   * Whether the caller may see a field.
   *
   * @param table table holding the field
   * @param field column
   * @param userId caller
   * @returns whether visible
   */
  canReadField(table: string, field: string, userId: string): boolean {
    const key = `${table}.${field}`;
    if (this.knobs.hideFields.includes(key)) return false;
    const roles = this.readAcl.fields[key];
    return !roles || this.hasAnyRole(userId, roles);
  }

  /** The ground-truth manifest for the current data and time (cached per version). */
  manifest(): Manifest {
    const key = [...this.dataset.tables.values()].map((t) => t.version).join(".") + "@" +
      this.dataset.now.getTime();
    if (this.#manifest?.key === key) return this.#manifest.value;
    const value = computeManifest(this.dataset, this.name);
    this.#manifest = { key, value };
    return value;
  }

  /**
   * The ground truth as the integration user can know it: for a profile
   * instance, the manifest of the data it can see (see profiles.ts); otherwise
   * the manifest.
   */
  visibleManifest(): Manifest {
    if (!this.profile) return this.manifest();
    const userId = this.userByName(this.integrationUserName)?.[0] ?? "";
    const filters = new Map<string, ((row: Row) => boolean) | null>();
    return visibleManifest(this.dataset, this.name, this.profile, (table, row) => {
      if (!filters.has(table)) filters.set(table, this.rowFilter(table, userId));
      return filters.get(table)?.(row as Row) ?? true;
    });
  }

  /**
   * Moves simulated time forward and applies that period's changes.
   *
   * @param ms duration in milliseconds
   * @returns what changed
   */
  advance(ms: number): AdvanceReport {
    this.#cache.clear();
    return advanceDataset(this.dataset, this.seed, ms);
  }

  /**
   * Accessor for a field path, for serialisers.
   *
   * @param table table name
   * @param path field path
   * @returns accessor or null
   */
  accessor(table: string, path: readonly string[]): FieldAccessor<Row> | null {
    return this.dataset.accessor(table, path);
  }
}
