/**
 * The instances API (`/functions/v1/instances`) as the web app uses it, with
 * its wire shapes mirrored from shared/instances: the page depends on the
 * API's JSON, not on server code. Credentials are only ever sent, never read.
 *
 * @module
 */
import type { ApiClient } from "../../lib/api_client.ts";

/** Health of an instance as its last connection test found it. */
export type InstanceStatus = "pending" | "healthy" | "degraded" | "unreachable" | "auth_failed";

/** How ComplianceIQ signs in to an instance. */
export type AuthType = "basic" | "oauth_client_credentials" | "oauth_password";

/** Credentials as they are sent (write-only). */
export type InstanceCredentials =
  | { type: "basic"; username: string; password: string }
  | { type: "oauth_client_credentials"; client_id: string; client_secret: string }
  | {
    type: "oauth_password";
    client_id: string;
    client_secret: string;
    username: string;
    password: string;
  };

/** Whether the integration user can read a table. */
export type TableAccess = "readable" | "not_readable" | "not_found" | "error";

/** What a connection test found. */
export interface HealthReport {
  status: Exclude<InstanceStatus, "pending">;
  reachable: boolean;
  authenticated: boolean;
  latency_ms: number | null;
  build_tag: string | null;
  tables: { table: string; access: TableAccess }[];
  error: { code: string; message: string } | null;
  checked_at: string;
}

/** A sync run in a list. */
export interface SyncRun {
  id: string;
  mode: "full" | "incremental";
  trigger: "manual" | "schedule" | "setup";
  status: "queued" | "running" | "succeeded" | "partial" | "failed" | "cancelled";
  job_id: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  records_fetched: number;
  records_upserted: number;
  records_deleted: number;
  tables_not_readable: number;
  error: string | null;
  created_at: string;
}

/** Per-table figures of a run. */
export interface SyncTableResult {
  table_name: string;
  status: "pending" | "running" | "succeeded" | "not_readable" | "not_found" | "failed";
  records_fetched: number;
  records_upserted: number;
  records_deleted: number;
  duration_ms: number | null;
  error: string | null;
}

/** A run with its tables. */
export interface SyncRunDetail extends SyncRun {
  tables: SyncTableResult[];
}

/** A sync schedule. */
export interface Schedule {
  cron: string;
  timezone: string;
}

/** An instance as the API returns it. */
export interface Instance {
  id: string;
  org_id: string;
  name: string;
  url: string;
  auth_type: AuthType;
  credentials: { configured: true };
  status: InstanceStatus;
  build_tag: string | null;
  last_health_check_at: string | null;
  last_health: HealthReport | null;
  schedule: (Schedule & { next_runs: string[] }) | null;
  last_sync_at: string | null;
  last_sync_status: "succeeded" | "partial" | "failed" | null;
  last_sync: SyncRun | null;
  active_sync: SyncRun | null;
  created_at: string;
  updated_at: string;
}

/** A background job's progress (from the tasks function). */
export interface JobProgress {
  id: string;
  status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
  progress: number;
  progress_message: string;
  counters: Record<string, number>;
  error: string | null;
}

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
