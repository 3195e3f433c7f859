import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readJson, readParam, type Services } from "../../../shared/http/mod.ts";
import {
  testConnectionSchema,
  testNewConnection,
  testSavedConnection,
  testSavedConnectionSchema,
} from "../../../shared/instances/mod.ts";

/** Connection tests: of settings about to be saved, and of a saved instance. */
export function connectionRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post("/test-connection", async (c) => {
    const input = await readJson(c, testConnectionSchema);
    const data = await testNewConnection(services, c.get("claims"), input);
    return c.json({ data });
  });

  routes.post("/:id/test", async (c) => {
    const id = readParam(c, "id", z.uuid());
    const raw = await c.req.text();
    const overrides = raw.trim() === "" ? {} : await readJson(c, testSavedConnectionSchema);
    const data = await testSavedConnection(services, c.get("claims"), id, overrides);
    return c.json({ data });
  });

  return routes;
}
