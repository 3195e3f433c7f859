/**
 * The metadata rules every check must follow, as a function so that both the lint
 * test and `deno task catalog` can refuse a broken catalog.
 *
 * @module
 */

import { severityOf } from "./_severity.ts";
import { FRAMEWORK_SOURCES, type FrameworkSource } from "./frameworks.ts";
import { parameterSchema } from "./parameters.ts";
import { type Area, AREAS, type Check, CONTROL_IDS, type Framework, SEVERITIES } from "./types.ts";

/** The first segment of the ids of each area's checks. */
export const AREA_ID_PREFIX: Readonly<Record<Area, string>> = {
  identity: "identity",
  access_control: "acl",
  exposure: "exposure",
  code: "code",
  integration: "integration",
  change: "change",
  audit: "audit",
  incident: "incident",
  hardening: "hardening",
};

const ID = /^[a-z][a-z0-9]*(_[a-z0-9]+){2,}$/;
const NAME = /^[a-z][a-z0-9_]*$/;

/** Minimum catalog size (issue 6). */
export const MIN_CHECKS = 300;
/** Minimum number of behavioural checks (issue 6). */
export const MIN_BEHAVIOURAL_CHECKS = 60;
/**
 * A framework must select less than this share of the catalog: one that selects
 * (nearly) every check scores the same as the catalog and tells an auditor nothing.
 */
export const MAX_FRAMEWORK_SHARE = 0.95;

/** Options of {@link lintCatalog}. */
export interface LintOptions {
  /**
   * The framework files the frameworks were resolved from (default: the built-in
   * ones). For each file whose id matches a resolved framework, every selector
   * (control, hardening category, hardening setting) must select at least one check.
   */
  readonly sources?: readonly FrameworkSource[];
}

function lintSql(check: Check, sql: string, problems: string[]): void {
  const say = (message: string) => problems.push(`${check.id}: ${message}`);
  if (!/instance_id = \$1::uuid/.test(sql)) {
    say("evaluator SQL never filters on the instance (instance_id = $1::uuid)");
  }
  if (!sql.includes("$2::jsonb") || !sql.includes("$3::timestamptz")) {
    say("evaluator SQL does not type $2 (jsonb) and $3 (timestamptz)");
  }
  if (/\$[4-9]/.test(sql)) say("evaluator SQL uses parameters beyond $1–$3");
  for (const m of sql.matchAll(/public\.snow_records (?:as )?([a-z_][a-z0-9_]*)/g)) {
    if (!sql.includes(`${m[1]}.instance_id = `)) {
      say(`snow_records alias ${m[1]} is not tied to the instance`);
    }
  }
  if (sql.includes("${")) say("evaluator SQL contains an unexpanded template");
  for (const column of ["resource_key", "table_name", "sys_id", "status", "evidence"]) {
    if (!sql.includes(column)) say(`evaluator SQL never names the column ${column}`);
  }
  const declared = new Map(check.tables.map((t) => [t.table, new Set(t.fields)]));
  for (const m of sql.matchAll(/table_name = '([a-z0-9_]+)'/g)) {
    if (!declared.has(m[1]!)) say(`evaluator reads table ${m[1]} that it does not declare`);
  }
  const allFields = new Set([...declared.values()].flatMap((s) => [...s]));
  for (const m of sql.matchAll(/[a-z_]+\.data ->> '([A-Za-z0-9_.]+)'/g)) {
    const field = m[1]!;
    if (field !== "sys_id" && field !== "sys_updated_on" && !allFields.has(field)) {
      say(`evaluator reads field ${field} that no declared table lists`);
    }
  }
  for (const p of check.parameters) {
    if (!sql.includes(`'${p.name}'`)) say(`parameter ${p.name} is never read by the evaluator`);
  }
}

function lintSelectors(
  checks: readonly Check[],
  source: FrameworkSource,
  problems: string[],
): void {
  const controls = new Set(checks.flatMap((c) => c.controls));
  const categories = new Set(checks.flatMap((c) => c.hardening ? [c.hardening.category] : []));
  const keys = new Set(checks.flatMap((c) => c.hardening ? [c.hardening.key] : []));
  for (const r of source.requirements) {
    const say = (message: string) => problems.push(`${source.id} ${r.id}: ${message}`);
    for (const c of r.controls) if (!controls.has(c)) say(`control ${c} selects no check`);
    for (const c of r.hardeningCategories) {
      if (!categories.has(c)) say(`hardening category "${c}" selects no check`);
    }
    for (const k of r.hardeningSettings) {
      if (!keys.has(k)) say(`hardening setting "${k}" selects no check`);
    }
  }
}

function lintFrameworks(
  checks: readonly Check[],
  frameworks: readonly Framework[],
  sources: readonly FrameworkSource[],
  problems: string[],
): void {
  const ids = new Set(checks.map((c) => c.id));
  const seen = new Set<string>();
  const selected: { id: string; checks: Set<string> }[] = [];
  for (const framework of frameworks) {
    if (seen.has(framework.id)) problems.push(`${framework.id}: duplicate framework id`);
    seen.add(framework.id);
    const requirementIds = new Set<string>();
    const own = new Set<string>();
    for (const r of framework.requirements) {
      if (requirementIds.has(r.id)) {
        problems.push(`${framework.id} ${r.id}: duplicate requirement id`);
      }
      requirementIds.add(r.id);
      if (r.type === "manual" && r.checks.length > 0) {
        problems.push(
          `${framework.id} ${r.id}: a manual requirement selects ${r.checks.length} check(s); make it partial or automated`,
        );
      }
      for (const id of r.checks) {
        if (!ids.has(id)) problems.push(`${framework.id} ${r.id}: unknown check ${id}`);
        else own.add(id);
      }
    }
    if (checks.length > 0 && own.size >= MAX_FRAMEWORK_SHARE * checks.length) {
      problems.push(
        `${framework.id}: resolves to ${own.size} of ${checks.length} checks (${
          (100 * own.size / checks.length).toFixed(1)
        }%); a framework must select less than ${
          100 * MAX_FRAMEWORK_SHARE
        }% of the catalog, only the checks that evidence its requirements`,
      );
    }
    const twin = selected.find((s) =>
      s.checks.size === own.size && [...own].every((id) => s.checks.has(id))
    );
    if (twin) {
      problems.push(
        `${framework.id}: resolves to exactly the same ${own.size} checks as ${twin.id}; frameworks must differ where their requirements differ`,
      );
    }
    selected.push({ id: framework.id, checks: own });
  }
  for (const source of sources) {
    if (seen.has(source.id)) lintSelectors(checks, source, problems);
  }
}

