import { Hono } from "hono";
import { z } from "zod";
import { FRAMEWORKS } from "../../../shared/analysis/catalog/mod.ts";
import { type AppEnv, readJson, readParam, type Services } from "../../../shared/http/mod.ts";
import {
  createOrganization,
  createOrgSchema,
  createUpdateOrgSchema,
  getOrganization,
  listMyOrganizations,
  updateOrganization,
} from "../../../shared/organizations/mod.ts";

/** `/` and `/:orgId`: list, create, read and update organizations. */
export function orgsRoutes(services: Services): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  // A default framework must be one of the check catalog's (as GET /analysis/frameworks lists them).
  const updateOrgSchema = createUpdateOrgSchema({ frameworkIds: FRAMEWORKS.map((f) => f.id) });

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
