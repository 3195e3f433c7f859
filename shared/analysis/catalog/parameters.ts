/**
 * Check parameters: defaults, bounds, and validation of organization overrides.
 *
 * @module
 */

import { z } from "zod";
import type { Check, ParameterSpec, ParameterValue, ParameterValues } from "./types.ts";

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
 * The parameters a check runs with: its defaults, overridden by the organization's
 * values, every value validated against the declared bounds.
 *
 * @param check the check
 * @param overrides the organization's values by parameter name (unknown names are rejected)
 * @returns the validated values (the evaluator's `$2`)
 * @throws {ParameterError} when a value is out of bounds or a name is unknown
 */
export function resolveParameters(
  check: Check,
  overrides: Readonly<Record<string, unknown>> = {},
): ParameterValues {
  const issues: string[] = [];
  const known = new Set(check.parameters.map((p) => p.name));
  for (const name of Object.keys(overrides)) {
    if (!known.has(name)) issues.push(`${name}: is not a parameter of this check`);
  }
  const values: Record<string, ParameterValue> = {};
  for (const spec of check.parameters) {
    const raw = Object.hasOwn(overrides, spec.name) ? overrides[spec.name] : spec.default;
    const result = parameterSchema(spec).safeParse(raw);
    if (result.success) values[spec.name] = result.data;
    else issues.push(`${spec.name}: ${result.error.issues.map((i) => i.message).join(", ")}`);
  }
  if (issues.length > 0) throw new ParameterError(check.id, issues);
  return values;
}
