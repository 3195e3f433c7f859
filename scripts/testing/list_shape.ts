/**
 * A seed-scale SHAPE for the plan tests of the lists other than findings: 100
 * organizations with 10 members and 20 instances each, and one big
 * organization (`o1`, whose owner the test reads as) holding many times more
 * rows of whichever lists a test asks for — runs and syncs of one instance,
 * jobs, audit entries, members, suppressions, notification deliveries and
 * inbox, report exports, deliveries and definitions, API keys, invitations,
 * widgets. Each table ends up large enough that the planner would read it
 * sequentially if no index fitted the list. Rows are bulk-inserted with
 * `generate_series` (triggers and foreign-key checks off) and ANALYZEd, as
 * {@linkcode buildPlanShape} does for findings.
 *
 * @module
 */

import postgres from "postgres";
import type { JwtClaims, Tx } from "../../shared/db/mod.ts";

/** The lists a shape can hold rows for. */
export type ListPart =
  | "runs"
  | "syncs"
  | "jobs"
  | "audit"
  | "members"
  | "suppressions"
  | "notifications"
  | "reports"
  | "org_settings";

/** What a shape holds, for queries against it. */
export interface ListShape {
  /** The owner of the big organization (a viewer in two others). */
  claims: JwtClaims;
  bigOrgId: string;
  /** The big organization's first instance: the one with many runs and syncs. */
  bigInstanceId: string;
  /** Rows of each asked-for list in the big organization (per instance for runs and syncs). */
  bigRows: number;
}

const ORGS = 100;
const MEMBERS_PER_ORG = 10;
const INSTANCES_PER_ORG = 20;
/** Rows per list in every organization but the big one. */
const SMALL = 100;
/** Rows per list in the big organization. */
const BIG = 5_000;

/**
 * Builds the shape with the rows of `parts` in the (empty, migrated) database at `url`.
 *
 * @param url a superuser connection string of the test database
 * @param parts the lists to fill
 * @returns the ids a test queries
 */
export async function buildListShape(url: string, parts: readonly ListPart[]): Promise<ListShape> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const shape = await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await seedBase(tx as unknown as Tx);
      for (const part of parts) await SEEDS[part](tx as unknown as Tx);
      const [row] = await tx<{ org: string; instance: string }[]>`
        select pg_temp.vid('org1')::text as org, pg_temp.vid('inst1-1')::text as instance`;
      return row!;
    });
    await sql`analyze`;
    return {
      claims: { sub: OWNER, role: "authenticated", aud: "authenticated" },
      bigOrgId: shape.org,
      bigInstanceId: shape.instance,
      bigRows: BIG,
    };
  } finally {
    await sql.end();
  }
}

const OWNER = "00000000-0000-4000-8000-00000000a11c";

/** Rows per organization: BIG in the big one (`o = 1`), SMALL elsewhere. */
const PER_ORG = `case when o = 1 then ${BIG} else ${SMALL} end`;

async function seedBase(tx: Tx): Promise<void> {
  // A version-4 uuid named by text (the API's validators accept only such ids).
  await tx`create function pg_temp.vid(t text) returns uuid language sql immutable as $$
    select (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18, 15))::uuid
  $$`;
  await tx`insert into auth.users (id, aud, role, email, created_at, updated_at)
           values (${OWNER}, 'authenticated', 'authenticated', 'plan@example.test', now(), now())`;
  await tx`insert into public.profiles (id, email) values (${OWNER}, 'plan@example.test')`;
  await tx`
    insert into public.organizations (id, name, slug, plan, max_instances, max_users)
    select pg_temp.vid('org' || o), 'Org ' || o, 'org-' || o, 'enterprise', 100, 10000
    from generate_series(1, ${ORGS}) o`;
  await seedUsers(tx, ORGS * MEMBERS_PER_ORG, "user");
  await tx`
    insert into public.memberships (org_id, user_id, role)
    select pg_temp.vid('org' || (1 + (u - 1) / ${MEMBERS_PER_ORG})), pg_temp.vid('user' || u),
           (array['viewer', 'analyst', 'admin']::public.org_role[])[1 + u % 3]
    from generate_series(1, ${ORGS * MEMBERS_PER_ORG}) u`;
  await tx`
    insert into public.memberships (org_id, user_id, role)
    values (pg_temp.vid('org1'), ${OWNER}, 'owner'), (pg_temp.vid('org2'), ${OWNER}, 'viewer'),
           (pg_temp.vid('org3'), ${OWNER}, 'viewer')`;
  await tx`
    insert into public.instances (id, org_id, name, url, auth_type, credentials, status)
    select pg_temp.vid('inst' || o || '-' || i), pg_temp.vid('org' || o), 'Instance ' || i,
           'https://o' || o || 'i' || i || '.service-now.com', 'basic', '{}'::jsonb, 'healthy'
    from generate_series(1, ${ORGS}) o, generate_series(1, ${INSTANCES_PER_ORG}) i`;
}

