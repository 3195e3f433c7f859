/**
 * Request and response schemas of the posture aggregates (dashboard and
 * insights). Responses are plain JSON (timestamps as ISO strings) so that a
 * cached value and a freshly computed one are the same thing, and any
 * renderer — the web app, a report, a widget — can use them as they are.
 *
 * Verdict counts are maps (`{ "PASS": 3, "FAIL": 1, … }`) rather than fixed
 * fields, so a verdict the engine adds later shows up without a schema change.
 *
 * @module
 */

import { z } from "zod";

const FRAMEWORK_ID = /^[a-z0-9_]{1,60}$/;

/** At most this many instances in an `instance_ids` filter. */
export const MAX_INSTANCE_FILTER = 100;

/** `instance_ids=a,b,c` → a list of distinct uuids (1–100). */
export const instanceIdsParam = z
  .string()
  .max(MAX_INSTANCE_FILTER * 37)
  .transform((s) => [...new Set(s.split(",").map((p) => p.trim()).filter(Boolean))])
  .pipe(z.array(z.uuid()).min(1).max(MAX_INSTANCE_FILTER));

/** Query of `GET /dashboard`. */
export const dashboardQuerySchema = z.object({
  org_id: z.uuid(),
  /** Only these instances (comma-separated ids); every instance by default. */
  instance_ids: instanceIdsParam.optional(),
  /** Only the checks mapped to this framework. */
  framework: z.string().regex(FRAMEWORK_ID).optional(),
}).strict();
/** Validated dashboard query. */
export type DashboardQuery = z.output<typeof dashboardQuerySchema>;

/** A risk-weighted score (see shared/analysis/scores). */
export const scoreSchema = z.object({
  score: z.number().int().nullable(),
  passed: z.number().int(),
  failed: z.number().int(),
  not_evaluated: z.number().int(),
  muted: z.number().int(),
  weight_passed: z.number(),
  weight_total: z.number(),
});

/** The Security Center-compatible hardening score. */
export const securityCenterScoreSchema = z.object({
  score: z.number().int().nullable(),
  compliant_risk: z.number(),
  total_risk: z.number(),
  compliant: z.number().int(),
  total: z.number().int(),
  not_evaluated: z.number().int(),
});

const countsSchema = z.record(z.string(), z.number().int());
const isoTime = z.string();

/** Sync and analysis health of one instance. */
export const instanceHealthSchema = z.object({
  status: z.string(),
  last_sync_at: isoTime.nullable(),
  last_sync_status: z.string().nullable(),
  last_successful_sync_at: isoTime.nullable(),
  /** Syncs that failed in the last 30 days. */
  sync_failures_30d: z.number().int(),
  last_run_status: z.string().nullable(),
  last_run_at: isoTime.nullable(),
  /** Analysis runs that failed in the last 30 days. */
  run_failures_30d: z.number().int(),
  /** When the sync schedule fires next; null without a schedule. */
  next_sync_at: isoTime.nullable(),
  sync_in_progress: z.boolean(),
  run_in_progress: z.boolean(),
});

/** One instance on the dashboard. */
export const dashboardInstanceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  /** The latest successful full run the figures come from; null before the first. */
  run_id: z.uuid().nullable(),
  run_finished_at: isoTime.nullable(),
  overall: scoreSchema.nullable(),
  security_center: securityCenterScoreSchema.nullable(),
  /** Unmuted failing resources in the latest run. */
  failing_findings: z.number().int(),
  /** Finding results of the latest run by delta against the instance's previous run. */
  changes: z.object({
    new: z.number().int(),
    resolved: z.number().int(),
    reopened: z.number().int(),
  }),
  health: instanceHealthSchema,
});

/** Readiness of one framework over the selected instances. */
export const frameworkReadinessSchema = z.object({
  id: z.string(),
  name: z.string(),
  score: z.number().int().nullable(),
  /** Requirements by status: `PASS`, `FAIL`, `NOT_EVALUATED`, `MANUAL`, `NOT_COVERED`, … */
  requirements: countsSchema,
  requirements_total: z.number().int(),
});

/** A check worth fixing first. */
export const topRiskSchema = z.object({
  check_id: z.string(),
  title: z.string(),
  area: z.string(),
  severity: z.string(),
  risk: z.number(),
  /** Points the overall score would rise by if it passed everywhere. */
  recoverable_points: z.number(),
  /** Unmuted failing resources over the instances. */
  affected_resources: z.number().int(),
  /** Instances it fails on. */
  instances: z.number().int(),
});

