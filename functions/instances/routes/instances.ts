import { Hono } from "hono";
import { z } from "zod";
import {
  type AppEnv,
  readJson,
  readParam,
  readQuery,
  type Services,
} from "../../../shared/http/mod.ts";
import {
  addInstance,
  createInstanceSchema,
  editInstance,
  getInstance,
  listInstances,
  listInstancesQuerySchema,
  removeInstance,
  updateInstanceSchema,
} from "../../../shared/instances/mod.ts";

/** `/` and `/:id`: list, add, read, change and delete instances. */
export function instancesRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/", async (c) => {
    const { org_id } = readQuery(c, listInstancesQuerySchema);
    const data = await services.db.asTenant(c.get("claims"), (tx) => listInstances(tx, org_id));
    return c.json({ data });
  });

  routes.post("/", async (c) => {
    const input = await readJson(c, createInstanceSchema);
    const { instance, health, sync } = await addInstance(services, c.get("claims"), input);
    c.get("log").info("instance added", { instanceId: instance.id, orgId: instance.org_id });
    return c.json({ data: instance, health, sync }, 201);
  });

  routes.get("/:id", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const data = await services.db.asTenant(c.get("claims"), (tx) => getInstance(tx, id));
    return c.json({ data });
  });

  routes.patch("/:id", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const patch = await readJson(c, updateInstanceSchema);
    const data = await editInstance(services, c.get("claims"), id, patch);
    return c.json({ data });
  });

  routes.delete("/:id", async (c) => {
    const id = readParam(c, "id", z.uuid());
    await removeInstance(services, c.get("claims"), id);
    c.get("log").info("instance deleted", { instanceId: id });
    return c.body(null, 204);
  });

  return routes;
}
