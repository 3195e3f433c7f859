// Scores computed by Postgres from a run's verdicts: the Security Center
// formula exactly as ServiceNow documents it (and as the catalog's reference
// implementation computes it), the risk-weighted scores with suppressions in
// force at read time, and the explanation of what moved.
import assert from "node:assert/strict";
import { workerClaims } from "../../db/mod.ts";
import { coverageCounts, FRAMEWORKS, securityCenterScore } from "../catalog/mod.ts";
import { createAnalysisTestbed } from "../_testbed.ts";
import { computeScores, computeSummary, effectiveChecks, explainScores } from "./scores.ts";

const bed = await createAnalysisTestbed();
Deno.test.afterAll(() => bed.close());
const sql = bed.tdb.db.sql;
const instanceId = await bed.instance("scores");

interface Verdict {
  id: string;
  status: "PASS" | "FAIL" | "NOT_EVALUATED" | "NOT_APPLICABLE";
  risk: number;
  sc?: number;
  family?: string;
  area?: string;
  frameworks?: string[];
  failed?: number;
  defaultUsed?: boolean;
}

async function runWith(verdicts: Verdict[]): Promise<string> {
  const [run] = await sql<{ id: string }[]>`
    insert into public.analysis_runs (org_id, instance_id, status, catalog_version)
    values (${bed.orgId}, ${instanceId}, 'succeeded', 'test') returning id`;
  for (const v of verdicts) {
    await sql`
      insert into public.analysis_check_results (org_id, run_id, check_id, status, failed, title, area, family,
                                                 severity, severity_rank, risk, sc_risk, frameworks,
                                                 default_used)
      values (${bed.orgId}, ${run!.id}, ${v.id}, ${v.status}, ${
      v.failed ?? (v.status === "FAIL" ? 1 : 0)
    },
              ${v.id}, ${v.area ?? "identity"}, ${v.family ?? "behavioural"}, 'high', 1, ${v.risk},
              ${v.sc ?? null}, ${v.frameworks ?? []}, ${v.defaultUsed ?? false})`;
  }
  return run!.id;
}

const scores = (runId: string) =>
  bed.tdb.db.asTenant(workerClaims(bed.orgId), (tx) => computeScores(tx, runId));

Deno.test("the Security Center score is ServiceNow's formula: 25.4 of 34.9 rounds up to 73", async () => {
  const runId = await runWith([
    {
      id: "hardening_a",
      status: "PASS",
      risk: 9.8,
      sc: 9.8,
      family: "hardening",
      area: "hardening",
    },
    {
      id: "hardening_b",
      status: "PASS",
      risk: 8.1,
      sc: 8.1,
      family: "hardening",
      area: "hardening",
    },
    {
      id: "hardening_c",
      status: "PASS",
      risk: 7.5,
      sc: 7.5,
      family: "hardening",
      area: "hardening",
    },
    {
      id: "hardening_d",
      status: "FAIL",
      risk: 9.5,
      sc: 9.5,
      family: "hardening",
      area: "hardening",
    },
    // Not evaluated: left out of both sums, never counted as compliant.
    {
      id: "hardening_e",
      status: "NOT_EVALUATED",
      risk: 6,
      sc: 6,
      family: "hardening",
      area: "hardening",
    },
    // Curated settings (no Security Center risk) do not count towards it.
    { id: "hardening_curated", status: "FAIL", risk: 5, family: "hardening", area: "hardening" },
  ]);
  const s = (await scores(runId)).security_center;
  assert.equal(s.score, 73);
  assert.equal(s.compliant_risk, 25.4);
  assert.equal(s.total_risk, 34.9);
  assert.deepEqual({ compliant: s.compliant, total: s.total, not_evaluated: s.not_evaluated }, {
    compliant: 3,
    total: 4,
    not_evaluated: 1,
  });
  assert.equal(
    s.score,
    securityCenterScore([
      { risk: 9.8, compliant: true },
      { risk: 8.1, compliant: true },
      { risk: 7.5, compliant: true },
      { risk: 9.5, compliant: false },
    ]).score,
  );
});

