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
  createCustomCheck,
  createCustomCheckSchema,
  deleteCustomCheck,
  describeTables,
  getCustomCheck,
  listCustomChecks,
  previewCustomCheck,
  previewSchema,
  updateCustomCheck,
  updateCustomCheckSchema,
} from "../../../shared/analysis/mod.ts";

/** An organization's custom checks, their preview, and the tables they can read. */
export function customCheckRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/custom-checks", async (c) => {
    const { org_id } = readQuery(c, z.object({ org_id: z.uuid() }));
    return c.json({ data: await listCustomChecks(services.db, c.get("claims"), org_id) });
  });

  routes.post("/custom-checks", async (c) => {
    const input = await readJson(c, createCustomCheckSchema);
    const data = await createCustomCheck(services.db, c.get("claims"), input);
    c.get("log").info("custom check created", { checkId: data.check_id, orgId: data.org_id });
    return c.json({ data }, 201);
  });

  routes.post("/custom-checks/preview", async (c) => {
    const input = await readJson(c, previewSchema);
    return c.json({ data: await previewCustomCheck(services.db, c.get("claims"), input) });
  });

  routes.get("/custom-checks/:id", async (c) => {
    const id = readParam(c, "id", z.uuid());
    return c.json({ data: await getCustomCheck(services.db, c.get("claims"), id) });
  });

  routes.patch("/custom-checks/:id", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const patch = await readJson(c, updateCustomCheckSchema);
    const data = await updateCustomCheck(services.db, c.get("claims"), id, patch);
    c.get("log").info("custom check changed", { checkId: data.check_id, version: data.version });
    return c.json({ data });
  });

  routes.delete("/custom-checks/:id", async (c) => {
    const id = readParam(c, "id", z.uuid());
    await deleteCustomCheck(services.db, c.get("claims"), id);
    return c.body(null, 204);
  });

  routes.get("/tables", async (c) => {
    const { instance_id } = readQuery(c, z.object({ instance_id: z.uuid() }));
    return c.json({ data: await describeTables(services.db, c.get("claims"), instance_id) });
  });

  return routes;
}
