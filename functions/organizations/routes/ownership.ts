import { z } from "zod";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import {
  acceptOwnershipOffer,
  cancelOwnershipOffer,
  deleteOrganization,
  deleteOrganizationSchema,
  getOrganization,
  getOwnershipOffer,
  offerOwnership,
  offerOwnershipSchema,
} from "../../../shared/organizations/mod.ts";
import { organizationSchema, ownershipOfferSchema } from "../schemas.ts";

const orgParams = z.object({ orgId: z.uuid() });

/** `/:orgId/ownership-transfer` and `DELETE /:orgId`: what only owners decide. */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function ownershipRoutes(services: Services) {
  return createRouteGroup()
    .on({
      method: "get",
      path: "/:orgId/ownership-transfer",
      summary: "The open offer of ownership, if any",
      auth: "user",
      permission: "organizations.read",
      params: orgParams,
      responses: {
        200: { description: "The offer or null", schema: dataOf(ownershipOfferSchema.nullable()) },
      },
    }, async (c, { params }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => getOwnershipOffer(tx, params.orgId),
      );
      return c.json({ data });
    })
    .on({
      method: "put",
      path: "/:orgId/ownership-transfer",
      summary: "Offer ownership to a member (replaces an open offer)",
      auth: "user",
      permission: "organizations.transfer",
      params: orgParams,
      body: offerOwnershipSchema,
      responses: { 200: { description: "The offer", schema: dataOf(ownershipOfferSchema) } },
    }, async (c, { params, body }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => offerOwnership(tx, params.orgId, c.get("userId"), body.user_id),
      );
      return c.json({ data });
    })
    .on({
      method: "delete",
      path: "/:orgId/ownership-transfer",
      summary: "Withdraw the offer (an owner) or decline it (its recipient)",
      auth: "user",
      permission: "organizations.read",
      params: orgParams,
      responses: { 204: { description: "Withdrawn or declined" } },
    }, async (c, { params }) => {
      await services.db.asTenant(c.get("claims"), (tx) => cancelOwnershipOffer(tx, params.orgId));
      return c.body(null, 204);
    })
    .on({
      method: "post",
      path: "/:orgId/ownership-transfer/accept",
      summary: "Accept the offer: you become owner, the owner who offered becomes admin",
      auth: "user",
      permission: "organizations.read",
      params: orgParams,
      responses: { 200: { description: "The organization", schema: dataOf(organizationSchema) } },
    }, async (c, { params }) => {
      const data = await services.db.asTenant(c.get("claims"), async (tx) => {
        await acceptOwnershipOffer(tx, params.orgId);
        return await getOrganization(tx, params.orgId);
      });
      return c.json({ data });
    })
    .on({
      method: "delete",
      path: "/:orgId",
      summary: "Delete the organization and all its data (its name typed as confirmation)",
      auth: "user",
      permission: "organizations.delete",
      params: orgParams,
      body: deleteOrganizationSchema,
      responses: { 204: { description: "Deleted" } },
    }, async (c, { params, body }) => {
      await deleteOrganization(services, c.get("claims"), params.orgId, body.confirm_name);
      return c.body(null, 204);
    });
}
