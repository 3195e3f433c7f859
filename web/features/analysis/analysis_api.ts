/**
 * The analysis API (`/functions/v1/analysis`) as the web app uses it. Response
 * types are the server's own (`import type` from shared/analysis, erased from
 * the bundle) in their JSON shape, so the page cannot drift from the API.
 *
 * @module
 */
import type {
  BulkResult as ServerBulkResult,
  CheckDetail,
  CheckListItem,
  CustomCheckView,
  FindingDetail as ServerFindingDetail,
  FindingGroups as ServerFindingGroups,
  FindingListItem,
  FindingPage as ServerFindingPage,
  FrameworkDetail as ServerFrameworkDetail,
  FrameworkListItem,
  PreviewResult as ServerPreviewResult,
  RunCheckItem,
  RunDetail as ServerRunDetail,
  RunFramework as ServerRunFramework,
  RunListItem,
  RunProgress as ServerRunProgress,
  RunScope as ServerRunScope,
  RunScores as ServerRunScores,
  RunStatus as ServerRunStatus,
  RunSummary as ServerRunSummary,
  Score as ServerScore,
  ScoreChange as ServerScoreChange,
  SecurityCenterScore as ServerSecurityCenterScore,
  SuppressionView,
  SyncedTable as ServerSyncedTable,
  TriageState as ServerTriageState,
} from "../../../shared/analysis/mod.ts";
import type { Severity as ServerSeverity } from "../../../shared/analysis/catalog/mod.ts";
import type { InstanceView } from "../../../shared/instances/mod.ts";
import type { Job } from "../../../shared/tasks/mod.ts";
import type { ApiClient } from "../../lib/api_client.ts";
import type { Jsonified, Member, Page } from "../../lib/api_types.ts";

/** How bad a failing check is. */
export type Severity = ServerSeverity;
/** Severities, most severe first (the catalog's order). */
export const SEVERITIES: readonly Severity[] = [
  "critical",
  "high",
  "medium",
  "low",
  "informational",
];

/** Where people are with a finding. */
export type TriageState = ServerTriageState;

/** Labels of triage states, in the order the workflow goes. */
export const TRIAGE_LABELS: Readonly<Record<TriageState, string>> = {
  open: "Open",
  under_review: "Under review",
  remediating: "Remediating",
  risk_accepted: "Risk accepted",
  false_positive: "False positive",
};
/** Triage states of a finding (every key of {@linkcode TRIAGE_LABELS}). */
export const TRIAGE_STATES: readonly TriageState[] = Object.keys(TRIAGE_LABELS) as TriageState[];

/** An instance, as far as the analysis page needs it. */
export type InstanceSummary = Pick<
  Jsonified<InstanceView>,
  "id" | "name" | "status" | "last_sync_at" | "active_sync"
>;

/** A background job (a sync, a run) as far as the page follows it. */
export type JobProgress = Pick<
  Jsonified<Job>,
  "id" | "kind" | "subject" | "status" | "progress" | "progress_message" | "error"
>;

/** What a run evaluates. */
export type RunScope = Jsonified<ServerRunScope>;
/** One risk-weighted score. */
export type Score = Jsonified<ServerScore>;
/** The Security Center score. */
export type SecurityCenterScore = Jsonified<ServerSecurityCenterScore>;
/** Every score of a run. */
export type RunScores = Jsonified<ServerRunScores>;
/** Counts of a run. */
export type RunSummary = Jsonified<ServerRunSummary>;
/** What moved one score. */
export type ScoreChange = Jsonified<ServerScoreChange>;
/** Status of a run. */
export type RunStatus = ServerRunStatus;
/** A run in a list. */
export type RunItem = Jsonified<RunListItem>;
/** A run in full. */
export type RunDetail = Jsonified<ServerRunDetail>;
/** Live progress of a run (the page does not read `finished_at`, so it may be absent). */
export type RunProgress = Omit<Jsonified<ServerRunProgress>, "finished_at">;
/** A check's verdict in a run. */
export type RunCheck = Jsonified<RunCheckItem>;
/** A finding in a run's list. */
export type FindingItem = Jsonified<FindingListItem>;
/** A page of findings. */
export type FindingPage = Jsonified<ServerFindingPage>;
/** A run's findings grouped by check, with the total. */
export type FindingGroups = Jsonified<ServerFindingGroups>;
/** What a bulk triage or mute changed. */
export type BulkResult = ServerBulkResult;
/** A suppression. */
export type Suppression = Jsonified<SuppressionView>;
/** A finding in full. */
export type FindingDetail = Jsonified<ServerFindingDetail>;
/** A framework. */
export type Framework = Jsonified<FrameworkListItem>;
/** A framework with its requirements. */
export type FrameworkDetail = Jsonified<ServerFrameworkDetail>;
/** A framework's requirements as one run found them. */
export type RunFramework = Jsonified<ServerRunFramework>;
/** A check of the catalog. */
export type CatalogCheck = Jsonified<CheckListItem>;
/** A check of the catalog in full, with its parameters as the organization runs them. */
export type CatalogCheckDetail = Jsonified<CheckDetail>;
/** One parameter of a check. */
export type CheckParameter = CatalogCheckDetail["parameters"][number];
/** A change to a check's settings: `parameters: {}` restores the defaults. */
export interface CheckSettingsInput {
  enabled?: boolean;
  parameters?: Record<string, unknown>;
}
/** A custom check. */
export type CustomCheck = Jsonified<CustomCheckView>;
/** What a preview found. */
export type PreviewResult = Jsonified<ServerPreviewResult>;
/** A synced table with its fields. */
export type SyncedTable = Jsonified<ServerSyncedTable>;

