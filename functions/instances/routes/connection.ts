import { z } from "zod";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  healthReportSchema,
  testConnectionSchema,
  testNewConnection,
  testSavedConnection,
  testSavedConnectionSchema,
} from "../../../shared/instances/mod.ts";

/** Connection tests: of settings about to be saved, and of a saved instance. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function connectionRoutes(services: Services) {
  return createRouteGroup()
    .on(
      {
        method: "post",
        path: "/test-connection",
        summary: "Test unsaved connection settings (nothing is stored)",
        auth: "user",
        permission: "instances.create",
        body: testConnectionSchema,
        responses: { 200: { description: "The report", schema: dataOf(healthReportSchema) } },
      },
      async (c, { body }) =>
        c.json({ data: await testNewConnection(services, c.get("claims"), body) }),
    )
    .on({
      method: "post",
      path: "/:id/test",
      summary: "Test a saved instance's connection, optionally with changed settings",
      auth: "user",
      permission: "instances.test",
      params: z.object({ id: z.uuid() }),
      body: testSavedConnectionSchema,
      bodyOptional: true,
      responses: { 200: { description: "The report", schema: dataOf(healthReportSchema) } },
    }, async (c, { params, body }) => {
      const data = await testSavedConnection(services, c.get("claims"), params.id, body ?? {});
      return c.json({ data });
    });
}
