/**
 * Scores of a run, computed by Postgres from the run's per-check verdicts and
 * the suppressions in force when asked (so muting, unmuting and expiry move
 * scores at once, with no job):
 *
 * - **Security Center hardening score** (`security_center`): exactly Security
 *   Center's formula (docs/servicenow/hardening.md#score) over the settings it scores that were
 *   evaluated — Σ risk of compliant settings ÷ Σ risk of all settings × 100,
 *   rounded up, summed in exact tenths — ignoring suppressions, so it reconciles
 *   with what ServiceNow shows.
 * - **Risk-weighted scores** (`overall`, `hardening`, `behavioural`, per area,
 *   per framework): Σ risk score of passing checks ÷ Σ risk score of evaluated
 *   checks × 100, rounded up (the same rule, with each check's 0–10 risk score as
 *   its weight). A check counts as passing when it passed or every failing
 *   resource is muted; a muted check, a check not evaluated and a check not
 *   applicable count in neither sum (they are reported as `muted`,
 *   `not_evaluated` and `not_applicable`).
 * - **Framework coverage**: each framework score carries its requirements by
 *   coverage (`requirements`: covered, partial, manual, not_covered). The score
 *   weighs only the checks that exist, so requirements without checks are
 *   reported beside it as manual or not covered — never counted as passing. Every
 *   built-in framework is present, with a null score when no check of it was
 *   evaluated.
 *
 * Security Center score and defaults: a setting whose property record is absent
 * is judged on the platform default, as Security Center judges it (its
 * "Fallback value" is the value in force when the record is absent), so it
 * counts — compliant or not — and is reported in `default_used`. A setting
 * whose default is unknown is NOT_EVALUATED and left out; a setting of a plugin
 * the instance does not have is NOT_APPLICABLE and left out; legacy settings
 * (removed from Security Center) carry no Security Center risk and never count.
 *
 * @module
 */

import type { Tx } from "../../db/mod.ts";
import { type CoverageCounts, coverageCounts, FRAMEWORKS, type Severity } from "../catalog/mod.ts";

/** One risk-weighted score and what it is made of. */
export interface Score {
  /** 0–100, or null when no evaluated check carries weight. */
  score: number | null;
  passed: number;
  failed: number;
  not_evaluated: number;
  /** Checks whose table or plugin the instance does not have: in neither sum. */
  not_applicable: number;
  muted: number;
  /** Σ risk score of passing checks. */
  weight_passed: number;
  /** Σ risk score of evaluated, unmuted checks. */
  weight_total: number;
}

/** A framework's risk-weighted score and how much of the framework it covers. */
export interface FrameworkScore extends Score {
  /** The framework's requirements by coverage (built-in catalog mappings). */
  requirements: CoverageCounts;
}

/** The Security Center score, as ServiceNow computes it. */
export interface SecurityCenterScore {
  score: number | null;
  /** Σ Security Center risk of compliant settings. */
  compliant_risk: number;
  /** Σ Security Center risk of evaluated settings. */
  total_risk: number;
  compliant: number;
  total: number;
  /** Settings Security Center scores that could not be evaluated (left out, never counted as passing). */
  not_evaluated: number;
  /** Settings of plugins the instance does not have (left out, as Security Center does). */
  not_applicable: number;
  /** Of the counted settings, those judged on the platform default (no property record). */
  default_used: number;
}

/** Every score of a run. */
export interface RunScores {
  overall: Score;
  /** Hardening settings, risk-weighted, suppressions applied. */
  hardening: Score;
  security_center: SecurityCenterScore;
  /** Behavioural and custom checks. */
  behavioural: Score;
  areas: Record<string, Score>;
  frameworks: Record<string, FrameworkScore>;
}

/** A check's verdict as the scores see it. */
export interface EffectiveCheck {
  check_id: string;
  title: string;
  area: string;
  family: string;
  severity: Severity;
  frameworks: string[];
  /** The verdict recorded by the run. */
  status: "PASS" | "FAIL" | "NOT_EVALUATED" | "NOT_APPLICABLE";
  /** The verdict after suppressions: PASS, FAIL, NOT_EVALUATED, NOT_APPLICABLE or MUTED. */
  effective: "PASS" | "FAIL" | "NOT_EVALUATED" | "NOT_APPLICABLE" | "MUTED";
  failed: number;
  muted_findings: number;
  risk: number;
  sc_risk: number | null;
  /** Hardening: judged on the platform default (no property record on the instance). */
  default_used: boolean;
}

