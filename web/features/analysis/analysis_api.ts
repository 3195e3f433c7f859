/**
 * The analysis API (`/functions/v1/analysis`) as the web app uses it, with its
 * wire shapes mirrored from shared/analysis: the page depends on the API's
 * JSON, not on server code.
 *
 * @module
 */
import type { ApiClient } from "../../lib/api_client.ts";
import type { Member, Page } from "../../lib/api_types.ts";

/** Severities, most severe first. */
export const SEVERITIES = ["critical", "high", "medium", "low", "informational"] as const;
/** How bad a failing check is. */
export type Severity = typeof SEVERITIES[number];

/** Triage states of a finding. */
export const TRIAGE_STATES = [
  "open",
  "under_review",
  "remediating",
  "risk_accepted",
  "false_positive",
] as const;
/** Where people are with a finding. */
export type TriageState = typeof TRIAGE_STATES[number];

/** Labels of triage states. */
export const TRIAGE_LABELS: Record<TriageState, string> = {
  open: "Open",
  under_review: "Under review",
  remediating: "Remediating",
  risk_accepted: "Risk accepted",
  false_positive: "False positive",
};

/** An instance, as far as the analysis page needs it. */
export interface InstanceSummary {
  id: string;
  name: string;
  status: string;
  last_sync_at: string | null;
}

/** What a run evaluates. */
export type RunScope =
  | { type: "all" }
  | { type: "framework"; framework: string }
  | { type: "checks"; checks: string[] };

/** One risk-weighted score. */
export interface Score {
  score: number | null;
  passed: number;
  failed: number;
  not_evaluated: number;
  muted: number;
  weight_passed: number;
  weight_total: number;
}

/** The Security Center score. */
export interface SecurityCenterScore {
  score: number | null;
  compliant_risk: number;
  total_risk: number;
  compliant: number;
  total: number;
  not_evaluated: number;
}

/** Every score of a run. */
export interface RunScores {
  overall: Score;
  hardening: Score;
  security_center: SecurityCenterScore;
  behavioural: Score;
  areas: Record<string, Score>;
  frameworks: Record<string, Score>;
}

/** Counts of a run. */
export interface RunSummary {
  findings: {
    failing: number;
    muted: number;
    by_severity: Record<string, number>;
    by_delta: Record<string, number>;
    not_evaluated: number;
  };
  checks: {
    total: number;
    by_status: Record<string, number>;
    by_effective: Record<string, number>;
    failing_by_severity: Record<string, number>;
  };
}

/** What moved one score. */
export interface ScoreChange {
  from: number | null;
  to: number | null;
  delta: number | null;
  movers: {
    check_id: string;
    title: string;
    from: string | null;
    to: string | null;
    impact: number;
  }[];
}

