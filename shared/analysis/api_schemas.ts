// Response schemas of the analysis API (the wire format it answers with). Lists
// are described field by field; the deepest documents (scores, evidence,
// catalog text) name their main fields and leave the rest open.
import { z } from "zod";
import { jobSchema } from "../tasks/mod.ts";
import { SEVERITIES } from "./catalog/mod.ts";
import { TRIAGE_STATES } from "./findings/findings.ts";

const timestamp = z.iso.datetime({ offset: true });
const severity = z.enum(SEVERITIES);
const runStatus = z.enum(["queued", "running", "succeeded", "failed", "cancelled"]);
/** Requirements of a framework by coverage. */
const coverageCountsSchema = z.object({
  covered: z.number().int(),
  partial: z.number().int(),
  manual: z.number().int(),
  not_covered: z.number().int(),
  total: z.number().int(),
}).strict();
const verdict = z.enum(["PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE"]);
const frameworkMapping = z.object({ framework: z.string(), requirement: z.string() });

/** A check of the catalog in a list, with the organization's settings. */
export const checkListItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  area: z.string(),
  area_title: z.string(),
  family: z.string(),
  severity,
  risk_score: z.number(),
  sc_risk: z.number().nullable(),
  frameworks: z.array(frameworkMapping.strict()),
  enabled: z.boolean(),
  customized: z.boolean(),
}).strict();

/** A check in full: text, parameters, and the custom query for custom checks. */
export const checkDetailSchema = checkListItemSchema.extend({
  description: z.string(),
  risk: z.string(),
  remediation: z.looseObject({ summary: z.string(), steps: z.array(z.string()) }),
  references: z.array(z.object({ title: z.string(), url: z.string() })),
  resource_type: z.string(),
  controls: z.array(z.string()),
  tables: z.array(z.string()),
  parameters: z.array(z.looseObject({
    name: z.string(),
    kind: z.string(),
    value: z.unknown(),
    source: z.string(),
    overridden: z.boolean(),
  })),
  hardening: z.looseObject({ key: z.string() }).nullable(),
  custom: z.looseObject({ id: z.uuid(), query: z.string(), version: z.number() }).nullable(),
}).loose();

/** A framework with its counts. */
export const frameworkListItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  url: z.string(),
  requirements: z.number().int(),
  checks: z.number().int(),
  coverage: coverageCountsSchema,
}).strict();

/** A framework with its requirements and the checks serving each. */
export const frameworkDetailSchema = frameworkListItemSchema.extend({
  requirement_list: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      section: z.string(),
      type: z.enum(["automated", "partial", "manual"]),
      coverage: z.enum(["covered", "partial", "manual", "not_covered"]),
      checks: z.array(z.object({ id: z.string(), title: z.string(), severity }).strict()),
    }).strict(),
  ),
}).strict();

/** A run in a list. */
export const runListItemSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  instance_id: z.uuid(),
  status: runStatus,
  trigger: z.string(),
  scope: z.looseObject({ type: z.enum(["all", "framework", "checks"]) }),
  catalog_version: z.string(),
  evaluated_at: timestamp,
  checks_total: z.number().int(),
  checks_done: z.number().int(),
  previous_run_id: z.uuid().nullable(),
  job_id: z.uuid().nullable(),
  scores_at_completion: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  requested_by: z.uuid().nullable(),
  created_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
}).strict();

/** A run in full: progress and, once finished, scores, summary and explanation. */
export const runDetailSchema = runListItemSchema.extend({
  parameters: z.record(z.string(), z.record(z.string(), z.unknown())),
  custom_checks: z.record(
    z.string(),
    z.object({ version: z.number(), table_name: z.string(), query: z.string() }),
  ),
  progress: z.number().min(0).max(1),
  progress_message: z.string(),
  scores: z.record(z.string(), z.unknown()).nullable(),
  summary: z.record(z.string(), z.unknown()).nullable(),
  explanation: z.record(z.string(), z.unknown()).nullable(),
}).strict();

/** A queued run and the job that runs it. */
export const queuedRunSchema = z.object({ run: runListItemSchema, job: jobSchema }).strict();

/** One check's verdict in a run. */
export const runCheckItemSchema = z.object({
  check_id: z.string(),
  title: z.string(),
  area: z.string(),
  family: z.string(),
  severity,
  frameworks: z.array(z.string()),
  status: verdict,
  effective: z.enum(["PASS", "FAIL", "NOT_EVALUATED", "NOT_APPLICABLE", "MUTED"]),
  reason: z.string().nullable(),
  /** A hardening setting judged on the platform default (its property is not set). */
  default_used: z.boolean(),
  failed: z.number().int(),
  passed: z.number().int(),
  muted_findings: z.number().int(),
  risk: z.number(),
  sc_risk: z.number().nullable(),
  duration_ms: z.number().nullable(),
}).strict();

/** One check's verdict with its capped evidence. */
export const runCheckDetailSchema = runCheckItemSchema.extend({
  evidence: z.array(
    z.object({
      resource_key: z.string(),
      table_name: z.string(),
      sys_id: z.string().nullable(),
      evidence: z.unknown(),
    }).strict(),
  ),
  evidence_truncated: z.boolean(),
}).strict();

/** A framework in a run, requirement by requirement. */
export const runFrameworkSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  score: z.number().nullable(),
  coverage: coverageCountsSchema,
  requirements: z.array(z.looseObject({ id: z.string(), status: z.string() })),
}).strict();

