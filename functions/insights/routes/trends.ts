import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readQuery, type Services } from "../../../shared/http/mod.ts";
import {
  loadRecommendations,
  loadTrends,
  recommendationsQuerySchema,
  recommendationsSchema,
  trendsQuerySchema,
  trendsSchema,
} from "../../../shared/posture/mod.ts";

/** `GET /insights/trends`: query and response schemas. */
export const getTrendsRoute = {
  method: "get",
  path: "/trends",
  query: trendsQuerySchema,
  response: z.object({ data: trendsSchema }),
} as const;

/** `GET /insights/recommendations`: query and response schemas. */
export const getRecommendationsRoute = {
  method: "get",
  path: "/recommendations",
  query: recommendationsQuerySchema,
  response: z.object({ data: recommendationsSchema }),
} as const;

/** Trends over the run history, and recommendations (both cached per organization). */
export function trendRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get(getTrendsRoute.path, async (c) => {
    const query = readQuery(c, getTrendsRoute.query);
    const { data, hit } = await loadTrends(services, c.get("claims"), query);
    c.header("X-Cache", hit ? "hit" : "miss");
    return c.json({ data });
  });

  routes.get(getRecommendationsRoute.path, async (c) => {
    const query = readQuery(c, getRecommendationsRoute.query);
    const { data, hit } = await loadRecommendations(
      services,
      c.get("claims"),
      query.org_id,
      query.expiring_days,
    );
    c.header("X-Cache", hit ? "hit" : "miss");
    return c.json({ data });
  });

  return routes;
}
