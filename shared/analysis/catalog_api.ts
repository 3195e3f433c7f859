/**
 * The check catalog as an organization sees it through the API: built-in and
 * custom checks with their settings, frameworks with their requirements, and
 * the settings admins change (enabled, parameter overrides).
 *
 * @module
 */

import { z } from "zod";
import type { Database, TenantClaims } from "../db/mod.ts";
import { HttpError } from "../http/errors.ts";
import { requirePermission } from "../organizations/mod.ts";
import {
  AREA_TITLES,
  type CoverageCounts,
  coverageCounts,
  FRAMEWORKS,
  getCheck,
  ParameterError,
  type ParameterSource,
  type RequirementCoverage,
  type RequirementType,
  resolveParameters,
  SEVERITIES,
  type Severity,
} from "./catalog/mod.ts";
import {
  type CheckFamily,
  effectiveParameters,
  effectiveParameterSources,
  loadOrgChecks,
  type OrgCheck,
} from "./org_checks.ts";

const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z.string().transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean)).pipe(
    z.array(item).max(50),
  );

/** Query of `GET /catalog`. */
export const listChecksQuerySchema = z.object({
  org_id: z.uuid(),
  area: list(z.string().regex(/^[a-z_]{1,40}$/)).optional(),
  severity: list(z.enum(SEVERITIES)).optional(),
  family: list(z.enum(["hardening", "behavioural", "custom"])).optional(),
  framework: z.string().regex(/^[a-z0-9_]{1,60}$/).optional(),
  enabled: z.enum(["true", "false"]).optional(),
  /** Words in the id, title or description. */
  q: z.string().trim().min(1).max(100).optional(),
});

/** A check in the catalog list. */
export interface CheckListItem {
  id: string;
  title: string;
  area: string;
  area_title: string;
  family: CheckFamily;
  severity: Severity;
  risk_score: number;
  /** Security Center risk for settings it scores; null otherwise. */
  sc_risk: number | null;
  frameworks: { framework: string; requirement: string }[];
  enabled: boolean;
  /** True when the organization overrides a parameter. */
  customized: boolean;
}

/** A check in full. */
export interface CheckDetail extends CheckListItem {
  description: string;
  risk: string;
  remediation: {
    summary: string;
    steps: readonly string[];
    code: readonly { kind: string; language: string; code: string }[];
  };
  references: readonly { title: string; url: string }[];
  resource_type: string;
  controls: readonly string[];
  tables: readonly string[];
  parameters: {
    name: string;
    kind: string;
    description: string;
    /** The catalog default. */
    default: unknown;
    /** The value a run uses now: override > organization setting > catalog default. */
    value: unknown;
    /** Where `value` comes from. */
    source: ParameterSource;
    /** The organization setting that replaces the catalog default, if any (e.g. `dormant_account_days`). */
    org_setting: string | null;
    overridden: boolean;
    bounds: Record<string, unknown>;
  }[];
  hardening: { key: string; category: string; recommended: string; title: string } | null;
  custom: {
    id: string;
    table_name: string;
    query: string;
    evidence_fields: string[];
    version: number;
  } | null;
}

function item(check: OrgCheck): CheckListItem {
  return {
    id: check.id,
    title: check.title,
    area: check.area,
    area_title: (AREA_TITLES as Record<string, string>)[check.area] ?? check.area,
    family: check.family,
    severity: check.severity,
    risk_score: check.riskScore,
    sc_risk: check.scRisk,
    frameworks: [...check.frameworks],
    enabled: check.enabled,
    customized: Object.keys(check.overrides).length > 0,
  };
}

function detail(check: OrgCheck): CheckDetail {
  const values = check.builtin
    ? (() => {
      try {
        return effectiveParameters(check);
      } catch {
        return resolveParameters(check.builtin!, {});
      }
    })()
    : {};
  const sources = effectiveParameterSources(check);
  return {
    ...item(check),
    description: check.description,
    risk: check.risk,
    remediation: check.remediation,
    references: check.references,
    resource_type: check.resourceType,
    controls: check.controls,
    tables: check.tables,
    parameters: check.parameters.map((p) => {
      const { name, kind, description, default: def, ...rest } = p;
      const { orgSetting, ...bounds } = rest as typeof rest & { orgSetting?: string };
      return {
        name,
        kind,
        description,
        default: def,
        value: values[name],
        source: sources[name] ?? "catalog",
        org_setting: orgSetting ?? null,
        overridden: Object.hasOwn(check.overrides, name),
        bounds,
      };
    }),
    hardening: check.builtin?.hardening
      ? {
        key: check.builtin.hardening.key,
        category: check.builtin.hardening.category,
        recommended: check.builtin.hardening.recommended,
        title: check.builtin.hardening.title,
      }
      : null,
    custom: check.custom
      ? {
        id: check.custom.id,
        table_name: check.custom.table_name,
        query: check.custom.query,
        evidence_fields: check.custom.evidence_fields,
        version: check.custom.version,
      }
      : null,
  };
}

/**
 * The catalog for an organization (members), filtered.
 *
 * @param db the database
 * @param claims the caller
 * @param query organization and filters
 * @returns matching checks in catalog order (custom checks last)
 */
