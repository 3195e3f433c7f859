import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  compareInstances,
  compareInstancesQuerySchema,
  compareRuns,
  compareRunsQuerySchema,
  instanceComparisonSchema,
  runComparisonSchema,
} from "../../../shared/posture/mod.ts";

/** Any two runs of an instance, any two instances. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function compareRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/compare/runs",
      summary: "Two runs of one instance: verdicts changed, findings new and resolved, scores",
      auth: "api_key",
      permission: "insights.read",
      query: compareRunsQuerySchema,
      responses: { 200: { description: "The comparison", schema: dataOf(runComparisonSchema) } },
    }, async (c, { query }) =>
      c.json({
        data: await compareRuns(services.db, c.get("claims"), query.base, query.target),
      }))
    .on({
      method: "get",
      path: "/compare/instances",
      summary: "Two instances of one organization: settings and verdicts side by side",
      auth: "api_key",
      permission: "insights.read",
      query: compareInstancesQuerySchema,
      responses: {
        200: { description: "The comparison", schema: dataOf(instanceComparisonSchema) },
      },
    }, async (c, { query }) =>
      c.json({
        data: await compareInstances(services.db, c.get("claims"), query.a, query.b, query.show),
      }));
}
