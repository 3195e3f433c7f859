import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  dashboardQuerySchema,
  dashboardSchema,
  loadDashboard,
} from "../../../shared/posture/mod.ts";

/** The organization's posture over its instances. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function dashboardRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/",
      summary: "An organization's posture over its instances (cached; X-Cache: hit or miss)",
      auth: "api_key",
      permission: "dashboard.read",
      query: dashboardQuerySchema,
      responses: { 200: { description: "The dashboard", schema: dataOf(dashboardSchema) } },
    }, async (c, { query }) => {
      const { body, hit } = await loadDashboard(services, c.get("claims"), query);
      c.header("X-Cache", hit ? "hit" : "miss");
      c.header("Cache-Control", "private, no-store");
      return c.body(body, 200, { "Content-Type": "application/json" });
    });
}
