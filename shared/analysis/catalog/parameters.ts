/**
 * Check parameters: defaults, bounds, and validation of organization overrides.
 *
 * @module
 */

import { z } from "zod";
import type {
  Check,
  OrgParameterSetting,
  ParameterSpec,
  ParameterValue,
  ParameterValues,
} from "./types.ts";

/** Thrown when parameter overrides break a check's declared bounds. */
export class ParameterError extends Error {
  /** The check whose parameters were rejected. */
  readonly checkId: string;
  /** One message per rejected parameter, e.g. `days: must be at most 3650`. */
  readonly issues: readonly string[];

  /**
   * @param checkId the check
   * @param issues what is wrong, per parameter
   */
  constructor(checkId: string, issues: readonly string[]) {
    super(`Cannot set the parameters of check "${checkId}": ${issues.join("; ")}`);
    this.name = "ParameterError";
    this.checkId = checkId;
    this.issues = issues;
  }
}

/**
 * The zod schema of one parameter.
 *
 * @param spec the declared parameter
 * @returns a schema accepting exactly the values inside its bounds
 */
export function parameterSchema(spec: ParameterSpec): z.ZodType<ParameterValue> {
  switch (spec.kind) {
    case "integer":
      return z.number().int().min(spec.min).max(spec.max);
    case "number":
      return z.number().min(spec.min).max(spec.max);
    case "string_list":
      return z.array(z.string().regex(new RegExp(spec.itemPattern), "has an invalid item"))
        .min(spec.minItems).max(spec.maxItems);
    case "role_pairs":
      return z.array(
        z.tuple([z.string().regex(/^[a-z0-9_.]{1,100}$/), z.string().regex(/^[a-z0-9_.]{1,100}$/)])
          .refine(([a, b]) => a !== b, "pairs two different roles"),
      ).min(spec.minItems).max(spec.maxItems);
    case "pattern":
      return z.string().min(1).max(spec.maxLength).refine((p) => {
        try {
          new RegExp(p, "i");
          return true;
        } catch {
          return false;
        }
      }, "is not a valid regular expression");
  }
}

/**
 * The default parameters of a check.
 *
 * @param check the check
 * @returns name → default value
 */
export function defaultParameters(check: Check): ParameterValues {
  return Object.fromEntries(check.parameters.map((p) => [p.name, p.default]));
}

/**
 * The values that differ from the catalog defaults: what a run must record so
 * that, with its catalog version, its parameters are known exactly.
 *
 * @param check the check
 * @param values its resolved parameters
 * @returns name → value, only where the value is not the catalog default
 */
export function nonDefaultParameters(
  check: Check,
  values: ParameterValues,
): Record<string, ParameterValue> {
  const changed: Record<string, ParameterValue> = {};
  for (const spec of check.parameters) {
    const value = values[spec.name];
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(spec.default)) {
      changed[spec.name] = value;
    }
  }
  return changed;
}

/** An organization's settings that supply parameter defaults, by setting name. */
export type OrgParameterSettings = Readonly<Partial<Record<OrgParameterSetting, unknown>>>;

/** Where a parameter's value comes from, in order of precedence. */
export type ParameterSource = "override" | "organization" | "catalog";

/** Options of {@link resolveParameters}. */
export interface ResolveParametersOptions {
  /**
   * The organization's settings; a parameter that declares an `orgSetting`
   * takes its default from them (an override still wins).
   */
  readonly settings?: OrgParameterSettings;
}

/** The organization setting a parameter takes its default from, if it declares one. */
function orgSettingOf(spec: ParameterSpec): OrgParameterSetting | undefined {
  return spec.kind === "integer" ? spec.orgSetting : undefined;
}

/**
 * Where the value of one parameter comes from: the check's override, else the
 * organization setting the parameter declares (when the organization has it),
 * else the catalog default.
 *
 * @param spec the declared parameter
 * @param sources the organization's overrides of the check and its settings
 * @returns the source of the value
 */
export function parameterSource(
  spec: ParameterSpec,
  sources: {
    overrides?: Readonly<Record<string, unknown>>;
    settings?: OrgParameterSettings;
  } = {},
): ParameterSource {
  if (sources.overrides && Object.hasOwn(sources.overrides, spec.name)) return "override";
  const setting = orgSettingOf(spec);
  if (setting && sources.settings?.[setting] !== undefined) return "organization";
  return "catalog";
}

/**
 * The parameters a check runs with: its defaults (the organization's setting
 * for a parameter that declares one, else the catalog's), overridden by the
 * organization's values for the check, every value validated against the
 * declared bounds.
 *
 * @param check the check
 * @param overrides the organization's values by parameter name (unknown names are rejected)
 * @param options the organization's settings that supply defaults
 * @returns the validated values (the evaluator's `$2`)
 * @throws {ParameterError} when a value is out of bounds or a name is unknown
 */
export function resolveParameters(
  check: Check,
  overrides: Readonly<Record<string, unknown>> = {},
  options: ResolveParametersOptions = {},
): ParameterValues {
  const issues: string[] = [];
  const known = new Set(check.parameters.map((p) => p.name));
  for (const name of Object.keys(overrides)) {
    if (!known.has(name)) issues.push(`${name}: is not a parameter of this check`);
  }
  const values: Record<string, ParameterValue> = {};
  for (const spec of check.parameters) {
    const source = parameterSource(spec, { overrides, settings: options.settings });
    const setting = orgSettingOf(spec);
    const raw = source === "override"
      ? overrides[spec.name]
      : source === "organization" && setting
      ? options.settings?.[setting]
      : spec.default;
    const result = parameterSchema(spec).safeParse(raw);
    if (result.success) {
      values[spec.name] = result.data;
      continue;
    }
    const why = result.error.issues.map((i) => i.message).join(", ");
    issues.push(
      source === "organization"
        ? `${spec.name}: the organization setting ${setting} ${why}`
        : `${spec.name}: ${why}`,
    );
  }
  if (issues.length > 0) throw new ParameterError(check.id, issues);
  return values;
}
