import { z } from "zod";
import { FRAMEWORKS } from "../../../shared/analysis/catalog/mod.ts";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  createOrganization,
  createOrgSchema,
  createUpdateOrgSchema,
  getOrganization,
  listMyOrganizations,
  updateOrganization,
} from "../../../shared/organizations/mod.ts";
import { organizationSchema, organizationSummarySchema } from "../schemas.ts";

const orgParams = z.object({ orgId: z.uuid() });

/** `/` and `/:orgId`: list, create, read and update organizations. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function orgsRoutes(services: Services) {
  // A default framework must be one of the check catalog's (as GET /analysis/frameworks lists them).
  const updateOrgSchema = createUpdateOrgSchema({ frameworkIds: FRAMEWORKS.map((f) => f.id) });

  return createRouteGroup()
    .on({
      method: "get",
      path: "/",
      summary: "The caller's organizations, with their role in each",
      auth: "user",
      responses: {
        200: { description: "Newest first", schema: dataOf(z.array(organizationSummarySchema)) },
      },
    }, async (c) => {
      const data = await services.db.asTenant(c.get("claims"), (tx) => listMyOrganizations(tx));
      return c.json({ data });
    })
    .on({
      method: "post",
      path: "/",
      summary: "Create an organization; the caller becomes its owner",
      auth: "user",
      body: createOrgSchema,
      responses: { 201: { description: "Created", schema: dataOf(organizationSchema) } },
    }, async (c, { body }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => createOrganization(tx, c.get("userId"), body),
      );
      return c.json({ data }, 201);
    })
    .on({
      method: "get",
      path: "/:orgId",
      summary: "One organization with its settings",
      auth: "user",
      permission: "organizations.read",
      params: orgParams,
      responses: { 200: { description: "The organization", schema: dataOf(organizationSchema) } },
    }, async (c, { params }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => getOrganization(tx, params.orgId),
      );
      return c.json({ data });
    })
    .on({
      method: "patch",
      path: "/:orgId",
      summary: "Change name, slug and/or settings",
      auth: "user",
      permission: "organizations.update",
      params: orgParams,
      body: updateOrgSchema,
      responses: { 200: { description: "The organization", schema: dataOf(organizationSchema) } },
    }, async (c, { params, body }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => updateOrganization(tx, params.orgId, body),
      );
      return c.json({ data });
    });
}
