import {
  createRouteGroup,
  dataOf,
  type RouteGroup,
  type Services,
} from "../../../shared/http/mod.ts";
import {
  dashboardQuerySchema,
  dashboardSchema,
  loadDashboard,
} from "../../../shared/posture/mod.ts";

/** The organization's posture over its instances. */
export function dashboardRoutes(services: Services): RouteGroup {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/",
      summary: "An organization's posture over its instances (cached; X-Cache: hit or miss)",
      auth: "user",
      permission: "dashboard.read",
      query: dashboardQuerySchema,
      responses: { 200: { description: "The dashboard", schema: dataOf(dashboardSchema) } },
    }, async (c, { query }) => {
      const { data, hit } = await loadDashboard(services, c.get("claims"), query);
      c.header("X-Cache", hit ? "hit" : "miss");
      c.header("Cache-Control", "private, no-store");
      return c.json({ data });
    });
}