/** A finding in a list. */
export const findingListItemSchema = z.object({
  id: z.uuid(),
  run_id: z.uuid(),
  instance_id: z.uuid(),
  check_id: z.string(),
  check_title: z.string(),
  severity,
  area: z.string(),
  family: z.string(),
  frameworks: z.array(z.string()),
  resource_key: z.string(),
  table_name: z.string(),
  sys_id: z.string().nullable(),
  status: verdict,
  delta: z.enum(["new", "unchanged", "resolved", "reopened"]).nullable(),
  evidence: z.record(z.string(), z.unknown()),
  first_seen_at: timestamp,
  last_seen_at: timestamp,
  current_status: z.enum(["open", "resolved"]),
  reopened_count: z.number().int(),
  triage_state: z.enum(TRIAGE_STATES),
  suppression_id: z.uuid().nullable(),
  muted: z.boolean(),
  record_url: z.string().nullable(),
}).strict();

/** A run's findings grouped by check. */
export const findingGroupsSchema = z.object({
  run_id: z.uuid().nullable(),
  total: z.number().int(),
  /** A per-finding filter matched more than 10,000 findings: the groups count the first 10,000. */
  capped: z.boolean(),
  data: z.array(
    z.object({
      check_id: z.string(),
      check_title: z.string(),
      severity,
      area: z.string(),
      count: z.number().int(),
      muted: z.number().int(),
    }).strict(),
  ),
}).strict();

/** What a bulk triage or mute changed. */
export const bulkResultSchema = z.object({
  org_id: z.uuid(),
  updated: z.number().int(),
  unchanged: z.number().int(),
}).strict();

/** A page of findings (of the run asked for, or the instance's latest). */
export const findingPageSchema = z.object({
  run_id: z.uuid().nullable(),
  data: z.array(findingListItemSchema),
  next_cursor: z.string().nullable(),
}).strict();

/** A suppression. */
export const suppressionSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  scope: z.enum(["finding", "check_instance", "check_org"]),
  check_id: z.string(),
  instance_id: z.uuid().nullable(),
  finding_id: z.uuid().nullable(),
  reason: z.string(),
  owner_id: z.uuid().nullable(),
  owner_email: z.string().nullable(),
  expires_at: timestamp.nullable(),
  created_by: z.uuid().nullable(),
  created_at: timestamp,
  revoked_at: timestamp.nullable(),
  revoked_by: z.uuid().nullable(),
  active: z.boolean(),
}).strict();

/** A finding's triage. */
export const triageViewSchema = z.object({
  state: z.enum(TRIAGE_STATES),
  note: z.string().nullable(),
  updated_by: z.uuid().nullable(),
  updated_at: timestamp.nullable(),
}).strict();

/** One finding in full: evidence, history, triage events and suppressions. */
export const findingDetailSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  instance_id: z.uuid(),
  check_id: z.string(),
  resource_key: z.string(),
  table_name: z.string(),
  sys_id: z.string().nullable(),
  record_url: z.string().nullable(),
  instance_url: z.string(),
  status: z.enum(["open", "resolved"]),
  evidence: z.record(z.string(), z.unknown()),
  first_seen_at: timestamp,
  first_seen_run_id: z.uuid().nullable(),
  last_seen_at: timestamp,
  last_seen_run_id: z.uuid().nullable(),
  resolved_at: timestamp.nullable(),
  reopened_count: z.number().int(),
  check: z.looseObject({ id: z.string(), title: z.string(), severity }).nullable(),
  triage: triageViewSchema,
  history: z.array(
    z.object({
      run_id: z.uuid(),
      evaluated_at: timestamp,
      status: z.string(),
      delta: z.string().nullable(),
      evidence: z.record(z.string(), z.unknown()).nullable(),
    }).strict(),
  ),
  events: z.array(
    z.object({
      id: z.uuid(),
      kind: z.string(),
      from_state: z.string().nullable(),
      to_state: z.string().nullable(),
      note: z.string().nullable(),
      actor_id: z.uuid().nullable(),
      actor_email: z.string().nullable(),
      created_at: timestamp,
    }).strict(),
  ),
  suppressions: z.array(suppressionSchema),
  muted_by: z.uuid().nullable(),
}).strict();

/** A custom check with its warnings. */
export const customCheckSchema = z.object({
  id: z.uuid(),
  org_id: z.uuid(),
  check_id: z.string(),
  title: z.string(),
  description: z.string(),
  risk: z.string(),
  remediation: z.string(),
  severity,
  risk_score: z.number(),
  area: z.string(),
  table_name: z.string(),
  query: z.string(),
  evidence_fields: z.array(z.string()),
  frameworks: z.array(frameworkMapping),
  enabled: z.boolean(),
  version: z.number().int(),
  created_by: z.uuid().nullable(),
  updated_by: z.uuid().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  warnings: z.array(z.string()),
}).strict();

/** What a custom check's preview found. */
export const previewResultSchema = z.object({
  matches: z.number().int(),
  scanned: z.number().int(),
  records: z.array(
    z.object({
      sys_id: z.string(),
      evidence: z.record(z.string(), z.unknown()),
    }).strict(),
  ),
  evidence_fields: z.array(z.string()),
  warnings: z.array(z.string()),
  not_evaluated: z.array(z.string()),
  not_applicable: z.array(z.string()),
  absent_fields: z.array(z.object({ table: z.string(), field: z.string() }).strict()),
  evaluated_at: timestamp,
}).strict();

/** A synced table and its fields, for the custom-check editor. */
export const syncedTableSchema = z.object({
  table_name: z.string(),
  readable: z.boolean(),
  record_count: z.number().int(),
  fields: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      reference: z.string().optional(),
      synced: z.boolean(),
    }).strict(),
  ),
}).strict();
