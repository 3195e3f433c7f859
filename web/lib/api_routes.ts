/**
 * Every API route the web app may call, as the functions declare them (type
 * only: `import type` is erased from the bundle, no server code ships). Each
 * declaration is keyed `"<METHOD> /<function><path>"`, e.g.
 * `"GET /analysis/runs/:runId"`, the URL it answers under `/functions/v1`.
 *
 * @module
 */
import type { RouteDeclaration, RouteGroup } from "../../shared/http/route.ts";
import type { billingRoutes } from "../../functions/billing/routes/billing.ts";
import type { catalogRoutes } from "../../functions/analysis/routes/catalog.ts";
import type { auditRoutes } from "../../functions/audit/routes/audit.ts";
import type { customCheckRoutes } from "../../functions/analysis/routes/custom_checks.ts";
import type { findingRoutes } from "../../functions/analysis/routes/findings.ts";
import type { runEventRoutes, runRoutes } from "../../functions/analysis/routes/runs.ts";
import type { suppressionRoutes } from "../../functions/analysis/routes/suppressions.ts";
import type { dashboardRoutes } from "../../functions/dashboard/routes/dashboard.ts";
import type { compareRoutes } from "../../functions/insights/routes/compare.ts";
import type { trendRoutes } from "../../functions/insights/routes/trends.ts";
import type { connectionRoutes } from "../../functions/instances/routes/connection.ts";
import type { instancesRoutes } from "../../functions/instances/routes/instances.ts";
import type { syncRoutes } from "../../functions/instances/routes/syncs.ts";
import type { inboxRoutes } from "../../functions/notifications/routes/inbox.ts";
import type { settingsRoutes as notificationSettingsRoutes } from "../../functions/notifications/routes/settings.ts";
import type { preferencesRoutes } from "../../functions/notifications/routes/preferences.ts";
import type { apiKeysRoutes } from "../../functions/organizations/routes/api_keys.ts";
import type { invitationsRoutes } from "../../functions/organizations/routes/invitations.ts";
import type { membersRoutes } from "../../functions/organizations/routes/members.ts";
import type { orgsRoutes } from "../../functions/organizations/routes/orgs.ts";
import type { ownershipRoutes } from "../../functions/organizations/routes/ownership.ts";
import type { definitionRoutes } from "../../functions/reports/routes/definitions.ts";
import type { exportRoutes } from "../../functions/reports/routes/exports.ts";
import type { previewRoutes } from "../../functions/reports/routes/preview.ts";
import type { jobsRoutes } from "../../functions/tasks/routes/jobs.ts";
import type { widgetDashboardRoutes } from "../../functions/widgets/routes/dashboards.ts";
import type { embedRoutes } from "../../functions/widgets/routes/embeds.ts";
import type { widgetRoutes } from "../../functions/widgets/routes/widgets.ts";

// deno-lint-ignore no-explicit-any
type DeclarationsOf<F> = F extends (...args: any[]) => RouteGroup<infer D> ? D : never;

type Keyed<Fn extends string, D> = D extends RouteDeclaration
  ? D & { key: `${Uppercase<D["method"]>} /${Fn}${D["path"] extends "/" ? "" : D["path"]}` }
  : never;

type Of<Fn extends string, F> = Keyed<Fn, DeclarationsOf<F>>;

/** Every declared route the web app can call, each with its `key`. */
export type ApiRoute =
  | Of<"analysis", typeof catalogRoutes>
  | Of<"analysis", typeof customCheckRoutes>
  | Of<"analysis", typeof findingRoutes>
  | Of<"analysis", typeof runRoutes>
  | Of<"analysis", typeof runEventRoutes>
  | Of<"analysis", typeof suppressionRoutes>
  | Of<"audit", typeof auditRoutes>
  | Of<"billing", typeof billingRoutes>
  | Of<"dashboard", typeof dashboardRoutes>
  | Of<"insights", typeof compareRoutes>
  | Of<"insights", typeof trendRoutes>
  | Of<"instances", typeof connectionRoutes>
  | Of<"instances", typeof instancesRoutes>
  | Of<"instances", typeof syncRoutes>
  | Of<"notifications", typeof inboxRoutes>
  | Of<"notifications", typeof notificationSettingsRoutes>
  | Of<"notifications", typeof preferencesRoutes>
  | Of<"organizations", typeof apiKeysRoutes>
  | Of<"organizations", typeof invitationsRoutes>
  | Of<"organizations", typeof membersRoutes>
  | Of<"organizations", typeof orgsRoutes>
  | Of<"organizations", typeof ownershipRoutes>
  | Of<"reports", typeof definitionRoutes>
  | Of<"reports", typeof exportRoutes>
  | Of<"reports", typeof previewRoutes>
  | Of<"tasks", typeof jobsRoutes>
  | Of<"widgets", typeof widgetDashboardRoutes>
  | Of<"widgets", typeof embedRoutes>
  | Of<"widgets", typeof widgetRoutes>;

/** The key of a declared route, e.g. `"GET /analysis/runs/:runId"`. */
export type RouteKey = ApiRoute["key"];

/** The declaration of the route `K`. */
export type RouteOf<K extends RouteKey> = Extract<ApiRoute, { key: K }>;
