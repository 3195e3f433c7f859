/**
 * The check model: every check is data (metadata, parameters, the tables and
 * fields it reads, framework mappings) plus an evaluator that is itself data (a
 * SQL text with positional parameters, or a hardening setting judged by the one
 * shared hardening statement).
 *
 * @module
 */

import type { ControlId } from "../../servicenow/controls.ts";

export { CONTROL_IDS, type ControlId } from "../../servicenow/controls.ts";

/** Finding severities, most severe first. */
export const SEVERITIES = ["critical", "high", "medium", "low", "informational"] as const;
/** How bad a failing check is. */
export type Severity = typeof SEVERITIES[number];

/** Catalog areas, in the order the documentation lists them. */
export const AREAS = [
  "identity",
  "access_control",
  "exposure",
  "code",
  "integration",
  "change",
  "audit",
  "incident",
  "hardening",
] as const;
/** The part of the platform a check looks at (the first segment of its id). */
export type Area = typeof AREAS[number];

/** Human names of the areas. */
export const AREA_TITLES: Readonly<Record<Area, string>> = {
  identity: "Identity and access",
  access_control: "Access control rules",
  exposure: "Public and external exposure",
  code: "Code hygiene",
  integration: "Integrations, certificates and OAuth",
  change: "Change management",
  audit: "Audit and logging",
  incident: "Incident and operations",
  hardening: "Hardening settings (Security Center)",
};

/** A documentation or standard a check is based on. */
export interface Reference {
  readonly title: string;
  readonly url: string;
}

/** Remediation that can be pasted into the instance. */
export interface RemediationCode {
  /** `background_script`: run in System Definition > Scripts - Background. */
  readonly kind: "background_script";
  readonly language: "javascript";
  readonly code: string;
}

/** How to fix a failing check. */
export interface Remediation {
  /** One or two sentences. */
  readonly summary: string;
  /** Exact steps in the ServiceNow UI, in order. */
  readonly steps: readonly string[];
  /** Remediation as code, when it can be automated safely. */
  readonly code: readonly RemediationCode[];
}

/**
 * Organization settings (shared/organizations `orgSettingsSchema`) that can
 * supply the default of a check parameter, organization-wide.
 */
export const ORG_PARAMETER_SETTINGS = ["dormant_account_days"] as const;
/** An organization setting that can supply a parameter's default. */
export type OrgParameterSetting = typeof ORG_PARAMETER_SETTINGS[number];

/** A tunable parameter of a check, with its default and bounds. */
export type ParameterSpec =
  | {
    readonly name: string;
    readonly kind: "integer";
    readonly description: string;
    readonly default: number;
    readonly min: number;
    readonly max: number;
    /**
     * The organization setting that replaces {@link default} for the whole
     * organization (a per-check override still wins): precedence is override >
     * organization setting > catalog default.
     */
    readonly orgSetting?: OrgParameterSetting;
  }
  | {
    readonly name: string;
    readonly kind: "number";
    readonly description: string;
    readonly default: number;
    readonly min: number;
    readonly max: number;
  }
  | {
    readonly name: string;
    readonly kind: "string_list";
    readonly description: string;
    readonly default: readonly string[];
    readonly minItems: number;
    readonly maxItems: number;
    /** Every item must match this regular expression. */
    readonly itemPattern: string;
  }
  | {
    readonly name: string;
    readonly kind: "role_pairs";
    readonly description: string;
    readonly default: readonly (readonly [string, string])[];
    readonly minItems: number;
    readonly maxItems: number;
  }
  | {
    /** A regular expression (POSIX-compatible subset), matched case-insensitively. */
    readonly name: string;
    readonly kind: "pattern";
    readonly description: string;
    readonly default: string;
    readonly maxLength: number;
  };

/** One parameter value after validation. */
export type ParameterValue =
  | number
  | string
  | readonly string[]
  | readonly (readonly [string, string])[];
/** The parameters a check runs with, by name (the `$2` of its evaluator). */
export type ParameterValues = Readonly<Record<string, ParameterValue>>;

/** A table a check reads and the fields it needs from it. */
export interface TableRequirement {
  readonly table: string;
  /** Field names as the Table API returns them (sys_id and sys_updated_on are always synced). */
  readonly fields: readonly string[];
  /**
   * When set, the check reads only the records whose `field` is one of `values` or of
   * the values of its list parameter `parameter` (e.g. sys_audit rows by tablename);
   * otherwise it needs every record.
   */
  readonly rows?: {
    readonly field: string;
    readonly values?: readonly string[];
    readonly parameter?: string;
  };
  /**
   * The table only enriches the evidence (or adds cases): the verdict stands
   * without it, so a table that is missing, denied or not synced does not
   * block the check (its records are simply not there).
   */
  readonly optional?: boolean;
  /**
   * Fields read only for the evidence: an instance that does not return them
   * does not block the verdict (the evidence shows them as null).
   */
  readonly evidenceOnly?: readonly string[];
}