/** Counts of a run for the results summary. */
export interface RunSummary {
  findings: {
    /** Failing resources in this run. */
    failing: number;
    /** Of those, muted (the finding or its check). */
    muted: number;
    /** Unmuted failing resources by the severity of their check. */
    by_severity: Record<string, number>;
    /** Finding results by delta (resolved ones included). */
    by_delta: Record<string, number>;
    /** Open findings carried over because their check could not be evaluated. */
    not_evaluated: number;
  };
  checks: {
    total: number;
    /** Verdicts recorded by the run. */
    by_status: Record<string, number>;
    /** Verdicts after suppressions. */
    by_effective: Record<string, number>;
    /** Unmuted failing checks by severity. */
    failing_by_severity: Record<string, number>;
  };
}

/** `$1` = run id. The suppressions in force now and each check's verdict after them. */
const EFFECTIVE_CTE = `
run as (select r.id, r.org_id, r.instance_id from public.analysis_runs r where r.id = $1::uuid),
active as (
  select s.scope, s.check_id, s.instance_id, s.finding_id
  from public.analysis_suppressions s join run on s.org_id = run.org_id
  where s.revoked_at is null and (s.expires_at is null or s.expires_at > now())
),
muted_checks as (
  select distinct a.check_id from active a cross join run
  where a.scope = 'check_org' or (a.scope = 'check_instance' and a.instance_id = run.instance_id)
),
muted_findings as (
  select fr.check_id, count(distinct fr.finding_id) as n
  from active a
  join public.analysis_finding_results fr
    on fr.run_id = $1::uuid and fr.finding_id = a.finding_id and fr.status = 'FAIL'
  where a.scope = 'finding'
  group by fr.check_id
),
eff as (
  select cr.check_id, cr.title, cr.area, cr.family, cr.severity, cr.frameworks, cr.status,
         cr.failed, coalesce(mf.n, 0)::int as muted_findings, cr.risk, cr.sc_risk, cr.default_used,
         case when cr.status = 'NOT_APPLICABLE' then 'NOT_APPLICABLE'
              when mc.check_id is not null then 'MUTED'
              when cr.status = 'NOT_EVALUATED' then 'NOT_EVALUATED'
              when cr.status = 'FAIL' and cr.failed > coalesce(mf.n, 0) then 'FAIL'
              else 'PASS' end as effective,
         round(cr.risk * 10)::bigint as tenths,
         round(coalesce(cr.sc_risk, 0) * 10)::bigint as sc_tenths
  from public.analysis_check_results cr
  left join muted_checks mc on mc.check_id = cr.check_id
  left join muted_findings mf on mf.check_id = cr.check_id
  where cr.run_id = $1::uuid
)`;

const WEIGHTED = `jsonb_build_object(
  'score', case when coalesce(sum(tenths) filter (where effective in ('PASS', 'FAIL')), 0) > 0
    then div(100 * coalesce(sum(tenths) filter (where effective = 'PASS'), 0)
             + sum(tenths) filter (where effective in ('PASS', 'FAIL')) - 1,
             sum(tenths) filter (where effective in ('PASS', 'FAIL')))::int end,
  'passed', count(*) filter (where effective = 'PASS'),
  'failed', count(*) filter (where effective = 'FAIL'),
  'not_evaluated', count(*) filter (where effective = 'NOT_EVALUATED'),
  'not_applicable', count(*) filter (where effective = 'NOT_APPLICABLE'),
  'muted', count(*) filter (where effective = 'MUTED'),
  'weight_passed', coalesce(sum(tenths) filter (where effective = 'PASS'), 0) / 10.0,
  'weight_total', coalesce(sum(tenths) filter (where effective in ('PASS', 'FAIL')), 0) / 10.0
)`;

const SECURITY_CENTER = `jsonb_build_object(
  'score', case when coalesce(sum(sc_tenths) filter (where status in ('PASS', 'FAIL')), 0) > 0
    then div(100 * coalesce(sum(sc_tenths) filter (where status = 'PASS'), 0)
             + sum(sc_tenths) filter (where status in ('PASS', 'FAIL')) - 1,
             sum(sc_tenths) filter (where status in ('PASS', 'FAIL')))::int end,
  'compliant_risk', coalesce(sum(sc_tenths) filter (where status = 'PASS'), 0) / 10.0,
  'total_risk', coalesce(sum(sc_tenths) filter (where status in ('PASS', 'FAIL')), 0) / 10.0,
  'compliant', count(*) filter (where status = 'PASS'),
  'total', count(*) filter (where status in ('PASS', 'FAIL')),
  'not_evaluated', count(*) filter (where status = 'NOT_EVALUATED'),
  'not_applicable', count(*) filter (where status = 'NOT_APPLICABLE'),
  'default_used', count(*) filter (where status in ('PASS', 'FAIL') and default_used)
)`;

const EMPTY_SCORE: Score = {
  score: null,
  passed: 0,
  failed: 0,
  not_evaluated: 0,
  not_applicable: 0,
  muted: 0,
  weight_passed: 0,
  weight_total: 0,
};

