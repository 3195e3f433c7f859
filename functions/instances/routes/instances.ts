import { z } from "zod";
import { createRouteGroup, dataOf, pageOf, type Services } from "../../../shared/http/mod.ts";
import {
  addInstance,
  createInstanceSchema,
  editInstance,
  getInstance,
  healthReportSchema,
  instanceSchema,
  listInstances,
  listInstancesQuerySchema,
  removeInstance,
  syncRunSummarySchema,
  updateInstanceSchema,
} from "../../../shared/instances/mod.ts";
import { invalidatePosture } from "../../../shared/posture/mod.ts";

const idParams = z.object({ id: z.uuid() });

/** `/` and `/:id`: list, add, read, change and delete instances. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function instancesRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/",
      summary: "An organization's instances with health and last sync",
      auth: "api_key",
      permission: "instances.read",
      query: listInstancesQuerySchema,
      responses: {
        200: { description: "A page of instances, by name", schema: pageOf(instanceSchema) },
      },
    }, async (c, { query }) => {
      const page = await listInstances(services.db, c.get("claims"), query.org_id, query);
      return c.json(page);
    })
    .on({
      method: "post",
      path: "/",
      summary: "Add an instance (tested first; the plan's instance limit applies)",
      auth: "user",
      permission: "instances.create",
      body: createInstanceSchema,
      responses: {
        201: {
          description: "The instance, its first connection test, and its first sync when started",
          schema: z.object({
            data: instanceSchema,
            health: healthReportSchema.nullable(),
            sync: syncRunSummarySchema.nullable(),
          }),
        },
      },
    }, async (c, { body }) => {
      const { instance, health, sync } = await addInstance(services, c.get("claims"), body);
      c.get("log").info("instance added", { instanceId: instance.id, orgId: instance.org_id });
      await invalidatePosture(services.cache, instance.org_id, "instance_added");
      return c.json({ data: instance, health, sync }, 201);
    })
    .on({
      method: "get",
      path: "/:id",
      summary: "One instance",
      auth: "api_key",
      permission: "instances.read",
      params: idParams,
      responses: { 200: { description: "The instance", schema: dataOf(instanceSchema) } },
    }, async (c, { params }) => {
      const data = await services.db.asTenant(c.get("claims"), (tx) => getInstance(tx, params.id));
      return c.json({ data });
    })
    .on(
      {
        method: "patch",
        path: "/:id",
        summary: "Change name, URL or credentials (credentials are write-only)",
        auth: "user",
        permission: "instances.update",
        params: idParams,
        body: updateInstanceSchema,
        responses: { 200: { description: "The instance", schema: dataOf(instanceSchema) } },
      },
      async (c, { params, body }) =>
        c.json({ data: await editInstance(services, c.get("claims"), params.id, body) }),
    )
    .on({
      method: "delete",
      path: "/:id",
      summary: "Delete an instance and its synced data",
      auth: "user",
      permission: "instances.delete",
      params: idParams,
      responses: { 204: { description: "Deleted" } },
    }, async (c, { params }) => {
      const { org_id } = await services.db.asTenant(
        c.get("claims"),
        (tx) => getInstance(tx, params.id),
      );
      await removeInstance(services, c.get("claims"), params.id);
      c.get("log").info("instance deleted", { instanceId: params.id });
      await invalidatePosture(services.cache, org_id, "instance_removed");
      return c.body(null, 204);
    });
}