/** Status of a run. */
export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** A run in a list. */
export interface RunItem {
  id: string;
  instance_id: string;
  status: RunStatus;
  trigger: string;
  scope: RunScope;
  catalog_version: string;
  evaluated_at: string;
  checks_total: number;
  checks_done: number;
  previous_run_id: string | null;
  job_id: string | null;
  scores_at_completion: RunScores | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** A run in full. */
export interface RunDetail extends RunItem {
  parameters: Record<string, Record<string, unknown>>;
  custom_checks: Record<string, { version: number; table_name: string; query: string }>;
  progress: number;
  progress_message: string;
  scores: RunScores | null;
  summary: RunSummary | null;
  explanation: { previous_run_id: string | null; scores: Record<string, ScoreChange> } | null;
}

/** Live progress of a run. */
export interface RunProgress {
  id: string;
  status: RunStatus;
  checks_done: number;
  checks_total: number;
  progress: number;
  message: string;
  error: string | null;
}

/** A check's verdict in a run. */
export interface RunCheck {
  check_id: string;
  title: string;
  area: string;
  family: string;
  severity: Severity;
  frameworks: string[];
  status: "PASS" | "FAIL" | "NOT_EVALUATED";
  effective: "PASS" | "FAIL" | "NOT_EVALUATED" | "MUTED";
  reason: string | null;
  failed: number;
  passed: number;
  muted_findings: number;
  duration_ms: number | null;
}

/** A finding in a run's list. */
export interface FindingItem {
  id: string;
  run_id: string;
  instance_id: string;
  check_id: string;
  check_title: string;
  severity: Severity;
  area: string;
  family: string;
  frameworks: string[];
  resource_key: string;
  table_name: string;
  sys_id: string | null;
  status: "FAIL" | "PASS" | "NOT_EVALUATED";
  delta: "new" | "unchanged" | "resolved" | "reopened" | null;
  evidence: Record<string, unknown>;
  first_seen_at: string;
  last_seen_at: string;
  current_status: "open" | "resolved";
  reopened_count: number;
  triage_state: TriageState;
  suppression_id: string | null;
  muted: boolean;
}

/** A page of findings. */
export interface FindingPage {
  run_id: string | null;
  data: FindingItem[];
  next_cursor: string | null;
}

/** Filters of the findings list. */
export interface FindingFilters {
  severity: Severity[];
  area: string[];
  framework: string;
  status: ("FAIL" | "PASS" | "NOT_EVALUATED")[];
  delta: ("new" | "unchanged" | "resolved" | "reopened")[];
  check_id: string;
  triage: TriageState[];
  muted: "" | "true" | "false";
  q: string;
  sort: "severity" | "check" | "resource" | "first_seen" | "last_seen";
}

/** A suppression. */
export interface Suppression {
  id: string;
  scope: "finding" | "check_instance" | "check_org";
  check_id: string;
  instance_id: string | null;
  finding_id: string | null;
  reason: string;
  owner_id: string | null;
  owner_email: string | null;
  expires_at: string | null;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
  active: boolean;
}

/** A finding in full. */
export interface FindingDetail {
  id: string;
  instance_id: string;
  check_id: string;
  resource_key: string;
  table_name: string;
  sys_id: string | null;
  status: "open" | "resolved";
  evidence: Record<string, unknown>;
  first_seen_at: string;
  last_seen_at: string;
  resolved_at: string | null;
  reopened_count: number;
  check: {
    id: string;
    title: string;
    family: string;
    severity: Severity;
    area: string;
    description: string;
    risk: string;
    remediation: {
      summary: string;
      steps: string[];
      code: { kind: string; language: string; code: string }[];
    };
    references: { title: string; url: string }[];
    frameworks: { framework: string; requirement: string }[];
  } | null;
  triage: {
    state: TriageState;
    note: string | null;
    updated_by: string | null;
    updated_at: string | null;
  };
  history: { run_id: string; evaluated_at: string; status: string; delta: string | null }[];
  events: {
    id: string;
    kind: string;
    from_state: string | null;
    to_state: string | null;
    note: string | null;
    actor_email: string | null;
    created_at: string;
  }[];
  suppressions: Suppression[];
  muted_by: string | null;
}

/** A framework. */
export interface Framework {
  id: string;
  name: string;
  version: string;
  requirements: number;
  checks: number;
}

/** A framework with its requirements. */
export interface FrameworkDetail extends Framework {
  requirement_list: { id: string; name: string; section: string }[];
}

/** A framework's requirements as one run found them. */
export interface RunFramework {
  id: string;
  name: string;
  version: string;
  score: number | null;
  requirements: {
    id: string;
    name: string;
    section: string;
    status: "PASS" | "FAIL" | "NOT_EVALUATED";
    passed: number;
    failed: number;
    not_evaluated: number;
    muted: number;
    checks: {
      check_id: string;
      title: string;
      severity: Severity;
      effective: string;
      failed: number;
    }[];
  }[];
}

/** A check of the catalog. */
export interface CatalogCheck {
  id: string;
  title: string;
  area: string;
  area_title: string;
  family: string;
  severity: Severity;
  enabled: boolean;
}

/** A custom check. */
export interface CustomCheck {
  id: string;
  check_id: string;
  title: string;
  description: string;
  risk: string;
  remediation: string;
  severity: Severity;
  risk_score: number;
  area: string;
  table_name: string;
  query: string;
  evidence_fields: string[];
  frameworks: { framework: string; requirement: string }[];
  enabled: boolean;
  version: number;
  updated_at: string;
  warnings: string[];
}

/** What a custom check is made of, as the editor sends it. */
export interface CustomCheckInput {
  title: string;
  description: string;
  risk: string;
  remediation: string;
  severity: Severity;
  risk_score: number;
  area: string;
  table_name: string;
  query: string;
  evidence_fields: string[];
  frameworks: { framework: string; requirement: string }[];
  enabled: boolean;
}

/** What a preview found. */
export interface PreviewResult {
  matches: number;
  scanned: number;
  records: { sys_id: string; evidence: Record<string, unknown> }[];
  evidence_fields: string[];
  warnings: string[];
  not_evaluated: string[];
}

/** A synced table with its fields. */
export interface SyncedTable {
  table_name: string;
  readable: boolean;
  record_count: number;
  fields: { name: string; type: string; reference?: string; synced: boolean }[];
}

/** The analysis endpoints. */
export interface AnalysisApi {
  instances(orgId: string): Promise<InstanceSummary[]>;
  runs(instanceId: string): Promise<Page<RunItem>>;
  run(runId: string): Promise<RunDetail>;
  progress(runId: string): Promise<RunProgress>;
  startRun(instanceId: string, scope: RunScope): Promise<{ run: RunItem }>;
  runChecks(runId: string): Promise<RunCheck[]>;
  runFramework(runId: string, frameworkId: string): Promise<RunFramework>;
  findings(
    target: { runId: string },
    filters: FindingFilters,
    page: { cursor?: string | null; limit?: number },
  ): Promise<FindingPage>;
  finding(id: string): Promise<FindingDetail>;
  triage(id: string, state: TriageState, note: string): Promise<void>;
  suppress(
    input:
      | { scope: "finding"; finding_id: string }
      | { scope: "check_instance"; check_id: string; instance_id: string }
      | { scope: "check_org"; check_id: string; org_id: string },
    details: { reason: string; owner_id: string; expires_at?: string },
  ): Promise<Suppression>;
  revoke(id: string): Promise<Suppression>;
  frameworks(): Promise<Framework[]>;
  framework(id: string): Promise<FrameworkDetail>;
  catalog(orgId: string): Promise<CatalogCheck[]>;
  customChecks(orgId: string): Promise<CustomCheck[]>;
  createCustomCheck(orgId: string, input: CustomCheckInput): Promise<CustomCheck>;
  updateCustomCheck(id: string, input: Partial<CustomCheckInput>): Promise<CustomCheck>;
  deleteCustomCheck(id: string): Promise<void>;
  preview(
    input: { instance_id: string; table_name: string; query: string; evidence_fields: string[] },
  ): Promise<PreviewResult>;
  tables(instanceId: string): Promise<SyncedTable[]>;
  members(orgId: string): Promise<Member[]>;
}

function filterQuery(filters: FindingFilters): Record<string, string> {
  const q: Record<string, string> = { sort: filters.sort };
  if (filters.severity.length) q.severity = filters.severity.join(",");
  if (filters.area.length) q.area = filters.area.join(",");
  if (filters.framework) q.framework = filters.framework;
  if (filters.status.length) q.status = filters.status.join(",");
  if (filters.delta.length) q.delta = filters.delta.join(",");
  if (filters.check_id) q.check_id = filters.check_id;
  if (filters.triage.length) q.triage = filters.triage.join(",");
  if (filters.muted) q.muted = filters.muted;
  if (filters.q.trim()) q.q = filters.q.trim();
  return q;
}

/**
 * The analysis endpoints on the app's API client (its 401/403/5xx handling applies).
 *
 * @param api the app's API client
 */
export function createAnalysisApi(api: ApiClient): AnalysisApi {
  const base = "/analysis";
  const get = async <T>(path: string, query?: Record<string, string | number | undefined | null>) =>
    (await api.request<{ data: T }>("GET", `${base}${path}`, { query })).data;
  return {
    async instances(orgId) {
      return (await api.request<{ data: InstanceSummary[] }>("GET", "/instances", {
        query: { org_id: orgId },
      })).data;
    },
    runs: (instanceId) =>
      api.request<Page<RunItem>>("GET", `${base}/runs`, {
        query: { instance_id: instanceId, limit: 20 },
      }),
    run: (runId) => get<RunDetail>(`/runs/${runId}`),
    async progress(runId) {
      const run = await get<RunDetail>(`/runs/${runId}`);
      return {
        id: run.id,
        status: run.status,
        checks_done: run.checks_done,
        checks_total: run.checks_total,
        progress: run.progress,
        message: run.progress_message,
        error: run.error,
      };
    },
    async startRun(instanceId, scope) {
      return (await api.request<{ data: { run: RunItem } }>("POST", `${base}/runs`, {
        body: { instance_id: instanceId, scope },
      })).data;
    },
    runChecks: (runId) => get<RunCheck[]>(`/runs/${runId}/checks`),
    runFramework: (runId, frameworkId) =>
      get<RunFramework>(`/runs/${runId}/frameworks/${frameworkId}`),
    findings: (target, filters, page) =>
      api.request<FindingPage>("GET", `${base}/findings`, {
        query: {
          run_id: target.runId,
          ...filterQuery(filters),
          limit: page.limit ?? 50,
          cursor: page.cursor ?? undefined,
        },
      }),
    finding: (id) => get<FindingDetail>(`/findings/${id}`),
    async triage(id, state, note) {
      await api.request("PUT", `${base}/findings/${id}/triage`, { body: { state, note } });
    },
    async suppress(input, details) {
      return (await api.request<{ data: Suppression }>("POST", `${base}/suppressions`, {
        body: { ...input, ...details },
      })).data;
    },
    async revoke(id) {
      return (await api.request<{ data: Suppression }>("POST", `${base}/suppressions/${id}/revoke`))
        .data;
    },
    frameworks: () => get<Framework[]>("/frameworks"),
    framework: (id) => get<FrameworkDetail>(`/frameworks/${id}`),
    catalog: (orgId) => get<CatalogCheck[]>("/catalog", { org_id: orgId }),
    customChecks: (orgId) => get<CustomCheck[]>("/custom-checks", { org_id: orgId }),
    async createCustomCheck(orgId, input) {
      return (await api.request<{ data: CustomCheck }>("POST", `${base}/custom-checks`, {
        body: { org_id: orgId, ...input },
      })).data;
    },
    async updateCustomCheck(id, input) {
      return (await api.request<{ data: CustomCheck }>("PATCH", `${base}/custom-checks/${id}`, {
        body: input,
      })).data;
    },
    async deleteCustomCheck(id) {
      await api.request("DELETE", `${base}/custom-checks/${id}`);
    },
    async preview(input) {
      return (await api.request<{ data: PreviewResult }>("POST", `${base}/custom-checks/preview`, {
        body: input,
      })).data;
    },
    tables: (instanceId) => get<SyncedTable[]>("/tables", { instance_id: instanceId }),
    members: (orgId) => api.organizations.listAllMembers(orgId),
  };
}

/** Filters that show every failing finding, most severe first. */
export const DEFAULT_FILTERS: FindingFilters = {
  severity: [],
  area: [],
  framework: "",
  status: ["FAIL"],
  delta: [],
  check_id: "",
  triage: [],
  muted: "",
  q: "",
  sort: "severity",
};
