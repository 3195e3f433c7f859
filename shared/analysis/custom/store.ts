/**
 * An organization's custom checks: create, read, change, delete (analyst or
 * higher), and preview a query against an instance's latest synced data before
 * saving it.
 *
 * @module
 */

import { z } from "zod";
import type { Database, TenantClaims, Tx } from "../../db/mod.ts";
import { HttpError } from "../../http/errors.ts";
import { requirePermission } from "../../organizations/mod.ts";
import {
  AREAS,
  CHECKS,
  customReadiness,
  FRAMEWORKS,
  type InstanceTableState,
  requiredFields,
  SEVERITIES,
} from "../catalog/mod.ts";
import { CUSTOM_CHECK_COLUMNS, type CustomCheckRecord, normalizeCustom } from "../org_checks.ts";
import { compileCustomQuery, CUSTOM_QUERY_LIMITS, CustomQueryError } from "./compile.ts";
import { tableFields } from "./dictionary.ts";

const SYNCED_FIELDS = requiredFields(CHECKS);
/** Areas a custom check may belong to (hardening settings are Security Center's). */
export const CUSTOM_AREAS = AREAS.filter((a) => a !== "hardening");

const evidenceField = z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+){0,3}$/, "is not a field name");

const fields = {
  title: z.string().trim().min(3).max(150),
  description: z.string().trim().max(1000),
  risk: z.string().trim().max(1000),
  remediation: z.string().trim().max(4000),
  severity: z.enum(SEVERITIES),
  risk_score: z.number().min(0).max(10).multipleOf(0.1),
  area: z.enum(CUSTOM_AREAS as [string, ...string[]]),
  table_name: z.string().regex(/^[a-z0-9_]{1,80}$/, "is not a table name"),
  query: z.string().trim().min(1).max(CUSTOM_QUERY_LIMITS.queryLength),
  evidence_fields: z.array(evidenceField).max(CUSTOM_QUERY_LIMITS.evidenceFields),
  frameworks: z.array(z.object({ framework: z.string(), requirement: z.string() })).max(50),
  enabled: z.boolean(),
};

/** Body of `POST /custom-checks`. */
export const createCustomCheckSchema = z.object({
  org_id: z.uuid(),
  /** `custom_<snake_case>`; derived from the title when absent. */
  check_id: z.string().regex(/^custom_[a-z0-9_]{3,60}$/).optional(),
  title: fields.title,
  description: fields.description.default(""),
  risk: fields.risk.default(""),
  remediation: fields.remediation.default(""),
  severity: fields.severity,
  risk_score: fields.risk_score,
  area: fields.area,
  table_name: fields.table_name,
  query: fields.query,
  evidence_fields: fields.evidence_fields.default([]),
  frameworks: fields.frameworks.default([]),
  enabled: fields.enabled.default(true),
});

/** Body of `PATCH /custom-checks/:id`. */
export const updateCustomCheckSchema = z.object({
  title: fields.title.optional(),
  description: fields.description.optional(),
  risk: fields.risk.optional(),
  remediation: fields.remediation.optional(),
  severity: fields.severity.optional(),
  risk_score: fields.risk_score.optional(),
  area: fields.area.optional(),
  table_name: fields.table_name.optional(),
  query: fields.query.optional(),
  evidence_fields: fields.evidence_fields.optional(),
  frameworks: fields.frameworks.optional(),
  enabled: fields.enabled.optional(),
}).refine((p) => Object.keys(p).length > 0, { message: "Change at least one field" });

/** Body of `POST /custom-checks/preview`. */
export const previewSchema = z.object({
  instance_id: z.uuid(),
  table_name: fields.table_name,
  query: fields.query,
  evidence_fields: fields.evidence_fields.default([]),
  limit: z.number().int().min(1).max(100).default(20),
});

/** A custom check as the API shows it, with what its query reads and warnings. */
export interface CustomCheckView extends CustomCheckRecord {
  warnings: string[];
}

function validationError(error: CustomQueryError): HttpError {
  return new HttpError(422, error.message, {
    code: "invalid_query",
    details: [{
      path: "query",
      message: error.message.replace(/^Cannot compile the custom check: /, ""),
      position: error.position,
      field: error.field,
    }],
  });
}

