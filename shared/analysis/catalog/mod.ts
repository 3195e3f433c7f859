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
export { FRAMEWORK_SOURCES, resolveFrameworks } from "./frameworks.ts";
export type { FrameworkSource } from "./frameworks.ts";
export { AREA_ID_PREFIX, lintCatalog } from "./lint.ts";
export { catalogDocument, CHECKS_DOC_PATH, renderChecksMarkdown } from "./docs.ts";
export { AREA_TITLES, AREAS, CONTROL_IDS, ORG_PARAMETER_SETTINGS, SEVERITIES } from "./types.ts";
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
  Severity,
  TableRequirement,
} from "./types.ts";
