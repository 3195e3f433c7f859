/**
 * The catalog: every behavioural check and one check per hardening setting, with
 * the framework mappings attached, plus lookups and the field list the sync needs.
 *
 * @module
 */

import { ACCESS_CONTROL_CHECKS, EXPOSURE_CHECKS } from "./checks/access.ts";
import { AUDIT_CHECKS } from "./checks/audit.ts";
import { CHANGE_CHECKS } from "./checks/change.ts";
import { CODE_CHECKS } from "./checks/code.ts";
import { IDENTITY_CHECKS } from "./checks/identity.ts";
import { INCIDENT_CHECKS } from "./checks/incident.ts";
import { INTEGRATION_CHECKS } from "./checks/integration.ts";
import { SERVICE_ACCOUNT_CHECKS } from "./checks/service_accounts.ts";
import { resolveFrameworks } from "./frameworks.ts";
import { HARDENING_CHECKS } from "./hardening_checks.ts";
import { resolveParameters } from "./parameters.ts";
import type { Check, Framework, FrameworkMapping } from "./types.ts";

const UNMAPPED: readonly Check[] = [
  ...IDENTITY_CHECKS,
  ...SERVICE_ACCOUNT_CHECKS,
  ...ACCESS_CONTROL_CHECKS,
  ...EXPOSURE_CHECKS,
  ...CODE_CHECKS,
  ...INTEGRATION_CHECKS,
  ...CHANGE_CHECKS,
  ...AUDIT_CHECKS,
  ...INCIDENT_CHECKS,
  ...HARDENING_CHECKS,
];

/** Every framework, its requirements resolved to check ids. */
export const FRAMEWORKS: readonly Framework[] = resolveFrameworks(UNMAPPED);

function withMappings(checks: readonly Check[], frameworks: readonly Framework[]): Check[] {
  const mappings = new Map<string, FrameworkMapping[]>();
  for (const framework of frameworks) {
    for (const requirement of framework.requirements) {
      for (const id of requirement.checks) {
        const list = mappings.get(id) ?? [];
        list.push({ framework: framework.id, requirement: requirement.id });
        mappings.set(id, list);
      }
    }
  }
  return checks.map((c) => ({ ...c, frameworks: mappings.get(c.id) ?? [] }));
}

/** Every check of the catalog: behavioural checks by area, then the hardening settings. */
export const CHECKS: readonly Check[] = withMappings(UNMAPPED, FRAMEWORKS);

const BY_ID = new Map(CHECKS.map((c) => [c.id, c]));

/**
 * A check by id.
 *
 * @param id the check id
 * @returns the check, or undefined when the catalog has none with that id
 */
export function getCheck(id: string): Check | undefined {
  return BY_ID.get(id);
}

/**
 * The fields the sync must request per table so that these checks can run: the
 * union of every check's declared fields, always with sys_id and sys_updated_on.
 *
 * @param checks the checks to serve (usually {@link CHECKS})
 * @returns table → sorted field names
 * @example
 * ```ts
 * requiredFields(CHECKS).sys_user; // ["active", "email", …, "sys_id", "sys_updated_on", "user_name", …]
 * ```
 */
export function requiredFields(checks: readonly Check[]): Record<string, string[]> {
  const union = new Map<string, Set<string>>();
  for (const check of checks) {
    for (const { table, fields } of check.tables) {
      const set = union.get(table) ?? new Set(["sys_id", "sys_updated_on"]);
      for (const field of fields) set.add(field);
      union.set(table, set);
    }
  }
  return Object.fromEntries(
    [...union].sort(([a], [b]) => a.localeCompare(b)).map(([t, s]) => [t, [...s].sort()]),
  );
}

/**
 * Which records of each table the checks read, so the sync may keep only those:
 * `null` when some check needs every record, else the field and the values its
 * records must have (e.g. sys_audit: tablename in sys_update_set and the tables of
 * the C13 check, including the organization's parameter overrides).
 *
 * @param checks the checks to serve
 * @param parameters the organization's parameter overrides by check id
 * @returns table → filter, for every table any check reads
 * @throws {ParameterError} when an override breaks a check's bounds
 */
export function requiredRecords(
  checks: readonly Check[],
  parameters: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): Record<string, { field: string; values: string[] } | null> {
  const out: Record<string, { field: string; values: Set<string> } | null> = {};
  for (const check of checks) {
    for (const t of check.tables) {
      const current = out[t.table];
      if (current === null) continue;
      if (!t.rows) {
        out[t.table] = null;
        continue;
      }
      const values = new Set(t.rows.values ?? []);
      if (t.rows.parameter) {
        const value = resolveParameters(check, parameters[check.id])[t.rows.parameter];
        if (Array.isArray(value)) {
          for (const v of value) if (typeof v === "string") values.add(v);
        }
      }
      if (current === undefined) out[t.table] = { field: t.rows.field, values };
      else if (current.field !== t.rows.field) out[t.table] = null;
      else for (const v of values) current.values.add(v);
    }
  }
  return Object.fromEntries(
    Object.entries(out).sort(([a], [b]) => a.localeCompare(b)).map((
      [table, f],
    ) => [table, f === null ? null : { field: f.field, values: [...f.values].sort() }]),
  );
}
