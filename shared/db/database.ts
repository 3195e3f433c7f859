import postgres from "postgres";
import type { TenantClaims } from "./_claims.ts";

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

/** The one data-access path for every function, task and script. */
export interface Database {
  /** The pool, running as the login role. Only for system work that no tenant owns. */
  readonly sql: Sql;
  /**
   * Runs `fn` in a transaction as Postgres role `authenticated` with `claims` set,
   * so row-level security decides what it can read and write.
   */
  asTenant<T>(claims: TenantClaims, fn: (tx: Tx) => Promise<T>): Promise<T>;
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
  const sql = postgres(url, {
    max: options.max ?? 10,
    prepare: options.prepare ?? true,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "complianceiq" },
    transform: { undefined: null },
  });
  return {
    sql,
    asTenant: (claims, fn) => runAs(sql, "authenticated", JSON.stringify(claims), fn),
    asService: (fn) => runAs(sql, "service_role", JSON.stringify({ role: "service_role" }), fn),
    ping: async () => {
      await sql`select 1`;
    },
    close: () => sql.end({ timeout: 5 }),
  };
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
  role: "authenticated" | "service_role",
  claimsJson: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const tx = await sql.reserve();
  const setup = Promise.all([
    tx`begin`,
    tx`select set_config('request.jwt.claims', ${claimsJson}, true), set_config('role', ${role}, true)`,
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