/**
 * Checks every catalog rule: id style, title, lengths, severity matching the risk
 * score, parameters with defaults inside their bounds, declared tables and fields,
 * control test coverage (docs/servicenow/controls.md), framework references both ways, frameworks that select too
 * much of the catalog or exactly what another framework selects, framework
 * selectors that select nothing, and the catalog's size.
 *
 * @param checks the catalog's checks
 * @param frameworks the resolved frameworks
 * @param options the framework files behind `frameworks`
 * @returns one message per broken rule; empty when the catalog is valid
 */
export function lintCatalog(
  checks: readonly Check[],
  frameworks: readonly Framework[],
  options: LintOptions = {},
): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const check of checks) {
    const say = (message: string) => problems.push(`${check.id}: ${message}`);
    if (ids.has(check.id)) say("duplicate id");
    ids.add(check.id);
    if (!ID.test(check.id) || check.id.length > 100) {
      say("id is not area_subject_condition snake case (≤ 100 characters)");
    }
    if (!AREAS.includes(check.area)) say(`unknown area ${check.area}`);
    else if (!check.id.startsWith(`${AREA_ID_PREFIX[check.area]}_`)) {
      say(`id does not start with ${AREA_ID_PREFIX[check.area]}_`);
    }
    if (check.title.trim() === "" || check.title.length > 150) {
      say("title is empty or longer than 150 characters");
    }
    if (/^ensure\b/i.test(check.title.trim())) say('title starts with "Ensure"');
    if (check.title.endsWith(".")) say("title ends with a period");
    if (check.description.trim() === "" || check.description.length > 400) {
      say("description is empty or longer than 400 characters");
    }
    if (check.risk.trim() === "" || check.risk.length > 400) {
      say("risk is empty or longer than 400 characters");
    }
    if (!SEVERITIES.includes(check.severity)) say(`unknown severity ${check.severity}`);
    if (!Number.isFinite(check.riskScore) || check.riskScore < 0 || check.riskScore > 10) {
      say("risk score outside 0–10");
    } else if (severityOf(check.riskScore) !== check.severity) {
      say(
        `severity ${check.severity} does not match risk score ${check.riskScore} (${
          severityOf(check.riskScore)
        })`,
      );
    }
    if (check.remediation.summary.trim() === "" || check.remediation.steps.length === 0) {
      say("remediation lacks a summary or steps");
    }
    if (!/^[a-z0-9_]+$/.test(check.resourceType)) say("resource type is not a table name");
    for (const c of check.controls) if (!CONTROL_IDS.includes(c)) say(`unknown control ${c}`);
    const names = new Set<string>();
    for (const p of check.parameters) {
      if (!NAME.test(p.name) || names.has(p.name)) {
        say(`parameter name ${p.name} is invalid or repeated`);
      }
      names.add(p.name);
      if ((p.kind === "integer" || p.kind === "number") && p.min > p.max) {
        say(`parameter ${p.name} has min above max`);
      }
      if (!parameterSchema(p).safeParse(p.default).success) {
        say(`parameter ${p.name} default is outside its bounds`);
      }
      if (p.description.trim() === "") say(`parameter ${p.name} has no description`);
    }
    for (const t of check.tables) {
      if (!/^[a-z0-9_]+$/.test(t.table) || t.fields.length === 0) {
        say(`table requirement ${t.table} is invalid`);
      }
      for (const field of t.fields) {
        if (!/^[A-Za-z0-9_]+$/.test(field)) say(`field ${t.table}.${field} is invalid`);
      }
    }
    if (check.evaluator.kind === "sql") {
      if (check.family !== "behavioural" || check.hardening !== null) {
        say("SQL evaluator on a hardening check");
      }
      if (check.tables.length === 0) say("declares no tables");
      lintSql(check, check.evaluator.sql, problems);
    } else {
      if (check.family !== "hardening" || check.hardening === null) {
        say("hardening evaluator without a setting");
      } else if (check.hardening.source !== "legacy" && !check.controls.includes("L4")) {
        say("hardening check does not serve control L4");
      }
    }
    if (check.frameworks.length === 0) say("maps to no framework requirement");
  }
  lintFrameworks(checks, frameworks, options.sources ?? FRAMEWORK_SOURCES, problems);
  const covered = new Set(checks.flatMap((c) => c.controls));
  for (const control of CONTROL_IDS) {
    if (!covered.has(control)) problems.push(`control ${control}: no check implements it`);
  }
  if (checks.length < MIN_CHECKS) {
    problems.push(`catalog has ${checks.length} checks; at least ${MIN_CHECKS} required`);
  }
  const behavioural = checks.filter((c) => c.family === "behavioural").length;
  if (behavioural < MIN_BEHAVIOURAL_CHECKS) {
    problems.push(
      `catalog has ${behavioural} behavioural checks; at least ${MIN_BEHAVIOURAL_CHECKS} required`,
    );
  }
  return problems;
}
