import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readQuery, type Services } from "../../../shared/http/mod.ts";
import {
  dashboardQuerySchema,
  dashboardSchema,
  loadDashboard,
} from "../../../shared/posture/mod.ts";

/** `GET /dashboard`: query and response schemas. */
export const getDashboardRoute = {
  method: "get",
  path: "/",
  query: dashboardQuerySchema,
  response: z.object({ data: dashboardSchema }),
} as const;

/** The organization's posture over its instances. */
export function dashboardRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get(getDashboardRoute.path, async (c) => {
    const query = readQuery(c, getDashboardRoute.query);
    const { data, hit } = await loadDashboard(services, c.get("claims"), query);
    c.header("X-Cache", hit ? "hit" : "miss");
    c.header("Cache-Control", "private, no-store");
    return c.json({ data });
  });

  return routes;
}
