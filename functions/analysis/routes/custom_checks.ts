import { z } from "zod";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  createCustomCheck,
  createCustomCheckSchema,
  customCheckSchema,
  deleteCustomCheck,
  describeTables,
  getCustomCheck,
  listCustomChecks,
  previewCustomCheck,
  previewResultSchema,
  previewSchema,
  syncedTableSchema,
  updateCustomCheck,
  updateCustomCheckSchema,
} from "../../../shared/analysis/mod.ts";

const idParams = z.object({ id: z.uuid() });

/** An organization's custom checks, their preview, and the tables they can read. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function customCheckRoutes(services: Services) {
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/custom-checks",
        summary: "An organization's custom checks",
        auth: "api_key",
        permission: "custom_checks.read",
        query: z.object({ org_id: z.uuid() }),
        responses: {
          200: { description: "The custom checks", schema: dataOf(z.array(customCheckSchema)) },
        },
      },
      async (c, { query }) =>
        c.json({ data: await listCustomChecks(services.db, c.get("claims"), query.org_id) }),
    )
    .on({
      method: "post",
      path: "/custom-checks",
      summary: "Create a custom check",
      auth: "user",
      permission: "custom_checks.write",
      body: createCustomCheckSchema,
      responses: { 201: { description: "The check", schema: dataOf(customCheckSchema) } },
    }, async (c, { body }) => {
      const data = await createCustomCheck(services.db, c.get("claims"), body);
      c.get("log").info("custom check created", { checkId: data.check_id, orgId: data.org_id });
      return c.json({ data }, 201);
    })
    .on(
      {
        method: "post",
        path: "/custom-checks/preview",
        summary: "Run a custom check's query on an instance's synced records (nothing is saved)",
        auth: "user",
        permission: "custom_checks.write",
        body: previewSchema,
        responses: { 200: { description: "What it found", schema: dataOf(previewResultSchema) } },
      },
      async (c, { body }) =>
        c.json({ data: await previewCustomCheck(services.db, c.get("claims"), body) }),
    )
    .on(
      {
        method: "get",
        path: "/custom-checks/:id",
        summary: "One custom check",
        auth: "api_key",
        permission: "custom_checks.read",
        params: idParams,
        responses: { 200: { description: "The check", schema: dataOf(customCheckSchema) } },
      },
      async (c, { params }) =>
        c.json({ data: await getCustomCheck(services.db, c.get("claims"), params.id) }),
    )
    .on({
      method: "patch",
      path: "/custom-checks/:id",
      summary: "Change a custom check (a new version)",
      auth: "user",
      permission: "custom_checks.write",
      params: idParams,
      body: updateCustomCheckSchema,
      responses: { 200: { description: "The check", schema: dataOf(customCheckSchema) } },
    }, async (c, { params, body }) => {
      const data = await updateCustomCheck(services.db, c.get("claims"), params.id, body);
      c.get("log").info("custom check changed", { checkId: data.check_id, version: data.version });
      return c.json({ data });
    })
    .on({
      method: "delete",
      path: "/custom-checks/:id",
      summary: "Delete a custom check",
      auth: "user",
      permission: "custom_checks.write",
      params: idParams,
      responses: { 204: { description: "Deleted" } },
    }, async (c, { params }) => {
      await deleteCustomCheck(services.db, c.get("claims"), params.id);
      return c.body(null, 204);
    })
    .on(
      {
        method: "get",
        path: "/tables",
        summary: "An instance's synced tables and their fields, for the custom-check editor",
        auth: "api_key",
        permission: "custom_checks.read",
        query: z.object({ instance_id: z.uuid() }),
        responses: {
          200: { description: "The tables", schema: dataOf(z.array(syncedTableSchema)) },
        },
      },
      async (c, { query }) =>
        c.json({ data: await describeTables(services.db, c.get("claims"), query.instance_id) }),
    );
}