/** One event of the recent-activity list. */
export const activitySchema = z.object({
  at: isoTime,
  kind: z.string(),
  instance_id: z.uuid().nullable(),
  instance_name: z.string().nullable(),
  /** What happened, e.g. `succeeded`, `risk_accepted`. */
  status: z.string().nullable(),
  subject_id: z.string().nullable(),
  detail: z.string().nullable(),
});

/** Response data of `GET /dashboard`. */
export const dashboardSchema = z.object({
  org_id: z.uuid(),
  generated_at: isoTime,
  filters: z.object({
    instance_ids: z.array(z.uuid()).nullable(),
    framework: z.string().nullable(),
  }),
  /** Instances of the organization (all of them, whatever the filter): for the empty state. */
  instances_total: z.number().int(),
  /** Selected instances with at least one successful full run. */
  instances_analysed: z.number().int(),
  overall: scoreSchema,
  security_center: securityCenterScoreSchema,
  hardening: scoreSchema,
  behavioural: scoreSchema,
  instances: z.array(dashboardInstanceSchema),
  frameworks: z.array(frameworkReadinessSchema),
  /** Unmuted failing resources by check severity and by area. */
  findings: z.object({
    total: z.number().int(),
    by_severity: countsSchema,
    by_area: countsSchema,
  }),
  /** Check verdicts after suppressions, over the instances' latest runs. */
  checks: countsSchema,
  top_risks: z.array(topRiskSchema),
  changes: z.object({
    new: z.number().int(),
    resolved: z.number().int(),
    reopened: z.number().int(),
  }),
  activity: z.array(activitySchema),
});
/** The dashboard of an organization. */
export type Dashboard = z.output<typeof dashboardSchema>;
/** One instance on the dashboard. */
export type DashboardInstance = z.output<typeof dashboardInstanceSchema>;
/** A risk-weighted score. */
export type PostureScore = z.output<typeof scoreSchema>;
/** The Security Center-compatible score. */
export type PostureSecurityCenterScore = z.output<typeof securityCenterScoreSchema>;

// ---------------------------------------------------------------------------
// Insights
// ---------------------------------------------------------------------------

/** Longest trend range, in days. */
export const MAX_TREND_DAYS = 730;

/** Query of `GET /insights/trends`. */
export const trendsQuerySchema = z.object({
  org_id: z.uuid(),
  instance_ids: instanceIdsParam.optional(),
  /** Score of this framework in each run, besides the overall ones. */
  framework: z.string().regex(FRAMEWORK_ID).optional(),
  /** Score of this area in each run. */
  area: z.string().regex(/^[a-z0-9_]{1,60}$/).optional(),
  /** Range in days back from now (default 90). */
  days: z.coerce.number().int().min(1).max(MAX_TREND_DAYS).default(90),
}).strict();
/** Validated trends query. */
export type TrendsQuery = z.output<typeof trendsQuerySchema>;

/** One run on a trend line. */
export const trendPointSchema = z.object({
  run_id: z.uuid(),
  instance_id: z.uuid(),
  at: isoTime,
  overall: z.number().int().nullable(),
  security_center: z.number().int().nullable(),
  /** Score of the requested framework (null when none was asked or it has no weight). */
  framework: z.number().int().nullable(),
  /** Score of the requested area. */
  area: z.number().int().nullable(),
});

/** Response data of `GET /insights/trends`. */
export const trendsSchema = z.object({
  org_id: z.uuid(),
  from: isoTime,
  to: isoTime,
  instances: z.array(z.object({ id: z.uuid(), name: z.string() })),
  /** Scores as computed when each successful full run finished, oldest first. */
  runs: z.array(trendPointSchema),
  /** Findings opened (new or reopened) and resolved per ISO week (Monday, UTC). */
  weekly: z.array(z.object({
    week: isoTime,
    opened: z.number().int(),
    resolved: z.number().int(),
    /** Suppressions in force at the end of the week. */
    muted: z.number().int(),
    /** Findings whose triage was risk accepted at the end of the week. */
    risk_accepted: z.number().int(),
  })),
  /** Mean time to remediate findings resolved in the range, by severity, in days. */
  mttr_days: z.record(z.string(), z.object({ mean: z.number(), resolved: z.number().int() })),
});
/** Trends of an organization. */
export type Trends = z.output<typeof trendsSchema>;

/** Query of `GET /insights/compare/runs`. */
export const compareRunsQuerySchema = z.object({
  /** The earlier run (the baseline). */
  base: z.uuid(),
  /** The later run. */
  target: z.uuid(),
}).strict();

