import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, readJson, readParam, type Services } from "../../../shared/http/mod.ts";
import {
  createOrganization,
  createOrgSchema,
  getOrganization,
  listMyOrganizations,
  updateOrganization,
  updateOrgSchema,
} from "../../../shared/organizations/mod.ts";

/** `/` and `/:orgId`: list, create, read and update organizations. */
export function orgsRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/", async (c) => {
    const data = await services.db.asTenant(c.get("claims"), (tx) => listMyOrganizations(tx));
    return c.json({ data });
  });

  routes.post("/", async (c) => {
    const input = await readJson(c, createOrgSchema);
    const data = await services.db.asTenant(
      c.get("claims"),
      (tx) => createOrganization(tx, c.get("userId"), input),
    );
    return c.json({ data }, 201);
  });

  routes.get("/:orgId", async (c) => {
    const orgId = readParam(c, "orgId", z.uuid());
    const data = await services.db.asTenant(c.get("claims"), (tx) => getOrganization(tx, orgId));
    return c.json({ data });
  });

  routes.patch("/:orgId", async (c) => {
    const orgId = readParam(c, "orgId", z.uuid());
    const patch = await readJson(c, updateOrgSchema);
    const data = await services.db.asTenant(
      c.get("claims"),
      (tx) => updateOrganization(tx, orgId, patch),
    );
    return c.json({ data });
  });

  return routes;
}
