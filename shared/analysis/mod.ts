/**
 * The analysis engine: runs of the check catalog over an instance's synced
 * records (the `analysis.run` task, started by a person or after every
 * completed sync), findings with deltas, scores, suppressions,
 * triage, custom checks written as encoded queries, and the organization's view
 * of the catalog. The catalog itself is `./catalog/mod.ts`.
 *
 * @example
 * ```ts
 * const { run, job } = await startRun(services, claims, { instance_id, scope: { type: "all" } });
 * const page = await listFindings(db, claims, { run_id: run.id, sort: "severity", limit: 50 });
 * ```
 *
 * @module
 */

export {
  ANALYSIS_RUN_TASK_KIND,
  analysisRunPayloadSchema,
  analysisRunTask,
  DEFAULT_CHECK_TIMEOUT_MS,
} from "./engine/task.ts";
export type { AnalysisRunTask, PlanUnit } from "./engine/task.ts";
export { analyzeAfterSync } from "./engine/after_sync.ts";
export type {
  CompletedSync,
  SyncAnalysisOutcome,
  SyncAnalysisSkip,
  WorkerContext,
} from "./engine/after_sync.ts";
export {
  authorizeRun,
  closeStaleRuns,
  getRun,
  getRunCheck,
  getRunFramework,
  getRunProgress,
  listRunChecks,
  listRuns,
  RUN_NOT_FOUND,
  startRun,
} from "./engine/runs.ts";
export type {
  AnalysisServices,
  RequirementResult,
  RunCheckDetail,
  RunCheckItem,
  RunDetail,
  RunFramework,
  RunListItem,
  RunPage,
  RunProgress,
  RunStatus,
  StartRunOptions,
} from "./engine/runs.ts";
export { EVIDENCE_LIMIT } from "./engine/record.ts";
export { catalogVersion } from "./engine/version.ts";
export { computeScores, computeSummary, effectiveChecks, explainScores } from "./scores/scores.ts";
export type {
  EffectiveCheck,
  RunScores,
  RunSummary,
  Score,
  ScoreChange,
  ScoreExplanation,
  ScoreMover,
  SecurityCenterScore,
} from "./scores/scores.ts";
export {
  FINDING_SORTS,
  findingGroupsQuerySchema,
  getFinding,
  listFindingGroups,
  listFindings,
  listFindingsQuerySchema,
  setTriage,
  TRIAGE_STATES,
  triageSchema,
} from "./findings/findings.ts";
export type {
  FindingCheck,
  FindingDetail,
  FindingFilterQuery,
  FindingGroup,
  FindingGroups,
  FindingListItem,
  FindingPage,
  ListFindingsQuery,
  SuppressionView,
  TriageState,
} from "./findings/findings.ts";
export {
  BULK_LIMIT,
  bulkMute,
  bulkMuteSchema,
  bulkTriage,
  bulkTriageSchema,
} from "./findings/bulk.ts";
export type { BulkResult } from "./findings/bulk.ts";
export { fillPlaceholders, fillRemediation, recordUrl } from "./findings/remediation.ts";
export type { RemediationContext } from "./findings/remediation.ts";
export {
  createSuppression,
  createSuppressionSchema,
  listSuppressions,
  listSuppressionsQuerySchema,
  revokeSuppression,
} from "./findings/suppressions.ts";
export { compileCustomQuery, CUSTOM_QUERY_LIMITS, CustomQueryError } from "./custom/compile.ts";
export type { CompileCustomOptions, CompiledCustomQuery } from "./custom/compile.ts";
export { displayField, fieldInfo, tableFields } from "./custom/dictionary.ts";
export type { FieldInfo } from "./custom/dictionary.ts";
export {
  createCustomCheck,
  createCustomCheckSchema,
  CUSTOM_AREAS,
  deleteCustomCheck,
  describeTables,
  getCustomCheck,
  listCustomChecks,
  previewCustomCheck,
  previewSchema,
  updateCustomCheck,
  updateCustomCheckSchema,
} from "./custom/store.ts";
export type { CustomCheckView, PreviewResult, SyncedTable } from "./custom/store.ts";
export {
  checkSettingsSchema,
  getCheckDetail,
  getFramework,
  listChecks,
  listChecksQuerySchema,
  listFrameworks,
  putCheckSettings,
} from "./catalog_api.ts";
export type {
  CheckDetail,
  CheckListItem,
  FrameworkDetail,
  FrameworkListItem,
} from "./catalog_api.ts";
export {
  buildOrgChecks,
  effectiveParameters,
  effectiveParameterSources,
  loadOrgChecks,
  orgParameterSettings,
  selectChecks,
  severityRank,
} from "./org_checks.ts";
export type { CheckFamily, CustomCheckRecord, OrgCheck, RunScope } from "./org_checks.ts";
export {
  bulkResultSchema,
  checkDetailSchema,
  checkListItemSchema,
  customCheckSchema,
  findingDetailSchema,
  findingGroupsSchema,
  findingPageSchema,
  frameworkDetailSchema,
  frameworkListItemSchema,
  previewResultSchema,
  queuedRunSchema,
  runCheckDetailSchema,
  runCheckItemSchema,
  runDetailSchema,
  runFrameworkSchema,
  runListItemSchema,
  suppressionSchema,
  syncedTableSchema,
  triageViewSchema,
} from "./api_schemas.ts";
