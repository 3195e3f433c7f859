/**
 * The check catalog: checks as data (metadata, parameters, tables and fields,
 * framework mappings, evaluator SQL), the hardening settings with the Security
 * Center score, and the functions the run engine needs to evaluate them.
 *
 * @example
 * ```ts
 * import { canEvaluate, CHECKS, planEvaluation, runEvaluation, summarizeCheck } from "./mod.ts";
 * const ready = CHECKS.filter((c) => canEvaluate(c, tables).ok);
 * for (const statement of planEvaluation(ready, { parameters: orgOverrides })) {
 *   const rows = await runEvaluation(tx, statement, { instanceId, now });
 *   // summarizeCheck(check, rows.get(check.id) ?? [], canEvaluate(check, tables))
 * }
 * ```
 *
 * @module
 */

export { CHECKS, FRAMEWORKS, getCheck, requiredFields, requiredRecords } from "./catalog.ts";
export {
  canEvaluate,
  customReadiness,
  fieldProblems,
  readinessOf,
  tableProblem,
} from "./availability.ts";
export type { InstancePlugins, InstanceTableState, NotJudged, Readiness } from "./availability.ts";
export { hardeningScore, planEvaluation, runEvaluation, summarizeCheck } from "./evaluate.ts";
export type {
  CheckOutcome,
  EvaluationStatement,
  PlanOptions,
  RunOptions,
  SqlRunner,
} from "./evaluate.ts";
export {
  defaultParameters,
  nonDefaultParameters,
  ParameterError,
  parameterSource,
  resolveParameters,
} from "./parameters.ts";
export type {
  OrgParameterSettings,
  ParameterSource,
  ResolveParametersOptions,
} from "./parameters.ts";
export {
  effectivePropertyValue,
  evaluateHardeningSetting,
  HARDENING_CATEGORIES,
  HARDENING_EVALUATOR_SQL,
  HARDENING_SETTINGS,
  hardeningParameters,
  satisfiesRule,
  securityCenterScore,
  SKIPPED_HARDENING_SETTINGS,
} from "./hardening.ts";
export type {
  HardeningItemVerdict,
  HardeningSnapshot,
  HardeningVerdict,
  ScoredSetting,
  SecurityCenterScore,
  SkippedHardeningSetting,
} from "./hardening.ts";
export {
  coverageCounts,
  FRAMEWORK_SOURCES,
  requirementCoverage,
  resolveFrameworks,
} from "./frameworks.ts";
export type { CoverageCounts, FrameworkSource } from "./frameworks.ts";
export { COVERAGE_DOC_DIR, coverageDocPath } from "./coverage_docs.ts";
export { AREA_ID_PREFIX, lintCatalog } from "./lint.ts";
export {
  catalogDocument,
  CHECKS_DOC_PATH,
  generatedDocuments,
  renderChecksMarkdown,
} from "./docs.ts";
export { HARDENING_DOC_PATH, hardeningAnchor, renderHardeningReference } from "./reference.ts";
export { checkCitations, findCitations, markdownAnchors } from "./citations.ts";
export {
  AREA_TITLES,
  AREAS,
  CONTROL_IDS,
  ORG_PARAMETER_SETTINGS,
  REQUIREMENT_COVERAGES,
  REQUIREMENT_TYPES,
  SEVERITIES,
} from "./types.ts";
export type {
  Area,
  Check,
  ControlId,
  Evaluator,
  EvaluatorRow,
  Framework,
  FrameworkMapping,
  FrameworkRequirement,
  HardeningItem,
  HardeningRule,
  HardeningSetting,
  OrgParameterSetting,
  ParameterSpec,
  ParameterValue,
  ParameterValues,
  Reference,
  Remediation,
  RemediationCode,
  RequirementCoverage,
  RequirementType,
  Severity,
  TableRequirement,
} from "./types.ts";
