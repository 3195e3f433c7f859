import postgres from "postgres";
import { poolStats } from "../metrics/mod.ts";
import { inSpan, recordStatement } from "../telemetry/mod.ts";
import { type TenantClaims, workerClaims } from "./_claims.ts";
import { requestContextJson } from "./request_context.ts";

/** A postgres.js client; `Sql` inside a transaction is the same type. */
export type Sql = postgres.Sql;
/** A reserved connection inside a transaction opened by {@linkcode Database}. */
export type Tx = postgres.ReservedSql;

/** Options for {@linkcode connectDatabase}. */
export interface DatabaseOptions {
  /** Pool size. PGlite serves one connection, so the dev stack passes 1. */
  max?: number;
  /** Prepared statements; off behind Supabase's transaction pooler. */
  prepare?: boolean;
  /** Application name shown in `pg_stat_activity`. */
  applicationName?: string;
}

/** Planner settings for one pipelined read (`set_config(name, value, true)`). */
export type PlannerSettings = Readonly<
  Partial<
    {
      enable_sort: "on" | "off";
      jit: "on" | "off";
      plan_cache_mode: "auto" | "force_generic_plan" | "force_custom_plan";
    }
  >
>;

/** The one data-access path for every function, task and script. */
export interface Database {
  /** The pool, running as the login role. Only for system work that no tenant owns. */
  readonly sql: Sql;
  /**
   * Runs `fn` in a transaction as Postgres role `authenticated` with `claims` set,
   * so row-level security decides what it can read and write. Worker claims
   * (built only by server code, see `workerClaims`) run as the engine's role
   * instead, exactly as {@linkcode Database.asEngine} does.
   */
  asTenant<T>(claims: TenantClaims, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a transaction as the engine for one organization: Postgres role
   * `ciq_engine` (the only writer of evidence: synced records, sync and analysis
   * runs, results, findings) under worker claims for `orgId`. RLS stays forced;
   * the engine's policies admit rows of `orgId` only. Server code calls this
   * after it has checked the person's role, or for background work.
   *
   * @param orgId the organization the engine acts for
   * @param fn the work
   * @param actorUserId the person who started the work, kept for the record only
   */
  asEngine<T>(orgId: string, fn: (tx: Tx) => Promise<T>, actorUserId?: string | null): Promise<T>;
  /**
   * Runs one read statement as {@linkcode asTenant} would, in a single round
   * trip: `begin`, the claims, the statement and `commit` are pipelined together.
   * `build` must return the query without awaiting it. `planner` sets planner
   * settings for that statement only (e.g. `enable_sort: "off"` for a list
   * that must walk an index in its order whatever the row estimates say).
   */
  readAsTenant<T extends readonly postgres.MaybeRow[]>(
    claims: TenantClaims,
    build: (tx: Tx) => postgres.PendingQuery<T>,
    planner?: PlannerSettings,
  ): Promise<T>;
  /** Runs `fn` in a transaction as `service_role` (bypasses RLS; trusted server work only). */
  asService<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/**
 * Opens a pool on `url` and returns the {@linkcode Database} facade.
 *
 * @param url a postgres:// connection string
 * @param options pool size and statement preparation
 */
export function connectDatabase(url: string, options: DatabaseOptions = {}): Database {
  const max = options.max ?? 10;
  poolStats.max += max;
  let closed = false;
  const sql = postgres(url, {
    max,
    prepare: options.prepare ?? true,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "complianceiq" },
    transform: { undefined: null },
    // Each statement sent is an event on the active span (a transaction's),
    // so a trace shows what ran; parameters are never recorded.
    debug: (_connection, query) => recordStatement(query),
  });
  return {
    sql,
    asTenant: (claims, fn) =>
      traced(roleOf(claims), () => runAs(sql, roleOf(claims), JSON.stringify(claims), fn)),
    asEngine: (orgId, fn, actorUserId = null) =>
      traced(
        ENGINE_ROLE,
        () => runAs(sql, ENGINE_ROLE, JSON.stringify(workerClaims(orgId, actorUserId)), fn),
      ),
    readAsTenant: (claims, build, planner = {}) =>
      traced(
        roleOf(claims),
        () => readAs(sql, roleOf(claims), JSON.stringify(claims), build, planner),
      ),
    asService: (fn) =>
      traced(
        "service_role",
        () => runAs(sql, "service_role", JSON.stringify({ role: "service_role" }), fn),
      ),
    ping: async () => {
      await sql`select 1`;
    },
    close: async () => {
      if (!closed) poolStats.max -= max;
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
}

/** One span per transaction or pipelined read, named for the role it runs as. */
function traced<T>(role: Role, fn: () => Promise<T>): Promise<T> {
  return inSpan("db.transaction", { "db.system": "postgresql", "db.user": role }, fn);
}

/** A connection of the pool, counted for `/metrics` while it is waited for and held. */
async function reserve(sql: Sql): Promise<postgres.ReservedSql> {
  poolStats.waiting++;
  let tx: postgres.ReservedSql;
  try {
    tx = await sql.reserve();
  } finally {
    poolStats.waiting--;
  }
  poolStats.inUse++;
  const release = tx.release.bind(tx);
  let released = false;
  tx.release = () => {
    if (!released) poolStats.inUse--;
    released = true;
    release();
  };
  return tx;
}

/** The NOLOGIN role the sync and analysis engines write evidence as. */
const ENGINE_ROLE = "ciq_engine";

type Role = "authenticated" | "service_role" | typeof ENGINE_ROLE;

/** Worker claims are the engine's; every other claim set is a person's. */
function roleOf(claims: TenantClaims): Role {
  return claims.ciq_actor === "worker" ? ENGINE_ROLE : "authenticated";
}

/**
 * One transaction on a reserved connection. `begin` and the role/claims setup are
 * pipelined with the caller's first statement, so a typical request costs two
 * round trips (that statement, then `commit`) instead of five. Pipelining is safe:
 * a connection executes in order, and `begin` on a live connection cannot fail
 * on its own, so nothing queued after it runs outside the transaction.
 */
async function runAs<T>(
  sql: Sql,
  role: Role,
  claimsJson: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const tx = await reserve(sql);
  // The request context rides along for the audit triggers (docs/audit.md).
  const context = requestContextJson();
  const setup = Promise.all([
    tx`begin`,
    tx`select set_config('request.jwt.claims', ${claimsJson}, true), set_config('role', ${role}, true),
              set_config('ciq.audit', ${context}, true)`,
  ]);
  setup.catch(() => {});
  try {
    const result = await fn(tx);
    await setup;
    await tx`commit`;
    return result;
  } catch (error) {
    await tx`rollback`.catch(() => {});
    throw error;
  } finally {
    tx.release();
  }
}

async function readAs<T extends readonly postgres.MaybeRow[]>(
  sql: Sql,
  role: Role,
  claimsJson: string,
  build: (tx: Tx) => postgres.PendingQuery<T>,
  planner: PlannerSettings,
): Promise<T> {
  const tx = await reserve(sql);
  try {
    // Queries are sent in the order they are executed; none is awaited before
    // the last is queued. A failing statement aborts the transaction, and the
    // queued `commit` then ends it as a rollback.
    const begin = tx`begin`.execute();
    const settings = Object.entries(planner)
      .reduce((acc, [name, value]) => tx`${acc}, set_config(${name}, ${value!}, true)`, tx``);
    const setup =
      tx`select set_config('request.jwt.claims', ${claimsJson}, true), set_config('role', ${role}, true) ${settings}`
        .execute();
    const query = build(tx).execute();
    const commit = tx`commit`.execute();
    const settled = await Promise.allSettled([begin, setup, query, commit]);
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) {
      await tx`rollback`.catch(() => {});
      throw (failed as PromiseRejectedResult).reason;
    }
    return (settled[2] as PromiseFulfilledResult<T>).value;
  } finally {
    tx.release();
  }
}