async function seedUsers(tx: Tx, count: number, prefix: string): Promise<void> {
  await tx`
    insert into auth.users (id, aud, role, email, created_at, updated_at)
    select pg_temp.vid(${prefix} || u), 'authenticated', 'authenticated',
           ${prefix} || u || '@example.test', now(), now()
    from generate_series(1, ${count}) u`;
  await tx`
    insert into public.profiles (id, email, display_name)
    select pg_temp.vid(${prefix} || u), ${prefix} || u || '@example.test', 'User ' || u
    from generate_series(1, ${count}) u`;
}

/** Runs (analysis or sync) of every instance: BIG on the big instance, SMALL / 10 elsewhere. */
const PER_INSTANCE = `from public.instances i,
    lateral generate_series(1, case when i.id = pg_temp.vid('inst1-1') then ${BIG}
                                    else ${SMALL / 10} end) n`;

const SEEDS: Record<ListPart, (tx: Tx) => Promise<void>> = {
  runs: async (tx) => {
    await tx.unsafe(`
      insert into public.analysis_runs (org_id, instance_id, status, catalog_version, created_at,
                                        evaluated_at, finished_at, scores)
      select i.org_id, i.id, 'succeeded', 'plan', now() - make_interval(mins => n),
             now() - make_interval(mins => n), now() - make_interval(mins => n),
             jsonb_build_object('overall', n % 100)
      ${PER_INSTANCE}`);
  },
  syncs: async (tx) => {
    await tx.unsafe(`
      insert into public.sync_runs (org_id, instance_id, mode, trigger, status, created_at,
                                    started_at, finished_at, records_fetched)
      select i.org_id, i.id, case when n % 10 = 0 then 'full' else 'incremental' end, 'schedule',
             'succeeded', now() - make_interval(mins => n), now() - make_interval(mins => n),
             now() - make_interval(mins => n), n
      ${PER_INSTANCE}`);
    // Each sync read five tables; one in eight could not read one.
    await tx`
      insert into public.sync_table_results (org_id, sync_run_id, table_name, status)
      select r.org_id, r.id, t, case when t = 'sys_user' and r.records_fetched % 8 = 0
                                     then 'not_readable' else 'succeeded' end
      from public.sync_runs r,
           unnest(array['sys_user', 'sys_user_role', 'sys_properties', 'sys_audit', 'sys_plugins']) t`;
  },
  jobs: async (tx) => {
    await tx.unsafe(`
      insert into public.jobs (org_id, kind, subject, status, created_at, updated_at)
      select pg_temp.vid('org' || o), (array['sync', 'analysis', 'report'])[1 + n % 3],
             'subject-' || n % 50,
             (array['succeeded', 'failed', 'cancelled', 'succeeded']::public.job_status[])[1 + n % 4],
             now() - make_interval(mins => n), now() - make_interval(mins => n)
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, ${PER_ORG}) n`);
  },
  audit: async (tx) => {
    await tx.unsafe(`
      insert into public.audit_log (org_id, seq, occurred_at, actor_kind, actor_id, action, category,
                                    operation, target_table, target_id, prev_hash, hash)
      select pg_temp.vid('org' || o), n, now() - make_interval(mins => ${BIG} - n),
             case when n % 5 = 0 then 'system' else 'user' end,
             case when n % 5 = 0 then null
                  else pg_temp.vid('user' || ((o - 1) * ${MEMBERS_PER_ORG} + 1 + n % ${MEMBERS_PER_ORG}))::text end,
             (array['instance.update', 'finding.triage', 'member.add', 'run.start'])[1 + n % 4],
             case when n % 7 = 0 then 'security' else 'change' end, 'update',
             (array['instances', 'analysis_finding_triage', 'memberships', 'analysis_runs'])[1 + n % 4],
             md5(n::text), md5('p' || n) || md5('p' || n), md5('h' || n) || md5('h' || n)
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, ${PER_ORG}) n`);
  },
  members: async (tx) => {
    await seedUsers(tx, BIG, "member");
    await tx`
      insert into public.memberships (org_id, user_id, role, created_at)
      select pg_temp.vid('org1'), pg_temp.vid('member' || u),
             (array['viewer', 'analyst', 'admin']::public.org_role[])[1 + u % 3],
             now() - make_interval(mins => u)
      from generate_series(1, ${BIG}) u`;
  },
  suppressions: async (tx) => {
    await tx.unsafe(`
      insert into public.analysis_suppressions (org_id, scope, check_id, instance_id, reason,
                                                owner_id, expires_at, revoked_at, created_at)
      select pg_temp.vid('org' || o), case when n % 3 = 0 then 'check_org' else 'check_instance' end,
             'chk_' || lpad((n % 400)::text, 3, '0'),
             case when n % 3 <> 0 then pg_temp.vid('inst' || o || '-' || (1 + n % ${INSTANCES_PER_ORG})) end,
             'Not relevant',
             pg_temp.vid('user' || ((o - 1) * ${MEMBERS_PER_ORG} + 1 + n % ${MEMBERS_PER_ORG})),
             case when n % 7 = 0 then now() - interval '1 day' end,
             case when n % 11 = 0 then now() end, now() - make_interval(mins => n)
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, ${PER_ORG}) n`);
  },
  notifications: async (tx) => {
    await tx.unsafe(`
      insert into public.notification_deliveries (org_id, channel_kind, cause_key, status, attempt,
                                                  created_at)
      select pg_temp.vid('org' || o), (array['email', 'webhook', 'slack'])[1 + n % 3], 'cause-' || n,
             case when n % 10 = 0 then 'failed' else 'sent' end, 1, now() - make_interval(mins => n)
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, ${PER_ORG}) n`);
    // Every member has an inbox; the big organization's owner a large one.
    await tx.unsafe(`
      insert into public.notifications (org_id, user_id, event, title, body, read_at, created_at)
      select m.org_id, m.user_id, 'run.failed', 'A run failed', 'Details', 
             case when n % 4 <> 0 then now() end, now() - make_interval(mins => n)
      from public.memberships m,
           lateral generate_series(1, case when m.user_id = '${OWNER}' and m.org_id = pg_temp.vid('org1')
                                           then ${BIG} else 20 end) n`);
  },
  reports: async (tx) => {
    await tx.unsafe(`
      insert into public.report_definitions (id, org_id, name, spec, format)
      select pg_temp.vid('def' || o || '-' || n), pg_temp.vid('org' || o), 'Report ' || n, '{}'::jsonb, 'pdf'
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, case when o = 1 then 400 else 20 end) n`);
    await tx.unsafe(`
      insert into public.report_exports (id, org_id, definition_id, title, spec, format, status,
                                         created_at, expires_at)
      select pg_temp.vid('exp' || o || '-' || n), pg_temp.vid('org' || o),
             pg_temp.vid('def' || o || '-' || (1 + n % 20)), 'Export ' || n, '{}'::jsonb, 'pdf',
             'succeeded', now() - make_interval(mins => n), now() + interval '30 days'
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, ${PER_ORG}) n`);
    await tx.unsafe(`
      insert into public.report_deliveries (org_id, export_id, definition_id, channel, target, mode,
                                            status, created_at)
      select pg_temp.vid('org' || o), pg_temp.vid('exp' || o || '-' || n),
             pg_temp.vid('def' || o || '-' || (1 + n % 20)), 'email', 'r' || n || '@example.test',
             'link', 'sent', now() - make_interval(mins => n)
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, ${PER_ORG}) n`);
  },
  org_settings: async (tx) => {
    await tx.unsafe(`
      insert into public.api_keys (org_id, name, role, prefix, secret_hash, created_at, revoked_at)
      select pg_temp.vid('org' || o), 'Key ' || n, 'viewer', 'ciq_' || md5(o || '-' || n),
             md5('s' || o || '-' || n) || md5('t' || o || '-' || n), now() - make_interval(mins => n),
             case when n % 3 = 0 then now() end
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, ${PER_ORG}) n`);
    await tx.unsafe(`
      insert into public.invitations (org_id, email, role, token_hash, status, expires_at, created_at,
                                      revoked_at)
      select pg_temp.vid('org' || o), 'invitee' || n || '@example.test', 'viewer',
             decode(md5('t' || o || '-' || n) || md5('u' || o || '-' || n), 'hex'),
             case when n % 2 = 0 then 'pending' else 'revoked' end::public.invitation_status,
             now() + interval '7 days', now() - make_interval(mins => n),
             case when n % 2 = 1 then now() end
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, ${PER_ORG}) n`);
    await tx.unsafe(`
      insert into public.widgets (org_id, name, template, created_at)
      select pg_temp.vid('org' || o), 'Widget ' || n, 'posture_score', now() - make_interval(mins => n)
      from generate_series(1, ${ORGS}) o, lateral generate_series(1, ${PER_ORG}) n`);
    await tx`
      insert into public.widget_versions (org_id, widget_id, version, config)
      select org_id, id, 1, '{}'::jsonb from public.widgets`;
  },
};
