/**
 * The checks an organization runs: the built-in catalog with its settings
 * (enabled, parameter overrides) plus its own custom checks, in one shape, and
 * the selection of a run's scope.
 *
 * @module
 */

import type { Tx } from "../db/mod.ts";
import { DEFAULT_ORG_SETTINGS } from "../organizations/mod.ts";
import {
  type Check,
  CHECKS,
  type FrameworkMapping,
  FRAMEWORKS,
  ORG_PARAMETER_SETTINGS,
  type OrgParameterSettings,
  type ParameterSource,
  parameterSource,
  type ParameterSpec,
  type ParameterValues,
  type Reference,
  type Remediation,
  resolveParameters,
  SEVERITIES,
  type Severity,
} from "./catalog/mod.ts";

/** Where a check comes from. */
export type CheckFamily = "hardening" | "behavioural" | "custom";

/** A custom check as stored. */
export interface CustomCheckRecord {
  id: string;
  org_id: string;
  check_id: string;
  title: string;
  description: string;
  risk: string;
  remediation: string;
  severity: Severity;
  risk_score: number;
  area: string;
  table_name: string;
  query: string;
  evidence_fields: string[];
  frameworks: FrameworkMapping[];
  enabled: boolean;
  version: number;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** An organization's setting for one built-in check. */
export interface CheckSettingRecord {
  check_id: string;
  enabled: boolean;
  parameters: Record<string, unknown>;
  updated_by: string | null;
  updated_at: Date;
}

/** One check as an organization sees it. */
export interface OrgCheck {
  readonly id: string;
  readonly title: string;
  readonly area: string;
  readonly family: CheckFamily;
  readonly severity: Severity;
  /** 0–10; the weight of the check in risk-weighted scores. */
  readonly riskScore: number;
  /** Security Center risk, for settings Security Center scores; null otherwise. */
  readonly scRisk: number | null;
  readonly description: string;
  readonly risk: string;
  readonly remediation: Remediation;
  readonly references: readonly Reference[];
  readonly resourceType: string;
  readonly frameworks: readonly FrameworkMapping[];
  readonly controls: readonly string[];
  /** Tables it reads. */
  readonly tables: readonly string[];
  readonly parameters: readonly ParameterSpec[];
  /** The organization's parameter overrides (validated when saved and when a run starts). */
  readonly overrides: Readonly<Record<string, unknown>>;
  /**
   * The organization's settings that supply parameter defaults
   * (`dormant_account_days` for the dormancy window); overrides win over them.
   */
  readonly orgSettings: OrgParameterSettings;
  readonly enabled: boolean;
  readonly builtin: Check | null;
  readonly custom: CustomCheckRecord | null;
}

/** Rank of a severity, 0 = critical … 4 = informational (sorts most severe first). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function fromBuiltin(
  check: Check,
  setting: CheckSettingRecord | undefined,
  orgSettings: OrgParameterSettings,
): OrgCheck {
  const sc = check.hardening?.source === "security_center" ? check.hardening.risk ?? 0 : null;
  return {
    id: check.id,
    title: check.title,
    area: check.area,
    family: check.family,
    severity: check.severity,
    riskScore: check.riskScore,
    scRisk: sc,
    description: check.description,
    risk: check.risk,
    remediation: check.remediation,
    references: check.references,
    resourceType: check.resourceType,
    frameworks: check.frameworks,
    controls: check.controls,
    tables: [...new Set(check.tables.map((t) => t.table))],
    parameters: check.parameters,
    overrides: setting?.parameters ?? {},
    orgSettings,
    enabled: setting?.enabled ?? true,
    builtin: check,
    custom: null,
  };
}

/**
 * The custom check as an {@link OrgCheck}.
 *
 * @param record the stored custom check
 * @returns the check (its tables are known once its query is compiled)
 */
export function fromCustom(record: CustomCheckRecord): OrgCheck {
  return {
    id: record.check_id,
    title: record.title,
    area: record.area,
    family: "custom",
    severity: record.severity,
    riskScore: Number(record.risk_score),
    scRisk: null,
    description: record.description,
    risk: record.risk,
    remediation: { summary: record.remediation, steps: [], code: [] },
    references: [],
    resourceType: record.table_name,
    frameworks: record.frameworks,
    controls: [],
    tables: [record.table_name],
    parameters: [],
    overrides: {},
    orgSettings: {},
    enabled: record.enabled,
    builtin: null,
    custom: record,
  };
}

/**
 * Combines the catalog with an organization's settings and custom checks.
 *
 * @param settings its settings of built-in checks
 * @param customs its custom checks
 * @param options its organization settings that supply parameter defaults
 * @returns built-in checks in catalog order, then custom checks by id
 */
export function buildOrgChecks(
  settings: readonly CheckSettingRecord[],
  customs: readonly CustomCheckRecord[],
  options: { orgSettings?: OrgParameterSettings } = {},
): OrgCheck[] {
  const byId = new Map(settings.map((s) => [s.check_id, s]));
  const orgSettings = options.orgSettings ?? {};
  return [
    ...CHECKS.map((c) => fromBuiltin(c, byId.get(c.id), orgSettings)),
    ...[...customs].sort((a, b) => a.check_id.localeCompare(b.check_id)).map(fromCustom),
  ];
}

/** Columns of a custom check row. */
export const CUSTOM_CHECK_COLUMNS = [
  "id",
  "org_id",
  "check_id",
  "title",
  "description",
  "risk",
  "remediation",
  "severity",
  "risk_score",
  "area",
  "table_name",
  "query",
  "evidence_fields",
  "frameworks",
  "enabled",
  "version",
  "created_by",
  "updated_by",
  "created_at",
  "updated_at",
] as const;

/**
 * The organization settings that supply parameter defaults, from the stored
 * settings with the organization defaults filled in (so an organization that
 * never saved `dormant_account_days` gets its default, 90).
 *
 * @param stored the organization's `settings` as stored (keys may be missing)
 * @returns the settings named in the catalog's `ORG_PARAMETER_SETTINGS`
 */
export function orgParameterSettings(
  stored: Readonly<Record<string, unknown>> | null | undefined,
): OrgParameterSettings {
  const merged: Record<string, unknown> = { ...DEFAULT_ORG_SETTINGS, ...stored };
  return Object.fromEntries(ORG_PARAMETER_SETTINGS.map((name) => [name, merged[name]]));
}

/**
 * Reads an organization's check settings, the organization settings that
 * supply parameter defaults, and its custom checks (in the caller's tenant transaction).
 *
 * @param tx a tenant transaction
 * @param orgId the organization
 * @returns every check it can run
 */
export async function loadOrgChecks(tx: Tx, orgId: string): Promise<OrgCheck[]> {
  const settings = await tx<CheckSettingRecord[]>`
    select check_id, enabled, parameters, updated_by, updated_at
    from public.analysis_check_settings where org_id = ${orgId}`;
  const customs = await tx<CustomCheckRecord[]>`
    select ${tx(CUSTOM_CHECK_COLUMNS)} from public.analysis_custom_checks where org_id = ${orgId}`;
  const [org] = await tx<{ settings: Record<string, unknown> | null }[]>`
    select settings from public.organizations where id = ${orgId}`;
  return buildOrgChecks(settings, customs.map(normalizeCustom), {
    orgSettings: orgParameterSettings(org?.settings),
  });
}

/**
 * The parameters a built-in check runs with for its organization: per-check
 * override > organization setting (e.g. `dormant_account_days`) > catalog
 * default, validated against the check's bounds.
 *
 * @param check the check as the organization sees it
 * @returns name → value (`{}` for custom checks)
 * @throws {ParameterError} when a value is out of bounds or a name is unknown
 */
export function effectiveParameters(check: OrgCheck): ParameterValues {
  if (!check.builtin) return {};
  return resolveParameters(check.builtin, check.overrides, { settings: check.orgSettings });
}

/**
 * Where each parameter of a check takes its value from.
 *
 * @param check the check as the organization sees it
 * @returns name → `override`, `organization` or `catalog`
 */
export function effectiveParameterSources(check: OrgCheck): Record<string, ParameterSource> {
  return Object.fromEntries(
    check.parameters.map((p) => [
      p.name,
      parameterSource(p, { overrides: check.overrides, settings: check.orgSettings }),
    ]),
  );
}

/**
 * Normalizes a custom check row as postgres.js returns it (numeric as text).
 *
 * @param row the row
 * @returns the record
 */
export function normalizeCustom(row: CustomCheckRecord): CustomCheckRecord {
  return { ...row, risk_score: Number(row.risk_score) };
}

/** What a run evaluates. */
export type RunScope =
  | { readonly type: "all" }
  | { readonly type: "framework"; readonly framework: string }
  | { readonly type: "checks"; readonly checks: readonly string[] };

/** Thrown when a scope names a framework or checks that do not exist. */
export class ScopeError extends Error {
  override name = "ScopeError";
}

/**
 * The checks a scope selects: every enabled check, the enabled checks mapped to
 * a framework, or the checks named (enabled or not: naming one is explicit).
 *
 * @param checks the organization's checks
 * @param scope what to run
 * @returns the checks in catalog order
 * @throws {ScopeError} for an unknown framework or check id, or an empty selection
 */
export function selectChecks(checks: readonly OrgCheck[], scope: RunScope): OrgCheck[] {
  let selected: OrgCheck[];
  if (scope.type === "all") {
    selected = checks.filter((c) => c.enabled);
  } else if (scope.type === "framework") {
    const framework = FRAMEWORKS.find((f) => f.id === scope.framework);
    if (!framework) throw new ScopeError(`Cannot select checks: no framework "${scope.framework}"`);
    selected = checks.filter((c) =>
      c.enabled && c.frameworks.some((m) => m.framework === scope.framework)
    );
  } else {
    const known = new Map(checks.map((c) => [c.id, c]));
    const unknown = scope.checks.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new ScopeError(
        `Cannot select checks: no check ${unknown.map((id) => `"${id}"`).join(", ")}`,
      );
    }
    const wanted = new Set(scope.checks);
    selected = checks.filter((c) => wanted.has(c.id));
  }
  if (selected.length === 0) throw new ScopeError("Cannot start a run: the scope selects no check");
  return selected;
}
