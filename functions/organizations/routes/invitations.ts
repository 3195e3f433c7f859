import { z } from "zod";
import { createRouteGroup, dataOf, type Services } from "../../../shared/http/mod.ts";
import { mailerFromConfig } from "../../../shared/mail/mod.ts";
import {
  acceptInvitation,
  createInvitation,
  createInvitationSchema,
  invitationTokenSchema,
  listInvitations,
  previewInvitation,
  resendInvitation,
  revokeInvitation,
} from "../../../shared/organizations/mod.ts";
import {
  invitationAcceptanceSchema,
  invitationPreviewSchema,
  invitationSchema,
} from "../schemas.ts";

const orgParams = z.object({ orgId: z.uuid() });
const invitationParams = z.object({ orgId: z.uuid(), invitationId: z.uuid() });

/** `/invitations/*` (the link's holder) and `/:orgId/invitations` (admins). */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function invitationsRoutes(services: Services) {
  const mailer = services.mailer ?? mailerFromConfig(services.config);
  const mailing = () => ({
    db: services.db,
    mailer,
    publicUrl: services.config.PUBLIC_URL ?? "http://localhost:8000",
  });
  return createRouteGroup()
    .on({
      method: "post",
      path: "/invitations/lookup",
      summary: "What an invitation link is for: organization, address, role and state",
      description: "The link's secret is the credential; revoked or replaced links are 404.",
      auth: "public",
      body: invitationTokenSchema,
      responses: {
        200: { description: "The invitation", schema: dataOf(invitationPreviewSchema) },
      },
    }, async (c, { body }) => c.json({ data: await previewInvitation(services.db, body.token) }))
    .on({
      method: "post",
      path: "/invitations/accept",
      summary: "Accept an invitation with the signed-in account (the invited address)",
      auth: "user",
      body: invitationTokenSchema,
      responses: {
        200: { description: "Joined", schema: dataOf(invitationAcceptanceSchema) },
      },
    }, async (c, { body }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => acceptInvitation(tx, body.token),
      );
      return c.json({ data });
    })
    .on({
      method: "get",
      path: "/:orgId/invitations",
      summary: "The organization's invitations, newest first, with their state",
      auth: "user",
      permission: "members.invite",
      params: orgParams,
      responses: { 200: { description: "Invitations", schema: dataOf(z.array(invitationSchema)) } },
    }, async (c, { params }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => listInvitations(tx, params.orgId),
      );
      return c.json({ data });
    })
    .on({
      method: "post",
      path: "/:orgId/invitations",
      summary:
        "Invite someone by email (the same answer whether or not the address has an account)",
      auth: "user",
      permission: "members.invite",
      params: orgParams,
      body: createInvitationSchema,
      responses: { 201: { description: "Invited", schema: dataOf(invitationSchema) } },
    }, async (c, { params, body }) => {
      const data = await createInvitation(mailing(), c.get("claims"), params.orgId, body);
      return c.json({ data }, 201);
    })
    .on({
      method: "post",
      path: "/:orgId/invitations/:invitationId/resend",
      summary: "Send an invitation again with a new link (the old link stops working)",
      auth: "user",
      permission: "members.invite",
      params: invitationParams,
      responses: { 200: { description: "Sent again", schema: dataOf(invitationSchema) } },
    }, async (c, { params }) => {
      const data = await resendInvitation(
        mailing(),
        c.get("claims"),
        params.orgId,
        params.invitationId,
      );
      return c.json({ data });
    })
    .on({
      method: "post",
      path: "/:orgId/invitations/:invitationId/revoke",
      summary: "Revoke an invitation: its link stops working",
      auth: "user",
      permission: "members.invite",
      params: invitationParams,
      responses: { 200: { description: "Revoked", schema: dataOf(invitationSchema) } },
    }, async (c, { params }) => {
      const data = await services.db.asTenant(
        c.get("claims"),
        (tx) => revokeInvitation(tx, params.orgId, params.invitationId),
      );
      return c.json({ data });
    });
}
