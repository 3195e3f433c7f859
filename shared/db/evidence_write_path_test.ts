// Evidence is written only by the engine. A person's session, driven exactly as
// PostgREST drives it on hosted Supabase (role `authenticated`, their JWT claims
// in `request.jwt.claims`, even worker-shaped claims they chose themselves), is
// refused every insert, update and delete on every evidence table; the engine's
// path (`Database.asEngine`, role `ciq_engine`) writes them, for its own
// organization only. Every tenant table must be classified below, so a new
// table is a decision, not an accident.
import assert from "node:assert/strict";
import {
  type ColumnOverrides,
  createTestAuth,
  createTestDatabase,
  insertSampleRow,
  sampleValues,
} from "../../scripts/testing/mod.ts";
import { type Tx, workerClaims } from "./mod.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());
const sql = tdb.db.sql;

/** What the sync and the analysis record: read-only for every person. */
const EVIDENCE = [
  "public.analysis_check_results",
  "public.analysis_finding_results",
  "public.analysis_findings",
  "public.analysis_run_summaries",
  "public.analysis_runs",
  "public.billing_events",
  "public.instance_tables",
  "public.job_deliveries",
  // The alert delivery log: written by the engine when a job ends.
  "public.notification_deliveries",
  // What a member's next digest will hold: queued by the engine with the alert.
  "public.notification_digest_items",
  // The dashboard's materialised folds: maintained by the engine's triggers
  // when a run finishes or is removed (shared/posture, docs/dashboard.md).
  "public.posture_check_rollups",
  "public.posture_instance_rollups",
  "public.snow_records",
  "public.sync_runs",
  "public.sync_seen_keys",
  "public.sync_table_results",
  "public.usage_daily",
];

/** Evidence the engine adds and removes but never changes in place. */
const ENGINE_NO_UPDATE = new Set(["public.notification_digest_items"]);

/** Tables people write (with their own policies), or that mix both (column grants). */
const USER_WRITABLE = [
  // Admins create and revoke keys (column grants: never the hash to read).
  "public.api_keys",
  // Members arrange their own dashboards; admins the organization's.
  "public.dashboards",
  "public.analysis_check_settings",
  "public.analysis_custom_checks",
  "public.analysis_finding_events",
  "public.analysis_finding_triage",
  "public.analysis_suppressions",
  "public.instances",
  // Admins write invitations; accepting goes through private.accept_invitation.
  "public.invitations",
  "public.jobs",
  "public.memberships",
  // Admins manage channels and rules; alerts go into members' inboxes through the
  // engine, and members mark their own read.
  "public.notification_channels",
  // Each member's own choice of events, channels and digest.
  "public.notification_preferences",
  "public.notification_rules",
  "public.notifications",
  // Owners offer, the recipient accepts through private.accept_ownership_transfer.
  "public.ownership_transfers",
  // Reports: definitions, requests, links and events are people's; the files are
  // written by the export task under the requesting organization's policies.
  "public.report_definitions",
  "public.report_deliveries",
  "public.report_events",
  "public.report_exports",
  "public.report_file_chunks",
  "public.report_links",
  "public.report_webhook_secrets",
  // Analysts save widgets (versions are insert-only); admins manage embeds and origins.
  "public.widget_embed_origins",
  "public.widget_embeds",
  "public.widget_versions",
  "public.widgets",
];

/**
 * The audit trail: appended only by security-definer triggers and functions,
 * never changed (shared/audit/chain_test.ts proves every application role is refused).
 */
const APPEND_ONLY = ["public.audit_anchors", "public.audit_chain_starts", "public.audit_log"];

