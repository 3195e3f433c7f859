import { z } from "zod";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  checkDetailSchema,
  checkListItemSchema,
  checkSettingsSchema,
  frameworkDetailSchema,
  frameworkListItemSchema,
  getCheckDetail,
  getFramework,
  listChecks,
  listChecksQuerySchema,
  listFrameworks,
  putCheckSettings,
} from "../../../shared/analysis/mod.ts";

const checkParams = z.object({
  checkId: z.string().regex(/^[a-z0-9_]{1,100}$/, "is not a check id"),
});

/** The catalog, frameworks and per-organization check settings. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function catalogRoutes(services: Services) {
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/catalog",
        summary: "The check catalog with the organization's settings, filtered",
        auth: "api_key",
        permission: "checks.read",
        query: listChecksQuerySchema,
        responses: {
          200: { description: "The checks", schema: dataOf(z.array(checkListItemSchema)) },
        },
      },
      async (c, { query }) =>
        c.json({ data: await listChecks(services.db, c.get("claims"), query) }),
    )
    .on({
      method: "get",
      path: "/catalog/:checkId",
      summary: "One check in full, with the parameters a run uses now",
      auth: "api_key",
      permission: "checks.read",
      params: checkParams,
      query: z.object({ org_id: z.uuid() }),
      responses: { 200: { description: "The check", schema: dataOf(checkDetailSchema) } },
    }, async (c, { params, query }) => {
      const data = await getCheckDetail(services.db, c.get("claims"), query.org_id, params.checkId);
      return c.json({ data });
    })
    .on({
      method: "put",
      path: "/catalog/:checkId/settings",
      summary: "Enable or disable a check, override its parameters",
      auth: "user",
      permission: "checks.configure",
      params: checkParams,
      body: checkSettingsSchema,
      responses: { 200: { description: "The check", schema: dataOf(checkDetailSchema) } },
    }, async (c, { params, body }) => {
      const data = await putCheckSettings(services.db, c.get("claims"), params.checkId, body);
      c.get("log").info("check settings changed", { checkId: params.checkId, orgId: body.org_id });
      return c.json({ data });
    })
    .on({
      method: "get",
      path: "/frameworks",
      summary: "Every framework with its requirement and check counts",
      auth: "api_key",
      responses: {
        200: { description: "The frameworks", schema: dataOf(z.array(frameworkListItemSchema)) },
      },
    }, (c) => c.json({ data: listFrameworks() }))
    .on({
      method: "get",
      path: "/frameworks/:frameworkId",
      summary: "One framework with its requirements and the checks serving each",
      auth: "api_key",
      params: z.object({ frameworkId: z.string().regex(/^[a-z0-9_]{1,60}$/) }),
      responses: { 200: { description: "The framework", schema: dataOf(frameworkDetailSchema) } },
    }, (c, { params }) => c.json({ data: getFramework(params.frameworkId) }));
}
