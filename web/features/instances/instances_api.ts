/**
 * The instances API (`/functions/v1/instances`) as the web app uses it, through
 * the typed client: inputs and response types come from the routes'
 * declarations. Credentials are only ever sent, never read.
 *
 * @module
 */
import type {
  AuthType as ServerAuthType,
  InstanceCredentials as ServerInstanceCredentials,
  InstanceStatus as ServerInstanceStatus,
  SyncSchedule,
} from "../../../shared/instances/mod.ts";
import type { ApiClient } from "../../lib/api_client.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";
import { allPages } from "../../lib/all_pages.ts";

/** Health of an instance as its last connection test found it. */
export type InstanceStatus = ServerInstanceStatus;
/** How ComplianceIQ signs in to an instance. */
export type AuthType = ServerAuthType;
/** Credentials as they are sent (write-only). */
export type InstanceCredentials = ServerInstanceCredentials;
/** Whether the integration user can read a table. */
export type TableAccess = HealthReport["tables"][number]["access"];
/** What a connection test found. */
export type HealthReport = ResponseOf<"POST /instances/test-connection">["data"];
/** A sync run in a list. */
export type SyncRun = ResponseOf<"GET /instances/:id/syncs">["data"][number];
/** A run with its tables. */
export type SyncRunDetail = ResponseOf<"GET /instances/:id/syncs/:runId">["data"];
/** Per-table figures of a run. */
export type SyncTableResult = SyncRunDetail["tables"][number];
/** A sync schedule. */
export type Schedule = SyncSchedule;
/** An instance as the API returns it. */
export type Instance = ResponseOf<"GET /instances/:id">["data"];
/** A background job's progress (from the tasks function). */
export type JobProgress = Pick<
  ResponseOf<"GET /tasks/jobs/:jobId">["data"],
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
  const call = typedClient(api);
  return {
    // Every instance, page after page: an organization may have hundreds.
    list: (orgId, signal) =>
      allPages((cursor) =>
        call("GET /instances", { query: { org_id: orgId, limit: 500, cursor }, signal })
      ),
    get: async (id) => (await call("GET /instances/:id", { params: { id } })).data,
    create: async (input) => (await call("POST /instances", { body: input })).data,
    update: async (id, patch) =>
      (await call("PATCH /instances/:id", { params: { id }, body: patch })).data,
    async remove(id) {
      await call("DELETE /instances/:id", { params: { id } });
    },
    testNew: async (input) => (await call("POST /instances/test-connection", { body: input })).data,
    testSaved: async (id, overrides) =>
      (await call("POST /instances/:id/test", { params: { id }, body: overrides ?? {} })).data,
    sync: async (id, mode) =>
      (await call("POST /instances/:id/sync", { params: { id }, body: { mode } })).data,
    setSchedule: async (id, schedule) =>
      (await call("PUT /instances/:id/schedule", { params: { id }, body: { schedule } })).data,
    history: (id, cursor) =>
      call("GET /instances/:id/syncs", {
        params: { id },
        query: { limit: 20, cursor: cursor ?? undefined },
      }),
    run: async (id, runId) =>
      (await call("GET /instances/:id/syncs/:runId", { params: { id, runId } })).data,
    job: async (jobId) => (await call("GET /tasks/jobs/:jobId", { params: { jobId } })).data,
  };
}