function compileOrThrow(
  input: { query: string; table_name: string; evidence_fields: readonly string[] },
  now = new Date(),
) {
  try {
    return compileCustomQuery(input.query, {
      table: input.table_name,
      evidenceFields: input.evidence_fields,
      now,
      syncedFields: SYNCED_FIELDS,
    });
  } catch (error) {
    if (error instanceof CustomQueryError) throw validationError(error);
    throw error;
  }
}

function checkFrameworks(mappings: readonly { framework: string; requirement: string }[]): void {
  for (const [i, m] of mappings.entries()) {
    const framework = FRAMEWORKS.find((f) => f.id === m.framework);
    if (!framework) {
      throw new HttpError(422, `No framework "${m.framework}"`, {
        code: "unknown_framework",
        details: [{ path: `frameworks.${i}.framework`, message: "unknown framework" }],
      });
    }
    if (!framework.requirements.some((r) => r.id === m.requirement)) {
      throw new HttpError(422, `${framework.name} has no requirement "${m.requirement}"`, {
        code: "unknown_requirement",
        details: [{ path: `frameworks.${i}.requirement`, message: "unknown requirement" }],
      });
    }
  }
}

function slug(title: string): string {
  const base = title.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 50);
  return `custom_${base.length >= 3 ? base : `check_${base}`}`;
}

async function read(tx: Tx, id: string): Promise<CustomCheckRecord> {
  const [row] = await tx<CustomCheckRecord[]>`
    select ${tx(CUSTOM_CHECK_COLUMNS)} from public.analysis_custom_checks where id = ${id}`;
  if (!row) throw new HttpError(404, CUSTOM_CHECK_NOT_FOUND);
  return normalizeCustom(row);
}

const CUSTOM_CHECK_NOT_FOUND = "Custom check not found";

function view(record: CustomCheckRecord): CustomCheckView {
  let warnings: string[] = [];
  try {
    warnings = [
      ...compileCustomQuery(record.query, {
        table: record.table_name,
        evidenceFields: record.evidence_fields,
        now: new Date(),
        syncedFields: SYNCED_FIELDS,
      }).warnings,
    ];
  } catch (error) {
    if (!(error instanceof CustomQueryError)) throw error;
    warnings = [error.message];
  }
  return { ...record, warnings };
}

/**
 * Lists an organization's custom checks (members).
 *
 * @param db the database
 * @param claims the caller
 * @param orgId the organization
 * @returns its custom checks by id
 */
export async function listCustomChecks(
  db: Database,
  claims: TenantClaims,
  orgId: string,
): Promise<CustomCheckView[]> {
  return await db.asTenant(claims, async (tx) => {
    await requirePermission(tx, orgId, "custom_checks.read");
    const rows = await tx<CustomCheckRecord[]>`
      select ${tx(CUSTOM_CHECK_COLUMNS)} from public.analysis_custom_checks
      where org_id = ${orgId} order by check_id`;
    return rows.map((r) => view(normalizeCustom(r)));
  });
}

/**
 * One custom check (members).
 *
 * @param db the database
 * @param claims the caller
 * @param id the custom check's row id
 * @returns the check
 */
export async function getCustomCheck(
  db: Database,
  claims: TenantClaims,
  id: string,
): Promise<CustomCheckView> {
  return await db.asTenant(claims, async (tx) => view(await read(tx, id)));
}

/**
 * Creates a custom check (analyst or higher) after compiling its query.
 *
 * @param db the database
 * @param claims the caller
 * @param input the check
 * @returns the check
 * @throws {HttpError} 422 when the query does not compile or a mapping is unknown, 409 on a taken id
 */