Deno.test("scores agree with the catalog's reference arithmetic on many random runs", async () => {
  let seed = 3;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let n = 0; n < 25; n++) {
    const verdicts: Verdict[] = Array.from({ length: 1 + Math.floor(rand() * 30) }, (_, i) => {
      const risk = Math.round(rand() * 100) / 10;
      const r = rand();
      return {
        id: `hardening_${n}_${i}`,
        status: r < 0.5 ? "PASS" : r < 0.9 ? "FAIL" : "NOT_EVALUATED",
        risk,
        sc: risk,
        family: "hardening",
        area: "hardening",
      };
    });
    const s = (await scores(await runWith(verdicts))).security_center;
    const judged = verdicts.filter((v) => v.status !== "NOT_EVALUATED");
    const expected = securityCenterScore(
      judged.map((v) => ({ risk: v.sc!, compliant: v.status === "PASS" })),
    );
    assert.equal(s.score, expected.score, JSON.stringify(verdicts));
    assert.equal(s.total_risk, expected.totalRisk);
  }
});

Deno.test("risk-weighted scores: mutes make a check pass or leave it out, expiry and revocation undo that", async () => {
  const runId = await runWith([
    { id: "identity_a", status: "FAIL", risk: 8, failed: 2, frameworks: ["soc2_2017"] },
    { id: "identity_b", status: "PASS", risk: 2, frameworks: ["soc2_2017", "sox_itgc"] },
    { id: "change_c", status: "FAIL", risk: 5, area: "change", frameworks: ["sox_itgc"] },
    { id: "change_d", status: "NOT_EVALUATED", risk: 9, area: "change" },
  ]);
  const before = await scores(runId);
  // 2 of 15 → 13.3 → 14.
  assert.equal(before.behavioural.score, 14);
  assert.deepEqual(before.areas.change, {
    score: 0,
    passed: 0,
    failed: 1,
    not_evaluated: 1,
    not_applicable: 0,
    muted: 0,
    weight_passed: 0,
    weight_total: 5,
  });
  assert.equal(before.frameworks.sox_itgc!.score, 29); // 2 of 7 → 28.6 → 29

  // Both failing resources of identity_a muted: the check counts as passing.
  const findings = [crypto.randomUUID(), crypto.randomUUID()];
  for (const [i, id] of findings.entries()) {
    await sql`
      insert into public.analysis_findings (id, org_id, instance_id, check_id, resource_key, table_name)
      values (${id}, ${bed.orgId}, ${instanceId}, 'identity_a', ${`r${i}`}, 'sys_user')`;
    await sql`
      insert into public.analysis_finding_results (org_id, run_id, finding_id, check_id, status, delta)
      values (${bed.orgId}, ${runId}, ${id}, 'identity_a', 'FAIL', 'new')`;
  }
  const mute = async (values: Record<string, unknown>) => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.analysis_suppressions ${
      sql({ org_id: bed.orgId, reason: "accepted", ...values })
    }
      returning id`;
    return row!.id;
  };
  const first = await mute({
    scope: "finding",
    check_id: "identity_a",
    instance_id: instanceId,
    finding_id: findings[0],
  });
  assert.equal(
    (await scores(runId)).behavioural.score,
    14,
    "one of two failing resources muted: still failing",
  );
  await mute({
    scope: "finding",
    check_id: "identity_a",
    instance_id: instanceId,
    finding_id: findings[1],
  });
  const muted = await scores(runId);
  assert.equal(muted.behavioural.score, 67); // 10 of 15 → 66.7 → 67
  assert.equal(muted.behavioural.passed, 2);

  // A check muted on the instance leaves both sums.
  const check = await mute({
    scope: "check_instance",
    check_id: "change_c",
    instance_id: instanceId,
  });
  const withCheck = await scores(runId);
  assert.equal(withCheck.behavioural.score, 100);
  assert.equal(withCheck.behavioural.muted, 1);
  const summary = await bed.tdb.db.asTenant(
    workerClaims(bed.orgId),
    (tx) => computeSummary(tx, runId),
  );
  assert.equal(summary.findings.muted, 2);
  assert.deepEqual(summary.checks.by_effective, { PASS: 2, MUTED: 1, NOT_EVALUATED: 1 });

  // Expired and revoked suppressions are not in force.
  await sql`update public.analysis_suppressions set expires_at = now() - interval '1 minute' where id = ${check}`;
  await sql`update public.analysis_suppressions set revoked_at = now() where id = ${first}`;
  assert.deepEqual(await scores(runId), before);
});

Deno.test("explainScores() names the checks that moved each score, largest impact first", async () => {
  const previous = await runWith([
    { id: "identity_a", status: "FAIL", risk: 8 },
    { id: "identity_b", status: "PASS", risk: 2 },
    { id: "change_c", status: "FAIL", risk: 5, area: "change" },
  ]);
  const current = await runWith([
    { id: "identity_a", status: "PASS", risk: 8 },
    { id: "identity_b", status: "FAIL", risk: 2 },
    { id: "change_c", status: "FAIL", risk: 5, area: "change" },
  ]);
  const explained = await bed.tdb.db.asTenant(workerClaims(bed.orgId), async (tx) =>
    explainScores(
      { scores: await computeScores(tx, current), checks: await effectiveChecks(tx, current) },
      {
        runId: previous,
        scores: await computeScores(tx, previous),
        checks: await effectiveChecks(tx, previous),
      },
    ));
  assert.equal(explained.previous_run_id, previous);
  const overall = explained.scores.overall!;
  assert.deepEqual({ from: overall.from, to: overall.to, delta: overall.delta }, {
    from: 14,
    to: 54,
    delta: 40,
  });
  assert.deepEqual(overall.movers.map((m) => [m.check_id, m.from, m.to, m.impact]), [
    ["identity_a", "FAIL", "PASS", 53.3],
    ["identity_b", "PASS", "FAIL", -13.3],
  ]);
  assert.deepEqual(explained.scores["area:change"]!.movers, []);
});

Deno.test("framework scores carry the framework's requirement coverage, and no framework is left out", async () => {
  const runId = await runWith([
    { id: "identity_a", status: "FAIL", risk: 8, frameworks: ["sox_itgc"] },
    { id: "identity_b", status: "PASS", risk: 2, frameworks: ["sox_itgc"] },
  ]);
  const s = await scores(runId);
  const sox = FRAMEWORKS.find((f) => f.id === "sox_itgc")!;
  const iso = FRAMEWORKS.find((f) => f.id === "iso_27001_2022")!;
  assert.equal(s.frameworks.sox_itgc!.score, 20); // 2 of 10
  // The score weighs two checks; the requirements without checks are reported beside it.
  assert.deepEqual(s.frameworks.sox_itgc!.requirements, coverageCounts(sox.requirements));
  assert.ok(s.frameworks.sox_itgc!.requirements.manual > 0);
  assert.ok(s.frameworks.sox_itgc!.requirements.not_covered > 0);
  // A framework none of whose checks ran: present, no score, its 93 requirements counted.
  assert.equal(s.frameworks.iso_27001_2022!.score, null);
  assert.equal(s.frameworks.iso_27001_2022!.requirements.total, 93);
  assert.deepEqual(s.frameworks.iso_27001_2022!.requirements, coverageCounts(iso.requirements));
  assert.deepEqual(Object.keys(s.frameworks).sort(), FRAMEWORKS.map((f) => f.id).sort());
});

Deno.test("NOT_APPLICABLE checks are in no score; settings judged on the default count in Security Center's", async () => {
  const hardening = { family: "hardening", area: "hardening" };
  const runId = await runWith([
    { id: "hardening_set", status: "PASS", risk: 8, sc: 8, ...hardening },
    // Not set on the instance: judged on the platform default, as Security Center does.
    { id: "hardening_default", status: "FAIL", risk: 2, sc: 2, defaultUsed: true, ...hardening },
    // A plugin the instance does not have: out of every sum.
    { id: "hardening_plugin", status: "NOT_APPLICABLE", risk: 9, sc: 9, ...hardening },
    { id: "identity_x", status: "PASS", risk: 4 },
    { id: "identity_hr", status: "NOT_APPLICABLE", risk: 9 },
  ]);
  const s = await scores(runId);
  assert.deepEqual(
    {
      score: s.security_center.score,
      total: s.security_center.total,
      not_applicable: s.security_center.not_applicable,
      default_used: s.security_center.default_used,
    },
    { score: 80, total: 2, not_applicable: 1, default_used: 1 },
  );
  // 12 of 14 → 85.7 → 86; the two not-applicable checks (risk 18) are nowhere.
  assert.equal(s.overall.score, 86);
  assert.equal(s.overall.weight_total, 14);
  assert.equal(s.overall.not_applicable, 2);
  assert.equal(s.behavioural.score, 100);
});
