/**
 * A hand-built organization for the aggregate tests: two instances, runs,
 * verdicts, findings, a suppression and triage written straight into the
 * tables, so every expected figure can be worked out on paper (see the
 * comments in dashboard_test.ts and insights_test.ts).
 *
 * Checks (risk / Security Center risk):
 * - `incident_security_stale` (C1): hardening-like, 8.0 / 8.0, high, area access,
 *   frameworks [soc2_2017] — the only check of SOC 2 requirement CC7.3;
 * - `fx_weak_setting` (C2): hardening, 2.0 / 2.0, low, area access;
 * - `fx_admin_sprawl` (C3): behavioural, 9.5, critical, area identity, [soc2_2017];
 * - `fx_stale_accounts` (C4): behavioural, 5.0, medium, area identity.
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
import type { Sql } from "../db/mod.ts";

/** The check ids of the fixture. */
export const C1 = "incident_security_stale";
export const C2 = "fx_weak_setting";
export const C3 = "fx_admin_sprawl";
export const C4 = "fx_stale_accounts";

const CHECK_META: Record<string, {
  title: string;
  area: string;
  family: string;
  severity: string;
  rank: number;
  risk: number;
  sc: number | null;
  frameworks: string[];
}> = {
  [C1]: {
    title: "Stale security incidents",
    area: "access",
    family: "hardening",
    severity: "high",
    rank: 1,
    risk: 8,
    sc: 8,
    frameworks: ["soc2_2017"],
  },
  [C2]: {
    title: "Weak setting",
    area: "access",
    family: "hardening",
    severity: "low",
    rank: 3,
    risk: 2,
    sc: 2,
    frameworks: [],
  },
  [C3]: {
    title: "Admin sprawl",
    area: "identity",
    family: "behavioural",
    severity: "critical",
    rank: 0,
    risk: 9.5,
    sc: null,
    frameworks: ["soc2_2017"],
  },
  [C4]: {
    title: "Stale accounts",
    area: "identity",
    family: "behavioural",
    severity: "medium",
    rank: 2,
    risk: 5,
    sc: null,
    frameworks: [],
  },
};

/** The fixture's organization, users and ids. */
export interface PostureFixture {
  tdb: TestDatabase;
  auth: TestAuth;
  services: TestServices;
  owner: TestUser;
  viewer: TestUser;
  outsider: TestUser;
  orgId: string;
  /** "prod" and "test". */
  i1: string;
  i2: string;
  /** I1's older run, I1's latest full run, I2's only run. */
  r1a: string;
  r1b: string;
  r2: string;
  /** Finding ids by name. */
  f: Record<string, string>;
  close(): Promise<void>;
}

const DAY = 86_400_000;