export async function listChecks(
  db: Database,
  claims: TenantClaims,
  query: z.output<typeof listChecksQuerySchema>,
): Promise<CheckListItem[]> {
  const checks = await db.asTenant(claims, async (tx) => {
    await requirePermission(tx, query.org_id, "checks.read");
    return await loadOrgChecks(tx, query.org_id);
  });
  const words = query.q?.toLowerCase().split(/\s+/) ?? [];
  return checks.filter((c) =>
    (!query.area || query.area.includes(c.area)) &&
    (!query.severity || query.severity.includes(c.severity)) &&
    (!query.family || query.family.includes(c.family)) &&
    (!query.framework || c.frameworks.some((m) => m.framework === query.framework)) &&
    (query.enabled === undefined || String(c.enabled) === query.enabled) &&
    words.every((w) => `${c.id} ${c.title} ${c.description}`.toLowerCase().includes(w))
  ).map(item);
}

/**
 * One check in full for an organization (members).
 *
 * @param db the database
 * @param claims the caller
 * @param orgId the organization
 * @param checkId the check
 * @returns the check with its parameters, remediation and mappings
 * @throws {HttpError} 404 when the organization has no such check
 */
export async function getCheckDetail(
  db: Database,
  claims: TenantClaims,
  orgId: string,
  checkId: string,
): Promise<CheckDetail> {
  const checks = await db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "checks.read");
    return await loadOrgChecks(tx, orgId);
  });
  const check = checks.find((c) => c.id === checkId);
  if (!check) throw new HttpError(404, `No check "${checkId}"`);
  return detail(check);
}

/** A framework in the list. */
export interface FrameworkListItem {
  id: string;
  name: string;
  version: string;
  description: string;
  url: string;
  /** Every requirement of the framework version, mapped or not. */
  requirements: number;
  checks: number;
  /** Requirements by coverage: covered, partial, manual, not_covered (and total). */
  coverage: CoverageCounts;
}

/**
 * Every framework with its requirement and check counts.
 *
 * @returns the frameworks in documentation order
 */
export function listFrameworks(): FrameworkListItem[] {
  return FRAMEWORKS.map((f) => ({
    id: f.id,
    name: f.name,
    version: f.version,
    description: f.description,
    url: f.url,
    requirements: f.requirements.length,
    checks: new Set(f.requirements.flatMap((r) => r.checks)).size,
    coverage: coverageCounts(f.requirements),
  }));
}

/** A framework with its requirements and the built-in checks that serve each. */
export interface FrameworkDetail extends FrameworkListItem {
  requirement_list: {
    id: string;
    name: string;
    section: string;
    /** How the requirement can be assessed: automated, partial or manual. */
    type: RequirementType;
    /** covered / partial (checks serve it), manual or not_covered (none do). */
    coverage: RequirementCoverage;
    checks: { id: string; title: string; severity: Severity }[];
  }[];
}

/**
 * One framework with its requirements and the built-in checks that serve each.
 *
 * @param id the framework id
 * @returns the framework
 * @throws {HttpError} 404 for an unknown id
 */
export function getFramework(id: string): FrameworkDetail {
  const f = FRAMEWORKS.find((x) => x.id === id);
  if (!f) throw new HttpError(404, `No framework "${id}"`);
  return {
    ...listFrameworks().find((x) => x.id === id)!,
    requirement_list: f.requirements.map((r) => ({
      id: r.id,
      name: r.name,
      section: r.section,
      type: r.type,
      coverage: r.coverage,
      checks: r.checks.flatMap((c) => {
        const check = getCheck(c);
        return check ? [{ id: check.id, title: check.title, severity: check.severity }] : [];
      }),
    })),
  };
}

/** Body of `PUT /catalog/:checkId/settings`. */
export const checkSettingsSchema = z.object({
  org_id: z.uuid(),
  enabled: z.boolean().optional(),
  /** Parameter overrides by name; `{}` restores the defaults. */
  parameters: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Enables or disables a built-in check for the organization and sets its
 * parameter overrides (admin or owner), validated against the check's bounds.
 *
 * @param db the database
 * @param claims the caller
 * @param checkId a built-in check
 * @param input organization, enabled, parameters
 * @returns the check as the organization now sees it
 * @throws {HttpError} 404 unknown check, 403 below admin, 422 out-of-bounds parameters
 */
export async function putCheckSettings(
  db: Database,
  claims: TenantClaims,
  checkId: string,
  input: z.output<typeof checkSettingsSchema>,
): Promise<CheckDetail> {
  const check = getCheck(checkId);
  if (!check) {
    throw new HttpError(
      404,
      `No built-in check "${checkId}" (custom checks are enabled on the check itself)`,
    );
  }
  if (input.parameters) {
    try {
      resolveParameters(check, input.parameters);
    } catch (error) {
      if (!(error instanceof ParameterError)) throw error;
      throw new HttpError(422, error.message, {
        code: "invalid_parameters",
        details: error.issues.map((issue) => ({
          path: `parameters.${issue.split(":")[0]}`,
          message: issue,
        })),
      });
    }
  }
  await db.asTenant(claims, async (tx) => {
    await requirePermission(tx, input.org_id, "checks.configure");
    await tx`
      insert into public.analysis_check_settings (org_id, check_id, enabled, parameters, updated_by)
      values (${input.org_id}, ${checkId}, ${input.enabled ?? true},
              ${tx.json((input.parameters ?? {}) as never)}, ${claims.sub})
      on conflict (org_id, check_id) do update set
        enabled = coalesce(${
      input.enabled ?? null
    }::boolean, public.analysis_check_settings.enabled),
        parameters = case when ${input.parameters !== undefined} then excluded.parameters
                          else public.analysis_check_settings.parameters end,
        updated_by = excluded.updated_by`;
  });
  return await getCheckDetail(db, claims, input.org_id, checkId);
}
