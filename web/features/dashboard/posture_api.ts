/**
 * The dashboard and insights APIs (`/functions/v1/dashboard`,
 * `/functions/v1/insights`) as the web app uses them, through the typed client:
 * inputs and response types come from the routes' declarations.
 *
 * @module
 */
import type { ApiClient } from "../../lib/api_client.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";

/** An organization's posture. */
export type Dashboard = ResponseOf<"GET /dashboard">["data"];
/** One instance on the dashboard. */
export type DashboardInstance = Dashboard["instances"][number];
/** A check worth fixing first. */
export type TopRisk = Dashboard["top_risks"][number];
/** Trends over the run history. */
export type Trends = ResponseOf<"GET /insights/trends">["data"];
/** Two runs compared. */
export type RunComparison = ResponseOf<"GET /insights/compare/runs">["data"];
/** Two instances compared. */
export type InstanceComparison = ResponseOf<"GET /insights/compare/instances">["data"];
/** Recommendations. */
export type Recommendations = ResponseOf<"GET /insights/recommendations">["data"];

/** A run, as the comparison pickers list it. */
export type RunOption = ResponseOf<"GET /analysis/runs">["data"][number];

/** A framework of the catalog. */
export type FrameworkOption = ResponseOf<"GET /analysis/frameworks">["data"][number];

/** Filters of the dashboard. */
export interface DashboardFilters {
  instanceIds?: string[];
  framework?: string | null;
}

/** The posture endpoints. */
export interface PostureApi {
  dashboard(orgId: string, filters?: DashboardFilters, signal?: AbortSignal): Promise<Dashboard>;
  trends(
    orgId: string,
    options: { days: number; instanceIds?: string[]; framework?: string | null },
    signal?: AbortSignal,
  ): Promise<Trends>;
  recommendations(orgId: string, signal?: AbortSignal): Promise<Recommendations>;
  compareRuns(base: string, target: string): Promise<RunComparison>;
  compareInstances(a: string, b: string, show: "differences" | "all"): Promise<InstanceComparison>;
  /** Successful runs of an instance, newest first (up to 100). */
  runs(instanceId: string): Promise<RunOption[]>;
  frameworks(): Promise<FrameworkOption[]>;
}

/**
 * The posture endpoints on the app's API client (its 401/403/5xx handling applies).
 *
 * @param api the app's API client
 */
export function createPostureApi(api: ApiClient): PostureApi {
  const call = typedClient(api);
  const ids = (list?: string[]) => (list && list.length ? list.join(",") : undefined);
  return {
    dashboard: async (orgId, filters = {}, signal) =>
      (await call("GET /dashboard", {
        query: {
          org_id: orgId,
          instance_ids: ids(filters.instanceIds),
          framework: filters.framework ?? undefined,
        },
        signal,
      })).data,
    trends: async (orgId, options, signal) =>
      (await call("GET /insights/trends", {
        query: {
          org_id: orgId,
          days: options.days,
          instance_ids: ids(options.instanceIds),
          framework: options.framework ?? undefined,
        },
        signal,
      })).data,
    recommendations: async (orgId, signal) =>
      (await call("GET /insights/recommendations", { query: { org_id: orgId }, signal })).data,
    compareRuns: async (base, target) =>
      (await call("GET /insights/compare/runs", { query: { base, target } })).data,
    compareInstances: async (a, b, show) =>
      (await call("GET /insights/compare/instances", { query: { a, b, show } })).data,
    async runs(instanceId) {
      const page = await call("GET /analysis/runs", {
        query: { instance_id: instanceId, limit: 100 },
      });
      return page.data.filter((r) => r.status === "succeeded");
    },
    frameworks: async () => (await call("GET /analysis/frameworks")).data,
  };
}
