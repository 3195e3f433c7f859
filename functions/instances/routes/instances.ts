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
import { invalidatePosture } from "../../../shared/posture/mod.ts";

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
    const { instance, health } = await addInstance(services, c.get("claims"), input);
    c.get("log").info("instance added", { instanceId: instance.id, orgId: instance.org_id });
    await invalidatePosture(services.cache, instance.org_id, "instance_added");
    return c.json({ data: instance, health }, 201);
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
    const { org_id } = await services.db.asTenant(c.get("claims"), (tx) => getInstance(tx, id));
    await removeInstance(services, c.get("claims"), id);
    c.get("log").info("instance deleted", { instanceId: id });
    await invalidatePosture(services.cache, org_id, "instance_removed");
    return c.body(null, 204);
  });

  return routes;
}
