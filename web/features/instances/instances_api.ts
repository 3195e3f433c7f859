/**
 * The instances API (`/functions/v1/instances`) as the web app uses it.
 * Response types are the server's own (`import type` from shared/instances and
 * shared/tasks, erased from the bundle) in their JSON shape. Credentials are
 * only ever sent, never read.
 *
 * @module
 */
import type {
  AuthType as ServerAuthType,
  HealthReport as ServerHealthReport,
  InstanceCredentials as ServerInstanceCredentials,
  InstanceStatus as ServerInstanceStatus,
  InstanceView,
  SyncRunDetail as ServerSyncRunDetail,
  SyncRunSummary,
  SyncSchedule,
  SyncTableResult as ServerSyncTableResult,
} from "../../../shared/instances/mod.ts";
import type { Job } from "../../../shared/tasks/mod.ts";
import type { ApiClient } from "../../lib/api_client.ts";
import type { Jsonified } from "../../lib/api_types.ts";

/** Health of an instance as its last connection test found it. */
export type InstanceStatus = ServerInstanceStatus;
/** How ComplianceIQ signs in to an instance. */
export type AuthType = ServerAuthType;
/** Credentials as they are sent (write-only). */
export type InstanceCredentials = ServerInstanceCredentials;
/** Whether the integration user can read a table. */
export type TableAccess = HealthReport["tables"][number]["access"];
/** What a connection test found. */
export type HealthReport = Jsonified<ServerHealthReport>;
/** A sync run in a list. */
export type SyncRun = Jsonified<SyncRunSummary>;
/** Per-table figures of a run. */
export type SyncTableResult = Jsonified<ServerSyncTableResult>;
/** A run with its tables. */
export type SyncRunDetail = Jsonified<ServerSyncRunDetail>;
/** A sync schedule. */
export type Schedule = SyncSchedule;
/** An instance as the API returns it. */
export type Instance = Jsonified<InstanceView>;
/** A background job's progress (from the tasks function). */
export type JobProgress = Pick<
  Jsonified<Job>,
  "id" | "status" | "progress" | "progress_message" | "counters" | "error"
>;

/** The instances endpoints. */
export interface InstancesApi {
  list(orgId: string, signal?: AbortSignal): Promise<Instance[]>;
  get(id: string): Promise<Instance>;
  create(input: {
    org_id: string;
    name: string;
    url: string;
    credentials: InstanceCredentials;
  }): Promise<Instance>;
  update(
    id: string,
    patch: { name?: string; url?: string; credentials?: InstanceCredentials },
  ): Promise<Instance>;
  remove(id: string): Promise<void>;
  testNew(
    input: { org_id: string; url: string; credentials: InstanceCredentials },
  ): Promise<HealthReport>;
  testSaved(
    id: string,
    overrides?: { url?: string; credentials?: InstanceCredentials },
  ): Promise<HealthReport>;
  sync(id: string, mode: "incremental" | "full"): Promise<{ run: SyncRun; job: JobProgress }>;
  setSchedule(id: string, schedule: Schedule | null): Promise<Instance>;
  history(
    id: string,
    cursor?: string | null,
  ): Promise<{ data: SyncRun[]; next_cursor: string | null }>;
  run(id: string, runId: string): Promise<SyncRunDetail>;
  job(jobId: string): Promise<JobProgress>;
}

/**
 * The instances endpoints on the app's API client (its 401/403/5xx handling applies).
 *
 * @param api the app's API client
 */
export function instancesApi(api: ApiClient): InstancesApi {
  const one = (id: string) => `/instances/${encodeURIComponent(id)}`;
  return {
    async list(orgId, signal) {
      return (await api.request<{ data: Instance[] }>("GET", "/instances", {
        query: { org_id: orgId },
        signal,
      })).data;
    },
    async get(id) {
      return (await api.request<{ data: Instance }>("GET", one(id))).data;
    },
    async create(input) {
      return (await api.request<{ data: Instance }>("POST", "/instances", { body: input })).data;
    },
    async update(id, patch) {
      return (await api.request<{ data: Instance }>("PATCH", one(id), { body: patch })).data;
    },
    async remove(id) {
      await api.request<void>("DELETE", one(id));
    },
    async testNew(input) {
      return (await api.request<{ data: HealthReport }>("POST", "/instances/test-connection", {
        body: input,
      })).data;
    },
    async testSaved(id, overrides) {
      return (await api.request<{ data: HealthReport }>("POST", `${one(id)}/test`, {
        body: overrides ?? {},
      })).data;
    },
    async sync(id, mode) {
      return (await api.request<{ data: { run: SyncRun; job: JobProgress } }>(
        "POST",
        `${one(id)}/sync`,
        { body: { mode } },
      )).data;
    },
    async setSchedule(id, schedule) {
      return (await api.request<{ data: Instance }>("PUT", `${one(id)}/schedule`, {
        body: { schedule },
      })).data;
    },
    async history(id, cursor) {
      return await api.request<{ data: SyncRun[]; next_cursor: string | null }>(
        "GET",
        `${one(id)}/syncs`,
        { query: { limit: 20, cursor } },
      );
    },
    async run(id, runId) {
      return (await api.request<{ data: SyncRunDetail }>(
        "GET",
        `${one(id)}/syncs/${encodeURIComponent(runId)}`,
      )).data;
    },
    async job(jobId) {
      return (await api.request<{ data: JobProgress }>(
        "GET",
        `/tasks/jobs/${encodeURIComponent(jobId)}`,
      )).data;
    },
  };
}
