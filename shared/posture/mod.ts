/**
 * Posture aggregates over an organization's instances: the dashboard (scores,
 * framework readiness, failing findings, what to fix first, changes, health,
 * activity) and insights (trends, run-to-run and instance-to-instance
 * comparison, recommendations), cached per organization with versioned keys.
 * Renderer-agnostic: the web app, reports and widgets use the same shapes
 * (`schemas.ts`).
 *
 * @example
 * ```ts
 * const { data, hit } = await loadDashboard(services, claims, { org_id });
 * // after a change commits:
 * await invalidatePosture(services.cache, orgId, "suppression");
 * ```
 *
 * @module
 */

export {
  cachedPosture,
  invalidatePosture,
  POSTURE_CACHE_TTL_SECONDS,
  POSTURE_JOB_KINDS,
  postureVersion,
} from "./cache.ts";
export type { PostureChange } from "./cache.ts";
export {
  ACTIVITY_LIMIT,
  getDashboard,
  rankRisks,
  readDashboard,
  TOP_RISKS_LIMIT,
} from "./dashboard.ts";
export type { CheckAggregate } from "./dashboard.ts";
export {
  compareInstances,
  compareRuns,
  getRecommendations,
  getTrends,
  QUICK_WIN_MAX_RESOURCES,
  QUICK_WIN_MIN_RISK,
  readTrends,
  RECOMMENDATIONS_LIMIT,
} from "./insights.ts";
export {
  loadAuthorizedDashboard,
  loadAuthorizedTrends,
  loadDashboard,
  loadRecommendations,
  loadTrends,
} from "./service.ts";
export type { CachedBody, PostureServices } from "./service.ts";
export {
  activitySchema,
  COMPARE_FINDINGS_LIMIT,
  compareInstancesQuerySchema,
  compareRunsQuerySchema,
  dashboardInstanceSchema,
  dashboardQuerySchema,
  dashboardSchema,
  findingChangeSchema,
  frameworkReadinessSchema,
  instanceComparisonSchema,
  instanceHealthSchema,
  instanceIdsParam,
  instanceSideSchema,
  MAX_INSTANCE_FILTER,
  MAX_TREND_DAYS,
  recommendationsQuerySchema,
  recommendationsSchema,
  runComparisonSchema,
  scoreDeltaSchema,
  scoreSchema,
  securityCenterScoreSchema,
  topRiskSchema,
  trendPointSchema,
  trendsQuerySchema,
  trendsSchema,
  verdictChangeSchema,
} from "./schemas.ts";
export type {
  Dashboard,
  DashboardInstance,
  DashboardQuery,
  InstanceComparison,
  PostureScore,
  PostureSecurityCenterScore,
  Recommendations,
  RunComparison,
  Trends,
  TrendsQuery,
} from "./schemas.ts";
