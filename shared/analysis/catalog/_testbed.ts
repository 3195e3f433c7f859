/**
 * Test support for evaluator tests: one migrated database per test file, an
 * enterprise organization, and a fresh ServiceNow instance per scenario, with
 * helpers to insert synced records and evaluate checks under RLS.
 *
 * @module
 */

import {
  createTestAuth,
  createTestDatabase,
  type TestDatabase,
} from "../../../scripts/testing/mod.ts";
import { workerClaims } from "../../db/mod.ts";
import { canEvaluate, type InstanceTableState } from "./availability.ts";
import { type CheckOutcome, planEvaluation, runEvaluation, summarizeCheck } from "./evaluate.ts";
import type { Check, EvaluatorRow } from "./types.ts";

/** Default evaluation time of the tests. */
export const TEST_NOW = new Date("2026-06-01T00:00:00Z");

/** A ServiceNow record as the Table API returns it: every value a string. */
export type SnowRecord = Record<string, string>;

/** A deterministic sys_id for a readable alias (the same alias gives the same sys_id). */
export function sid(alias: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  let out = "";
  for (let round = 0; out.length < 32; round++) {
    for (const ch of `${alias}#${round}`) {
      h1 = Math.imul(h1 ^ ch.charCodeAt(0), 16777619) >>> 0;
      h2 = Math.imul(h2 + ch.charCodeAt(0), 2246822519) >>> 0;
    }
    out += ((h1 ^ h2) >>> 0).toString(16).padStart(8, "0");
  }
  return out.slice(0, 32);
}

/** One simulated instance inside the test organization. */
export interface TestInstance {
  readonly id: string;
  /** Inserts records (sys_id from `sys_id`, or a random one) and marks the table readable. */
  add(table: string, records: readonly SnowRecord[]): Promise<void>;
  /** Records a table as synced but not readable (or readable). */
  setReadable(table: string, readable: boolean, lastError?: string): Promise<void>;
  /** Marks tables as synced and readable even when they hold no records. */
  touch(tables: readonly string[]): Promise<void>;
  /** The instance_tables rows. */
  tables(): Promise<InstanceTableState[]>;
  /** Runs the statements of `checks` under RLS; rows by check id. */
  evaluate(
    checks: readonly Check[],
    options?: { parameters?: Record<string, Record<string, unknown>>; now?: Date },
  ): Promise<Map<string, EvaluatorRow[]>>;
  /** Deletes the instance and everything synced for it. */
  dispose(): Promise<void>;
  /** Evaluates one check as the run engine would (readiness, rows, outcome). */
  outcome(
    check: Check,
    options?: { parameters?: Record<string, unknown>; now?: Date },
  ): Promise<CheckOutcome>;
}

/** The database, organization and instance factory of one test file. */
export interface Testbed {
  readonly tdb: TestDatabase;
  readonly orgId: string;
  instance(): Promise<TestInstance>;
  close(): Promise<void>;
}

/** Creates the testbed of one test file. */
export async function createTestbed(): Promise<Testbed> {
  const tdb = await createTestDatabase();
  const auth = await createTestAuth();
  const owner = await auth.createUser(tdb.db, { orgName: "Catalog Tests" });
  const orgId = owner.orgId!;
  await tdb.db.sql`update public.organizations set plan = 'enterprise' where id = ${orgId}`;
  const sql = tdb.db.sql;
  const claims = workerClaims(orgId);
  let counter = 0;

  async function instance(): Promise<TestInstance> {
    counter++;
    const [row] = await sql<{ id: string }[]>`
      insert into public.instances (org_id, name, url, auth_type, credentials)
      values (${orgId}, ${`acme-${counter}`}, 'https://acme.service-now.com', 'basic', '{}'::jsonb)
      returning id`;
    const id = row!.id;
    const setReadable = async (table: string, readable: boolean, lastError?: string) => {
      await sql`
        insert into public.instance_tables (org_id, instance_id, table_name, readable, last_error)
        values (${orgId}, ${id}, ${table}, ${readable}, ${lastError ?? null})
        on conflict (instance_id, table_name) do update set readable = excluded.readable, last_error = excluded.last_error`;
    };
    const tables = () =>
      sql<InstanceTableState[]>`
        select table_name, readable, last_error from public.instance_tables where instance_id = ${id}`;
    const evaluate: TestInstance["evaluate"] = (checks, options = {}) =>
      tdb.db.asTenant(claims, async (tx) => {
        const all = new Map<string, EvaluatorRow[]>();
        for (const statement of planEvaluation(checks, { parameters: options.parameters })) {
          const rows = await runEvaluation(tx, statement, {
            instanceId: id,
            now: options.now ?? TEST_NOW,
          });
          for (const [k, v] of rows) all.set(k, v);
        }
        return all;
      });
    return {
      id,
      async add(table, records) {
        const rows = records.map((r) => ({
          sys_id: crypto.randomUUID().replaceAll("-", ""),
          sys_updated_on: "2026-01-01 00:00:00",
          ...r,
        }));
        if (rows.length > 0) {
          await sql`
            insert into public.snow_records (org_id, instance_id, table_name, sys_id, sys_updated_on, data)
            select ${orgId}, ${id}, ${table}, r ->> 'sys_id', public.sn_datetime(r ->> 'sys_updated_on'), r
            from jsonb_array_elements(${sql.json(rows)}) as r`;
        }
        await setReadable(table, true);
      },
      setReadable,
      async dispose() {
        await sql`delete from public.instances where id = ${id}`;
      },
      async touch(names) {
        for (const t of names) await setReadable(t, true);
      },
      tables,
      evaluate,
      async outcome(check, options = {}) {
        const readiness = canEvaluate(check, await tables());
        if (!readiness.ok) return summarizeCheck(check, [], readiness);
        const rows = await evaluate([check], {
          parameters: options.parameters ? { [check.id]: options.parameters } : undefined,
          now: options.now,
        });
        return summarizeCheck(check, rows.get(check.id) ?? [], readiness);
      },
    };
  }

  return { tdb, orgId, instance, close: () => tdb.close() };
}