/** Builds the fixture in a fresh test database. */
export async function createPostureFixture(): Promise<PostureFixture> {
  const tdb = await createTestDatabase();
  const auth = await createTestAuth();
  const sql = tdb.db.sql;
  const owner = await auth.createUser(tdb.db, { orgName: "Posture Fixture" });
  const orgId = owner.orgId!;
  const viewer = await auth.createUser(tdb.db);
  await sql`insert into public.memberships (org_id, user_id, role) values (${orgId}, ${viewer.id}, 'viewer')`;
  const outsider = await auth.createUser(tdb.db, { orgName: "Elsewhere" });
  await sql`update public.organizations set plan = 'enterprise' where id = ${orgId}`;
  const services = createTestServices(tdb.db, auth);

  const instance = async (name: string) => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.instances (org_id, name, url, auth_type, credentials)
      values (${orgId}, ${name}, ${`https://${name}.service-now.com`}, 'basic', '{}'::jsonb)
      returning id`;
    return row!.id;
  };
  const i1 = await instance("prod");
  const i2 = await instance("test");
  const now = Date.now();

  const run = async (
    instanceId: string,
    daysAgo: number,
    verdicts: Record<string, ["PASS" | "FAIL" | "NOT_EVALUATED", number]>,
    options: { status?: string; scope?: unknown; overall?: number | null } = {},
  ) => {
    const at = new Date(now - daysAgo * DAY);
    const scores = options.overall === undefined ? null : {
      overall: { score: options.overall },
      security_center: { score: null },
      frameworks: { soc2_2017: { score: options.overall === null ? null : options.overall - 1 } },
      areas: { access: { score: 40 } },
    };
    const [row] = await sql<{ id: string }[]>`
      insert into public.analysis_runs
        (org_id, instance_id, status, scope, catalog_version, created_at, started_at, finished_at,
         scores, error)
      values (${orgId}, ${instanceId}, ${options.status ?? "succeeded"},
              ${sql.json((options.scope ?? { type: "all" }) as never)}, 'c-000000000000',
              ${at}, ${at}, ${at}, ${scores ? sql.json(scores as never) : null},
              ${options.status === "failed" ? "The instance did not answer" : null})
      returning id`;
    for (const [checkId, [status, failed]] of Object.entries(verdicts)) {
      const m = CHECK_META[checkId]!;
      await sql`
        insert into public.analysis_check_results
          (org_id, run_id, check_id, status, failed, passed, title, area, family, severity,
           severity_rank, risk, sc_risk, frameworks, evidence)
        values (${orgId}, ${row!.id}, ${checkId}, ${status}, ${failed}, 0, ${m.title}, ${m.area},
                ${m.family}, ${m.severity}, ${m.rank}, ${m.risk}, ${m.sc}, ${m.frameworks},
                ${
        sql.json((checkId === C2 && status === "FAIL" ? [{ value: "false" }] : []) as never)
      })`;
    }
    return row!.id;
  };

  // I1: an older full run, then the latest full run; a framework-scoped run and
  // a failed run after it must not change what the dashboard reads.
  const r1a = await run(i1, 20, {
    [C1]: ["FAIL", 1],
    [C2]: ["PASS", 0],
    [C3]: ["FAIL", 3],
    [C4]: ["PASS", 0],
  }, {
    overall: 30,
  });
  const r1b = await run(i1, 6, {
    [C1]: ["PASS", 0],
    [C2]: ["FAIL", 2],
    [C3]: ["FAIL", 2],
    [C4]: ["PASS", 0],
  }, {
    overall: 54,
  });
  await run(i1, 5, { [C1]: ["FAIL", 1] }, {
    scope: { type: "framework", framework: "soc2_2017" },
    overall: 0,
  });
  await run(i1, 4, {}, { status: "failed" });
  // I2: one full run.
  const r2 = await run(i2, 3, {
    [C1]: ["FAIL", 1],
    [C2]: ["PASS", 0],
    [C3]: ["FAIL", 1],
    [C4]: ["NOT_EVALUATED", 0],
  }, {
    overall: 11,
  });

  const f: Record<string, string> = {};
  const finding = async (
    name: string,
    instanceId: string,
    checkId: string,
    firstSeenDaysAgo: number,
    resolvedDaysAgo: number | null,
    results: [string, "FAIL" | "PASS", string][],
  ) => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.analysis_findings
        (id, org_id, instance_id, check_id, resource_key, table_name, status, first_seen_at,
         resolved_at)
      values (gen_random_uuid(), ${orgId}, ${instanceId}, ${checkId}, ${name}, 'sys_user',
              ${resolvedDaysAgo === null ? "open" : "resolved"},
              ${new Date(now - firstSeenDaysAgo * DAY)},
              ${resolvedDaysAgo === null ? null : new Date(now - resolvedDaysAgo * DAY)})
      returning id`;
    f[name] = row!.id;
    for (const [runId, status, delta] of results) {
      await sql`
        insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta)
        values (${orgId}, ${runId}, ${row!.id}, ${checkId}, ${status}, ${delta})`;
    }
  };
  // C1 on I1: failed in r1a, resolved by r1b (open 14 days).
  await finding("f1", i1, C1, 20, 6, [[r1a, "FAIL", "new"], [r1b, "PASS", "resolved"]]);
  // C3 on I1: three in r1a; two still failing in r1b (f3b muted), f3c resolved (14 days).
  await finding("f3a", i1, C3, 20, null, [[r1a, "FAIL", "new"], [r1b, "FAIL", "unchanged"]]);
  await finding("f3b", i1, C3, 20, null, [[r1a, "FAIL", "new"], [r1b, "FAIL", "unchanged"]]);
  await finding("f3c", i1, C3, 20, 6, [[r1a, "FAIL", "new"], [r1b, "PASS", "resolved"]]);
  // C2 on I1: one new, one reopened in r1b.
  await finding("f2a", i1, C2, 6, null, [[r1b, "FAIL", "new"]]);
  await finding("f2b", i1, C2, 30, null, [[r1b, "FAIL", "reopened"]]);
  // I2: C1 and C3 new in r2.
  await finding("f4", i2, C1, 3, null, [[r2, "FAIL", "new"]]);
  await finding("f5", i2, C3, 3, null, [[r2, "FAIL", "new"]]);

  // What the engine writes when a run finishes: one summary row per succeeded
  // run, from its check and finding results (the aggregates read these).
  await sql`select public.record_analysis_run_summary(id) from public.analysis_runs
            where org_id = ${orgId} and status = 'succeeded'`;

  // f3b is muted (finding scope) for a year; f1 (resolved, so it moves no figure)
  // until in 5 days; an expired and a revoked suppression mute nothing.
  await sql`
    insert into public.analysis_suppressions
      (org_id, scope, check_id, instance_id, finding_id, reason, owner_id, expires_at, created_by, created_at)
    values
      (${orgId}, 'finding', ${C3}, ${i1}, ${f.f3b!}, 'Break-glass account', ${owner.id},
       ${new Date(now + 365 * DAY)}, ${owner.id}, ${new Date(now - 2 * DAY)}),
      (${orgId}, 'check_instance', ${C1}, ${i2}, null, 'Old exception', ${owner.id},
       ${new Date(now - DAY)}, ${owner.id}, ${new Date(now - 10 * DAY)}),
      (${orgId}, 'finding', ${C1}, ${i1}, ${f.f1!}, 'Fix scheduled', ${owner.id},
       ${new Date(now + 5 * DAY)}, ${owner.id}, ${new Date(now - DAY)}),
      (${orgId}, 'check_org', ${C4}, null, null, 'Revoked exception', ${owner.id},
       null, ${owner.id}, ${new Date(now - 3 * DAY)})`;
  await sql`update public.analysis_suppressions set revoked_at = ${new Date(
    now - DAY,
  )}, revoked_by = ${owner.id}
            where org_id = ${orgId} and scope = 'check_org'`;
  // f5 is risk accepted (triage), recorded in the event log 2 days ago.
  await sql`insert into public.analysis_finding_triage (finding_id, org_id, state, updated_by)
            values (${f.f5!}, ${orgId}, 'risk_accepted', ${owner.id})`;
  await sql`insert into public.analysis_finding_events (org_id, finding_id, kind, from_state, to_state, actor_id, created_at)
            values (${orgId}, ${f.f5!}, 'triage', 'open', 'risk_accepted', ${owner.id}, ${new Date(
    now - 2 * DAY,
  )})`;

  return {
    tdb,
    auth,
    services,
    owner,
    viewer,
    outsider,
    orgId,
    i1,
    i2,
    r1a,
    r1b,
    r2,
    f,
    close: () => tdb.close(),
  };
}

/** Raw SQL access for tests that change the fixture. */
export function fixtureSql(fixture: PostureFixture): Sql {
  return fixture.tdb.db.sql;
}
