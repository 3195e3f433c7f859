import type {
  Area,
  Check,
  ControlId,
  ParameterSpec,
  Reference,
  RemediationCode,
  Severity,
  TableRequirement,
} from "./types.ts";

/** What a behavioural check definition spells out; the rest is derived. */
export interface BehaviouralDefinition {
  readonly id: string;
  readonly title: string;
  readonly area: Area;
  readonly severity: Severity;
  readonly riskScore: number;
  readonly description: string;
  readonly risk: string;
  readonly remediation: {
    readonly summary: string;
    readonly steps: readonly string[];
    readonly code?: readonly RemediationCode[];
  };
  readonly references?: readonly Reference[];
  readonly resourceType: string;
  readonly parameters?: readonly ParameterSpec[];
  readonly controls?: readonly ControlId[];
  /** Table → fields it needs. */
  readonly tables: Readonly<Record<string, readonly string[]>>;
  /** Tables that only enrich the evidence or add cases (see TableRequirement.optional). */
  readonly optionalTables?: readonly string[];
  /**
   * Fields per table read only for the evidence (see TableRequirement.evidenceOnly);
   * fields the statement reads only inside its evidence objects are added.
   */
  readonly evidenceOnly?: Readonly<Record<string, readonly string[]>>;
  /** Tables of which the check reads only some records (see TableRequirement.rows). */
  readonly rows?: Readonly<Record<string, NonNullable<TableRequirement["rows"]>>>;
  readonly returns?: "failures" | "all";
  readonly sql: string;
}

/**
 * Declares the types of `$2` and `$3` in every statement (an unused CTE is still
 * analysed), so a check that reads neither still binds all three parameters.
 */
function withTypedParameters(sql: string): string {
  const args =
    "_args as (select $1::uuid as instance_id, $2::jsonb as parameters, $3::timestamptz as evaluated_at)";
  const body = sql.trim();
  return /^with\s/i.test(body)
    ? body.replace(/^with\s+/i, `with ${args},\n`)
    : `with ${args}\n${body}`;
}

/** The statement without the evidence objects it returns (its `jsonb_build_object(…)` calls). */
function withoutEvidence(sql: string): string {
  let rest = "";
  let i = 0;
  for (
    let at = sql.indexOf("jsonb_build_object(", i);
    at >= 0;
    at = sql.indexOf("jsonb_build_object(", i)
  ) {
    rest += sql.slice(i, at);
    let depth = 0;
    let j = at + "jsonb_build_object".length;
    let quoted = false; // parentheses inside string literals (regular expressions) do not count
    for (; j < sql.length; j++) {
      if (sql[j] === "'") quoted = !quoted;
      else if (quoted) continue;
      else if (sql[j] === "(") depth++;
      else if (sql[j] === ")" && --depth === 0) break;
    }
    i = j + 1;
  }
  return rest + sql.slice(i);
}

/**
 * The fields a statement reads only to show them in its evidence: declared or
 * not, their absence on an instance must not block the verdict (require the
 * minimum). A field read anywhere else — a condition, a join, a CTE — is judged.
 *
 * @param sql the check's statement
 * @param fields the fields it declares for one table
 * @returns the evidence-only ones
 */
export function evidenceOnlyFields(sql: string, fields: readonly string[]): string[] {
  const judged = withoutEvidence(sql);
  return fields.filter((f) => !judged.includes(`'${f}'`));
}

/** Builds a behavioural check from its definition. */
export function behavioural(def: BehaviouralDefinition): Check {
  const tables: TableRequirement[] = Object.entries(def.tables).map(([table, fields]) => {
    const rows = def.rows?.[table];
    const derived = evidenceOnlyFields(def.sql, fields);
    const declared = def.evidenceOnly?.[table] ?? [];
    const evidenceOnly = derived.length + declared.length > 0
      ? [...new Set([...declared, ...derived])]
      : undefined;
    return {
      table,
      fields,
      ...(rows ? { rows } : {}),
      ...(def.optionalTables?.includes(table) ? { optional: true } : {}),
      ...(evidenceOnly ? { evidenceOnly } : {}),
    };
  });
  return {
    id: def.id,
    title: def.title,
    area: def.area,
    family: "behavioural",
    severity: def.severity,
    riskScore: def.riskScore,
    description: def.description,
    risk: def.risk,
    remediation: {
      summary: def.remediation.summary,
      steps: def.remediation.steps,
      code: def.remediation.code ?? [],
    },
    references: def.references ?? [],
    resourceType: def.resourceType,
    parameters: def.parameters ?? [],
    controls: def.controls ?? [],
    tables,
    evaluator: {
      kind: "sql",
      sql: withTypedParameters(def.sql),
      returns: def.returns ?? "failures",
    },
    hardening: null,
    frameworks: [],
  };
}

/** Background script remediation. */
export function script(code: string): RemediationCode {
  return { kind: "background_script", language: "javascript", code: code.trim() };
}

/** Common references. */
export const REF = {
  scanSecurity: {
    title: "ServiceNow: Impact Scan Engine security definitions",
    url: "https://www.servicenow.com/docs/r/impact/scan-engine-definitions-security.html",
  },
  scanManageability: {
    title: "ServiceNow: Impact Scan Engine manageability definitions",
    url: "https://www.servicenow.com/docs/r/impact/scan-engine-definitions-manageability.html",
  },
  communityChecks: {
    title: "ServiceNowDevProgram example Instance Scan checks",
    url: "https://github.com/ServiceNowDevProgram/example-instancescan-checks",
  },
  acl: {
    title: "ServiceNow: Access control list rules",
    url:
      "https://www.servicenow.com/docs/r/platform-security/access-control/t_CreateAnACLRule.html",
  },
  auditing: {
    title: "ServiceNow: Exploring auditing",
    url: "https://www.servicenow.com/docs/r/platform-security/exploring-auditing.html",
  },
  scriptedRest: {
    title: "ServiceNow: Scripted REST API security",
    url:
      "https://www.servicenow.com/docs/r/api-reference/rest-api-explorer/c_CustomWebServices.html",
  },
  oauth: {
    title: "ServiceNow: OAuth applications",
    url:
      "https://www.servicenow.com/docs/r/platform-security/authentication/c_OAuthApplications.html",
  },
  auditor: {
    title: "ServiceNow: Security Center Auditor control checks",
    url:
      "https://www.servicenow.com/docs/r/platform-security/security-center/auditor-control-checks.html",
  },
  privilegedUsers: {
    title: "ServiceNow: Security Center privileged users",
    url:
      "https://www.servicenow.com/docs/r/platform-security/security-center/privileged-users.html",
  },
  changeStates: {
    title: "ServiceNow: Change request state model",
    url:
      "https://www.servicenow.com/docs/r/it-service-management/change-management/state-model-activate-tasks.html",
  },
  nist80053: {
    title: "NIST SP 800-53 Rev. 5",
    url: "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final",
  },
} as const satisfies Record<string, Reference>;
