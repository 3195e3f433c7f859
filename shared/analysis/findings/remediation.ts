/**
 * A finding's remediation as its reader needs it: the catalog's placeholders
 * (`<resource>`, `<table>`, `<user_name>`, `<role>`) filled from the finding,
 * and the address of the record in the ServiceNow instance.
 *
 * @module
 */

import type { Remediation } from "../catalog/mod.ts";

/** What a placeholder can be filled from. */
export interface RemediationContext {
  /** The record's sys_id, when the finding is about one record. */
  sysId: string | null;
  /** The finding's stable key (the sys_id, or a composite key). */
  resourceKey: string;
  /** The table the finding's record is in. */
  tableName: string;
  evidence: Readonly<Record<string, unknown>>;
}

/** Words that stand in for a placeholder the finding has no value for. */
const FALLBACKS: Record<string, string> = {
  resource: "the record",
  table: "the table",
  user_name: "the user name",
  role: "the role",
};

/** Evidence fields that may fill a placeholder, in order of preference. */
const EVIDENCE_KEYS: Record<string, readonly string[]> = {
  table: ["table", "table_name"],
  user_name: ["user_name", "user", "sys_created_by"],
  role: ["role", "role_name"],
};

function valueOf(name: string, context: RemediationContext): string | null {
  if (name === "resource") return context.sysId ?? context.resourceKey;
  // A table's own record (sys_db_object) is named after the table.
  if (name === "table" && context.tableName === "sys_db_object") {
    const table = context.evidence.name;
    if (typeof table === "string" && table.trim() !== "") return table;
  }
  for (const key of EVIDENCE_KEYS[name] ?? [name]) {
    const value = context.evidence[key];
    if (typeof value === "string" && value.trim() !== "") return value;
  }
  return null;
}

/**
 * Fills the placeholders of one line of remediation text. A placeholder the
 * finding has no value for reads as plain words ("the record"), never as
 * `<resource>`.
 *
 * @param text a summary or step of the catalog
 * @param context the finding
 * @returns the text with every known placeholder filled
 * @example
 * fillPlaceholders("Open sys_user.do?sys_id=<resource>", { sysId: "abc", resourceKey: "abc", tableName: "sys_user", evidence: {} })
 * // "Open sys_user.do?sys_id=abc"
 */
export function fillPlaceholders(text: string, context: RemediationContext): string {
  return text.replace(/<([a-z_]+)>/g, (match, name: string) => {
    if (!(name in FALLBACKS)) return match;
    const value = valueOf(name, context);
    return value ?? FALLBACKS[name]!;
  });
}

/**
 * A remediation with its placeholders filled for one finding.
 *
 * @param remediation the check's remediation
 * @param context the finding
 */
export function fillRemediation(
  remediation: Remediation,
  context: RemediationContext,
): Remediation {
  return {
    ...remediation,
    summary: fillPlaceholders(remediation.summary, context),
    steps: remediation.steps.map((step) => fillPlaceholders(step, context)),
  };
}

/**
 * The address of a record in its ServiceNow instance (`<instance>/<table>.do?sys_id=…`).
 *
 * @param instanceUrl the instance's URL, as stored (no trailing slash)
 * @param tableName the record's table
 * @param sysId the record's sys_id
 * @returns the URL, or null when the finding has no single record
 */
export function recordUrl(
  instanceUrl: string,
  tableName: string,
  sysId: string | null,
): string | null {
  if (!sysId || !/^[0-9a-f]{32}$/i.test(sysId) || !/^[a-z0-9_]+$/.test(tableName)) return null;
  return `${instanceUrl.replace(/\/+$/, "")}/${tableName}.do?sys_id=${sysId}`;
}
