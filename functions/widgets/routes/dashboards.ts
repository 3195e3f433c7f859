import { z } from "zod";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  createDashboard,
  createDashboardSchema,
  dashboardSchema,
  deleteDashboard,
  getDashboard,
  listDashboards,
  updateDashboard,
  updateDashboardSchema,
} from "../../../shared/widgets/mod.ts";

const dashboardParams = z.object({ dashboardId: z.uuid() });

/**
 * Dashboards built from widgets. Writes declare `dashboards.personal`; the
 * organization's dashboards need `dashboards.manage`, which shared/ checks.
 */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function widgetDashboardRoutes(services: Services) {
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/dashboards",
        summary:
          "The organization's dashboards and your personal ones; the Dashboard page's first (made on first use)",
        auth: "user",
        permission: "dashboard.read",
        query: z.object({ org_id: z.uuid() }).strict(),
        responses: {
          200: { description: "The dashboards", schema: dataOf(z.array(dashboardSchema)) },
        },
      },
      async (c, { query }) =>
        c.json({ data: await listDashboards(services.db, c.get("claims"), query.org_id) }),
    )
    .on(
      {
        method: "post",
        path: "/dashboards",
        summary: "Create a personal dashboard, or (admins) an organization dashboard",
        auth: "user",
        permission: "dashboards.personal",
        body: createDashboardSchema,
        responses: { 201: { description: "The dashboard", schema: dataOf(dashboardSchema) } },
      },
      async (c, { body }) =>
        c.json({ data: await createDashboard(services.db, c.get("claims"), body) }, 201),
    )
    .on(
      {
        method: "get",
        path: "/dashboards/:dashboardId",
        summary: "One dashboard with its layout (tiles of deleted widgets left out)",
        auth: "user",
        permission: "dashboard.read",
        params: dashboardParams,
        responses: { 200: { description: "The dashboard", schema: dataOf(dashboardSchema) } },
      },
      async (c, { params }) =>
        c.json({ data: await getDashboard(services.db, c.get("claims"), params.dashboardId) }),
    )
    .on({
      method: "patch",
      path: "/dashboards/:dashboardId",
      summary: "Rename a dashboard and/or replace its layout; 409 when saved by someone since",
      auth: "user",
      permission: "dashboards.personal",
      params: dashboardParams,
      body: updateDashboardSchema,
      responses: { 200: { description: "The dashboard", schema: dataOf(dashboardSchema) } },
    }, async (c, { params, body }) =>
      c.json({
        data: await updateDashboard(services.db, c.get("claims"), params.dashboardId, body),
      }))
    .on({
      method: "delete",
      path: "/dashboards/:dashboardId",
      summary: "Delete a dashboard (not the Dashboard page's)",
      auth: "user",
      permission: "dashboards.personal",
      params: dashboardParams,
      responses: { 204: { description: "Deleted" } },
    }, async (c, { params }) => {
      await deleteDashboard(services.db, c.get("claims"), params.dashboardId);
      return c.body(null, 204);
    });
}