export async function createCustomCheck(
  db: Database,
  claims: TenantClaims,
  input: z.output<typeof createCustomCheckSchema>,
): Promise<CustomCheckView> {
  compileOrThrow(input);
  checkFrameworks(input.frameworks);
  return await db.asTenant(claims, async (tx) => {
    await requirePermission(tx, input.org_id, "custom_checks.write");
    const checkId = input.check_id ?? slug(input.title);
    const [taken] = await tx`
      select 1 from public.analysis_custom_checks where org_id = ${input.org_id} and check_id = ${checkId}`;
    if (taken) {
      throw new HttpError(409, `A custom check with id "${checkId}" already exists`, {
        code: "check_id_taken",
        details: [{ path: "check_id", message: "taken" }],
      });
    }
    const [row] = await tx<{ id: string }[]>`
      insert into public.analysis_custom_checks (
        org_id, check_id, title, description, risk, remediation, severity, risk_score, area,
        table_name, query, evidence_fields, frameworks, enabled, created_by, updated_by)
      values (
        ${input.org_id}, ${checkId}, ${input.title}, ${input.description}, ${input.risk},
        ${input.remediation}, ${input.severity}, ${input.risk_score}, ${input.area},
        ${input.table_name}, ${input.query}, ${input.evidence_fields},
        ${tx.json(input.frameworks as never)}, ${input.enabled}, ${claims.sub}, ${claims.sub})
      returning id`;
    return view(await read(tx, row!.id));
  });
}

/**
 * Changes a custom check (analyst or higher); each change makes a new version,
 * which the next run records.
 *
 * @param db the database
 * @param claims the caller
 * @param id the custom check's row id
 * @param patch the fields to change
 * @returns the check
 */
export async function updateCustomCheck(
  db: Database,
  claims: TenantClaims,
  id: string,
  patch: z.output<typeof updateCustomCheckSchema>,
): Promise<CustomCheckView> {
  return await db.asTenant(claims, async (tx) => {
    const current = await read(tx, id);
    await requirePermission(tx, current.org_id, "custom_checks.write");
    const next = { ...current, ...patch };
    compileOrThrow(next);
    if (patch.frameworks) checkFrameworks(patch.frameworks);
    await tx`
      update public.analysis_custom_checks set
        title = ${next.title}, description = ${next.description}, risk = ${next.risk},
        remediation = ${next.remediation}, severity = ${next.severity}, risk_score = ${next.risk_score},
        area = ${next.area}, table_name = ${next.table_name}, query = ${next.query},
        evidence_fields = ${next.evidence_fields}, frameworks = ${
      tx.json(next.frameworks as never)
    },
        enabled = ${next.enabled}, version = version + 1, updated_by = ${claims.sub}
      where id = ${id}`;
    return view(await read(tx, id));
  });
}

/**
 * Deletes a custom check (analyst or higher). Past runs keep its verdicts and
 * findings.
 *
 * @param db the database
 * @param claims the caller
 * @param id the custom check's row id
 */
export async function deleteCustomCheck(
  db: Database,
  claims: TenantClaims,
  id: string,
): Promise<void> {
  await db.asTenant(claims, async (tx) => {
    const current = await read(tx, id);
    await requirePermission(tx, current.org_id, "custom_checks.write");
    await tx`delete from public.analysis_custom_checks where id = ${id}`;
  });
}

/** What a preview found. */
export interface PreviewResult {
  /** Records of the table that match (that the check would fail). */
  matches: number;
  /** Records of the table on the instance. */
  scanned: number;
  /** The first matches, by sys_id: their evidence fields. */
  records: { sys_id: string; evidence: Record<string, unknown> }[];
  evidence_fields: string[];
  warnings: string[];
  /** Problems that make the check NOT_EVALUATED on this instance today. */
  not_evaluated: string[];
  /** Why the check is NOT_APPLICABLE on this instance (a table it reads does not exist), or empty. */
  not_applicable: string[];
  /**
   * Fields the query reads that the instance does not return (omitted from every
   * record synced: absent, not empty) — the check cannot be judged on them.
   */
  absent_fields: { table: string; field: string }[];
  evaluated_at: Date;
}

/**
 * Runs a custom check's query against an instance's latest synced records
 * (analyst or higher), without saving anything.
 *
 * @param db the database
 * @param claims the caller
 * @param input the instance, table, query, evidence fields and sample size
 * @returns match count, a sample, warnings
 * @throws {HttpError} 422 when the query does not compile, 404 unknown instance
 */