const OVERRIDES: ColumnOverrides = {
  "public.instances": { url: "https://evidence.service-now.com", auth_type: "basic" },
  "public.snow_records": { table_name: "sys_user" },
  "public.sync_runs": { mode: "full", status: "succeeded" },
  "public.sync_table_results": { status: "succeeded" },
  "public.analysis_runs": { status: "succeeded" },
  "public.analysis_check_results": {
    check_id: "sample_check",
    status: "PASS",
    family: "behavioural",
    severity: "low",
    severity_rank: 3,
  },
  "public.analysis_finding_events": { kind: "triage" },
  "public.analysis_finding_results": { status: "FAIL" },
  "public.analysis_run_summaries": { checks: "{}" },
  "public.posture_instance_rollups": { checks: "{}", groups: "{}" },
  "public.posture_check_rollups": {
    get check_id() {
      return `sample_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    },
    frameworks: "{}",
  },
  "public.usage_daily": {
    metric: "api_calls",
    // A different day per sample: the key is (org, day, metric).
    get day() {
      return new Date(Date.UTC(2026, 0, 1 + Math.floor(Math.random() * 3000)));
    },
  },
  "public.billing_events": { outcome: "applied" },
};

const owner = await auth.createUser(tdb.db, { orgName: "Evidence Org" });
const other = await auth.createUser(tdb.db, { orgName: "Other Org" });
await sql`update public.organizations set plan = 'enterprise' where id in (${owner.orgId!}, ${other
  .orgId!})`;
const tenant = { orgId: owner.orgId!, userId: owner.id };
const otherTenant = { orgId: other.orgId!, userId: other.id };

/** Claims as Supabase Auth issues them to the owner, and a worker-shaped set they forge. */
const claimSets: [string, Record<string, unknown>][] = [
  ["the owner's token", {
    sub: owner.id,
    role: "authenticated",
    aud: "authenticated",
    email: owner.email,
    session_id: crypto.randomUUID(),
  }],
  ["worker-shaped claims the owner set", { ...workerClaims(owner.orgId!), sub: owner.id }],
];

/**
 * Runs `statement` in a transaction set up the way PostgREST sets one up, and
 * returns the SQLSTATE it failed with (null when it succeeded). Always rolled back.
 */
async function asPostgrest(
  claims: Record<string, unknown>,
  statement: (tx: Tx) => Promise<unknown>,
): Promise<string | null> {
  const tx = await sql.reserve();
  try {
    await tx`begin`;
    await tx`set local role authenticated`;
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    await statement(tx);
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await tx`rollback`.catch(() => {});
    tx.release();
  }
}

Deno.test("every tenant table is classified as evidence or user-writable", async () => {
  const rows = await sql<{ name: string }[]>`
    select n.nspname || '.' || c.relname as name
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
    where c.relkind in ('r', 'p') and n.nspname = 'public'
    order by 1`;
  assert.deepEqual(
    rows.map((r) => r.name),
    [...EVIDENCE, ...USER_WRITABLE, ...APPEND_ONLY].sort(),
  );
});

for (const table of EVIDENCE) {
  Deno.test(`${table}: a person's session cannot insert, update or delete`, async (t) => {
    const key = await insertSampleRow(sql, table, tenant, OVERRIDES);
    const keyColumns = await primaryKey(table);
    const where = (tx: Tx) =>
      keyColumns.map((column) => tx`${tx(column)} = ${key[column]}`).reduce((acc, part) =>
        tx`${acc} and ${part}`
      );
    const before = await sql`select * from ${sql(table)} where ${where(sql as unknown as Tx)}`;
    assert.equal(before.length, 1);
    for (const [who, claims] of claimSets) {
      await t.step(`${who}: insert is refused`, async () => {
        const values = await sampleValues(sql, table, tenant, OVERRIDES);
        const code = await asPostgrest(
          claims,
          (tx) => tx`insert into ${tx(table)} ${tx(values, Object.keys(values))}`,
        );
        assert.equal(code, "42501");
      });
      await t.step(`${who}: update is refused`, async () => {
        const code = await asPostgrest(
          claims,
          (tx) => tx`update ${tx(table)} set org_id = org_id where ${where(tx)}`,
        );
        assert.equal(code, "42501");
      });
      await t.step(`${who}: delete is refused`, async () => {
        const code = await asPostgrest(
          claims,
          (tx) => tx`delete from ${tx(table)} where ${where(tx)}`,
        );
        assert.equal(code, "42501");
      });
      await t.step(`${who}: truncate is refused`, async () => {
        const code = await asPostgrest(claims, (tx) => tx`truncate ${tx(table)}`);
        assert.equal(code, "42501");
      });
    }
    const after = await sql`select * from ${sql(table)} where ${where(sql as unknown as Tx)}`;
    assert.deepEqual(after, before, "the evidence row changed");
  });

  Deno.test(`${table}: the engine writes it for its own organization only`, async () => {
    const values = await sampleValues(sql, table, tenant, OVERRIDES);
    const columns = Object.keys(values);
    const keyColumns = await primaryKey(table);
    await tdb.db.asEngine(tenant.orgId, async (tx) => {
      const [key] = await tx`
        insert into ${tx(table)} ${tx(values, columns)} returning ${tx(keyColumns)}`;
      const match = keyColumns.map((column) => tx`${tx(column)} = ${key![column]}`)
        .reduce((acc, part) => tx`${acc} and ${part}`);
      if (!ENGINE_NO_UPDATE.has(table)) {
        const updated = await tx`update ${tx(table)} set org_id = org_id where ${match}`;
        assert.equal(updated.count, 1);
      }
      const deleted = await tx`delete from ${tx(table)} where ${match}`;
      assert.equal(deleted.count, 1);
    });
    const foreign = await sampleValues(sql, table, otherTenant, OVERRIDES);
    await assert.rejects(
      tdb.db.asEngine(
        tenant.orgId,
        (tx) => tx`insert into ${tx(table)} ${tx(foreign, Object.keys(foreign))}`,
      ),
      (error: { code?: string }) => error.code === "42501",
    );
    if (ENGINE_NO_UPDATE.has(table)) {
      await assert.rejects(
        tdb.db.asEngine(tenant.orgId, (tx) => tx`update ${tx(table)} set org_id = org_id`),
        (error: { code?: string }) => error.code === "42501",
      );
    }
  });
}

