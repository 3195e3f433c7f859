import { z } from "zod";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  createSuppression,
  createSuppressionSchema,
  listSuppressions,
  listSuppressionsQuerySchema,
  revokeSuppression,
  suppressionSchema,
} from "../../../shared/analysis/mod.ts";
import { invalidatePosture } from "../../../shared/posture/mod.ts";

/** Muting findings and checks, and revoking mutes. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function suppressionRoutes(services: Services) {
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/suppressions",
        summary: "An organization's suppressions",
        auth: "api_key",
        permission: "suppressions.read",
        query: listSuppressionsQuerySchema,
        responses: {
          200: { description: "The suppressions", schema: dataOf(z.array(suppressionSchema)) },
        },
      },
      async (c, { query }) =>
        c.json({ data: await listSuppressions(services.db, c.get("claims"), query) }),
    )
    .on({
      method: "post",
      path: "/suppressions",
      summary: "Mute a finding, or a check on one instance or organization-wide",
      auth: "user",
      permission: "suppressions.manage",
      body: createSuppressionSchema,
      responses: { 201: { description: "The suppression", schema: dataOf(suppressionSchema) } },
    }, async (c, { body }) => {
      const data = await createSuppression(services.db, c.get("claims"), body);
      c.get("log").info("suppression created", { suppressionId: data.id, scope: data.scope });
      await invalidatePosture(services.cache, data.org_id, "suppression");
      return c.json({ data }, 201);
    })
    .on({
      method: "post",
      path: "/suppressions/:id/revoke",
      summary: "Revoke a suppression",
      auth: "user",
      permission: "suppressions.manage",
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: "The suppression", schema: dataOf(suppressionSchema) } },
    }, async (c, { params }) => {
      const data = await revokeSuppression(services.db, c.get("claims"), params.id);
      c.get("log").info("suppression revoked", { suppressionId: params.id });
      await invalidatePosture(services.cache, data.org_id, "suppression");
      return c.json({ data });
    });
}
