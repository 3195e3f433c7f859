import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readQuery, type Services } from "../../../shared/http/mod.ts";
import {
  compareInstances,
  compareInstancesQuerySchema,
  compareRuns,
  compareRunsQuerySchema,
  instanceComparisonSchema,
  runComparisonSchema,
} from "../../../shared/posture/mod.ts";

/** `GET /insights/compare/runs`: query and response schemas. */
export const compareRunsRoute = {
  method: "get",
  path: "/compare/runs",
  query: compareRunsQuerySchema,
  response: z.object({ data: runComparisonSchema }),
} as const;

/** `GET /insights/compare/instances`: query and response schemas. */
export const compareInstancesRoute = {
  method: "get",
  path: "/compare/instances",
  query: compareInstancesQuerySchema,
  response: z.object({ data: instanceComparisonSchema }),
} as const;

/** Any two runs of an instance, any two instances. */
export function compareRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get(compareRunsRoute.path, async (c) => {
    const query = readQuery(c, compareRunsRoute.query);
    return c.json({
      data: await compareRuns(services.db, c.get("claims"), query.base, query.target),
    });
  });

  routes.get(compareInstancesRoute.path, async (c) => {
    const query = readQuery(c, compareInstancesRoute.query);
    return c.json({
      data: await compareInstances(services.db, c.get("claims"), query.a, query.b, query.show),
    });
  });

  return routes;
}
