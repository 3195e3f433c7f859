/**
 * The analysis API (`/functions/v1/analysis`) as the web app uses it, through
 * the typed client: inputs and response types come from the routes'
 * declarations, so the page cannot drift from the API. Where a route declares
 * a loose response (a run's scope and scores, a run's framework requirements, a
 * finding's check), the page reads the server's own type (`import type`).
 *
 * @module
 */
import type {
  FindingDetail as ServerFindingDetail,
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
  TriageState as ServerTriageState,
} from "../../../shared/analysis/mod.ts";
import type { Severity as ServerSeverity } from "../../../shared/analysis/catalog/mod.ts";
import type { ApiClient } from "../../lib/api_client.ts";
import type { Jsonified, Member, Page } from "../../lib/api_types.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";
import { allPages } from "../../lib/all_pages.ts";

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
  ResponseOf<"GET /instances/:id">["data"],
  "id" | "name" | "status" | "last_sync_at" | "active_sync"
>;

/** A background job (a sync, a run) as far as the page follows it. */
export type JobProgress = Pick<
  ResponseOf<"GET /tasks/jobs/:jobId">["data"],
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
/** A run in a list. The server's own type: the route declares `scope` as a loose object. */
export type RunItem = Jsonified<RunListItem>;
/** A run in full. */
/**
 * A run in full. The server's own type: the route declares `scope`, `scores`,
 * `summary` and `explanation` as loose records, too loose for the page.
 */
export type RunDetail = Jsonified<ServerRunDetail>;
/** Live progress of a run (the page does not read `finished_at`, so it may be absent). */
export type RunProgress = Omit<Jsonified<ServerRunProgress>, "finished_at">;
/** A check's verdict in a run. */
export type RunCheck = ResponseOf<"GET /analysis/runs/:runId/checks">["data"][number];
/** A finding in a run's list. */
export type FindingItem = FindingPage["data"][number];
/** A page of findings. */
export type FindingPage = ResponseOf<"GET /analysis/findings">;
/** A run's findings grouped by check, with the total. */
export type FindingGroups = ResponseOf<"GET /analysis/findings/groups">;
/** What a bulk triage or mute changed. */
export type BulkResult = ResponseOf<"POST /analysis/findings/bulk/triage">["data"];
/** A suppression. */
export type Suppression = ResponseOf<"POST /analysis/suppressions/:id/revoke">["data"];
/** A finding in full. */
/**
 * A finding in full. The server's own type: the route declares `check` as a
 * loose object (id, title, severity), too loose for the drawer.
 */
export type FindingDetail = Jsonified<ServerFindingDetail>;
/** A framework. */
export type Framework = ResponseOf<"GET /analysis/frameworks">["data"][number];
/** A framework with its requirements. */
export type FrameworkDetail = ResponseOf<"GET /analysis/frameworks/:frameworkId">["data"];
/** A framework's requirements as one run found them. */
/**
 * A framework's requirements as one run found them. The server's own type: the
 * route declares the requirements as loose objects.
 */
export type RunFramework = Jsonified<ServerRunFramework>;
/** A check of the catalog. */
export type CatalogCheck = ResponseOf<"GET /analysis/catalog">["data"][number];
/** A check of the catalog in full, with its parameters as the organization runs them. */
export type CatalogCheckDetail = ResponseOf<"GET /analysis/catalog/:checkId">["data"];
/** One parameter of a check. */
export type CheckParameter = CatalogCheckDetail["parameters"][number];
/** A change to a check's settings: `parameters: {}` restores the defaults. */
export interface CheckSettingsInput {
  enabled?: boolean;
  parameters?: Record<string, unknown>;
}
/** A custom check. */
export type CustomCheck = ResponseOf<"GET /analysis/custom-checks/:id">["data"];
/** What a preview found. */
export type PreviewResult = ResponseOf<"POST /analysis/custom-checks/preview">["data"];
/** A synced table with its fields. */
export type SyncedTable = ResponseOf<"GET /analysis/tables">["data"][number];

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

/** A scope as the declared body takes it (mutable arrays). */
function copyScope(scope: RunScope) {
  return scope.type === "checks" ? { ...scope, checks: [...scope.checks] } : scope;
}

/**
 * The analysis endpoints on the app's API client (its 401/403/5xx handling applies).
 *
 * @param api the app's API client
 */
