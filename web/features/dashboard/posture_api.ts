/**
 * The dashboard and insights APIs (`/functions/v1/dashboard`,
 * `/functions/v1/insights`) as the web app uses them. Response types are the
 * server's own (`import type` from shared/posture, erased from the bundle).
 *
 * @module
 */
import type {
  Dashboard as ServerDashboard,
  InstanceComparison as ServerInstanceComparison,
  Recommendations as ServerRecommendations,
  RunComparison as ServerRunComparison,
  Trends as ServerTrends,
} from "../../../shared/posture/mod.ts";
import type { ApiClient } from "../../lib/api_client.ts";
import type { Jsonified } from "../../lib/api_types.ts";

/** An organization's posture. */
export type Dashboard = Jsonified<ServerDashboard>;
/** One instance on the dashboard. */
export type DashboardInstance = Dashboard["instances"][number];
/** A check worth fixing first. */
export type TopRisk = Dashboard["top_risks"][number];
/** Trends over the run history. */
export type Trends = Jsonified<ServerTrends>;
/** Two runs compared. */
export type RunComparison = Jsonified<ServerRunComparison>;
/** Two instances compared. */
export type InstanceComparison = Jsonified<ServerInstanceComparison>;
/** Recommendations. */
export type Recommendations = Jsonified<ServerRecommendations>;

/** A run, as far as the comparison pickers need it. */
export interface RunOption {
  id: string;
  status: string;
  scope: { type: string };
  finished_at: string | null;
  created_at: string;
}

/** A framework of the catalog. */
export interface FrameworkOption {
  id: string;
  name: string;
}

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
  const get = async <T>(
    path: string,
    query: Record<string, string | number | undefined | null>,
    signal?: AbortSignal,
  ) => (await api.request<{ data: T }>("GET", path, { query, signal })).data;
  const ids = (list?: string[]) => (list && list.length ? list.join(",") : undefined);
  return {
    dashboard: (orgId, filters = {}, signal) =>
      get<Dashboard>("/dashboard", {
        org_id: orgId,
        instance_ids: ids(filters.instanceIds),
        framework: filters.framework ?? undefined,
      }, signal),
    trends: (orgId, options, signal) =>
      get<Trends>("/insights/trends", {
        org_id: orgId,
        days: options.days,
        instance_ids: ids(options.instanceIds),
        framework: options.framework ?? undefined,
      }, signal),
    recommendations: (orgId, signal) =>
      get<Recommendations>("/insights/recommendations", { org_id: orgId }, signal),
    compareRuns: (base, target) => get<RunComparison>("/insights/compare/runs", { base, target }),
    compareInstances: (a, b, show) =>
      get<InstanceComparison>("/insights/compare/instances", { a, b, show }),
    async runs(instanceId) {
      const page = await api.request<{ data: RunOption[] }>("GET", "/analysis/runs", {
        query: { instance_id: instanceId, limit: 100 },
      });
      return page.data.filter((r) => r.status === "succeeded");
    },
    frameworks: () => get<FrameworkOption[]>("/analysis/frameworks", {}),
  };
}