async function primaryKey(table: string): Promise<string[]> {
  const [row] = await sql<{ pk: string[] }[]>`
    select array_agg(a.attname::text order by a.attnum) as pk
    from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
    where i.indrelid = ${table}::regclass and i.indisprimary`;
  return row!.pk;
}

Deno.test("instances: people change the configuration, never the sync outcome", async () => {
  const key = await insertSampleRow(sql, "public.instances", tenant, OVERRIDES);
  const [personal] = claimSets[0]!;
  const claims = claimSets[0]![1];
  assert.equal(personal, "the owner's token");
  assert.equal(
    await asPostgrest(
      claims,
      (tx) => tx`update public.instances set name = 'Renamed' where id = ${key.id}`,
    ),
    null,
  );
  assert.equal(
    await asPostgrest(
      claims,
      (tx) =>
        tx`update public.instances set last_sync_status = 'succeeded', last_sync_at = now()
           where id = ${key.id}`,
    ),
    "42501",
  );
  assert.equal(
    await asPostgrest(
      claims,
      (tx) =>
        tx`insert into public.instances (org_id, name, url, auth_type, credentials, last_sync_status)
           values (${tenant.orgId}, 'Forged', 'https://forged.service-now.com', 'basic', '{}',
                   'succeeded')`,
    ),
    "42501",
  );
  await tdb.db.asEngine(tenant.orgId, async (tx) => {
    const updated = await tx`
      update public.instances set last_sync_status = 'succeeded', last_sync_at = now()
      where id = ${key.id}`;
    assert.equal(updated.count, 1);
  });
});

Deno.test("finding events: people record their own actions, never the engine's", async () => {
  const finding = await insertSampleRow(sql, "public.analysis_findings", tenant, OVERRIDES);
  const claims = claimSets[0]![1];
  const insert = (kind: string, actor: string | null) => (tx: Tx) =>
    tx`insert into public.analysis_finding_events (org_id, finding_id, kind, actor_id)
       values (${tenant.orgId}, ${finding.id}, ${kind}, ${actor})`;
  assert.equal(await asPostgrest(claims, insert("triage", owner.id)), null);
  assert.equal(await asPostgrest(claims, insert("reopened", null)), "42501");
  assert.equal(await asPostgrest(claims, insert("triage", other.id)), "42501");
  await tdb.db.asEngine(tenant.orgId, (tx) => insert("reopened", null)(tx));
});

Deno.test("the API's login role cannot become the engine", async () => {
  const [row] = await sql<{ member: boolean }[]>`
    select pg_has_role('authenticator', 'ciq_engine', 'member') as member`;
  assert.equal(row?.member, false);
});
