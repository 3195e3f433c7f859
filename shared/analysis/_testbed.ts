/**
 * Test support for the analysis engine: a migrated database per test file, an
 * organization with an owner, instances with synced records, and runs driven
 * through the real task runner (in-process queue).
 *
 * @module
 */

import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
  type TestAuth,
  type TestDatabase,
  type TestUser,
} from "../../scripts/testing/mod.ts";
import type { TestServices } from "../../scripts/testing/services.ts";
import type { JwtClaims } from "../db/mod.ts";
import { generateDataset } from "../../scripts/snow_sim/generate.ts";
import { CHECKS, requiredFields } from "./catalog/mod.ts";
import type { RunScope } from "./org_checks.ts";
import { startRun, type StartRunOptions } from "./engine/runs.ts";

/** A ServiceNow record: every value a string. */
export type Record_ = Record<string, string>;

/** The database, organization and helpers of one test file. */
export interface AnalysisTestbed {
  readonly tdb: TestDatabase;
  readonly auth: TestAuth;
  readonly owner: TestUser;
  readonly orgId: string;
  readonly claims: JwtClaims;
  readonly services: TestServices;
  /** Adds an instance to the organization. */
  instance(name?: string): Promise<string>;
  /** Inserts or replaces records of a table and marks it synced and readable. */
  put(instanceId: string, table: string, records: readonly Record_[]): Promise<void>;
  /** Deletes records by sys_id. */
  remove(instanceId: string, table: string, sysIds: readonly string[]): Promise<void>;
  /** Records a table as synced but not readable (or readable again). */
  setReadable(instanceId: string, table: string, readable: boolean, error?: string): Promise<void>;
  /** Loads a generated simulator instance (the catalog's tables) and returns its data set. */
  loadSimulated(
    instanceId: string,
    options: { users: number; plant: boolean; now: Date; seed?: number },
  ): Promise<ReturnType<typeof generateDataset>>;
  /** Starts a run as the owner and drains the queue; returns the run id. */
  run(
    instanceId: string,
    scope?: RunScope,
    options?: StartRunOptions,
  ): Promise<string>;
  close(): Promise<void>;
}

/** Creates the testbed of one test file. */
export async function createAnalysisTestbed(): Promise<AnalysisTestbed> {
  const tdb = await createTestDatabase();
  const auth = await createTestAuth();
  const owner = await auth.createUser(tdb.db, { orgName: "Analysis Tests" });
  const orgId = owner.orgId!;
  await tdb.db.sql`update public.organizations set plan = 'enterprise' where id = ${orgId}`;
  const sql = tdb.db.sql;
  const services = createTestServices(tdb.db, auth);
  const claims: JwtClaims = { sub: owner.id, role: "authenticated", email: owner.email };
  let counter = 0;

  const setReadable: AnalysisTestbed["setReadable"] = async (
    instanceId,
    table,
    readable,
    error,
  ) => {
    await sql`
      insert into public.instance_tables (org_id, instance_id, table_name, readable, last_error)
      values (${orgId}, ${instanceId}, ${table}, ${readable}, ${error ?? null})
      on conflict (instance_id, table_name)
      do update set readable = excluded.readable, last_error = excluded.last_error`;
  };
  const put: AnalysisTestbed["put"] = async (instanceId, table, records) => {
    for (let i = 0; i < records.length; i += 2000) {
      const batch = records.slice(i, i + 2000);
      await sql`
        insert into public.snow_records (org_id, instance_id, table_name, sys_id, sys_updated_on, data)
        select ${orgId}, ${instanceId}, ${table}, r ->> 'sys_id',
               public.sn_datetime(r ->> 'sys_updated_on'), r
        from jsonb_array_elements(${sql.json(batch as never)}) as r
        on conflict (instance_id, table_name, sys_id)
        do update set data = excluded.data, sys_updated_on = excluded.sys_updated_on`;
    }
    await setReadable(instanceId, table, true);
  };

  return {
    tdb,
    auth,
    owner,
    orgId,
    claims,
    services,
    async instance(name) {
      counter++;
      const [row] = await sql<{ id: string }[]>`
        insert into public.instances (org_id, name, url, auth_type, credentials)
        values (${orgId}, ${name ?? `acme-${counter}`}, 'https://acme.service-now.com', 'basic',
                '{}'::jsonb)
        returning id`;
      return row!.id;
    },
    put,
    async remove(instanceId, table, sysIds) {
      await sql`delete from public.snow_records
                where instance_id = ${instanceId} and table_name = ${table} and sys_id in ${
        sql(sysIds as string[])
      }`;
    },
    setReadable,
    async loadSimulated(instanceId, options) {
      const generated = generateDataset({
        instance: "acme",
        seed: options.seed ?? 7,
        users: options.users,
        changes: Math.max(40, Math.round(options.users * 2 / 3)),
        incidents: Math.max(40, Math.round(options.users * 2 / 3)),
        now: options.now,
        plant: options.plant,
        integrationUserName: "complianceiq.integration",
        integrationRoles: ["snc_read_only", "x_ciq_auditor"],
        oauthClient: {
          clientId: "complianceiq-connector",
          name: "ComplianceIQ connector",
          accessTokenLifespan: 1800,
          refreshTokenLifespan: 8_640_000,
        },
      });
      const fields = requiredFields(CHECKS);
      for (const [table, wanted] of Object.entries(fields)) {
        if (!generated.dataset.tables.has(table)) continue;
        const store = generated.dataset.table(table);
        const columns = wanted.filter((f) => store.index.has(f)).map((f) =>
          [f, store.index.get(f)!] as const
        );
        await put(
          instanceId,
          table,
          store.rows.map((row) => Object.fromEntries(columns.map(([f, i]) => [f, row[i] ?? ""]))),
        );
      }
      return generated;
    },
    async run(instanceId, scope = { type: "all" }, options = {}) {
      const { run } = await startRun(services, claims, { instance_id: instanceId, scope }, options);
      await services.tasks.drain({ maxDeliveries: 5000 });
      return run.id;
    },
    close: () => tdb.close(),
  };
}