function numbers<T extends object>(value: T): T {
  return JSON.parse(
    JSON.stringify(value),
    (_k, v) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v),
  );
}

/**
 * Computes every score of a run with the suppressions in force now.
 *
 * @param tx a tenant transaction
 * @param runId the run
 * @returns the scores (all null when the run recorded no verdict yet)
 */
export async function computeScores(tx: Tx, runId: string): Promise<RunScores> {
  const [row] = await tx.unsafe(
    `with ${EFFECTIVE_CTE}
select
  (select ${WEIGHTED} from eff) as overall,
  (select ${WEIGHTED} from eff where family = 'hardening') as hardening,
  (select ${WEIGHTED} from eff where family <> 'hardening') as behavioural,
  (select ${SECURITY_CENTER} from eff where sc_risk is not null) as security_center,
  (select coalesce(jsonb_object_agg(g.area, g.s), '{}'::jsonb)
     from (select area, ${WEIGHTED} as s from eff group by area) as g) as areas,
  (select coalesce(jsonb_object_agg(g.fw, g.s), '{}'::jsonb)
     from (select fw, ${WEIGHTED} as s from eff cross join unnest(eff.frameworks) as fw group by fw) as g)
    as frameworks`,
    [runId] as never[],
  );
  const r = numbers(row as unknown as RunScores);
  return {
    overall: r.overall ?? EMPTY_SCORE,
    hardening: r.hardening ?? EMPTY_SCORE,
    behavioural: r.behavioural ?? EMPTY_SCORE,
    security_center: r.security_center,
    areas: r.areas ?? {},
    frameworks: withCoverage(r.frameworks ?? {}),
  };
}

const COVERAGE = new Map(FRAMEWORKS.map((f) => [f.id, coverageCounts(f.requirements)]));

/** Adds each framework's requirement coverage; built-in frameworks without verdicts get an empty score. */
function withCoverage(scored: Record<string, Score>): Record<string, FrameworkScore> {
  const out: Record<string, FrameworkScore> = {};
  for (const [id, requirements] of COVERAGE) {
    out[id] = { ...(scored[id] ?? EMPTY_SCORE), requirements };
  }
  for (const [id, score] of Object.entries(scored)) {
    out[id] ??= { ...score, requirements: coverageCounts([]) };
  }
  return out;
}

/**
 * Each check's verdict in a run, before and after suppressions.
 *
 * @param tx a tenant transaction
 * @param runId the run
 * @returns the checks, by check id
 */
export async function effectiveChecks(tx: Tx, runId: string): Promise<EffectiveCheck[]> {
  const rows = await tx.unsafe(
    `with ${EFFECTIVE_CTE}
select check_id, title, area, family, severity, frameworks, status, effective, failed,
       muted_findings, risk::float8 as risk, sc_risk::float8 as sc_risk, default_used
from eff order by check_id`,
    [runId] as never[],
  );
  return rows as unknown as EffectiveCheck[];
}

/**
 * The results summary of a run: findings by severity and delta, checks by verdict.
 *
 * @param tx a tenant transaction
 * @param runId the run
 * @returns the counts, with suppressions in force now applied
 */
export async function computeSummary(tx: Tx, runId: string): Promise<RunSummary> {
  const [row] = await tx.unsafe(
    `with ${EFFECTIVE_CTE},
muted_finding_ids as (select distinct a.finding_id from active a where a.scope = 'finding'),
fr as (
  select f.status, f.delta, e.severity,
         (e.effective = 'MUTED' or exists (select 1 from muted_finding_ids m where m.finding_id = f.finding_id))
           as muted
  from public.analysis_finding_results f join eff e on e.check_id = f.check_id
  where f.run_id = $1::uuid
)
select
  jsonb_build_object(
    'failing', (select count(*) from fr where status = 'FAIL'),
    'muted', (select count(*) from fr where status = 'FAIL' and muted),
    'by_severity', (select coalesce(jsonb_object_agg(severity, n), '{}'::jsonb) from (
      select severity, count(*) as n from fr where status = 'FAIL' and not muted group by severity) as s),
    'by_delta', (select coalesce(jsonb_object_agg(delta, n), '{}'::jsonb) from (
      select delta, count(*) as n from fr where delta is not null group by delta) as d),
    'not_evaluated', (select count(*) from fr where status = 'NOT_EVALUATED')
  ) as findings,
  jsonb_build_object(
    'total', (select count(*) from eff),
    'by_status', (select coalesce(jsonb_object_agg(status, n), '{}'::jsonb) from (
      select status, count(*) as n from eff group by status) as s),
    'by_effective', (select coalesce(jsonb_object_agg(effective, n), '{}'::jsonb) from (
      select effective, count(*) as n from eff group by effective) as s),
    'failing_by_severity', (select coalesce(jsonb_object_agg(severity, n), '{}'::jsonb) from (
      select severity, count(*) as n from eff where effective = 'FAIL' group by severity) as s)
  ) as checks`,
    [runId] as never[],
  );
  return numbers(row as unknown as RunSummary);
}