/** A check whose verdict (after suppressions) differs between two sides. */
export const verdictChangeSchema = z.object({
  check_id: z.string(),
  title: z.string(),
  area: z.string(),
  severity: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  failed_from: z.number().int().nullable(),
  failed_to: z.number().int().nullable(),
});

/** A finding that appeared or went away between two runs. */
export const findingChangeSchema = z.object({
  finding_id: z.uuid(),
  check_id: z.string(),
  title: z.string(),
  severity: z.string(),
  resource_key: z.string(),
  table_name: z.string(),
});

/** One score's change between two runs. */
export const scoreDeltaSchema = z.object({
  from: z.number().int().nullable(),
  to: z.number().int().nullable(),
  delta: z.number().int().nullable(),
  movers: z.array(z.object({
    check_id: z.string(),
    title: z.string(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    impact: z.number(),
  })),
});

/** At most this many findings listed per side of a run comparison (counts are exact). */
export const COMPARE_FINDINGS_LIMIT = 200;

/** Response data of `GET /insights/compare/runs`. */
export const runComparisonSchema = z.object({
  instance_id: z.uuid(),
  base: z.object({ id: z.uuid(), finished_at: isoTime.nullable(), catalog_version: z.string() }),
  target: z.object({ id: z.uuid(), finished_at: isoTime.nullable(), catalog_version: z.string() }),
  /** Score key (`overall`, `security_center`, `area:<id>`, `framework:<id>`…) → change. */
  scores: z.record(z.string(), scoreDeltaSchema),
  checks_changed: z.array(verdictChangeSchema),
  findings: z.object({
    new_count: z.number().int(),
    resolved_count: z.number().int(),
    new: z.array(findingChangeSchema),
    resolved: z.array(findingChangeSchema),
  }),
});
/** Two runs compared. */
export type RunComparison = z.output<typeof runComparisonSchema>;

/** Query of `GET /insights/compare/instances`. */
export const compareInstancesQuerySchema = z.object({
  a: z.uuid(),
  b: z.uuid(),
  /** `differences` (default): only checks whose verdict or value differs. */
  show: z.enum(["differences", "all"]).default("differences"),
}).strict();

/** One side of a check in an instance comparison. */
export const instanceSideSchema = z.object({
  verdict: z.string(),
  failed: z.number().int(),
  /** For a hardening setting: the value found, as the evidence records it. */
  value: z.string().nullable(),
}).nullable();

/** Response data of `GET /insights/compare/instances`. */
export const instanceComparisonSchema = z.object({
  a: z.object({ id: z.uuid(), name: z.string(), run_id: z.uuid().nullable() }),
  b: z.object({ id: z.uuid(), name: z.string(), run_id: z.uuid().nullable() }),
  scores: z.object({
    a: z.object({
      overall: z.number().int().nullable(),
      security_center: z.number().int().nullable(),
    }),
    b: z.object({
      overall: z.number().int().nullable(),
      security_center: z.number().int().nullable(),
    }),
  }),
  /** Checks compared, and how many differ. */
  compared: z.number().int(),
  differing: z.number().int(),
  rows: z.array(z.object({
    check_id: z.string(),
    title: z.string(),
    family: z.string(),
    area: z.string(),
    severity: z.string(),
    differs: z.boolean(),
    a: instanceSideSchema,
    b: instanceSideSchema,
  })),
});
/** Two instances compared. */
export type InstanceComparison = z.output<typeof instanceComparisonSchema>;

/** Query of `GET /insights/recommendations`. */
export const recommendationsQuerySchema = z.object({
  org_id: z.uuid(),
  /** Suppressions expiring within this many days (default 14). */
  expiring_days: z.coerce.number().int().min(1).max(365).default(14),
}).strict();

/** Response data of `GET /insights/recommendations`. */
export const recommendationsSchema = z.object({
  /** High-risk checks with few failing resources: the most score for the least work. */
  quick_wins: z.array(topRiskSchema),
  /** Checks failing on every analysed instance (two or more). */
  failing_everywhere: z.array(topRiskSchema),
  expiring_suppressions: z.array(z.object({
    id: z.uuid(),
    scope: z.string(),
    check_id: z.string(),
    instance_id: z.uuid().nullable(),
    finding_id: z.uuid().nullable(),
    reason: z.string(),
    owner_id: z.uuid().nullable(),
    expires_at: isoTime,
  })),
});
/** Recommendations for an organization. */
export type Recommendations = z.output<typeof recommendationsSchema>;