export function createAnalysisApi(api: ApiClient): AnalysisApi {
  const call = typedClient(api);
  return {
    instances: (orgId) =>
      allPages((cursor) =>
        call("GET /instances", { query: { org_id: orgId, limit: 500, cursor } })
      ),
    runs: async (instanceId) =>
      await call("GET /analysis/runs", {
        query: { instance_id: instanceId, limit: 20 },
      }) as Page<RunItem>,
    run: async (runId) =>
      (await call("GET /analysis/runs/:runId", { params: { runId } })).data as RunDetail,
    async progress(runId) {
      const run = (await call("GET /analysis/runs/:runId", { params: { runId } })).data;
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
    startRun: async (instanceId, scope) =>
      (await call("POST /analysis/runs", {
        body: { instance_id: instanceId, scope: copyScope(scope) },
      })).data as { run: RunItem },
    runChecks: async (runId) =>
      (await call("GET /analysis/runs/:runId/checks", { params: { runId } })).data,
    runFramework: async (runId, frameworkId) =>
      (await call("GET /analysis/runs/:runId/frameworks/:frameworkId", {
        params: { runId, frameworkId },
      })).data as RunFramework,
    findings: (target, filters, page) =>
      call("GET /analysis/findings", {
        query: {
          run_id: target.runId,
          ...filterQuery(filters),
          limit: page.limit ?? 50,
          cursor: page.cursor ?? undefined,
        },
      }),
    findingGroups: (target, filters) => {
      const { sort: _sort, ...query } = filterQuery(filters);
      return call("GET /analysis/findings/groups", { query: { run_id: target.runId, ...query } });
    },
    finding: async (findingId) =>
      (await call("GET /analysis/findings/:findingId", { params: { findingId } }))
        .data as FindingDetail,
    async triage(findingId, state, note) {
      await call("PUT /analysis/findings/:findingId/triage", {
        params: { findingId },
        body: { state, note },
      });
    },
    bulkTriage: async (findingIds, state, note) =>
      (await call("POST /analysis/findings/bulk/triage", {
        body: { finding_ids: [...findingIds], state, ...(note.trim() ? { note } : {}) },
      })).data,
    bulkMute: async (findingIds, details) =>
      (await call("POST /analysis/findings/bulk/mute", {
        body: { finding_ids: [...findingIds], ...details },
      })).data,
    async activeJobs(_orgId, instanceId) {
      const [instance, runs] = await Promise.all([
        call("GET /instances/:id", { params: { id: instanceId } }),
        call("GET /analysis/runs", { query: { instance_id: instanceId, limit: 5 } }),
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
    suppress: async (input, details) =>
      (await call("POST /analysis/suppressions", { body: { ...input, ...details } })).data,
    revoke: async (id) =>
      (await call("POST /analysis/suppressions/:id/revoke", { params: { id } })).data,
    frameworks: async () => (await call("GET /analysis/frameworks")).data,
    framework: async (frameworkId) =>
      (await call("GET /analysis/frameworks/:frameworkId", { params: { frameworkId } })).data,
    catalog: async (orgId) =>
      (await call("GET /analysis/catalog", { query: { org_id: orgId } })).data,
    check: async (orgId, checkId) =>
      (await call("GET /analysis/catalog/:checkId", {
        params: { checkId },
        query: { org_id: orgId },
      })).data,
    putCheckSettings: async (orgId, checkId, input) =>
      (await call("PUT /analysis/catalog/:checkId/settings", {
        params: { checkId },
        body: { org_id: orgId, ...input },
      })).data,
    customChecks: async (orgId) =>
      (await call("GET /analysis/custom-checks", { query: { org_id: orgId } })).data,
    createCustomCheck: async (orgId, input) =>
      (await call("POST /analysis/custom-checks", { body: { org_id: orgId, ...input } })).data,
    updateCustomCheck: async (id, input) =>
      (await call("PATCH /analysis/custom-checks/:id", { params: { id }, body: input })).data,
    async deleteCustomCheck(id) {
      await call("DELETE /analysis/custom-checks/:id", { params: { id } });
    },
    preview: async (input) =>
      (await call("POST /analysis/custom-checks/preview", { body: input })).data,
    tables: async (instanceId) =>
      (await call("GET /analysis/tables", { query: { instance_id: instanceId } })).data,
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