/** A check whose verdict changed between two runs, and how much it moved a score. */
export interface ScoreMover {
  check_id: string;
  title: string;
  from: string | null;
  to: string | null;
  /** Points it moved the score by (positive = up), against the current weight total. */
  impact: number;
}

/** What moved one score since the previous run. */
export interface ScoreChange {
  from: number | null;
  to: number | null;
  delta: number | null;
  /** The checks that moved it, largest impact first (at most 10). */
  movers: ScoreMover[];
}

/** What moved each score since the previous run. */
export interface ScoreExplanation {
  previous_run_id: string | null;
  scores: Record<string, ScoreChange>;
}

type Group = (c: EffectiveCheck) => boolean;

/**
 * Explains each score's change between two runs: the delta and the checks whose
 * verdict (after suppressions) changed, with the points each moved it by.
 *
 * @param current the run's scores and verdicts
 * @param previous the previous run's, or null for a first run
 * @returns score key (`overall`, `hardening`, `security_center`, `behavioural`,
 *   `area:<id>`, `framework:<id>`) → change
 */
export function explainScores(
  current: { scores: RunScores; checks: readonly EffectiveCheck[] },
  previous: { runId: string; scores: RunScores; checks: readonly EffectiveCheck[] } | null,
): ScoreExplanation {
  const groups: [
    string,
    Group,
    Score | SecurityCenterScore,
    Score | SecurityCenterScore | undefined,
  ][] = [
    ["overall", () => true, current.scores.overall, previous?.scores.overall],
    [
      "hardening",
      (c) => c.family === "hardening",
      current.scores.hardening,
      previous?.scores.hardening,
    ],
    [
      "security_center",
      (c) => c.sc_risk !== null,
      current.scores.security_center,
      previous?.scores.security_center,
    ],
    [
      "behavioural",
      (c) => c.family !== "hardening",
      current.scores.behavioural,
      previous?.scores.behavioural,
    ],
    ...Object.entries(current.scores.areas).map((
      [area, s],
    ): [string, Group, Score, Score | undefined] => [
      `area:${area}`,
      (c) => c.area === area,
      s,
      previous?.scores.areas[area],
    ]),
    ...Object.entries(current.scores.frameworks).map((
      [fw, s],
    ): [string, Group, Score, Score | undefined] => [
      `framework:${fw}`,
      (c) => c.frameworks.includes(fw),
      s,
      previous?.scores.frameworks[fw],
    ]),
  ];
  const before = new Map((previous?.checks ?? []).map((c) => [c.check_id, c]));
  const now = new Map(current.checks.map((c) => [c.check_id, c]));
  const ids = [...new Set([...before.keys(), ...now.keys()])];
  const scores: Record<string, ScoreChange> = {};
  for (const [key, member, cur, prev] of groups) {
    const sc = key === "security_center";
    const verdict = (c: EffectiveCheck | undefined) => (c ? (sc ? c.status : c.effective) : null);
    const weight = (c: EffectiveCheck) => (sc ? c.sc_risk ?? 0 : c.risk);
    const total = sc ? (cur as SecurityCenterScore).total_risk : (cur as Score).weight_total;
    const movers: ScoreMover[] = [];
    if (previous) {
      for (const id of ids) {
        const a = before.get(id);
        const b = now.get(id);
        const check = b ?? a!;
        if (!member(check)) continue;
        const from = verdict(a);
        const to = verdict(b);
        if (from === to) continue;
        const points = (v: string | null) => (v === "PASS" ? weight(check) : 0);
        const counted = (v: string | null) => v === "PASS" || v === "FAIL";
        // Passing adds its weight to both sums; failing to the total only.
        const impact = total > 0
          ? ((points(to) - points(from)) -
            (counted(to) === counted(from)
              ? 0
              : (counted(to) ? 1 : -1) * weight(check) * ((cur.score ?? 0) / 100))) /
            total * 100
          : 0;
        movers.push({
          check_id: id,
          title: check.title,
          from,
          to,
          impact: Math.round(impact * 10) / 10,
        });
      }
    }
    movers.sort((x, y) =>
      Math.abs(y.impact) - Math.abs(x.impact) || x.check_id.localeCompare(y.check_id)
    );
    const from = prev?.score ?? null;
    const to = cur.score;
    scores[key] = {
      from,
      to,
      delta: from !== null && to !== null ? to - from : null,
      movers: movers.slice(0, 10),
    };
  }
  return { previous_run_id: previous?.runId ?? null, scores };
}