/**
 * How a check is evaluated.
 *
 * - `sql`: its own statement. `$1` instance id (uuid), `$2` its parameters (jsonb),
 *   `$3` the evaluation time (timestamptz). It returns one row per evaluated
 *   resource: `resource_key`, `table_name`, `sys_id`, `status` ('PASS'|'FAIL'),
 *   `evidence` (jsonb). With `returns: "failures"` only FAIL rows come back and
 *   no row means the check passed; with `returns: "all"` every judged resource
 *   has a row.
 * - `hardening`: judged together with every other hardening setting by
 *   {@link HARDENING_EVALUATOR_SQL}, one row per setting (PASS or FAIL), or no
 *   row when the setting cannot be decided from the readable tables.
 */
export type Evaluator =
  | { readonly kind: "sql"; readonly sql: string; readonly returns: "failures" | "all" }
  | { readonly kind: "hardening" };

/** A rule a hardening property value must satisfy. */
export type HardeningRule =
  | { readonly op: "eq"; readonly value: string }
  | { readonly op: "one_of"; readonly values: readonly string[] }
  | { readonly op: "max"; readonly value: number }
  | { readonly op: "min"; readonly value: number }
  | { readonly op: "range"; readonly min: number; readonly max: number }
  | { readonly op: "blank" }
  | { readonly op: "not_blank" }
  /** Comma list that contains every value. */
  | { readonly op: "contains_all"; readonly values: readonly string[] }
  /** Comma list whose entries are all among the values. */
  | { readonly op: "subset_of"; readonly values: readonly string[] }
  /** Text that contains none of the values. */
  | { readonly op: "excludes_all"; readonly values: readonly string[] };

/** One configuration item of a hardening setting; a setting complies when all its items do. */
export type HardeningItem =
  | {
    readonly kind: "property";
    readonly name: string;
    readonly rule: HardeningRule;
    /** Base-system value when the record exists by default; null when it does not. */
    readonly default: string | null;
    /** Effective value when the sys_properties record is absent; null when the docs give none. */
    readonly fallback: string | null;
  }
  /** Every sys_properties record whose name is LIKE the pattern satisfies the rule. */
  | { readonly kind: "property_pattern"; readonly like: string; readonly rule: HardeningRule }
  /** A `v_plugin` row with this id has `active = "active"`. */
  | { readonly kind: "plugin"; readonly id: string }
  /** At least one of these `sysevent_script_action` records is active. */
  | { readonly kind: "script_action"; readonly anyOf: readonly string[] }
  /** A record of a table is active, or is absent or inactive. */
  | {
    readonly kind: "record";
    readonly table: string;
    readonly sysId: string;
    readonly expect: "active" | "absent_or_inactive";
  }
  /** The number of records of a table (optionally only active ones) is within bounds. */
  | {
    readonly kind: "record_count";
    readonly table: string;
    readonly activeOnly: boolean;
    readonly min?: number;
    readonly max?: number;
  }
  /** Cannot be judged from synced data; always NOT_EVALUATED with this reason. */
  | { readonly kind: "manual"; readonly reason: string };

/** A Security Center hardening setting (docs/servicenow/hardening.md) or a curated extra. */
export interface HardeningSetting {
  /** The id of the check that judges it. */
  readonly checkId: string;
  /** Stable resource key: the primary property name, plugin id or table. */
  readonly key: string;
  /**
   * `security_center` settings count towards the Security Center score; `curated`
   * ones (not in Security Center) and `legacy` ones (removed from Security Center
   * but still in ServiceNow's hardening guidance) do not.
   */
  readonly source: "security_center" | "curated" | "legacy";
  /**
   * The plugin or application the setting belongs to: when the instance's
   * `v_plugin` (readable) has no active row with one of these ids, the setting is
   * NOT_APPLICABLE instead of being judged on its default. `confirmed` says
   * whether ServiceNow's documentation names these ids for the setting's
   * application; `basis` says where the ids come from
   * (docs/servicenow/hardening.md#plugin-ids).
   */
  readonly plugin?: {
    readonly ids: readonly string[];
    readonly name: string;
    readonly confirmed: boolean;
    readonly basis: string;
  };
  /** Row of Security Center's settings list (docs/servicenow/hardening.md), or null for curated settings. */
  readonly row: number | null;
  /** The setting's title in the ServiceNow docs. */
  readonly title: string;
  /** Security Center category. */
  readonly category: string;
  /** Security Center risk (severity score 0–10), or null when the docs give none. */
  readonly risk: number | null;
  /** The recommended value as the docs state it. */
  readonly recommended: string;
  readonly docStatus?: string;
  /** How an ambiguous recommendation was read. */
  readonly note?: string;
  /** Risk addressed, paraphrased (docs/servicenow/hardening.md), when known. */
  readonly riskText?: string;
  /** The Instance Scan definition that checks the same thing, e.g. "SE10203". */
  readonly scan?: string;
  /** Risk score used for the check when the docs give none. */
  readonly riskEstimate?: number;
  readonly items: readonly HardeningItem[];
}

