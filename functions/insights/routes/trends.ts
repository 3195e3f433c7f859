import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  loadRecommendations,
  loadTrends,
  recommendationsQuerySchema,
  recommendationsSchema,
  trendsQuerySchema,
  trendsSchema,
} from "../../../shared/posture/mod.ts";

/** Trends over the run history, and recommendations (both cached per organization). */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function trendRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/trends",
      summary: "Scores per run, findings opened and resolved per week, time to remediate",
      auth: "api_key",
      permission: "insights.read",
      query: trendsQuerySchema,
      responses: { 200: { description: "The trends", schema: dataOf(trendsSchema) } },
    }, async (c, { query }) => {
      const { body, hit } = await loadTrends(services, c.get("claims"), query);
      c.header("X-Cache", hit ? "hit" : "miss");
      return c.body(body, 200, { "Content-Type": "application/json" });
    })
    .on({
      method: "get",
      path: "/recommendations",
      summary: "Quick wins, checks failing everywhere, suppressions expiring soon",
      auth: "api_key",
      permission: "insights.read",
      query: recommendationsQuerySchema,
      responses: {
        200: { description: "The recommendations", schema: dataOf(recommendationsSchema) },
      },
    }, async (c, { query }) => {
      const { body, hit } = await loadRecommendations(
        services,
        c.get("claims"),
        query.org_id,
        query.expiring_days,
      );
      c.header("X-Cache", hit ? "hit" : "miss");
      return c.body(body, 200, { "Content-Type": "application/json" });
    });
}