export async function previewCustomCheck(
  db: Database,
  claims: TenantClaims,
  input: z.output<typeof previewSchema>,
): Promise<PreviewResult> {
  const now = new Date();
  const compiled = compileOrThrow(input, now);
  return await db.asTenant(claims, async (tx) => {
    const [instance] = await tx<{ org_id: string }[]>`
      select org_id from public.instances where id = ${input.instance_id}`;
    if (!instance) throw new HttpError(404, "Instance not found");
    await requirePermission(tx, instance.org_id, "custom_checks.write");
    await tx`select set_config('statement_timeout', '15s', true), set_config('jit', 'off', true)`;
    const states = await tx<InstanceTableState[]>`
      select table_name, readable, last_error, table_missing, fields_requested, fields_present
      from public.instance_tables
      where instance_id = ${input.instance_id} and table_name in ${
      tx(compiled.tables as string[])
    }`;
    const readiness = customReadiness(compiled, states);
    const problems = readiness.ok ? [] : readiness.reason.split("; ");
    const absentFields = compiled.tables.flatMap((table) => {
      const state = states.find((x) => x.table_name === table);
      const present = state?.fields_present ? new Set(state.fields_present) : null;
      const requested = new Set(state?.fields_requested ?? []);
      return present === null ? [] : (compiled.fields[table] ?? [])
        .filter((field) => requested.has(field) && !present.has(field))
        .map((field) => ({ table, field }));
    });
    const rows = await tx.unsafe(
      `select m.sys_id, m.evidence, count(*) over () as matches
       from (${compiled.sql}) as m
       limit $4::int`,
      [input.instance_id, compiled.parameters, now, input.limit] as never[],
    );
    let matches = Number(rows[0]?.matches ?? 0);
    if (rows.length === 0) matches = 0;
    const [scanned] = await tx<{ n: number }[]>`
      select count(*)::int as n from public.snow_records
      where instance_id = ${input.instance_id} and table_name = ${input.table_name}`;
    return {
      matches,
      scanned: scanned?.n ?? 0,
      records: rows.map((r) => ({
        sys_id: r.sys_id as string,
        evidence: r.evidence as Record<string, unknown>,
      })),
      evidence_fields: [...compiled.evidenceFields],
      warnings: [...compiled.warnings],
      not_evaluated: !readiness.ok && readiness.verdict === "NOT_EVALUATED" ? problems : [],
      not_applicable: !readiness.ok && readiness.verdict === "NOT_APPLICABLE" ? problems : [],
      absent_fields: absentFields,
      evaluated_at: now,
    };
  });
}

/** A table synced for an instance, with the fields a custom check can read. */
export interface SyncedTable {
  table_name: string;
  readable: boolean;
  record_count: number;
  fields: { name: string; type: string; reference?: string; synced: boolean }[];
}

/**
 * The tables synced for an instance and the fields of each (members): what a
 * custom check can read, for the editor.
 *
 * @param db the database
 * @param claims the caller
 * @param instanceId the instance
 * @returns tables by name, each with its known and synced fields
 */
export async function describeTables(
  db: Database,
  claims: TenantClaims,
  instanceId: string,
): Promise<SyncedTable[]> {
  const rows = await db.asTenant(claims, async (tx) => {
    const [instance] = await tx<
      { org_id: string }[]
    >`select org_id from public.instances where id = ${instanceId}`;
    if (!instance) throw new HttpError(404, "Instance not found");
    return await tx<{ table_name: string; readable: boolean; record_count: number }[]>`
      select t.table_name, t.readable,
             (select count(*)::int from public.snow_records r
               where r.instance_id = t.instance_id and r.table_name = t.table_name) as record_count
      from public.instance_tables t where t.instance_id = ${instanceId} order by t.table_name`;
  });
  return rows.map((t) => {
    const synced = new Set(SYNCED_FIELDS[t.table_name] ?? []);
    const known = tableFields(t.table_name);
    const names = new Set([...known.map((f) => f.name), ...synced]);
    return {
      ...t,
      fields: [...names].sort().map((name) => {
        const info = known.find((f) => f.name === name);
        return {
          name,
          type: info?.type ?? "string",
          ...(info?.reference ? { reference: info.reference } : {}),
          synced: synced.has(name) || name === "sys_id",
        };
      }),
    };
  });
}