/** Where a check counts in a compliance framework. */
export interface FrameworkMapping {
  /** Framework id, e.g. `nist_800_53_r5`. */
  readonly framework: string;
  /** Requirement id within it, e.g. `AC-2(3)`. */
  readonly requirement: string;
}

/** One check of the catalog. */
export interface Check {
  /** Stable id, `area_subject_condition`, lowercase snake case. */
  readonly id: string;
  /** At most 150 characters; never starts with "Ensure". */
  readonly title: string;
  readonly area: Area;
  readonly family: "hardening" | "behavioural";
  readonly severity: Severity;
  /** 0–10 (CVSS-style); the severity is its band. */
  readonly riskScore: number;
  /** What is checked, at most 400 characters. */
  readonly description: string;
  /** Why a failure matters, at most 400 characters. */
  readonly risk: string;
  readonly remediation: Remediation;
  readonly references: readonly Reference[];
  /** The ServiceNow table whose records (or settings) are judged. */
  readonly resourceType: string;
  readonly parameters: readonly ParameterSpec[];
  /** The control tests (docs/servicenow/controls.md) this check implements (exactly their rule). */
  readonly controls: readonly ControlId[];
  readonly tables: readonly TableRequirement[];
  readonly evaluator: Evaluator;
  /** The setting, for the hardening family; null otherwise. */
  readonly hardening: HardeningSetting | null;
  /** Requirements this check counts towards, from the framework files. */
  readonly frameworks: readonly FrameworkMapping[];
}

/** One row an evaluator returns. */
export interface EvaluatorRow {
  /** Stable id of what was judged: a sys_id, a property name, a role name… */
  readonly resource_key: string;
  readonly table_name: string;
  readonly sys_id: string | null;
  /** NOT_EVALUATED only from the hardening statement (a setting it cannot decide; evidence.reason says why). */
  readonly status: "PASS" | "FAIL" | "NOT_EVALUATED";
  /** The relevant fields of the resource (small). */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** A compliance framework: requirements, each listing the checks that serve it. */
export interface Framework {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly url: string;
  readonly requirements: readonly FrameworkRequirement[];
}

/**
 * How a requirement can be assessed on a ServiceNow instance (Prowler-style):
 * `automated` — the checks are the evidence; `partial` — the instance's data
 * evidences part of it and the rest needs review; `manual` — the evidence lies
 * outside the instance (policies, people, facilities, vendors).
 */
export const REQUIREMENT_TYPES = ["automated", "partial", "manual"] as const;

/** How a requirement can be assessed, see {@link REQUIREMENT_TYPES}. */
export type RequirementType = typeof REQUIREMENT_TYPES[number];

/**
 * What ComplianceIQ covers of a requirement: `covered` (automated, with checks),
 * `partial` (partially automated, with checks), `manual` (no checks; the evidence
 * is outside the instance) or `not_covered` (no checks, although the instance's
 * data could evidence it).
 */
export const REQUIREMENT_COVERAGES = ["covered", "partial", "manual", "not_covered"] as const;

/** What ComplianceIQ covers of a requirement, see {@link REQUIREMENT_COVERAGES}. */
export type RequirementCoverage = typeof REQUIREMENT_COVERAGES[number];

/** One requirement of a framework, resolved to check ids. */
export interface FrameworkRequirement {
  readonly id: string;
  readonly name: string;
  readonly section: string;
  readonly type: RequirementType;
  /** Derived from `type` and whether any check serves the requirement. */
  readonly coverage: RequirementCoverage;
  readonly checks: readonly string[];
}