/** What a custom check is made of, as the editor sends it. */
export type CustomCheckInput = Pick<
  CustomCheck,
  | "title"
  | "description"
  | "risk"
  | "remediation"
  | "severity"
  | "risk_score"
  | "area"
  | "table_name"
  | "query"
  | "evidence_fields"
  | "frameworks"
  | "enabled"
>;

/** Filters of the findings list. */
export interface FindingFilters {
  severity: Severity[];
  area: string[];
  framework: string;
  status: FindingItem["status"][];
  delta: NonNullable<FindingItem["delta"]>[];
  check_id: string;
  triage: TriageState[];
  muted: "" | "true" | "false";
  q: string;
  sort: "severity" | "check" | "resource" | "first_seen" | "last_seen";
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
  findingGroups(target: { runId: string }, filters: FindingFilters): Promise<FindingGroups>;
  finding(id: string): Promise<FindingDetail>;
  triage(id: string, state: TriageState, note: string): Promise<void>;
  bulkTriage(findingIds: readonly string[], state: TriageState, note: string): Promise<BulkResult>;
  bulkMute(
    findingIds: readonly string[],
    details: { reason: string; owner_id: string; expires_at?: string },
  ): Promise<BulkResult>;
  /**
   * Work in progress on one instance: its sync in progress (as the instance
   * records it) and its queued or running analysis, as jobs to follow.
   */
  activeJobs(orgId: string, instanceId: string): Promise<JobProgress[]>;
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
  check(orgId: string, checkId: string): Promise<CatalogCheckDetail>;
  putCheckSettings(
    orgId: string,
    checkId: string,
    input: CheckSettingsInput,
  ): Promise<CatalogCheckDetail>;
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
    findingGroups: (target, filters) => {
      const { sort: _sort, ...query } = filterQuery(filters);
      return api.request<FindingGroups>("GET", `${base}/findings/groups`, {
        query: { run_id: target.runId, ...query },
      });
    },
    finding: (id) => get<FindingDetail>(`/findings/${id}`),
    async triage(id, state, note) {
      await api.request("PUT", `${base}/findings/${id}/triage`, { body: { state, note } });
    },
    async bulkTriage(findingIds, state, note) {
      return (await api.request<{ data: BulkResult }>("POST", `${base}/findings/bulk/triage`, {
        body: { finding_ids: findingIds, state, ...(note.trim() ? { note } : {}) },
      })).data;
    },
    async bulkMute(findingIds, details) {
      return (await api.request<{ data: BulkResult }>("POST", `${base}/findings/bulk/mute`, {
        body: { finding_ids: findingIds, ...details },
      })).data;
    },
    async activeJobs(_orgId, instanceId) {
      const [instance, runs] = await Promise.all([
        api.request<{ data: InstanceSummary }>("GET", `/instances/${instanceId}`),
        api.request<Page<RunItem>>("GET", `${base}/runs`, {
          query: { instance_id: instanceId, limit: 5 },
        }),
      ]);
      const jobs: JobProgress[] = [];
      const sync = instance.data.active_sync;
      if (sync?.job_id) {
        jobs.push({
          id: sync.job_id,
          kind: "servicenow.sync",
          subject: instanceId,
          status: sync.status === "queued" ? "queued" : "running",
          progress: 0,
          progress_message: "",
          error: null,
        });
      }
      const run = runs.data.find((r) => r.status === "queued" || r.status === "running");
      if (run) {
        jobs.push({
          id: run.job_id ?? run.id,
          kind: "analysis.run",
          subject: instanceId,
          status: run.status === "queued" ? "queued" : "running",
          progress: 0,
          progress_message: "",
          error: null,
        });
      }
      return jobs;
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
    check: (orgId, checkId) =>
      get<CatalogCheckDetail>(`/catalog/${encodeURIComponent(checkId)}`, { org_id: orgId }),
    async putCheckSettings(orgId, checkId, input) {
      return (await api.request<{ data: CatalogCheckDetail }>(
        "PUT",
        `${base}/catalog/${encodeURIComponent(checkId)}/settings`,
        { body: { org_id: orgId, ...input } },
      )).data;
    },
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
